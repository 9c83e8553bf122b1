// Issue 18: the converter on estates nobody here wrote. Small scripts in the
// style of public FastAPI / SQLAlchemy projects (fix_*.py next to raw SQL,
// run_*_migration.py, shell scripts calling psql, a /fix-db endpoint, SQLite
// leftovers), converted against a real PostgreSQL production.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, introspect, type Snapshot } from '@pg-strata/auditor';
import { lintMigrations } from '@pg-strata/lint';
import { upgrade } from '@pg-strata/runner';
import { createTestDatabase, testServerUrl, useTestDatabase } from '@pg-strata/testkit';
import { convertEstate, verifyConversion, writeConversion, type ScriptPlan } from '../src/index.js';
import { baselineSql } from '../src/write-sql.js';

const PRODUCTION = `
CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL, created_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INTEGER, total NUMERIC(10,2), status TEXT);
CREATE INDEX idx_orders_user ON orders (user_id);
INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO orders (user_id, total, status) VALUES (1, 10, 'new'), (2, 20, 'paid');
COMMENT ON TABLE users IS 'People who sign in';
DO $$ BEGIN CREATE ROLE i18_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT SELECT ON orders TO i18_reader;
`;

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** An estate folder `<tmp>/<name>/legacy` with these files; migrations go to `<tmp>/<name>/migrations`. */
function estate(files: Record<string, string>): string {
  const work = mkdtempSync(join(tmpdir(), 'strata-i18-'));
  roots.push(work);
  const root = join(work, 'legacy');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Every file under `dir` with its content. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const productionDb = useTestDatabase('i18_prod');
let production: Snapshot;
beforeAll(async () => {
  const c = new pg.Client({ connectionString: productionDb().url });
  await c.connect();
  try {
    await c.query(PRODUCTION);
  } finally {
    await c.end();
  }
  production = await introspect(productionDb().url);
});

const py = (body: string) =>
  `import os\nimport psycopg2\n\nconn = psycopg2.connect(os.environ["DATABASE_URL"])\ncur = conn.cursor()\n${body}\nconn.commit()\n`;

async function plan(files: Record<string, string>) {
  const root = estate(files);
  const p = await convertEstate({ root, production, gitDates: false });
  const by = (path: string): ScriptPlan => {
    const s = p.scripts.find((x) => x.path === path);
    if (s === undefined) throw new Error(`${path} not in the plan: ${p.scripts.map((x) => x.path).join(', ')}`);
    return s;
  };
  return { root, plan: p, by };
}

describe('point 1: --write is all or nothing, and errors name the script and line', () => {
  const scripts = {
    'backend/fix_orders_note.py': py('cur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS note TEXT")'),
    'backend/add_orders_index.py': py('cur.execute("CREATE INDEX ON orders (status)")'),
    'backend/fix_users_unique.py': py('\n\ncur.execute("ALTER TABLE users ADD UNIQUE (email)")'),
  };

  it.each([
    {
      name: 'an archived copy with other content',
      prepare: (root: string) => {
        mkdirSync(join(root, 'archived/backend'), { recursive: true });
        writeFileSync(join(root, 'archived/backend/fix_orders_note.py'), '# another file\n');
      },
      newRevision: undefined,
      error: /archived\/backend\/fix_orders_note\.py already exists with other content/,
    },
    {
      name: 'a migration that cannot be rendered (its revision fails) names its script and line',
      prepare: () => {},
      newRevision: (() => {
        let n = 0;
        return () => {
          n++;
          if (n === 3) throw new Error('no more revision ids');
          return `r${String(n).padStart(11, '0')}`;
        };
      })(),
      error: new RegExp(
        /^backend\/fix_orders_note\.py:6: the migration for this script could not be written /.source +
          /\(no more revision ids\)\. Nothing was written/.source,
      ),
    },
    {
      name: 'the report cannot be put in place (CONVERSION.md is a folder): the migrations already moved are taken back',
      prepare: (root: string) => mkdirSync(join(root, 'CONVERSION.md')),
      newRevision: undefined,
      error: /^putting \S+\/legacy\/CONVERSION\.md in place failed \(EISDIR[^)]*\); what had been moved was put back: nothing changed\.$/,
    },
  ])('$name: the estate and the output folder are as they were', async ({ prepare, newRevision, error }) => {
    const root = estate(scripts);
    prepare(root);
    const p = await convertEstate({ root, production, gitDates: false });
    const before = tree(dirname(root));
    await expect(writeConversion(p, { production, git: false, ...(newRevision ? { newRevision } : {}) })).rejects.toThrow(error);
    expect(tree(dirname(root))).toEqual(before);
    expect(readdirSync(dirname(root)).filter((f) => f.includes('strata-convert'))).toEqual([]);
  });

  it('an unnamed index and an unnamed UNIQUE constraint get a down section instead of a crash (quoteIdent: empty identifier)', async () => {
    const root = estate(scripts);
    const p = await convertEstate({ root, production, gitDates: false });
    const written = await writeConversion(p, { production, git: false });
    const texts = written.migrations.map((m) => readFileSync(m.file, 'utf8'));
    expect(texts.join('\n')).not.toContain('""');
    expect(existsSync(join(root, 'CONVERSION.md'))).toBe(true);
    expect(existsSync(join(root, 'archived/backend/fix_orders_note.py'))).toBe(true);
  });
});

describe('point 4: SQLite scripts are their own class, "not PostgreSQL"', () => {
  it.each([
    [
      'a sqlite3.connect script with PRAGMA table_info',
      'backend/fix_local_db.py',
      `import sqlite3\n\nconn = sqlite3.connect("app.db")\ncur = conn.cursor()\ncols = [r[1] for r in ` +
        `cur.execute("PRAGMA table_info(users)")]\nif "phone" not in cols:\n    cur.execute("ALTER TABLE ` +
        `users ADD COLUMN phone TEXT")\nconn.commit()\n`,
      3,
    ],
    [
      'an SQL file with AUTOINCREMENT',
      'backend/migrations/001_init_sqlite.sql',
      'CREATE TABLE IF NOT EXISTS notes (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  body TEXT\n);\n',
      2,
    ],
    [
      'a SQLAlchemy sqlite:// URL',
      'backend/migrate_dev.py',
      `from sqlalchemy import create_engine, text\n\nengine = ` +
        `create_engine("sqlite:///./dev.db")\nwith engine.begin() as c:\n    c.execute(text("ALTER TABLE ` +
        `users ADD COLUMN avatar TEXT"))\n`,
      3,
    ],
    [
      'both drivers, SQLite catalogue in the SQL',
      'backend/fix_both.py',
      `import sqlite3\nimport psycopg2\n\nlite = sqlite3.connect("x.db")\nrows = lite.execute("SELECT ` +
        `name FROM sqlite_master WHERE type='table'").fetchall()\n`,
      5,
    ],
  ])('%s', async (_name, path, text, line) => {
    const { by, plan: p } = await plan({ [path]: text });
    const s = by(path);
    expect(s.class).toBe('not_postgresql');
    expect(s.reasons).toEqual(['sqlite']);
    expect(s.reason).toMatch(new RegExp(`^line ${line}: `));
    expect(s.target.action).toBe('leave');
    expect(p.counts.not_postgresql).toBe(1);
    expect(p.counts.manual_review).toBe(0);
  });

  it('a PostgreSQL script that only mentions SQLite in a comment is judged against production', async () => {
    const { by } = await plan({
      'backend/fix_orders_note.py': py(
        '# was sqlite3 once, now PostgreSQL\ncur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS note TEXT")',
      ),
    });
    expect(by('backend/fix_orders_note.py').class).toBe('still_needed');
  });
});

describe('point 9: discovery, read-only tools and code-only files', () => {
  const files: Record<string, string> = {
    'backend/apply_schema_fix.py': py('cur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS status TEXT")'),
    'backend/run_ai_migration.py': py('cur.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS ai_credits INTEGER DEFAULT 0")'),
    'backend/migrate.py': py(
      'cur.execute("CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, email TEXT NOT NULL, created_at TIMESTAMPTZ DEFAULT now())")',
    ),
    'backend/followup_migration.py': py('cur.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS followup_at TIMESTAMPTZ")'),
    'backend/run_missing_columns_fix.sh':
      '#!/bin/bash\nset -e\npsql "$DATABASE_URL" -c "ALTER TABLE orders ADD COLUMN IF NOT EXISTS total NUMERIC(10,2)"\n',
    'backend/deploy.sh': '#!/bin/bash\nnpm run build\n',
    'backend/main.py':
      'from fastapi import FastAPI\nfrom sqlalchemy import text\nfrom database import engine, ' +
      'Base\n\napp = FastAPI()\nBase.metadata.create_all(bind=engine)\n\n@app.post("/fix-db")\ndef ' +
      'fix_db():\n    with engine.begin() as c:\n        c.execute(text("ALTER TABLE users ADD COLUMN ' +
      'IF NOT EXISTS email TEXT"))\n    return {"ok": True}\n',
    'backend/server.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n',
    'backend/check_tables.py': py(
      'cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = \'public\'")\nprint(cur.fetchall())',
    ),
    'backend/inspect_schema.py':
      'from sqlalchemy import create_engine, inspect\nengine = ' +
      'create_engine("postgresql://localhost/app")\nprint(inspect(engine).get_table_names())\n',
    'backend/debug_orders.py': py('table = input()\ncur.execute(f"SELECT count(*) FROM {table}")'),
    'backend/verify_fix.py': py('cur.execute("UPDATE orders SET status = \'new\' WHERE status IS NULL")'),
    'backend/fix_indentation.py':
      'import re\n\nsrc = open("facebook.py").read()\nopen("facebook.py", "w").write(re.sub(r"^\\t", "    ", src, flags=re.M))\n',
  };

  it('finds every database script by name or by what it holds, and nothing else', async () => {
    const { plan: p } = await plan(files);
    expect(p.scripts.map((s) => s.path).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f !== 'backend/deploy.sh' && f !== 'backend/server.py')
        .sort(),
    );
  });

  it.each([
    ['backend/apply_schema_fix.py', 'obsolete', 'archive'],
    ['backend/run_ai_migration.py', 'still_needed', 'migration'],
    ['backend/migrate.py', 'obsolete', 'archive'],
    ['backend/followup_migration.py', 'still_needed', 'migration'],
    ['backend/run_missing_columns_fix.sh', 'obsolete', 'archive'],
    ['backend/main.py', 'obsolete', 'leave'],
    ['backend/check_tables.py', 'read_only', 'leave'],
    ['backend/inspect_schema.py', 'read_only', 'leave'],
    ['backend/debug_orders.py', 'read_only', 'leave'],
    ['backend/verify_fix.py', 'data_fix', 'archive'],
    ['backend/fix_indentation.py', 'not_database', 'leave'],
  ] as const)('%s is %s (%s)', async (path, cls, action) => {
    const { by } = await plan(files);
    expect(by(path).class).toBe(cls);
    expect(by(path).target.action).toBe(action);
  });

  it('--write never moves the application module, and lists the others where they are', async () => {
    const { root, plan: p } = await plan(files);
    await writeConversion(p, { production, git: false });
    expect(existsSync(join(root, 'backend/main.py'))).toBe(true);
    expect(existsSync(join(root, 'backend/check_tables.py'))).toBe(true);
    expect(existsSync(join(root, 'archived/backend/migrate.py'))).toBe(true);
    const md = readFileSync(join(root, 'CONVERSION.md'), 'utf8');
    expect(md).toContain('| read_only | 3 |');
    expect(md).toContain('| not_database | 1 |');
    expect(md).toContain('left in place: application code');
  });
});

describe('point 10: a run-time f-string placeholder is dynamic SQL with its location, never a syntax error', () => {
  it.each([
    [
      'a table name from a loop over a query',
      'for (t,) in cur.fetchall():\n    cur.execute(f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ")',
      7,
    ],
    ['a column list joined at run time', 'cols = get_columns()\ncur.execute(f"INSERT INTO orders ({\', \'.join(cols)}) VALUES (1)")', 7],
    ['a format spec', 'n = int(os.environ["N"])\ncur.execute(f"DELETE FROM orders WHERE id IN (SELECT id FROM orders LIMIT {n:d})")', 7],
    [
      'a triple-quoted f-string over lines',
      'schema = os.environ["SCHEMA"]\ncur.execute(f"""\n    CREATE INDEX IF NOT EXISTS ' +
        'idx_orders_status\n    ON {schema}.orders (status)\n""")',
      7,
    ],
    ['a dict lookup', 'cfg = load()\ncur.execute(f"ALTER TABLE users ALTER COLUMN email TYPE {cfg[\'email_type\']}")', 7],
  ])('%s', async (_name, body, line) => {
    const { by } = await plan({ 'backend/fix_dynamic.py': py(body) });
    const s = by('backend/fix_dynamic.py');
    expect(s.class).toBe('manual_review');
    expect(s.reasons).toEqual(['dynamic_sql']);
    expect(s.problems.filter((x) => x.kind === 'syntax_error')).toEqual([]);
    expect(s.problems.find((x) => x.kind === 'dynamic_sql')?.line).toBe(line);
    expect(s.reason).toMatch(new RegExp(`line ${line}: SQL built at run time`));
  });
});

describe("point 14: converted migrations pass up's own lint and apply", () => {
  it.each([
    {
      name: 'an index on a table production has goes CONCURRENTLY into a migration of its own',
      script: py(
        'cur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS shipped_at ' +
          'TIMESTAMPTZ")\ncur.execute("CREATE INDEX IF NOT EXISTS idx_orders_shipped ON orders ' +
          '(shipped_at)")',
      ),
      expect: [
        'CREATE INDEX CONCURRENTLY idx_orders_shipped ON orders (shipped_at);',
        '-- transactional: false',
        'DROP INDEX CONCURRENTLY idx_orders_shipped;',
      ],
      files: 2,
    },
    {
      name: 'an index alone: one non-transactional migration',
      script: py('cur.execute("CREATE INDEX IF NOT EXISTS idx_orders_status ON orders (status)")'),
      expect: ['CREATE INDEX CONCURRENTLY idx_orders_status ON orders (status);', '-- transactional: false'],
      files: 1,
    },
    {
      name: 'an index on a table the script creates stays in its transaction',
      script: py(
        'cur.execute("CREATE TABLE IF NOT EXISTS coupons (id SERIAL PRIMARY KEY, code ' +
          'TEXT)")\ncur.execute("CREATE INDEX IF NOT EXISTS idx_coupons_code ON coupons (code)")',
      ),
      expect: ['CREATE INDEX idx_coupons_code ON coupons (code);'],
      files: 1,
    },
    {
      name: 'a foreign key on existing tables keeps the legacy form with a reasoned strata-lint-ignore',
      script: py('cur.execute("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)")'),
      expect: [
        '-- strata-lint-ignore add-foreign-key-without-not-valid: converted as legacy backend/fix_x.py ' +
          'ran it, and production lacks it; validating it scans the table',
      ],
      files: 1,
    },
  ])('$name', async ({ script, expect: wanted, files }) => {
    const { root, plan: p } = await plan({ 'backend/fix_x.py': script });
    expect(p.scripts[0]!.class).toBe('still_needed');
    const written = await writeConversion(p, { production, git: false });
    const converted = written.migrations.filter((m) => m.source !== null);
    expect(converted).toHaveLength(files);
    const text = converted.map((m) => readFileSync(m.file, 'utf8')).join('\n');
    for (const w of wanted) expect(text).toContain(w);
    const dir = join(dirname(root), 'migrations');
    expect((await lintMigrations(dir)).filter((f) => f.severity === 'error')).toEqual([]);
    // And they apply: baseline then the converted migrations, on an empty database.
    const db = await createTestDatabase('i18_apply');
    try {
      const r = await upgrade({ url: db.url, migrationsDir: dir });
      expect(r.steps.length).toBe(1 + files);
    } finally {
      await db.drop();
    }
  });
});

describe('point 3: the baseline keeps identical UNIQUE constraints production got at different times', () => {
  it.each([
    [
      'a second UNIQUE (email) added by a fix script',
      'CREATE TABLE accounts (id SERIAL PRIMARY KEY, email TEXT, CONSTRAINT accounts_email_key UNIQUE ' +
        '(email));\nALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email);',
    ],
    [
      'a UNIQUE that repeats the primary key',
      'CREATE TABLE sessions (id INTEGER, CONSTRAINT sessions_pkey PRIMARY KEY (id));\nALTER TABLE ' +
        'sessions ADD CONSTRAINT sessions_id_unique UNIQUE (id);',
    ],
    [
      'three identical two-column UNIQUEs, one of them inline',
      'CREATE TABLE follows (a INT, b INT, CONSTRAINT follows_a_b_key UNIQUE (a, b));\nALTER TABLE ' +
        'follows ADD CONSTRAINT uq_follows UNIQUE (a, b);\nALTER TABLE follows ADD CONSTRAINT ' +
        'follows_unique_pair UNIQUE (a, b);',
    ],
  ])('%s: the baseline reproduces it exactly (as verify checks)', async (_name, sql) => {
    const prod = await createTestDatabase('i18_dup_prod');
    const shadow = await createTestDatabase('i18_dup_base');
    try {
      const run = async (url: string, text: string) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(text);
        } finally {
          await c.end();
        }
      };
      await run(prod.url, sql);
      const snap = await introspect(prod.url);
      await run(shadow.url, baselineSql(snap).up);
      expect(compare(snap, await introspect(shadow.url), { left: 'production', right: 'the baseline' })).toEqual([]);
    } finally {
      await prod.drop();
      await shadow.drop();
    }
  });
});

describe('point 7: COMMENT ON and GRANT are compared with production like any other effect', () => {
  it.each([
    ['the comment production has', `cur.execute("COMMENT ON TABLE users IS 'People who sign in'")`, 'obsolete', undefined],
    [
      'another comment',
      `cur.execute("COMMENT ON TABLE users IS 'Accounts'")`,
      'still_needed',
      "COMMENT ON TABLE users IS 'People who sign in';",
    ],
    [
      'a column comment production lacks',
      `cur.execute("COMMENT ON COLUMN orders.total IS 'In euros'")`,
      'still_needed',
      'COMMENT ON COLUMN orders.total IS NULL;',
    ],
    ['a grant production has', 'cur.execute("GRANT SELECT ON orders TO i18_reader")', 'obsolete', undefined],
    [
      'a grant production lacks',
      'cur.execute("GRANT SELECT, UPDATE ON users TO i18_reader")',
      'still_needed',
      'REVOKE SELECT, UPDATE ON users FROM i18_reader;',
    ],
  ])('%s', async (_name, body, cls, down) => {
    const { plan: p } = await plan({ 'backend/fix_meta.py': py(body) });
    const s = p.scripts[0]!;
    expect(s.class).toBe(cls);
    if (down !== undefined) {
      const written = await writeConversion(p, { production, git: false });
      const text = readFileSync(written.migrations.at(-1)!.file, 'utf8');
      expect(text.split('-- migrate:down\n')[1]).toContain(down);
    }
  });
});

describe('point 2: Python guards: only what would run against production becomes a migration', () => {
  it.each([
    [
      'if not table_exists: CREATE TABLE production has',
      'def table_exists(cur, name):\n    cur.execute("SELECT 1 FROM information_schema.tables WHERE ' +
        'table_name = %s", (name,))\n    return cur.fetchone() is not None\n\nif not table_exists(cur, ' +
        "'users'):\n    cur.execute(\"CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL, " +
        'created_at TIMESTAMPTZ DEFAULT now())")',
      'obsolete',
    ],
    [
      'if not table_exists: CREATE TABLE production lacks',
      'def table_exists(cur, name):\n    cur.execute("SELECT 1 FROM information_schema.tables WHERE ' +
        'table_name = %s", (name,))\n    return cur.fetchone() is not None\n\nif not table_exists(cur, ' +
        '\'coupons\'):\n    cur.execute("CREATE TABLE coupons (id SERIAL PRIMARY KEY, code TEXT)")',
      'still_needed',
    ],
    [
      'a column checked against the list of existing columns',
      'cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ' +
        "'orders'\")\ncolumns = [r[0] for r in cur.fetchall()]\nif 'shipped_at' not in columns:\n    " +
        'cur.execute("ALTER TABLE orders ADD COLUMN shipped_at TIMESTAMPTZ")',
      'still_needed',
    ],
    [
      'a column production has, checked against the list',
      'cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ' +
        "'orders'\")\ncolumns = [r[0] for r in cur.fetchall()]\nif 'status' not in columns:\n    " +
        'cur.execute("ALTER TABLE orders ADD COLUMN status TEXT")',
      'obsolete',
    ],
    [
      'try/except around an ALTER production already ran',
      'try:\n    cur.execute("ALTER TABLE orders ADD COLUMN status TEXT")\nexcept psycopg2.errors.DuplicateColumn:\n    conn.rollback()',
      'obsolete',
    ],
    [
      'try/except around an ALTER production lacks',
      'try:\n    cur.execute("ALTER TABLE orders ADD COLUMN refunded BOOLEAN DEFAULT false")\nexcept ' +
        'Exception as e:\n    print(e)\n    conn.rollback()',
      'still_needed',
    ],
  ])('%s: %s', async (_name, body, cls) => {
    const { plan: p } = await plan({ 'backend/fix_guarded.py': py(body) });
    expect(p.scripts[0]!.class, p.scripts[0]!.reason).toBe(cls);
  });
});

describe('point 5: DROP TABLE IF EXISTS then CREATE TABLE, whose result production has, is obsolete', () => {
  it.each([
    [
      'the same columns as production',
      'cur.execute("DROP TABLE IF EXISTS orders")\ncur.execute("CREATE TABLE orders (id SERIAL ' +
        'PRIMARY KEY, user_id INTEGER, total NUMERIC(10,2), status TEXT)")',
      'obsolete',
      [],
    ],
    [
      'other columns than production: still destructive',
      'cur.execute("DROP TABLE IF EXISTS orders")\ncur.execute("CREATE TABLE orders (id SERIAL PRIMARY KEY, total NUMERIC(12,2))")',
      'manual_review',
      ['destructive'],
    ],
  ])('%s', async (_name, body, cls, reasons) => {
    const { plan: p } = await plan({ 'backend/fix_recreate.py': py(body) });
    expect(p.scripts[0]!.class, p.scripts[0]!.reason).toBe(cls);
    if (reasons.length > 0) expect(p.scripts[0]!.reasons).toEqual(expect.arrayContaining(reasons));
  });
});

describe('point 6: the entry point decides what runs (downgrade() is not an effect)', () => {
  const script = (main: string) =>
    `import os\nimport psycopg2\n\ndef upgrade(cur):\n    cur.execute("ALTER TABLE orders ADD ` +
    `COLUMN IF NOT EXISTS shipped_at TIMESTAMPTZ")\n\ndef downgrade(cur):\n    cur.execute("ALTER ` +
    `TABLE orders DROP COLUMN IF EXISTS shipped_at")\n\ndef rollback_migration(cur):\n    ` +
    `cur.execute("DROP TABLE IF EXISTS orders")\n\ndef main(cur):\n    upgrade(cur)\n\nif __name__ ` +
    `== "__main__":\n    conn = psycopg2.connect(os.environ["DATABASE_URL"])\n    cur = ` +
    `conn.cursor()\n${main}\n    conn.commit()\n`;
  it.each([
    ['__main__ calls upgrade(): only its ALTER counts', '    upgrade(cur)', 'still_needed', ['add_column']],
    ['__main__ runs main(), which calls upgrade(): followed through', '    main(cur)', 'still_needed', ['add_column']],
    [
      'rollback_migration() is what __main__ calls: its DROP counts, the upgrade does not',
      '    rollback_migration(cur)',
      'manual_review',
      ['drop_table'],
    ],
  ])('%s', async (_name, main, cls, kinds) => {
    const { plan: p } = await plan({ 'backend/add_shipped_at_migration.py': script(main) });
    const s = p.scripts[0]!;
    expect(s.class, s.reason).toBe(cls);
    expect(s.effects.map((j) => j.effect.kind)).toEqual(kinds);
  });
});

describe("a migration must be able to apply: tables and extensions production's server lacks go to a person", () => {
  it.each([
    [
      'an ALTER of a table neither production nor an earlier script has',
      'cur.execute("ALTER TABLE bookings ADD COLUMN IF NOT EXISTS status TEXT")',
      'manual_review',
      ['table_missing'],
    ],
    [
      'a table created by the same script first',
      'cur.execute("CREATE TABLE IF NOT EXISTS bookings (id SERIAL PRIMARY KEY)")\ncur.execute("ALTER ' +
        'TABLE bookings ADD COLUMN IF NOT EXISTS status TEXT")',
      'still_needed',
      ['missing_in_production'],
    ],
    [
      "an index on a column production's table lacks",
      'cur.execute("CREATE INDEX IF NOT EXISTS idx_orders_category ON orders (category)")',
      'manual_review',
      ['column_missing'],
    ],
    [
      'an index on a column the same script adds first',
      'cur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS category TEXT")\ncur.execute("CREATE ' +
        'INDEX IF NOT EXISTS idx_orders_category ON orders (category)")',
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'a foreign key of another type than the column it references',
      'cur.execute("CREATE TABLE IF NOT EXISTS reminders (id SERIAL PRIMARY KEY, order_id VARCHAR(36) REFERENCES orders(id))")',
      'manual_review',
      ['conflict'],
    ],
    [
      'a foreign key of the same type family',
      'cur.execute("CREATE TABLE IF NOT EXISTS reminders (id SERIAL PRIMARY KEY, order_id BIGINT REFERENCES orders(id))")',
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'a GRANT to a role the server does not have',
      'cur.execute("GRANT SELECT ON orders TO strata_no_such_role")',
      'manual_review',
      ['role_missing'],
    ],
    [
      'an extension the server cannot install',
      'cur.execute("CREATE EXTENSION IF NOT EXISTS strata_no_such_extension")',
      'manual_review',
      ['extension_unavailable'],
    ],
    ['an extension the server has', 'cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")', 'still_needed', ['missing_in_production']],
  ])('%s', async (_name, body, cls, reasons) => {
    const root = estate({ 'backend/fix_x.py': py(body) });
    const p = await convertEstate({ root, production, productionUrl: productionDb().url, gitDates: false });
    expect(p.scripts[0]!.class, p.scripts[0]!.reason).toBe(cls);
    expect(p.scripts[0]!.reasons).toEqual(reasons);
  });
});

describe('verify: every converted migration must apply, with or without models', () => {
  it(
    'a migration PostgreSQL refuses (no gist operator class for text) is reported by the verify ' +
      'step, naming the migration and its script',
    async () => {
      const body = 'cur.execute("CREATE INDEX IF NOT EXISTS idx_orders_status_gist ON orders USING gist (status)")';
      const root = estate({ 'backend/fix_reminders.py': py(body) });
      const p = await convertEstate({ root, production, gitDates: false });
      expect(p.scripts[0]!.class).toBe('still_needed');
      const written = await writeConversion(p, { production, git: false });
      const v = await verifyConversion(p, written, { production, shadowUrl: testServerUrl() });
      expect(v.ok).toBe(false);
      const row = v.rows.find((r) => r.check.includes('converted migrations apply'))!;
      expect(row.ok).toBe(false);
      expect(row.differences[0]!.message).toMatch(
        /^0002_reminders\.sql \(from backend\/fix_reminders\.py\) does not apply: .*operator class/,
      );
    },
  );

  it('when they all apply, the row says so', async () => {
    const root = estate({ 'backend/fix_orders_note.py': py('cur.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS note TEXT")') });
    const p = await convertEstate({ root, production, gitDates: false });
    const written = await writeConversion(p, { production, git: false });
    const v = await verifyConversion(p, written, { production, shadowUrl: testServerUrl() });
    expect(v.rows.map((r) => [r.check.replace(/[0-9a-f]{12}/, 'REV'), r.ok])).toEqual([
      ['baseline REV = production', true],
      ['baseline + 1 converted migrations apply', true],
    ]);
  });
});

describe('point 11: a data fix is judged by a query on production, shown with its count', () => {
  it.each([
    [
      'rows still in the old state: not run, a data migration',
      `cur.execute("UPDATE orders SET status = 'pending' WHERE status = 'new'")`,
      'dml_not_run',
      1,
      /production still has 1 row it would change.*Checked with: SELECT EXISTS/,
    ],
    [
      'no row left: it has run',
      `cur.execute("UPDATE orders SET status = 'paid' WHERE status = 'refunded'")`,
      'dml_has_run',
      0,
      /no production row would change any more \(0 rows\).*Checked with: SELECT EXISTS/,
    ],
  ])('%s', async (_name, body, reason, rows, sentence) => {
    const root = estate({ 'backend/fix_order_status.py': py(body) });
    const p = await convertEstate({ root, production, productionUrl: productionDb().url, gitDates: false });
    const s = p.scripts[0]!;
    expect(s.class).toBe('data_fix');
    expect(s.reasons).toEqual([reason]);
    expect(s.dataFix?.checks.map((c) => c.rows)).toEqual([rows]);
    expect(s.reason).toMatch(sentence);
  });
});
