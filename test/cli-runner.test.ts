import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { CLI, envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { describeSchema, query } from './support/catalogue.js';

const rev = (i: number) => `a${String(i).padStart(11, '0')}`;

/** A linear chain of n migrations creating t1..tn, each with an index and a foreign key to the previous table. */
function chain(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const fk = i > 1 ? `, t${i - 1}_id int REFERENCES t${i - 1}(id)` : '';
    files[`migrations/${String(i).padStart(4, '0')}_t${i}.sql`] = sqlMigration(
      rev(i),
      i > 1 ? [rev(i - 1)] : [],
      `CREATE TABLE t${i} (id int PRIMARY KEY, name text NOT NULL${fk});\nCREATE INDEX t${i}_name ON t${i} (name);`,
      `DROP TABLE t${i};`,
    );
  }
  return files;
}

describe('migrate CLI against real PostgreSQL', () => {
  it('up reaches head; down steps back one; down base leaves only Strata tables; up again gives the same schema', async () => {
    const db = await createTestDatabase('e2e_cycle');
    const cwd = tempProject(chain(5));
    const env = { DATABASE_URL: db.url };
    const up = await runMigrate(['up'], { cwd, env });
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('5 migration(s) applied');
    const first = await describeSchema(db.url);
    expect(first).toContain('public.t5.t4_id integer null');

    const down = await runMigrate(['down', '--allow-data-loss'], { cwd, env });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`now at ${rev(4)}`);
    expect(await describeSchema(db.url)).not.toContain('public.t5.');

    const base = await runMigrate(['down', 'base', '--allow-data-loss'], { cwd, env });
    expect(base.code).toBe(0);
    expect(await describeSchema(db.url)).toBe('');
    const left = await query<{ nspname: string }>(
      db.url,
      `SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ` +
        `n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')`,
    );
    expect(left.map((r) => r.nspname)).toEqual(['strata']);

    const again = await runMigrate(['up'], { cwd, env });
    expect(again.code).toBe(0);
    expect(await describeSchema(db.url)).toBe(first);

    const status = await runMigrate(['status', '--check', '--json'], { cwd, env });
    expect(status.code).toBe(0);
    expect(envelope(status.stdout).result).toMatchObject({ atHead: true, pending: [], current: [rev(5)] });
    await db.drop();
  });

  it('8 processes running up at once on a 50-migration chain: all exit 0, each migration applied exactly once', async () => {
    const db = await createTestDatabase('e2e_race');
    const cwd = tempProject(chain(50));
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url }, timeoutMs: 120_000 })),
    );
    for (const r of runs) expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const rows = await query<{ revision: string; n: number }>(
      db.url,
      `SELECT revision, count(*)::int AS n FROM strata.strata_history WHERE direction = 'up' AND outcome = 'applied' GROUP BY revision`,
    );
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    await db.drop();
  });

  it('a migration whose third statement fails is rolled back whole, earlier ones stay, exit 3 with file:line:column', async () => {
    const db = await createTestDatabase('e2e_fail');
    const files = chain(2);
    files['migrations/0003_bad.sql'] = sqlMigration(
      rev(3),
      [rev(2)],
      'CREATE TABLE keep_me (id int);\nINSERT INTO keep_me VALUES (1);\nINSERT INTO keep_me VALUES (nonexistent_column);',
      'DROP TABLE keep_me;',
    );
    const cwd = tempProject(files);
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(3);
    // line 7 of the file: two header lines, a blank, "-- migrate:up", two statements, then the failing one
    expect(r.stderr).toContain('0003_bad.sql:7:29');
    expect(r.stderr).toContain('column "nonexistent_column" does not exist');
    const tables = await query<{ relname: string }>(
      db.url,
      `SELECT relname FROM pg_class WHERE relname IN ('t1','t2','keep_me') ORDER BY 1`,
    );
    expect(tables.map((t) => t.relname)).toEqual(['t1', 't2']);
    const status = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: db.url } });
    expect(envelope(status.stdout).result.failed[0]).toMatchObject({ revision: rev(3) });
    await db.drop();
  });

  it('SIGKILL during a slow migration: nothing half-applied, the lock is free, the re-run completes', async () => {
    const db = await createTestDatabase('e2e_kill');
    const files = chain(1);
    files['migrations/0002_slow.sql'] = sqlMigration(
      rev(2),
      [rev(1)],
      'CREATE TABLE slow_half (id int);\nSELECT pg_sleep(30);',
      'DROP TABLE slow_half;',
    );
    const cwd = tempProject(files);
    const child = spawn(process.execPath, [CLI, 'up'], {
      cwd,
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    // Wait until the slow statement is running, then kill the process outright.
    for (let i = 0; i < 200; i++) {
      const rows = await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`);
      if (rows.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The server notices the dead connection and rolls back; give it a moment.
    for (let i = 0; i < 100; i++) {
      const rows = await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`);
      if (!rows.length) break;
      await query(
        db.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'slow_half'`)).toHaveLength(0);
    expect(await query(db.url, `SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`)).toHaveLength(0);
    writeFileSync(
      join(cwd, 'migrations/0002_slow.sql'),
      sqlMigration(rev(2), [rev(1)], 'CREATE TABLE slow_half (id int);', 'DROP TABLE slow_half;'),
    );
    const again = await runMigrate(['up', '--lock-wait', '0'], { cwd, env: { DATABASE_URL: db.url } });
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'slow_half'`)).toHaveLength(1);
    await db.drop();
  });

  it('an applied migration edited on disk stops up, naming the file', async () => {
    const db = await createTestDatabase('e2e_edit');
    const cwd = tempProject(chain(2));
    expect((await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } })).code).toBe(0);
    appendFileSync(join(cwd, 'migrations/0001_t1.sql'), '\n-- a harmless-looking edit\n');
    writeFileSync(join(cwd, 'migrations/0003_t3.sql'), sqlMigration(rev(3), [rev(2)], 'CREATE TABLE t3 (id int);', 'DROP TABLE t3;'));
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('0001_t1.sql');
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 't3'`)).toHaveLength(0);
    await db.drop();
  });

  it('a syntax error in the last pending migration: nothing runs at all', async () => {
    const db = await createTestDatabase('e2e_syntax');
    const files = chain(3);
    files['migrations/0004_typo.sql'] = sqlMigration(
      rev(4),
      [rev(3)],
      'CREATE TABLE ok4 (id int);\nCREATE TABEL oops (id int);',
      'DROP TABLE ok4;',
    );
    const cwd = tempProject(files);
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/0004_typo\.sql:6:8: syntax error at or near "TABEL"/);
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname IN ('t1','t2','t3','ok4')`)).toHaveLength(0);
    await db.drop();
  });

  it('CREATE INDEX CONCURRENTLY runs outside a transaction; a failed one is shown with its INVALID index', async () => {
    const db = await createTestDatabase('e2e_conc');
    const files = chain(1);
    files['migrations/0002_conc.sql'] = sqlMigration(
      rev(2),
      [rev(1)],
      'CREATE INDEX CONCURRENTLY t1_id_name ON t1 (id, name);',
      'DROP INDEX CONCURRENTLY t1_id_name;',
    );
    files['migrations/0003_dupes.sql'] = sqlMigration(
      rev(3),
      [rev(2)],
      'CREATE TABLE d (v int);\nINSERT INTO d VALUES (1), (1);',
      'DROP TABLE d;',
    );
    files['migrations/0004_unique.sql'] = sqlMigration(
      rev(4),
      [rev(3)],
      'CREATE UNIQUE INDEX CONCURRENTLY d_v_key ON d (v);',
      'DROP INDEX CONCURRENTLY d_v_key;',
    );
    const cwd = tempProject(files);
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(3);
    expect(await query(db.url, `SELECT 1 FROM pg_indexes WHERE indexname = 't1_id_name'`)).toHaveLength(1);
    const s = await runMigrate(['status'], { cwd, env: { DATABASE_URL: db.url } });
    expect(s.stdout).toContain('FAILED   ' + rev(4));
    expect(s.stdout).toContain('left INVALID index public.d_v_key');
    await db.drop();
  });

  it('two heads: up refuses and lists them; after merge, up applies both branches; a late branch is applied', async () => {
    const db = await createTestDatabase('e2e_heads');
    const files = chain(2);
    files['migrations/0003_left.sql'] = sqlMigration('left00000003', [rev(2)], 'CREATE TABLE l (id int);', 'DROP TABLE l;');
    files['migrations/0003_right.sql'] = sqlMigration('right0000003', [rev(2)], 'CREATE TABLE r (id int);', 'DROP TABLE r;');
    const cwd = tempProject(files);
    const env = { DATABASE_URL: db.url };
    const refused = await runMigrate(['up'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('left00000003');
    expect(refused.stderr).toContain('right0000003');
    expect(refused.stderr).toContain('strata merge');
    const merged = await runMigrate(['merge', 'join branches'], { cwd, env });
    expect(merged.code).toBe(0);
    expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
    expect(await query(db.url, `SELECT relname FROM pg_class WHERE relname IN ('l','r') ORDER BY 1`)).toEqual([
      { relname: 'l' },
      { relname: 'r' },
    ]);
    // A branch written earlier but merged late (parent t1) must still be applied.
    writeFileSync(
      join(cwd, 'migrations/0002_late.sql'),
      sqlMigration('late00000002', [rev(1)], 'CREATE TABLE late (id int);', 'DROP TABLE late;'),
    );
    const heads = envelope((await runMigrate(['heads', '--json'], { cwd, env })).stdout).result.heads.map(
      (h: { revision: string }) => h.revision,
    );
    writeFileSync(join(cwd, 'migrations/0009_merge_late.sql'), sqlMigration('mergelate009', heads, 'SELECT 1;', 'SELECT 1;'));
    const late = await runMigrate(['up'], { cwd, env });
    expect(late.code).toBe(0);
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'late'`)).toHaveLength(1);
    await db.drop();
  });

  it('down through a DROP TABLE needs --allow-data-loss', async () => {
    const db = await createTestDatabase('e2e_loss');
    const cwd = tempProject(chain(2));
    const env = { DATABASE_URL: db.url };
    expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
    const refused = await runMigrate(['down'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('0002_t2.sql');
    expect(refused.stderr).toContain('--allow-data-loss');
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 't2'`)).toHaveLength(1);
    expect((await runMigrate(['down', '--allow-data-loss'], { cwd, env })).code).toBe(0);
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 't2'`)).toHaveLength(0);
    await db.drop();
  });

  it('up --sql piped into psql on a fresh database gives the same schema as up', async () => {
    const online = await createTestDatabase('e2e_online');
    const offline = await createTestDatabase('e2e_offline');
    const files = chain(4);
    files['migrations/0005_ts.ts'] = `import type { Kysely } from 'kysely';
export const revision = '${rev(5)}';
export const parents = ['${rev(4)}'];
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('t4').addColumn('email', 'text').execute();
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('t4').dropColumn('email').execute();
}
`;
    const cwd = tempProject(files);
    expect((await runMigrate(['up'], { cwd, env: { DATABASE_URL: online.url } })).code).toBe(0);
    const script = await runMigrate(['up', '--sql', '--from', 'base'], { cwd });
    expect(script.code).toBe(0);
    const psql = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', offline.url], { input: script.stdout, encoding: 'utf8' });
    expect(psql.stderr).toBe('');
    expect(psql.status).toBe(0);
    expect(await describeSchema(offline.url)).toBe(await describeSchema(online.url));
    const st = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: offline.url } });
    expect(envelope(st.stdout).result).toMatchObject({ atHead: true });
    await online.drop();
    await offline.drop();
  });

  it(
    'a TypeScript migration importing kysely at run time works from a project that does not install ' + 'it (the CLI lends its own)',
    async () => {
      const db = await createTestDatabase('e2e_ts_kysely');
      const files = chain(1);
      files['migrations/0002_ts.ts'] = `import { sql } from 'kysely';
export const revision = '${rev(2)}';
export const parents = ['${rev(1)}'];
export async function up(db) {
  await sql\`CREATE TABLE from_ts (id int PRIMARY KEY, note text DEFAULT \${sql.lit('kysely')})\`.execute(db);
}
export async function down(db) {
  await sql\`DROP TABLE from_ts\`.execute(db);
}
`;
      const cwd = tempProject(files);
      const up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
      expect(up.stderr).not.toMatch(/error/i);
      expect(up.code).toBe(0);
      expect(
        await query(db.url, "SELECT column_default FROM information_schema.columns WHERE table_name = 'from_ts' AND column_name = 'note'"),
      ).toEqual([{ column_default: "'kysely'::text" }]);
      expect((await runMigrate(['down', '--allow-data-loss'], { cwd, env: { DATABASE_URL: db.url } })).code).toBe(0);
      expect(await query(db.url, "SELECT to_regclass('from_ts') AS t")).toEqual([{ t: null }]);
      await db.drop();
    },
  );

  it('wrong password, unreachable host, bad URL: a clear error, exit 3 or 2, and no password anywhere', async () => {
    const db = await createTestDatabase('e2e_conn');
    const cwd = tempProject(chain(1));
    const u = new URL(db.url);
    u.password = 'Wr0ngPassw0rd-xyz';
    const wrong = await runMigrate(['status'], { cwd, env: { DATABASE_URL: u.toString() } });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/Authentication failed for postgres@127\.0\.0\.1:\d+\//);
    const unreachable = await runMigrate(['up', '--url', 'postgres://app:S3cretPw-abc@127.0.0.1:1/app'], { cwd });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('Cannot connect to app@127.0.0.1:1/app: connection refused');
    const bad = await runMigrate(['up', '--url', 'postgres://app:S3cretPw-abc@[bad'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('could not be parsed');
    for (const r of [wrong, unreachable, bad]) {
      const all = r.stdout + r.stderr;
      expect(all).not.toContain('Wr0ngPassw0rd-xyz');
      expect(all).not.toContain('S3cretPw-abc');
      expect(all).not.toContain(new URL(db.url).password);
    }
    await db.drop();
  });
});
