// Issue 18, point 13: `migrate convert`'s exit codes, documented in its help:
// 0 converted (and verified), 1 something needs a person, 2 input error with
// nothing changed, 3 database error; `--exclude <glob>` leaves scripts out.
// Drives the built CLI against a real PostgreSQL.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { introspect, serializeSnapshot } from '@pg-strata/auditor';
import { startLocalServer, createScratchDatabase, type ScratchDatabase } from '@pg-strata/pg-server';
import { runMigrate } from './support/cli.js';

/** A folder with these files (sub-folders made as needed). */
function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-convert-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const py = (sql: string) =>
  `import os\nimport psycopg2\n\nconn = psycopg2.connect(os.environ["DATABASE_URL"])\ncur = ` +
  `conn.cursor()\ncur.execute("${sql}")\nconn.commit()\n`;

const ESTATE = {
  'legacy/backend/fix_orders_note.py': py('ALTER TABLE orders ADD COLUMN IF NOT EXISTS note TEXT'),
  'legacy/backend/add_orders_status.py': py('ALTER TABLE orders ADD COLUMN IF NOT EXISTS status TEXT'),
  'legacy/backend/check_orders.py': py('SELECT count(*) FROM orders'),
  'legacy/backend/fix_indentation.py': 'src = open("app.py").read()\nopen("app.py", "w").write(src.replace("\\t", "    "))\n',
  'legacy/backend/fix_local_cache.py':
    'import sqlite3\nconn = sqlite3.connect("cache.db")\nconn.execute("CREATE TABLE IF NOT EXISTS cache (k TEXT PRIMARY KEY, v TEXT)")\n',
};
const DYNAMIC = {
  'legacy/backend/fix_all_tables.py': py('SELECT 1').replace(
    'cur.execute("SELECT 1")',
    'for (t,) in cur.fetchall():\n    cur.execute(f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ")',
  ),
};

let production: ScratchDatabase;
beforeAll(async () => {
  production = await createTestDatabase('e2e_conv_exit');
  const c = new pg.Client({ connectionString: production.url });
  await c.connect();
  await c.query('CREATE TABLE orders (id SERIAL PRIMARY KEY, status TEXT)');
  await c.end();
});
afterAll(async () => {
  await production?.drop();
});

describe('migrate convert exit codes (issue 18, point 13)', () => {
  it.each([
    {
      name: 'dry run, nothing needs a person (read-only, code-only and SQLite scripts are listed, not questions)',
      files: ESTATE,
      args: [],
      code: 0,
    },
    { name: 'dry run with SQL built at run time: a person is needed', files: { ...ESTATE, ...DYNAMIC }, args: [], code: 1 },
    { name: '--exclude leaves that script out', files: { ...ESTATE, ...DYNAMIC }, args: ['--exclude', '**/fix_all_tables.py'], code: 0 },
    { name: '--write, converted and verified', files: ESTATE, args: ['--write', '--out', 'converted'], code: 0, written: true },
    {
      name: '--write with a script for a person: written, and 1',
      files: { ...ESTATE, ...DYNAMIC },
      args: ['--write', '--out', 'converted'],
      code: 1,
      written: true,
    },
    { name: 'input error: --verify without --write', files: ESTATE, args: ['--verify'], code: 2 },
    {
      name: 'input error: an --order file that does not exist',
      files: ESTATE,
      args: ['--order', 'nope.txt', '--write', '--out', 'converted'],
      code: 2,
    },
  ])('$name: exit $code', async ({ files, args, code, written }) => {
    const cwd = tempProject(files);
    const r = await runMigrate(['convert', 'legacy', '--url', production.url, '--shadow-url', testServerUrl(), ...args], { cwd });
    expect(r.code, r.stderr + r.stdout).toBe(code);
    expect(existsSync(join(cwd, 'converted'))).toBe(written === true);
    if (code === 2)
      expect(readdirSync(join(cwd, 'legacy/backend')).sort()).toEqual(
        Object.keys(files)
          .map((f) => f.split('/').at(-1))
          .sort(),
      );
  });

  it('database error: production cannot be reached: exit 3, nothing changed', async () => {
    const cwd = tempProject(ESTATE);
    const url = new URL(production.url);
    url.pathname = '/strata_no_such_database';
    const r = await runMigrate(['convert', 'legacy', '--url', url.toString(), '--write', '--out', 'converted'], { cwd });
    expect(r.code).toBe(3);
    expect(existsSync(join(cwd, 'converted'))).toBe(false);
  });

  it('the help documents the exit codes and --exclude', async () => {
    const r = await runMigrate(['convert', '--help']);
    expect(r.stdout).toContain('--exclude <glob...>');
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*needs a person.*\n\s+2 .*input error.*\n\s+3 .*database error/);
  });
});

describe("the verify step and production's extensions (issue 18, point 12)", () => {
  it('an extension no local PostgreSQL has: exit 2 before any work, naming it and --shadow-url', async () => {
    const snap = await introspect(production.url);
    snap.extensions['strata_no_such_ext'] = { name: 'strata_no_such_ext', schema: 'public', version: '1.0', requires: [] };
    const cwd = tempProject({ ...ESTATE, 'production.json': serializeSnapshot(snap) });
    const r = await runMigrate(['convert', 'legacy', '--production', 'production.json', '--write', '--out', 'converted'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        /Production uses the extension strata_no_such_ext, which neither the bundled PostgreSQL /.source +
          /nor a PostgreSQL \d+ installed here .* Pass --shadow-url with a server that has /.source +
          /strata_no_such_ext, or --no-verify\./.source,
      ),
    );
    expect(existsSync(join(cwd, 'converted'))).toBe(false);
    expect(existsSync(join(cwd, 'legacy/CONVERSION.md'))).toBe(false);
  });

  // The system PostgreSQL 15 with PostGIS this repository's machines have (see the README's requirements).
  const systemBin = '/usr/lib/postgresql/15/bin';
  it('a PostGIS production: verify picks the system PostgreSQL 15 that has PostGIS, and passes', async () => {
    const server = await startLocalServer({ binDir: systemBin });
    try {
      const db = await createScratchDatabase(server.url, { prefix: 'e2e_postgis' });
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query('CREATE EXTENSION postgis; CREATE TABLE places (id SERIAL PRIMARY KEY, name TEXT, geom geometry(Point, 4326))');
      await c.end();
      const cwd = tempProject({
        'legacy/backend/fix_places_index.py': py('CREATE INDEX IF NOT EXISTS idx_places_geom ON places USING gist (geom)'),
      });
      const r = await runMigrate(['convert', 'legacy', '--url', db.url, '--write', '--out', 'converted'], { cwd });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/baseline \w+ = production \| ok/);
    } finally {
      await server.stop();
    }
  });
});
