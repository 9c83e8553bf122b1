import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { CLI, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

/**
 * Issue 17, "signals": SIGINT (and SIGTERM) stop `up` after the migration in
 * flight, which is rolled back, print what was and was not applied, and exit
 * 130 (143); `migrate test` drops its scratch databases, stops its embedded
 * PostgreSQL and removes its folder before exiting 130. Nothing is left:
 * no server session of the run, no postgres process, no scratch database,
 * no temporary folder. A later run removes the folder of a dead owner.
 */

const rev = (i: number) => `s${String(i).padStart(11, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Three migrations, each holding its transaction for `seconds`. */
function slowChain(seconds: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 3; i++)
    files[`migrations/000${i}_slow${i}.sql`] = sqlMigration(
      rev(i),
      i > 1 ? [rev(i - 1)] : [],
      `CREATE TABLE slow${i} (id int);\nSELECT pg_sleep(${seconds});`,
      `DROP TABLE slow${i};`,
    );
  return files;
}

function start(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((r) =>
    child.once('close', (code, signal) => r({ code, signal, stdout, stderr })),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void done.then(() => clearTimeout(timer));
  return { child, done };
}

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** postgres processes whose command line names `dir` (their data directory is under it); with `server`, only a running server (not
 * initdb's). */
function postgresUnder(dir: string, server = false): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('postgres') && cmd.includes(dir) && (!server || cmd.includes('\0-p\0'))) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('signals during up', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(
      `${signal} during the second of three migrations: it is rolled back, the first stays, the third ` +
        `never runs; exit ${code}; no session or lock left`,
      async () => {
        const db = await createTestDatabase(`sig_up_${signal.toLowerCase()}`);
        const cwd = tempProject(slowChain(3));
        dirs.push(cwd);
        const run = start(['up', '--no-lint'], cwd, { DATABASE_URL: db.url });
        await waitFor(
          'the second migration to run',
          async () =>
            (
              await query(
                db.url,
                `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%slow2%' AND ` +
                  `state = 'active' AND pid <> pg_backend_pid()`,
              )
            ).length > 0,
        );
        const t0 = Date.now();
        run.child.kill(signal);
        const r = await run.done;
        // Cancelled, not waited for: well under the 3 s the migration sleeps.
        expect(Date.now() - t0).toBeLessThan(2500);
        expect({ code: r.code, stdout: r.stdout }).toEqual({
          code,
          stdout:
            `Interrupted by ${signal}: 1 migration(s) applied (0001_slow1.sql); not applied: ` +
            `0002_slow2.sql, 0003_slow3.sql. Now at ${rev(1)}.\n`,
        });
        expect(r.stderr).toContain(`${signal}: stopping`);
        expect(r.stderr).toContain('skipped  0002_slow2.sql: rolled back: the run was interrupted by a signal');
        expect(
          await query(db.url, `SELECT to_regclass('slow1')::text AS a, to_regclass('slow2')::text AS b, to_regclass('slow3')::text AS c`),
        ).toEqual([{ a: 'slow1', b: null, c: null }]);
        expect(await query(db.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: rev(1) }]);
        // Not a failure: nothing to clean up, nothing recorded as failed or running.
        expect(await query(db.url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome <> 'applied'`)).toEqual([{ n: 0 }]);
        await waitFor(
          "the run's session to close",
          async () =>
            (
              await query(
                db.url,
                `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-migrate'`,
              )
            ).length === 0,
          5000,
        );
        expect(
          await query(
            db.url,
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE ` +
              `l.locktype = 'advisory' AND d.datname = current_database()`,
          ),
        ).toEqual([{ n: 0 }]);
        await db.drop();
      },
    );
  }
});

describe('signals during migrate test and migrate diff', () => {
  it("with the embedded server: the server is stopped, its folder removed, and a dead owner's folder " +
    'from before is removed too; exit 130', {
    timeout: 120_000,
  }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'strata-sigtest-'));
    dirs.push(tmp);
    chmodSync(tmp, 0o755); // as root, the server runs as the postgres user, who must reach its folder
    // A folder left by a migrate test killed outright earlier: its owner is dead.
    const dead = spawnSync('true').pid!;
    const stale = join(tmp, 'strata-pg-stale1');
    mkdirSync(join(stale, 'data'), { recursive: true });
    writeFileSync(join(stale, 'owner.pid'), `${dead}\n`);
    const cwd = tempProject(slowChain(20));
    dirs.push(cwd);
    const run = start(['test'], cwd, { TMPDIR: tmp });
    let exited: unknown;
    void run.done.then((r) => (exited = r));
    // The server is up once a postgres process runs on a data directory under tmp.
    await waitFor(
      'the embedded server',
      () => {
        if (exited) throw new Error(`strata test ended first: ${JSON.stringify(exited)}`);
        return postgresUnder(tmp, true).length > 0;
      },
      50_000,
    );
    expect(existsSync(stale)).toBe(false);
    await sleep(3000); // the first migration is sleeping in its scratch database
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      new RegExp(
        /Stopped by SIGINT: `strata test` did not complete and changed nothing\. Dropped \d+ /.source +
          /scratch database\(s\), stopped 1 PostgreSQL server\(s\)/.source,
      ),
    );
    expect(postgresUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('strata-pg-'))).toEqual([]);
  });

  it('with --shadow-url: every scratch database it made is dropped; exit 130', async () => {
    const admin = testServerUrl();
    const cwd = tempProject(slowChain(20));
    dirs.push(cwd);
    const tmp = mkdtempSync(join(tmpdir(), 'strata-sigtest-'));
    dirs.push(tmp);
    const run = start(['test', '--shadow-url', admin], cwd, { TMPDIR: tmp });
    const seen = new Set<string>();
    await waitFor('a scratch database running the first migration', async () => {
      const rows = await query(
        admin,
        `SELECT datname FROM pg_stat_activity WHERE datname LIKE 'strata_migtest%' AND query LIKE '%slow1%' AND state = 'active'`,
      );
      for (const row of rows) seen.add(row.datname as string);
      return rows.length > 0;
    });
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Stopped by SIGINT');
    expect(r.stderr).toContain('stopped 0 PostgreSQL server(s)');
    expect(seen.size).toBeGreaterThan(0);
    const left = await query(admin, `SELECT datname FROM pg_database WHERE datname = ANY($1)`, [[...seen]]);
    expect(left).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('SIGTERM during migrate diff (an SQL file materialised in a shadow database): the embedded ' +
    'server is stopped and its folder removed; exit 143', {
    timeout: 120_000,
  }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'strata-sigtest-'));
    dirs.push(tmp);
    chmodSync(tmp, 0o755);
    const cwd = tempProject({ 'a.sql': 'CREATE TABLE a (id int);\nSELECT pg_sleep(20);\n', 'b.sql': 'CREATE TABLE a (id int, b int);\n' });
    dirs.push(cwd);
    const run = start(['diff', '--from', 'a.sql', '--to', 'b.sql'], cwd, { TMPDIR: tmp });
    await waitFor('the embedded server', () => postgresUnder(tmp, true).length > 0, 60_000);
    await sleep(2000); // a.sql is sleeping in its shadow database
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(
      new RegExp(
        /Stopped by SIGTERM: `strata diff` did not complete and changed nothing\. Dropped 1 /.source +
          /scratch database\(s\), stopped 1 PostgreSQL server\(s\)/.source,
      ),
    );
    expect(postgresUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
