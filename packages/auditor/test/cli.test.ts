import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { parseSnapshot } from '../src/index.js';
import { runSql } from './helpers.js';

// Drives the built CLI (apps/migrate/dist, built by `pnpm test` / turbo before the tests) as a user would.
const CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../apps/migrate/dist/bin.cjs');
const sourcesDir = fileURLToPath(new URL('./sources/', import.meta.url));

function migrate(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function shadowDatabases(): Promise<string[]> {
  return await withConnection({ url: testServerUrl() }, async (c) =>
    (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'strata_shadow%'")).rows.map((r) => r.datname),
  );
}

describe('migrate audit / diff / check', () => {
  let prod: ScratchDatabase;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error(`The CLI is not built (${CLI}): run \`pnpm exec turbo run build --filter=strata-migrate\` first.`);
    prod = await createTestDatabase('cli_prod');
    // Production: what create_all built long ago, then hand-edited.
    await runSql(
      prod.url,
      `
      CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email VARCHAR(100) NOT NULL, created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now());
      CREATE INDEX ix_users_email ON users (email);
      CREATE INDEX ix_users_email_lower ON users (lower(email));
      CREATE TABLE products (id SERIAL PRIMARY KEY, name TEXT NOT NULL);`,
    );
    dir = mkdtempSync(join(tmpdir(), 'strata-cli-audit-'));
    chmodSync(dir, 0o755);
    cpSync(sourcesDir, dir, { recursive: true });
    env = { DATABASE_URL: prod.url, SHADOW_DATABASE_URL: testServerUrl() };
  });
  afterAll(async () => {
    await prod?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('audit finds exactly the seeded differences against a create_all run through cmd:, and exits 1', async () => {
    const r = await migrate(['audit', '--models', 'cmd:python3 create_all.py | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1'], dir, env);
    expect(r.stdout).toBe(
      [
        'Drift between production and the models: 3 differences (2 errors, 1 warning)',
        '  error    production is missing the column products.price that the models define',
        '  error    column users.email is varchar(100) in production but varchar(255) in the models',
        '  warning  production has an extra index ix_users_email_lower that the models do not define',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('audit --format markdown writes a pull-request comment; --format json a document', async () => {
    const md = await migrate(
      ['audit', '--models', 'cmd:python3 create_all.py | psql "$DATABASE_URL" -q', '--format', 'markdown'],
      dir,
      env,
    );
    expect(md.code).toBe(1);
    expect(md.stdout).toContain(
      '### Schema drift: production vs the models\n\n3 differences (2 errors, 1 warning).\n\n| ' +
        'Severity | Object | Difference |\n| --- | --- | --- |\n',
    );
    expect(md.stdout).toContain(
      '| 🔴 error | column `users.email` | column users.email is varchar(100) in production but varchar(255) in the models |',
    );
    const js = await migrate(['audit', '--models', 'cmd:python3 create_all.py | psql "$DATABASE_URL" -q', '--format', 'json'], dir, env);
    const doc = JSON.parse(js.stdout) as { command: string; ok: boolean; result: { differences: { kind: string; name: string }[] } };
    expect([doc.command, doc.ok]).toEqual(['audit', false]);
    expect(doc.result.differences.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'missing products.price',
      'different users.email',
      'extra ix_users_email_lower',
    ]);
  });

  it('audit exits 0 when production matches, and --dump writes snapshot.json', async () => {
    const same = await createTestDatabase('cli_same');
    try {
      await runSql(same.url, readFileSync(join(dir, 'models.sql'), 'utf8'));
      const r = await migrate(['audit', '--url', same.url, '--models', 'models.sql', '--dump', 'out'], dir, env);
      expect(r.stdout).toBe('No drift: production matches the models.\n');
      expect(r.code).toBe(0);
      const snap = parseSnapshot(readFileSync(join(dir, 'out', 'snapshot.json'), 'utf8'));
      expect(Object.keys(snap.tables)).toEqual(['public.users']);
      // schema.sql is there when a pg_dump of a compatible version is on the PATH; otherwise stderr says why.
      if (!existsSync(join(dir, 'out', 'schema.sql'))) expect(r.stderr).toMatch(/note: schema\.sql not written: /);
      else expect(readFileSync(join(dir, 'out', 'schema.sql'), 'utf8')).toContain('CREATE TABLE public.users');
      expect(r.stderr).not.toContain(new URL(same.url).password);
    } finally {
      await same.drop();
    }
  });

  it('bad input: an unreachable database is exit 3 and never shows the password', async () => {
    const r = await migrate(['audit', '--url', 'postgres://app:hunter2-secret@127.0.0.1:1/prod', '--models', 'models.sql'], dir, env);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error: Cannot connect to app@127.0.0.1:1/prod: connection refused (is the server running and listening on that port?).\n',
    );
  });

  it('bad input: a models module that throws, or SQL with a syntax error, is exit 2 and leaves no shadow database', async () => {
    const t = await migrate(['audit', '--models', 'models-throws.ts'], dir, env);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe('error: The models module models-throws.ts threw in createAll: the models are broken: Base.metadata is empty\n');
    const s = await migrate(['audit', '--models', 'models-syntax-error.sql'], dir, env);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^error: models-syntax-error\.sql:5:18: syntax error at or near "NUL"/);
    expect(await shadowDatabases()).toEqual([]);
  });

  it('bad input: an unreachable shadow server is exit 3; an embedded one is stopped and removed even when the models throw', async () => {
    const r = await migrate(
      ['audit', '--models', 'models.sql', '--shadow-url', 'postgres://shadow:pw-shadow-123@127.0.0.1:1/postgres'],
      dir,
      env,
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error: Cannot connect to shadow@127.0.0.1:1/postgres: connection refused (is the server running and listening on that port?).\n',
    );
    // No SHADOW_DATABASE_URL: an embedded server starts in this TMPDIR, and must leave nothing there.
    const tmp = mkdtempSync(join(tmpdir(), 'strata-cli-tmp-'));
    chmodSync(tmp, 0o755);
    try {
      const t = await migrate(['audit', '--models', 'models-throws.ts'], dir, { DATABASE_URL: prod.url, TMPDIR: tmp });
      expect(t.code).toBe(2);
      expect(t.stderr).toContain(
        'error: The models module models-throws.ts threw in createAll: the models are broken: Base.metadata is empty\n',
      );
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('diff --sql prints the migration from one source to another', async () => {
    writeFileSync(
      join(dir, 'next.sql'),
      `${readFileSync(join(dir, 'models.sql'), 'utf8')}\nALTER TABLE users ADD COLUMN name ` +
        `text;\nCREATE INDEX users_name_idx ON users (name);\n`,
    );
    const r = await migrate(['diff', '--from', 'models.sql', '--to', 'next.sql', '--sql'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '-- From models.sql to next.sql',
        '',
        'ALTER TABLE users ADD COLUMN name text;',
        '',
        'CREATE INDEX users_name_idx ON users (name);',
        '',
        '-- down:',
        '-- -- destructive: may lose data',
        '-- ALTER TABLE users DROP COLUMN name;',
        '',
      ].join('\n'),
    );
  });

  it(
    'diff --sql from an empty schema writes aggregates and text search configurations before the ' +
      'views, functions and indexes over them (issue 20 points 1-2)',
    async () => {
      const estate = `CREATE TABLE rentals (id int PRIMARY KEY, amount numeric NOT NULL, note text NOT NULL);
CREATE FUNCTION add_amount(numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE total_amount(numeric) (SFUNC = add_amount, STYPE = numeric, INITCOND = '0');
CREATE VIEW rental_totals AS SELECT total_amount(amount) AS total FROM rentals;
CREATE TEXT SEARCH CONFIGURATION notes_cfg (COPY = english);
CREATE FUNCTION note_vector(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$SELECT to_tsvector('notes_cfg', t)$$;
CREATE INDEX rentals_note_fts ON rentals USING gin (to_tsvector('notes_cfg', note));
`;
      writeFileSync(join(dir, 'empty.sql'), '-- nothing yet\n');
      writeFileSync(join(dir, 'estate.sql'), estate);
      const r = await migrate(['diff', '--from', 'empty.sql', '--to', 'estate.sql', '--sql'], dir, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/by hand|not handled/);
      const up = r.stdout.split('-- down:')[0]!;
      for (const [first, then] of [
        ['CREATE AGGREGATE total_amount', 'CREATE VIEW rental_totals'],
        ['CREATE TEXT SEARCH CONFIGURATION notes_cfg', 'note_vector'],
        ['CREATE TEXT SEARCH CONFIGURATION notes_cfg', 'CREATE INDEX rentals_note_fts'],
      ] as const) {
        expect(up.indexOf(first), first).toBeGreaterThanOrEqual(0);
        expect(up.indexOf(first), `${first} before ${then}`).toBeLessThan(up.indexOf(then));
      }
      // The script applies to an empty database and gives the estate: nothing left to diff.
      const fresh = await createTestDatabase('cli_agg_ts');
      try {
        await runSql(fresh.url, up);
        const again = await migrate(['diff', '--from', fresh.url, '--to', 'estate.sql', '--sql'], dir, env);
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/^-- No changes: .* matches estate\.sql\.\n$/);
      } finally {
        await fresh.drop();
      }
    },
  );

  it('diff leaves GRANTs out unless --privileges is given', async () => {
    writeFileSync(join(dir, 'granted.sql'), `${readFileSync(join(dir, 'models.sql'), 'utf8')}\nGRANT SELECT ON users TO PUBLIC;\n`);
    const plain = await migrate(['diff', '--from', 'models.sql', '--to', 'granted.sql', '--sql'], dir, env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(/GRANT|REVOKE/);
    const withPrivileges = await migrate(['diff', '--from', 'models.sql', '--to', 'granted.sql', '--sql', '--privileges'], dir, env);
    expect(withPrivileges.code).toBe(0);
    expect(withPrivileges.stdout).toContain('GRANT SELECT ON TABLE users TO PUBLIC;');
    expect(withPrivileges.stdout).toContain('-- REVOKE SELECT ON TABLE users FROM PUBLIC;');
  });

  it('diff leaves owners out unless --owners is given, and default privileges unless --privileges', async () => {
    writeFileSync(
      join(dir, 'owned.sql'),
      `${readFileSync(join(dir, 'models.sql'), 'utf8')}
ALTER TABLE users OWNER TO pg_monitor;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO pg_monitor;
`,
    );
    const plain = await migrate(['diff', '--from', 'models.sql', '--to', 'owned.sql', '--sql'], dir, env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^-- No changes: /);
    const owners = await migrate(['diff', '--from', 'models.sql', '--to', 'owned.sql', '--sql', '--owners'], dir, env);
    expect(owners.code).toBe(0);
    expect(owners.stdout).toContain('\nALTER TABLE users OWNER TO pg_monitor;\n');
    expect(owners.stdout).toMatch(/^-- ALTER TABLE users OWNER TO \S+;$/m);
    expect(owners.stdout).not.toContain('DEFAULT PRIVILEGES');
    const sentence = await migrate(['diff', '--from', 'models.sql', '--to', 'owned.sql', '--owners'], dir, env);
    expect(sentence.stdout).toMatch(/table users is owned by \S+ in models\.sql but pg_monitor in owned\.sql/);
    const defaults = await migrate(['diff', '--from', 'models.sql', '--to', 'owned.sql', '--sql', '--privileges'], dir, env);
    expect(defaults.stdout).toMatch(/^ALTER DEFAULT PRIVILEGES FOR ROLE \S+ GRANT SELECT ON TABLES TO pg_monitor;$/m);
    expect(defaults.stdout).not.toContain('OWNER TO');
  });

  it('check exits 0 when the migrations head builds the models, 1 when it does not', async () => {
    writeFileSync(
      join(dir, 'head.sql'),
      'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCREATE TABLE posts (id ' +
        'bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));\n',
    );
    const ok = await migrate(['check', '--models', 'head.sql'], dir, env);
    expect(ok.stdout).toBe('No drift: the migrations head matches the models.\n');
    expect(ok.code).toBe(0);
    const bad = await migrate(['check', '--models', 'models.sql'], dir, env);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split('\n')[0]).toBe('Drift between the migrations head and the models: 7 differences (6 errors, 1 warning)');
  });
});
