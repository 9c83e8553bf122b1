// The single executable (apps/migrate/scripts/sea.mjs) as a Python
// application's image would run it: copied alone into an empty folder, with a
// PATH that has the system's tools but no `node`, no node_modules anywhere
// above it, against a real PostgreSQL.
//
// The build is incremental (sea.mjs keeps a content hash beside the
// executable): the first run of this file builds it, later runs reuse it
// while nothing it contains has changed.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { sqlMigration } from './support/cli.js';

const SEA_SCRIPT = resolve(import.meta.dirname, '../apps/migrate/scripts/sea.mjs');
const BUILT = resolve(import.meta.dirname, '../apps/migrate/dist-sea/strata');

/** Names of Node and its package managers, kept out of the test's PATH. */
const NODE_TOOLS = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack', 'pnpm', 'pnpx', 'yarn']);

let work: string; // holds the two folders below
let project: string; // the empty folder the executable runs in
let bin: string; // the PATH: /usr/bin and /bin without node
let exe: string;
let db: ScratchDatabase;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the copied executable in `project` with an environment of its own (nothing inherited). */
function strata(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(exe, args, {
      cwd: project,
      env: { PATH: bin, HOME: work, NO_COLOR: '1', DATABASE_URL: db.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/**
 * What a run that went well shows: exit 0, and on stderr at most the
 * progress lines of up and down (`  applied  file (3 ms)`): no warning (Node's
 * ExperimentalWarning of single executables), no stack. Returns both streams.
 */
function ok(run: Run): string {
  expect(run.code, run.stderr).toBe(0);
  for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^ {2}(applied|reverted) +\S+ \(\d+ ms\)$/);
  return `${run.stderr}${run.stdout}`;
}

beforeAll(async () => {
  execFileSync(process.execPath, [SEA_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe'] });
  work = mkdtempSync(join(tmpdir(), 'strata-sea-'));
  project = join(work, 'app');
  bin = join(work, 'bin');
  mkdirSync(project);
  mkdirSync(bin);
  // Every tool of /usr/bin and /bin (sh, git, ...), as links, except node and its package managers.
  for (const dir of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) {
      if (NODE_TOOLS.has(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  exe = join(project, 'strata');
  copyFileSync(BUILT, exe);
  chmodSync(exe, 0o755);
  db = await createTestDatabase('e2e_sea');
}, 600_000);

afterAll(async () => {
  await db?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the single executable, alone in an empty folder with no node on PATH', () => {
  it('has nothing to lean on: no node on PATH, no node_modules in the folder or above it', () => {
    const which = execFileSync('/bin/sh', ['-c', 'command -v node nodejs npm || echo "not found"'], {
      env: { PATH: bin },
      encoding: 'utf8',
    });
    expect(which.trim()).toBe('not found');
    expect(readdirSync(project)).toEqual(['strata']);
    for (let dir = project; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      if (dirname(dir) === dir) break;
    }
    // One file, with the Node it carries inside: much larger than the CLI's own code.
    expect(statSync(exe).size).toBeGreaterThan(50e6);
  });

  it('prints its version and nothing else (no ExperimentalWarning on stderr)', async () => {
    expect(await strata(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('init, new, lint, up, status, history, ensure, down, stamp, up --sql and diff --sql against a real PostgreSQL', async () => {
    expect(ok(await strata(['init']))).toContain('created migrations');
    const created = ok(await strata(['new', 'create users']));
    const file = /Wrote (migrations\/0001_create_users\.sql) \(revision ([0-9a-f]{12})\)/.exec(created);
    expect(file, created).not.toBeNull();
    const [, name = '', revision = ''] = file ?? [];
    writeFileSync(
      join(project, name),
      sqlMigration(
        revision,
        [],
        'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);',
        'DROP TABLE users;',
      ),
    );

    // The parser (WebAssembly from the executable's asset) reads the migration.
    expect(ok(await strata(['lint']))).toContain('No findings in migrations/');

    expect(ok(await strata(['up']))).toMatch(new RegExp(`applied\\s+0001_create_users\\.sql[\\s\\S]*now at ${revision}`));
    const status = ok(await strata(['status']));
    expect(status).toContain(`Current: ${revision}`);
    expect(status).toContain('Applied: 1    Pending: 0');
    expect(ok(await strata(['history']))).toMatch(new RegExp(`${revision}\\s+up\\s+applied`));
    expect(ok(await strata(['ensure']))).toContain(`The database is at head (${revision}); nothing to do`);

    // diff --sql: from the database to a schema file (loaded on a shadow database of the test server).
    writeFileSync(
      join(project, 'schema.sql'),
      'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, name text);\n',
    );
    const diff = ok(await strata(['diff', '--from', db.url, '--to', 'schema.sql', '--sql', '--shadow-url', testServerUrl()]));
    expect(diff).toMatch(/ALTER TABLE users ADD COLUMN name text;/);
    expect(diff).not.toContain(db.url);

    // ...and between two databases, which needs no shadow server at all.
    const other = await createTestDatabase('e2e_sea_to');
    try {
      await withConnection({ url: other.url }, (c) =>
        c.query('CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE)'),
      );
      const between = ok(await strata(['diff', '--from', db.url, '--to', other.url, '--sql'], { SHADOW_DATABASE_URL: '' }));
      expect(between).toMatch(/ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE \(email\);/);
    } finally {
      await other.drop();
    }

    const down = ok(await strata(['down', '--allow-data-loss']));
    expect(down).toMatch(/reverted\s+0001_create_users\.sql[\s\S]*now at base/);
    expect(ok(await strata(['status']))).toContain('Applied: 0    Pending: 1');
    const script = ok(await strata(['up', '--sql']));
    expect(script).toContain('CREATE TABLE users');
    expect(script).toContain('\\set ON_ERROR_STOP on');
    expect(ok(await strata(['stamp', 'head']))).toContain(`Stamped: base -> ${revision}.`);
    expect(ok(await strata(['status']))).toContain(`Current: ${revision}`);
    expect(ok(await strata(['history']))).toMatch(new RegExp(`${revision}\\s+up\\s+stamped`));
  }, 300_000);

  it('runs a TypeScript migration that imports kysely (jiti and kysely are inside the executable)', async () => {
    const created = ok(await strata(['new', '--ts', 'add accounts']));
    const [, name = '', revision = ''] = /Wrote (migrations\/\S+\.ts) \(revision ([0-9a-f]{12})\)/.exec(created) ?? [];
    const parent = /export const parents: string\[\] = \['([0-9a-f]{12})'\]/.exec(readFileSync(join(project, name), 'utf8'))?.[1];
    expect(parent).toMatch(/^[0-9a-f]{12}$/);
    writeFileSync(
      join(project, name),
      [
        "import { sql, type Kysely } from 'kysely';",
        `export const revision = '${revision}';`,
        `export const parents: string[] = ['${parent}'];`,
        'export async function up(db: Kysely<any>): Promise<void> {',
        "  await db.schema.createTable('accounts').addColumn('id', 'integer', (c) => c.primaryKey()).execute();",
        '  await sql`COMMENT ON TABLE accounts IS ${sql.lit("from a .ts migration")}`.execute(db);',
        '}',
        'export async function down(db: Kysely<any>): Promise<void> {',
        "  await db.schema.dropTable('accounts').execute();",
        '}',
        '',
      ].join('\n'),
    );
    expect(ok(await strata(['up']))).toContain(`now at ${revision}`);
    const comment = await withConnection(
      { url: db.url },
      async (c) => (await c.query<{ d: string }>("SELECT obj_description('accounts'::regclass) AS d")).rows[0]?.d,
    );
    expect(comment).toBe('from a .ts migration');
    expect(ok(await strata(['down', '--allow-data-loss']))).toContain(`now at ${parent}`);
  }, 300_000);

  it('lint finds problems and reports a syntax error with its place (the parser really runs)', async () => {
    const dir = join(project, 'risky');
    mkdirSync(dir);
    writeFileSync(join(dir, '0001_a.sql'), sqlMigration('aaaaaaaaaaa1', [], 'CREATE TABLE accounts (id int);', 'DROP TABLE accounts;'));
    writeFileSync(
      join(dir, '0002_b.sql'),
      sqlMigration('aaaaaaaaaaa2', ['aaaaaaaaaaa1'], 'CREATE INDEX accounts_id ON accounts (id);', 'DROP INDEX accounts_id;'),
    );
    const found = await strata(['lint', '--migrations', 'risky']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('risky/0002_b.sql:5:1  error  create-index-non-concurrently');
    writeFileSync(join(dir, '0003_c.sql'), sqlMigration('aaaaaaaaaaa3', ['aaaaaaaaaaa2'], 'CREATE TABLEE x (id int);', 'SELECT 1;'));
    const bad = await strata(['lint', '--migrations', 'risky']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('risky/0003_c.sql:5:8: syntax error at or near "TABLEE"');
    rmSync(dir, { recursive: true });
  });

  it('commands that would start a local PostgreSQL say how to point them at one, exit non-zero, and do not crash', async () => {
    for (const args of [
      ['test'],
      ['diff', '--from', 'migrations:migrations', '--to', 'schema.sql', '--sql'],
      ['audit', '--models', 'schema.sql'],
    ]) {
      const run = await strata(args, { SHADOW_DATABASE_URL: '' });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(3);
      expect(run.stderr).toContain('No local PostgreSQL to start');
      expect(run.stderr).toContain('pass --shadow-url <url> or set SHADOW_DATABASE_URL');
      expect(run.stderr).not.toMatch(/\n\s+at |bug in Strata|Node\.js v/);
    }
    // ...and with a server named, `test` runs its checks there.
    const tested = await strata(['test', '--shadow-url', testServerUrl()]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('all checks passed');
  }, 300_000);

  it('convert reads a JavaScript fix script with oxc-parser, whose native addon the executable carries as an asset', async () => {
    mkdirSync(join(project, 'legacy'));
    writeFileSync(join(project, 'models.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n');
    writeFileSync(
      join(project, 'legacy', 'fix_users.js'),
      "const { Client } = require('pg');\nasync function main(c) { await c.query('ALTER TABLE users ADD COLUMN nick text'); }\n",
    );
    const run = await strata(['convert', 'legacy', '--models', 'models.sql', '--shadow-url', testServerUrl()], { TMPDIR: work });
    expect(run.stderr).not.toMatch(/\n\s+at |bug in Strata|parser failed/);
    // Exit 1: a script is left for manual review (the column it adds is in neither production nor the models).
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(1);
    expect(run.stdout).toContain('Dry run (pass --write to perform it): 1 scripts in legacy.');
    // The statement inside the JavaScript string was found (line 2), so the parser ran.
    expect(run.stdout).toMatch(/fix_users\.js[\s\S]*line 2: .*users\.nick/);
    // The addon was written once to a private folder of this user's in TMPDIR.
    const dirs = readdirSync(work).filter((d) => d.startsWith('strata-sea-'));
    expect(dirs).toHaveLength(1);
    expect(statSync(join(work, dirs[0] ?? '')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(work, dirs[0] ?? ''))).toEqual([expect.stringMatching(/^oxc-parser-[0-9a-f]{16}\.node$/)]);
  }, 120_000);

  it('convert reads a shell fix script with mvdan-sh, which the executable carries inside its bundle', async () => {
    mkdirSync(join(project, 'legacy-sh'));
    writeFileSync(join(project, 'models.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n');
    writeFileSync(
      join(project, 'legacy-sh', 'fix_users.sh'),
      '#!/bin/sh\nT=users\npsql "$DATABASE_URL" <<SQL\nALTER TABLE $T ADD COLUMN nick text;\nSQL\n',
    );
    const run = await strata(['convert', 'legacy-sh', '--models', 'models.sql', '--shadow-url', testServerUrl()], { TMPDIR: work });
    expect(run.stderr).not.toMatch(/\n\s+at |bug in Strata|extractor failed|Cannot find module/);
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(1);
    // The statement in the here-document was found (line 4), its variable resolved, so the parser ran.
    expect(run.stdout).toMatch(/fix_users\.sh[\s\S]*line 4: .*users\.nick/);
  }, 120_000);
});
