import { spawn } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { CLI, envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

/**
 * Issue 17, "crash windows closed" (the steps the kill loop rarely draws)
 * and "consent where it belongs", through the built CLI. A runner is
 * SIGKILLed inside a non-transactional migration; the server cancels the
 * statement in flight; `status` shows the interruption and `up` either
 * resumes or names the one step (drop the INVALID index, or `migrate
 * resolve`), whose input errors exit 2 and database errors 3.
 */

const rev = (i: number) => `r${String(i).padStart(11, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// slow(x) sleeps 0.2 s per call while knob.slow is true: an index build or an update that can be caught in flight.
const BASE = sqlMigration(
  rev(1),
  [],
  `CREATE TABLE knob (slow boolean NOT NULL);\nINSERT INTO knob VALUES (true);\nCREATE FUNCTION ` +
    `slow(x int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN IF (SELECT slow FROM ` +
    `public.knob) THEN PERFORM pg_sleep(0.2); END IF; RETURN x; END $$;\nCREATE TABLE t (id int ` +
    `PRIMARY KEY, n int NOT NULL DEFAULT 0);\nINSERT INTO t SELECT g FROM generate_series(1, 200) g;`,
  'DROP TABLE t;\nDROP FUNCTION slow;\nDROP TABLE knob;',
);

/** Start `up`, wait for `statement` to run on the server, SIGKILL the runner, wait for the server to drop its session. */
async function killDuring(cwd: string, url: string, statement: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'up', '--no-lint'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url, NO_COLOR: '1' },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; ; i++) {
      const rows = await query(
        url,
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1 AND state ` +
          `= 'active' AND pid <> pg_backend_pid()`,
        [`%${statement}%`],
      );
      if (rows.length > 0) break;
      if (i > 300) throw new Error(`${statement} never ran`);
      await sleep(100);
    }
    await sleep(300);
  } finally {
    child.kill('SIGKILL');
  }
  for (let i = 0; i < 100; i++) {
    if (
      (await query(url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-migrate'`))
        .length === 0
    )
      return;
    await sleep(100);
  }
  throw new Error('the killed runner is still connected');
}

describe('an interrupted non-transactional migration', () => {
  it('killed while building an index: status shows it, up names the INVALID index to drop, then resumes it', async () => {
    const db = await createTestDatabase('intr_index');
    const env = { DATABASE_URL: db.url };
    const cwd = tempProject({
      'migrations/0001_base.sql': BASE,
      'migrations/0002_idx.sql': sqlMigration(
        rev(2),
        [rev(1)],
        'CREATE INDEX CONCURRENTLY t_slow ON t (slow(id));',
        'DROP INDEX CONCURRENTLY t_slow;',
        { transactional: 'false' },
      ),
      'migrations/0003_after.sql': sqlMigration(rev(3), [rev(2)], 'CREATE TABLE after_idx (id int);', 'DROP TABLE after_idx;'),
    });
    dirs.push(cwd);
    await killDuring(cwd, db.url, 'CREATE INDEX CONCURRENTLY t_slow');
    expect(await query(db.url, `SELECT indisvalid FROM pg_index WHERE indexrelid = 't_slow'::regclass`)).toEqual([{ indisvalid: false }]);

    const st = await runMigrate(['status'], { cwd, env });
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`INTERRUPTED  ${rev(2)}  0002_idx.sql (up)`);
    expect(st.stdout).toContain('0 of 1 statement(s) completed; may have run:');
    expect(st.stdout).toContain('statement 1 (line 6): CREATE INDEX CONCURRENTLY t_slow ON t (slow(id))');
    expect(st.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS t_slow');
    expect((await runMigrate(['status', '--check'], { cwd, env })).code).toBe(1);
    const json = envelope((await runMigrate(['status', '--json'], { cwd, env })).stdout).result;
    expect(json.running).toEqual([expect.objectContaining({ revision: rev(2), interrupted: true, statements: 1, statementsDone: 0 })]);

    const refused = await runMigrate(['up'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`0002_idx.sql (revision ${rev(2)}) was interrupted`);
    expect(refused.stderr).toContain(
      'To go on: drop the INVALID index it left: DROP INDEX CONCURRENTLY IF EXISTS t_slow; then run `strata up` again',
    );
    expect(await query(db.url, `SELECT to_regclass('after_idx') AS t`)).toEqual([{ t: null }]);

    await query(db.url, 'DROP INDEX CONCURRENTLY IF EXISTS t_slow');
    await query(db.url, 'UPDATE knob SET slow = false');
    const up = await runMigrate(['up'], { cwd, env });
    expect({ code: up.code, stderr: up.stderr }).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('resuming 0002_idx.sql at statement 1 of 1'),
    });
    expect(await query(db.url, `SELECT indisvalid FROM pg_index WHERE indexrelid = 't_slow'::regclass`)).toEqual([{ indisvalid: true }]);
    expect(await query(db.url, `SELECT revision, outcome FROM strata.strata_history WHERE revision = $1 ORDER BY id`, [rev(2)])).toEqual([
      { revision: rev(2), outcome: 'applied' },
    ]);
    expect((await runMigrate(['status', '--check'], { cwd, env })).code).toBe(0);
    await db.drop();
  });

  for (const as of ['applied', 'rolled-back'] as const) {
    it(
      `killed during a statement that cannot be judged: up names migrate resolve; resolve --${as} ` +
        `settles it, and up reaches head with the update applied once`,
      async () => {
        const db = await createTestDatabase(`intr_resolve_${as.replace('-', '_')}`);
        const env = { DATABASE_URL: db.url };
        const cwd = tempProject({
          'migrations/0001_base.sql': BASE,
          'migrations/0002_upd.sql': sqlMigration(
            rev(2),
            [rev(1)],
            'CREATE INDEX CONCURRENTLY t_n ON t (n);\nUPDATE t SET n = n + 1 WHERE slow(id) > 0;',
            'DROP INDEX CONCURRENTLY t_n;',
            { transactional: 'false' },
          ),
        });
        dirs.push(cwd);
        await killDuring(cwd, db.url, 'UPDATE t SET n = n + 1 WHERE slow(id)');
        const refused = await runMigrate(['up'], { cwd, env });
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('Statement 1 completed; statement 2 may have run; it is the last one.');
        expect(refused.stderr).toContain(`\`strata resolve ${rev(2)} --applied\``);
        expect(refused.stderr).toContain(`\`strata resolve ${rev(2)} --rolled-back\``);

        // Input errors: exit 2, nothing changed.
        for (const args of [
          ['resolve', rev(2)],
          ['resolve', rev(2), '--applied', '--rolled-back'],
          ['resolve', 'nosuchrev', '--applied'],
          ['resolve', rev(1), '--applied'],
        ]) {
          const r = await runMigrate(args, { cwd, env });
          expect({ args, code: r.code }).toEqual({ args, code: 2 });
        }
        // The database cannot be reached: exit 3.
        expect((await runMigrate(['resolve', rev(2), '--applied', '--url', 'postgres://nobody@127.0.0.1:1/none'], { cwd })).code).toBe(3);
        expect(await query(db.url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome = 'running'`)).toEqual([{ n: 1 }]);

        await query(db.url, 'UPDATE knob SET slow = false');
        if (as === 'applied') {
          await query(db.url, 'UPDATE t SET n = n + 1 WHERE id > 0'); // finished by hand
        } else {
          await query(db.url, 'DROP INDEX CONCURRENTLY t_n'); // undone by hand
        }
        const res = await runMigrate(['resolve', rev(2), `--${as}`], { cwd, env });
        expect({ code: res.code, stderr: res.stderr }).toMatchObject({ code: 0 });
        expect(res.stdout).toContain(
          `Resolved 0002_upd.sql (revision ${rev(2)}, interrupted up): recorded as ${as === 'applied' ? 'applied' : 'rolled back'}`,
        );
        const up = await runMigrate(['up'], { cwd, env });
        expect({ code: up.code, stderr: up.stderr }).toMatchObject({ code: 0 });
        expect(up.stdout).toContain(as === 'applied' ? 'Nothing to do' : '1 migration(s) applied');
        expect(await query(db.url, 'SELECT min(n)::int AS lo, max(n)::int AS hi FROM t')).toEqual([{ lo: 1, hi: 1 }]);
        const st = await runMigrate(['status', '--check'], { cwd, env });
        expect({ code: st.code, stdout: st.stdout }).toMatchObject({
          code: 0,
          stdout: expect.stringContaining('The database is at head.'),
        });
        // resolve again: nothing left to resolve.
        expect((await runMigrate(['resolve', rev(2), '--applied'], { cwd, env })).code).toBe(2);
        await db.drop();
      },
    );
  }
});

describe('a migration acknowledges its own data loss', () => {
  const drop = (header: boolean, i: number, parent: number, column: string) =>
    sqlMigration(
      rev(i),
      [rev(parent)],
      `ALTER TABLE t DROP COLUMN ${column};`,
      `ALTER TABLE t ADD COLUMN ${column} int;`,
      header ? { 'data-loss': `${column} was copied to t_archive, reviewed in #41` } : {},
    );

  it(
    'the header is consent for that migration alone; --dry-run and --sql ask none and list the ' + 'loss; an empty reason is refused',
    async () => {
      const db = await createTestDatabase('consent');
      const env = { DATABASE_URL: db.url };
      const cwd = tempProject({
        'migrations/0001_base.sql': sqlMigration(rev(1), [], 'CREATE TABLE t (id int, a int, b int);', 'DROP TABLE t;'),
        'migrations/0002_drop_a.sql': drop(true, 2, 1, 'a'),
        'migrations/0003_drop_b.sql': drop(false, 3, 2, 'b'),
      });
      dirs.push(cwd);
      const refused = await runMigrate(['up'], { cwd, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'Refusing to run 1 statement that would lose data:\n  0003_drop_b.sql:5:1: ALTER TABLE t DROP COLUMN b',
      );
      expect(refused.stderr).not.toContain('0002_drop_a.sql:6:1');
      expect(refused.stderr).toContain("'-- data-loss: <reason>' header line");
      expect(await query(db.url, `SELECT to_regclass('strata.strata_version') AS v, to_regclass('t') AS t`)).toEqual([
        { v: null, t: null },
      ]);

      for (const args of [
        ['up', '--dry-run'],
        ['up', '--sql'],
      ]) {
        const r = await runMigrate(args, { cwd, env });
        expect({ args, code: r.code }).toEqual({ args, code: 0 });
        expect(r.stderr).toContain('data loss: 2 statement(s) lose data; 1 not acknowledged by their migration');
        expect(r.stderr).toContain('0002_drop_a.sql:6:1: ALTER TABLE t DROP COLUMN a loses');
        expect(r.stderr).toContain('(acknowledged: a was copied to t_archive, reviewed in #41)');
      }
      const script = await runMigrate(['up', '--sql', '--from', 'base'], { cwd });
      expect(script.code).toBe(0);
      expect(script.stdout).toContain('-- 2 statement(s) lose data; read them before running this script:');

      // The acknowledged one runs without --allow-data-loss.
      expect((await runMigrate(['up', rev(2)], { cwd, env })).code).toBe(0);
      expect(
        await query(
          db.url,
          `SELECT attname FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        ),
      ).toEqual([{ attname: 'id' }, { attname: 'b' }]);
      // Its down is not covered by it (here the down loses nothing; 0001's down does).
      const downBase = await runMigrate(['down', 'base'], { cwd, env });
      expect(downBase.code).toBe(2);
      expect(downBase.stderr).toContain('0001_base.sql:8:1: DROP TABLE t');

      // An acknowledgement without a reason is an input error, before anything runs.
      writeFileSync(join(cwd, 'migrations/0003_drop_b.sql'), drop(false, 3, 2, 'b').replace('-- parents:', '-- data-loss:\n-- parents:'));
      const empty = await runMigrate(['up'], { cwd, env });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain("0003_drop_b.sql:2: '-- data-loss:' needs a reason");
      expect(await query(db.url, `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'b'`)).toEqual([
        { n: 1 },
      ]);

      // A TypeScript migration: export const dataLoss.
      unlinkSync(join(cwd, 'migrations/0003_drop_b.sql'));
      writeFileSync(
        join(cwd, 'migrations/0003_drop_b.ts'),
        `export const revision = '${rev(3)}';\nexport const parents = ['${rev(2)}'];\nexport const ` +
          `dataLoss = 'b is unused since v2';\nexport async function up(db: any) { await ` +
          `db.schema.alterTable('t').dropColumn('b').execute(); }\nexport async function down(db: any) { ` +
          `await db.schema.alterTable('t').addColumn('b', 'integer').execute(); }\n`,
      );
      const ts = await runMigrate(['up'], { cwd, env });
      expect({ code: ts.code, stderr: ts.stderr }).toMatchObject({ code: 0 });
      expect(
        await query(
          db.url,
          `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'b' AND NOT attisdropped`,
        ),
      ).toEqual([{ n: 0 }]);
      await db.drop();
    },
  );
});
