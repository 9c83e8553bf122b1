// The --json envelope of docs/json.md, for every command, through the built
// CLI against the test run's PostgreSQL: stdout is exactly one JSON document
// { version: 1, command, ok, result | error }, ok is exactly "exit 0", and
// errors (bad options, unknown commands, an unreachable server) have it too.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { envelope, runMigrate, sqlMigration, tempProject, type CliRun, type Envelope } from './support/cli.js';
import { query } from './support/catalogue.js';

const R1 = 'b10000000001';
const R2 = 'b10000000002';
const SCHEMA = 'CREATE TABLE users (id int PRIMARY KEY, email text);\n';

let db: ScratchDatabase;
let cwd: string;
let env: NodeJS.ProcessEnv;

/** Run with --json; stdout must be one envelope of `command` whose ok says whether the exit code is 0. */
async function json(
  args: string[],
  command: string | null,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Envelope & { run: CliRun }> {
  const run = await runMigrate([...args, ...(args.includes('--format') ? [] : ['--json'])], {
    cwd: options.cwd ?? cwd,
    env: options.env ?? env,
    timeoutMs: 120_000,
  });
  const e = envelope(run.stdout);
  expect(
    Object.keys(e).filter((k) => !['version', 'command', 'ok', 'result', 'error'].includes(k)),
    run.stdout,
  ).toEqual([]);
  expect({ version: e.version, command: e.command, ok: e.ok }, run.stderr).toEqual({ version: 1, command, ok: run.code === 0 });
  if (e.ok) expect(e.error).toBeUndefined();
  else expect(e.result !== undefined || e.error !== undefined).toBe(true);
  if (e.error) expect(e.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  // The result never repeats ok (the envelope's is the one).
  if (e.result !== null && typeof e.result === 'object' && !Array.isArray(e.result)) expect(e.result).not.toHaveProperty('ok');
  return { ...e, run };
}

beforeAll(async () => {
  db = await createTestDatabase('e2e_json');
  env = { DATABASE_URL: db.url };
  cwd = tempProject({ 'schema.sql': SCHEMA, 'schema-more.sql': `${SCHEMA}ALTER TABLE users ADD COLUMN phone text;\n` });
  writeFileSync(
    join(cwd, 'migrations', '0001_users.sql'),
    sqlMigration(R1, [], 'CREATE TABLE users (id int PRIMARY KEY);', 'DROP TABLE users;', { 'data-loss': 'test table' }),
  );
  writeFileSync(
    join(cwd, 'migrations', '0002_email.sql'),
    sqlMigration(R2, [R1], 'ALTER TABLE users ADD COLUMN email text;', 'ALTER TABLE users DROP COLUMN email;', {
      'data-loss': 'test column',
    }),
  );
});

afterAll(async () => {
  await db?.drop();
});

describe('--json: one envelope per command', () => {
  it('init', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-json-init-'));
    const e = await json(['init'], 'init', { cwd: dir });
    expect(e.run.code).toBe(0);
    expect(e.result.created).toContain(join(dir, 'migrations'));
  });

  it('new', async () => {
    const missing = await json(['new', 'add things', '--migrations', 'scratch'], 'new');
    expect(missing.run.code).toBe(2);
    expect(missing.error?.message).toContain('scratch');
    mkdirSync(join(cwd, 'scratch'));
    const e = await json(['new', 'add things', '--migrations', 'scratch'], 'new');
    expect(e.result).toMatchObject({
      written: true,
      revision: expect.stringMatching(/^[0-9a-f]{12}$/),
      path: expect.stringContaining(join(cwd, 'scratch')),
    });
    expect(readdirSync(join(cwd, 'scratch'))).toHaveLength(1);
  });

  it('lint', async () => {
    const e = await json(['lint'], 'lint');
    expect(e.run.code).toBe(0);
    expect(e.result).toEqual({ findings: expect.any(Array) });
    const f = await json(['lint', '--format', 'json'], 'lint');
    expect(f.result).toEqual(e.result);
  });

  it('up: --sql, --dry-run, a run, at head', async () => {
    const sql = await json(['up', '--sql', '--from', 'base'], 'up');
    expect(sql.result.script).toContain('CREATE TABLE users (id int PRIMARY KEY);');
    const dry = await json(['up', '--dry-run'], 'up');
    expect(dry.result).toMatchObject({
      direction: 'up',
      dryRun: true,
      steps: [
        { revision: R1, status: 'planned' },
        { revision: R2, status: 'planned' },
      ],
    });
    const up = await json(['up'], 'up');
    expect(up.result).toMatchObject({
      direction: 'up',
      from: [],
      to: [R2],
      steps: [
        { revision: R1, status: 'applied' },
        { revision: R2, status: 'applied' },
      ],
    });
    expect(up.result).not.toHaveProperty('error');
    expect(await query(db.url, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'users'`)).toEqual([{ n: 2 }]);
    const again = await json(['up'], 'up');
    expect(again.result).toMatchObject({ from: [R2], to: [R2], steps: [] });
  });

  it('status and its alias current', async () => {
    const e = await json(['status'], 'status');
    expect(e.result).toMatchObject({ current: [R2], heads: [R2], atHead: true, pending: [], database: { from: 'DATABASE_URL' } });
    expect(e.run.stdout).not.toContain(db.url);
    const c = await json(['current'], 'status');
    expect(c.result.current).toEqual([R2]);
  });

  it('history', async () => {
    const e = await json(['history'], 'history');
    expect(e.result.map((h: { revision: string; outcome: string }) => [h.revision, h.outcome])).toEqual([
      [R2, 'applied'],
      [R1, 'applied'],
    ]);
  });

  it('heads', async () => {
    const e = await json(['heads'], 'heads');
    expect(e.result).toEqual({ heads: [{ revision: R2, file: '0002_email.sql', message: expect.any(String) }] });
  });

  it('down, then up again', async () => {
    const e = await json(['down', '--allow-data-loss'], 'down');
    expect(e.result).toMatchObject({ direction: 'down', from: [R2], to: [R1], steps: [{ revision: R2, status: 'applied' }] });
    const sql = await json(['down', '--sql', '--from', R2], 'down');
    expect(sql.result.script).toContain('ALTER TABLE users DROP COLUMN email;');
    expect((await json(['up'], 'up')).result.to).toEqual([R2]);
  });

  it('merge', async () => {
    const dir = tempProject({});
    writeFileSync(join(dir, 'migrations', '0001_a.sql'), sqlMigration('c10000000001', [], 'SELECT 1;', 'SELECT 1;'));
    writeFileSync(join(dir, 'migrations', '0002_b.sql'), sqlMigration('c10000000002', ['c10000000001'], 'SELECT 1;', 'SELECT 1;'));
    writeFileSync(join(dir, 'migrations', '0002_c.sql'), sqlMigration('c10000000003', ['c10000000001'], 'SELECT 1;', 'SELECT 1;'));
    const e = await json(['merge', 'join the branches'], 'merge', { cwd: dir });
    expect(e.result).toMatchObject({
      revision: expect.any(String),
      parents: ['c10000000002', 'c10000000003'],
      path: expect.stringContaining(join(dir, 'migrations')),
    });
  });

  it('stamp, and stamp --verify that finds a difference (result and error)', async () => {
    const e = await json(['stamp', 'head'], 'stamp');
    expect(e.result).toMatchObject({ from: [R2], to: [R2], checksumsRecorded: [] });
    await query(db.url, 'ALTER TABLE users ADD COLUMN extra int');
    const v = await json(['stamp', 'head', '--verify', '--shadow-url', testServerUrl()], 'stamp');
    expect(v.run.code).toBe(1);
    expect(v.error?.code).toBe('SCHEMA_MISMATCH');
    expect(v.result).toMatchObject({
      left: 'the database',
      differences: [expect.objectContaining({ kind: 'extra', message: expect.stringContaining('extra') })],
    });
    await query(db.url, 'ALTER TABLE users DROP COLUMN extra');
  });

  it('resolve (its usage error and a revision that needs no resolving)', async () => {
    const none = await json(['resolve', R2], 'resolve');
    expect(none.run.code).toBe(2);
    expect(none.error?.code).toBe('USAGE');
    const settled = await json(['resolve', R2, '--applied'], 'resolve');
    expect(settled.run.code).not.toBe(0);
    expect(settled.result).toBeUndefined();
    expect(settled.error?.message).toContain(R2);
  });

  it('ensure', async () => {
    const e = await json(['ensure', '--mode', 'verify'], 'ensure');
    expect(e.result).toMatchObject({ mode: 'verify', action: 'none', heads: [R2] });
  });

  it('audit and check', async () => {
    const a = await json(['audit', '--models', 'schema.sql', '--shadow-url', testServerUrl()], 'audit');
    expect(a.result).toMatchObject({ left: 'production', right: 'the models', differences: [], notes: expect.any(Array) });
    const c = await json(['check', '--models', 'schema-more.sql', '--shadow-url', testServerUrl()], 'check');
    expect(c.run.code).toBe(1);
    expect(c.error).toBeUndefined();
    expect(c.result.differences).toEqual([expect.objectContaining({ kind: 'missing', objectType: 'column' })]);
  });

  it('diff, and diff --sql', async () => {
    const d = await json(['diff', '--from', db.url, '--to', 'schema-more.sql', '--exit-code', '--shadow-url', testServerUrl()], 'diff');
    expect(d.run.code).toBe(1);
    expect(d.result.differences).toHaveLength(1);
    expect(d.run.stdout).not.toContain(db.url);
    const s = await json(['diff', '--from', db.url, '--to', 'schema-more.sql', '--sql', '--shadow-url', testServerUrl()], 'diff');
    expect(s.result).toMatchObject({ up: [expect.objectContaining({ sql: expect.stringContaining('phone') })], notHandled: [] });
  });

  it('test, and its streaming form (--format json-lines: events, then the envelope as the last line)', async () => {
    const e = await json(['test', '--shadow-url', testServerUrl()], 'test');
    expect(e.run.code).toBe(0);
    expect(e.result).toMatchObject({
      migrations: 2,
      failures: [],
      checks: expect.arrayContaining([expect.objectContaining({ name: 'stairway', status: 'passed' })]),
    });
    const events = e.run.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((x) => x.type)).toContain('step');

    const lines = await runMigrate(['test', '--format', 'json-lines', '--shadow-url', testServerUrl()], { cwd, env, timeoutMs: 120_000 });
    expect(lines.code).toBe(0);
    const docs = lines.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = docs.pop()!;
    expect(last).toMatchObject({ version: 1, command: 'test', ok: true, result: { migrations: 2 } });
    expect(docs.length).toBeGreaterThan(2);
    for (const d of docs) expect(d).toEqual({ version: 1, command: 'test', event: expect.objectContaining({ type: expect.any(String) }) });
    expect(docs.filter((d) => (d.event as { type: string }).type === 'step')).toHaveLength(2);
  });

  it('convert (a dry run)', async () => {
    const legacy = join(cwd, 'legacy');
    mkdirSync(legacy);
    writeFileSync(join(legacy, 'fix_add_phone.sql'), 'ALTER TABLE users ADD COLUMN IF NOT EXISTS phone text;\n');
    const e = await json(['convert', 'legacy', '--models', 'schema-more.sql', '--shadow-url', testServerUrl()], 'convert');
    expect(e.result).toMatchObject({
      plan: { scripts: [expect.objectContaining({ path: 'fix_add_phone.sql' })] },
      written: null,
      verify: null,
    });
  });

  it('import (a complete one, then one with something it cannot carry over)', async () => {
    const dbmate = join(cwd, 'db', 'migrations');
    mkdirSync(dbmate, { recursive: true });
    writeFileSync(
      join(dbmate, '20240101000000_create_notes.sql'),
      '-- migrate:up\nCREATE TABLE notes (id int);\n\n-- migrate:down\nDROP TABLE notes;\n',
    );
    const e = await json(['import', '--from', 'dbmate', 'db/migrations', '--out', 'imported-dbmate'], 'import');
    expect(e.run.code).toBe(0);
    expect(e.result).toMatchObject({ tool: 'dbmate', revisions: [expect.objectContaining({ source: '20240101000000_create_notes.sql' })] });
    const flyway = join(cwd, 'flyway');
    mkdirSync(flyway);
    writeFileSync(join(flyway, 'V1__create.sql'), 'CREATE TABLE ${table_name} (id int);\n');
    const incomplete = await json(['import', '--from', 'flyway', 'flyway', '--out', 'imported-flyway'], 'import');
    expect(incomplete.run.code).toBe(1);
    expect(incomplete.error?.code).toBe('IMPORT_INCOMPLETE');
    expect(incomplete.result).toMatchObject({
      tool: 'flyway',
      report: expect.arrayContaining([expect.objectContaining({ severity: 'error' })]),
    });
  });

  it('errors: a bad option, an unknown command, an unreachable server (no password printed)', async () => {
    const bad = await json(['up', '--nope'], 'up');
    expect(bad.run.code).toBe(2);
    expect(bad.error).toMatchObject({ code: 'USAGE', message: "unknown option '--nope'" });
    expect(bad.result).toBeUndefined();
    const choice = await json(['lint', '--format', 'yaml', '--json'], 'lint');
    expect(choice.error?.code).toBe('USAGE');
    const unknown = await json(['frobnicate'], null);
    expect(unknown.run.code).toBe(2);
    expect(unknown.error?.code).toBe('USAGE');
    const down = await json(['status', '--url', 'postgres://someone:s3cretpw@127.0.0.1:1/nowhere'], 'status');
    expect(down.run.code).toBe(3);
    expect(down.error?.code).toBe('DB_CONNECTION');
    expect(down.run.stdout + down.run.stderr).not.toContain('s3cretpw');
  });
});
