import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { HEAD, migrationsCopy, query } from './helpers.js';

// `migrate ensure` as an entrypoint.sh runs it: the built executable
// (pnpm test builds first), loading the TypeScript models module with jiti.
const CLI = fileURLToPath(new URL('../../migrate/dist/bin.cjs', import.meta.url));
const MODELS = fileURLToPath(new URL('../src/models.ts', import.meta.url));

function migrate(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
async function fresh(): Promise<{ url: string; dir: string; write(name: string, text: string): void }> {
  const db = await createTestDatabase('archivist_cli');
  cleanup.push(() => db.drop());
  const m = migrationsCopy();
  cleanup.push(() => m.rm());
  return { url: db.url, dir: m.dir, write: m.write };
}

describe('migrate ensure (the shim for applications not written in TypeScript)', () => {
  it('verify refuses (exit 1) on a database behind head; the mode from STRATA_SCHEMA_MODE migrates; then at head', async () => {
    const { url, dir } = await fresh();
    const verify = await migrate(['ensure', '--mode', 'verify', '--migrations', dir], { DATABASE_URL: url });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(
      "(schema mode 'verify' changes nothing, so the application must not start).\n2 migrations are " +
        'pending:\n  5d1a0c7e2b91  0001_baseline.sql\n  8f3c2a9d4e60  0002_locations.sql\n',
    );
    expect(verify.stderr).not.toContain(url);

    const up = await migrate(['ensure', '--migrations', dir], { DATABASE_URL: url, STRATA_SCHEMA_MODE: 'migrate' });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`^2 migration\\(s\\) applied in [0-9.]+ m?s; now at ${HEAD} \\[mode migrate\\]\\.\\n$`));

    const again = await migrate(['ensure', '--migrations', dir, '--mode', 'verify'], { DATABASE_URL: url });
    expect(again).toEqual({ code: 0, stdout: `The database is at head (${HEAD}); nothing to do [mode verify].\n`, stderr: '' });
  }, 120_000);

  it('create_all with --create-all MODULE builds an empty database and stamps head, warning that the mode is deprecated', async () => {
    const { url, dir } = await fresh();
    const r = await migrate(
      ['ensure', '--mode', 'create_all', '--create-all', MODELS, '--shadow-url', testServerUrl(), '--migrations', dir],
      { DATABASE_URL: url },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: schema mode 'create_all' is deprecated");
    expect(r.stdout).toMatch(
      new RegExp(
        `^Built the empty database with createAll and stamped ${HEAD} \\(2 revision\\(s\\)\\) in [0-9.]+ m?s \\[mode create_all\\]\\.\\n$`,
      ),
    );
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: HEAD }]);
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ n: 11 }]);
  }, 120_000);

  it('create_all --json with two heads: exit 1, the refusal as JSON', async () => {
    const { url, dir, write } = await fresh();
    write('0003_a.sql', `-- revision: aaaa00000003\n-- parents: ${HEAD}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\n`);
    write('0003_b.sql', `-- revision: bbbb00000003\n-- parents: ${HEAD}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\n`);
    const r = await migrate(['ensure', '--json', '--mode', 'create-all', '--create-all', MODELS, '--migrations', dir], {
      DATABASE_URL: url,
    });
    expect(r.code).toBe(1);
    // The --json envelope (docs/json.md): the refusal is the result, its reason the error.
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      version: 1,
      command: 'ensure',
      ok: false,
      result: { mode: 'create_all', action: 'refused', reason: 'several heads', heads: [] },
      error: { code: 'MIGRATION_MULTIPLE_HEADS' },
    });
    expect(out.error.message).toContain('Run `strata merge`');
  }, 120_000);
});
