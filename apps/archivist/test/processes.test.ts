import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { BASELINE, HEAD, http, migrationsCopy, query } from './helpers.js';

// The real bin, run from source: jiti compiles the TypeScript, and the
// `source` export condition points workspace packages at their src/.
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const JITI_REGISTER = fileURLToPath(import.meta.resolve('jiti/register'));

interface Instance {
  child: ChildProcess;
  url: Promise<string>;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function launch(env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ['--conditions=source', '--import', JITI_REGISTER, BIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout.push(chunk);
      const m = /archivist listening on (http:\/\/\S+)/.exec(stdout.join(''));
      if (m) resolve(m[1]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    void exit.then((code) => reject(new Error(`exited with ${code} before listening:\n${stderr.join('')}`)));
  });
  url.catch(() => {});
  return { child, url, stdout, stderr, exit };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('the archivist bin (separate node processes)', () => {
  // First: it also warms jiti's cache, so the ten processes below start in seconds, not minutes.
  it('an unknown STRATA_SCHEMA_MODE: the process does not start', async () => {
    const i = launch({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      STRATA_SCHEMA_MODE: 'create-everything',
      MIGRATIONS_DIR: '/nonexistent',
    });
    expect(await i.exit).toBe(1);
    expect(i.stderr.join('')).toBe(
      "archivist: not starting: STRATA_SCHEMA_MODE is 'create-everything', which is not a schema " +
        'mode: use one of migrate, verify, create_all (default migrate).\n',
    );
  }, 60_000);

  it('ten processes started at once on one empty database: all listen, every migration applied once; ' +
    'SIGTERM stops them cleanly', async () => {
    const db = await createTestDatabase('archivist_procs');
    cleanup.push(() => db.drop());
    const m = migrationsCopy();
    cleanup.push(() => m.rm());
    const instances = Array.from({ length: 10 }, () =>
      launch({ DATABASE_URL: db.url, MIGRATIONS_DIR: m.dir, STRATA_SCHEMA_MODE: 'migrate' }),
    );
    cleanup.push(() => {
      for (const i of instances) i.child.kill('SIGKILL');
    });
    const urls = await Promise.all(instances.map((i) => i.url));
    const health = await Promise.all(urls.map((u) => http(u, 'GET', '/health')));
    expect(health.map((h) => h.status)).toEqual(Array(10).fill(200));
    expect(health.map((h) => h.body.schema.action).filter((a: string) => a === 'migrated').length).toBeGreaterThanOrEqual(1);
    expect(
      await query(
        db.url,
        `SELECT revision, count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied' GROUP BY revision ORDER BY revision`,
      ),
    ).toEqual([
      { revision: BASELINE, n: 1 },
      { revision: HEAD, n: 1 },
    ]);
    expect(await query(db.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: HEAD }]);
    // the URL (and its password) is never printed
    expect(instances.flatMap((i) => [...i.stdout, ...i.stderr]).join('')).not.toContain(db.url);
    for (const i of instances) i.child.kill('SIGTERM');
    expect(await Promise.all(instances.map((i) => i.exit))).toEqual(Array(10).fill(0));
  }, 120_000);

  it('verify mode behind head: the process does not start, names the pending revision, exits 1', async () => {
    const db = await createTestDatabase('archivist_verify');
    cleanup.push(() => db.drop());
    const m = migrationsCopy();
    cleanup.push(() => m.rm());
    const { upgrade } = await import('@pg-strata/runner');
    await upgrade({ url: db.url, migrationsDir: m.dir, target: BASELINE });
    const i = launch({ DATABASE_URL: db.url, MIGRATIONS_DIR: m.dir, STRATA_SCHEMA_MODE: 'verify' });
    expect(await i.exit).toBe(1);
    const err = i.stderr.join('');
    expect(err).toContain('archivist: not starting: The database ');
    expect(err).toContain(`1 migration is pending:\n  ${HEAD}  0002_locations.sql`);
  }, 60_000);
});
