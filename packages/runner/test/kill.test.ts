import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { status, upgrade } from '@pg-strata/runner';
import { query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_kill');
const m = tempMigrations();
afterAll(() => m.rm());
const jiti = fileURLToPath(new URL('../node_modules/.bin/jiti', import.meta.url));
const runnerSource = fileURLToPath(new URL('../src/index.ts', import.meta.url));

async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a runner killed with SIGKILL during a slow migration', () => {
  it('leaves nothing half-applied, frees the lock, and the re-run completes', async () => {
    const url = db().url;
    m.write('0001_a.sql', sqlMigration('k1', [], 'CREATE TABLE before_kill (id int);'));
    m.write(
      '0002_slow.sql',
      sqlMigration('k2', ['k1'], 'CREATE TABLE half (id int);\nSELECT pg_sleep(8);\nCREATE TABLE after_sleep (id int);'),
    );
    const script = join(m.dir, 'run.ts');
    writeFileSync(
      script,
      `import { upgrade } from ${JSON.stringify(runnerSource)};\nawait upgrade({ url: ` +
        `process.argv[2]!, migrationsDir: ${JSON.stringify(m.dir)}, applicationName: 'doomed' });\n`,
    );
    const child = spawn(jiti, [script, url], { stdio: 'ignore' });
    try {
      // Wait until the slow statement runs, then kill the process outright.
      await waitFor(
        async () =>
          (
            await query(
              url,
              `SELECT 1 FROM pg_stat_activity WHERE application_name = 'doomed' AND query LIKE '%pg_sleep(8)%' AND state = 'active'`,
            )
          ).length > 0
            ? true
            : undefined,
        30_000,
      );
      child.kill('SIGKILL');
      // PostgreSQL 14+: the server notices the dead client (client_connection_check_interval)
      // within a second and rolls back; 13 has no such check and runs the message to its end.
      await waitFor(
        async () =>
          (await query(url, `SELECT 1 FROM pg_stat_activity WHERE application_name = 'doomed'`)).length === 0 ? true : undefined,
        20_000,
      );
    } finally {
      child.kill('SIGKILL');
    }
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)).toEqual([{ n: 0 }]);
    const tables = await query(
      url,
      `SELECT to_regclass('before_kill')::text AS a, to_regclass('half')::text AS h, to_regclass('after_sleep')::text AS s`,
    );
    const [{ v }] = (await query(url, `SELECT current_setting('server_version_num')::int AS v`)) as [{ v: number }];
    if (v < 140000) {
      // Nothing half-applied there either: the migration and its history row commit together.
      expect(tables).toEqual([{ a: 'before_kill', h: 'half', s: 'after_sleep' }]);
      expect((await status({ url, migrationsDir: m.dir })).current).toEqual(['k2']);
      return;
    }
    expect(tables).toEqual([{ a: 'before_kill', h: null, s: null }]);
    expect((await status({ url, migrationsDir: m.dir })).current).toEqual(['k1']);
    m.write(
      '0002_slow.sql',
      sqlMigration('k2', ['k1'], 'CREATE TABLE half (id int);\nSELECT pg_sleep(0.1);\nCREATE TABLE after_sleep (id int);'),
    );
    const r = await upgrade({ url, migrationsDir: m.dir });
    expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['k2', 'applied']]);
  });
});
