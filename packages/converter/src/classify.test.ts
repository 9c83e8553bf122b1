import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySnapshot, type Snapshot, type TableDef } from '@pg-strata/auditor';
import { classifyScript, neededStatements, Timeline } from './classify.js';
import { analyzeScript } from './effects.js';
import { extractSql } from './extract.js';

function table(name: string, columns: [string, string][], constraints: TableDef['constraints'] = {}): TableDef {
  return {
    schema: 'public',
    name,
    partitionBy: null,
    partitionOf: null,
    inherits: [],
    unlogged: false,
    columns: columns.map(([n, type]) => ({
      name: n,
      type,
      notNull: false,
      default: null,
      identity: null,
      generated: null,
      collation: null,
      comment: null,
    })),
    constraints,
    rowSecurity: false,
    forceRowSecurity: false,
    comment: null,
  };
}

function snapshot(tables: TableDef[], indexes: string[] = []): Snapshot {
  const s = emptySnapshot(17);
  for (const t of tables) s.tables[`public.${t.name}`] = t;
  for (const i of indexes) {
    const [name, on] = i.split('@') as [string, string];
    s.indexes[`public.${name}`] = {
      schema: 'public',
      name,
      table: `public.${on}`,
      definition: '',
      method: 'btree',
      unique: false,
      keys: [],
      include: [],
      predicate: null,
      valid: true,
      comment: null,
    };
  }
  return s;
}

const production = snapshot(
  [
    table('users', [
      ['id', 'integer'],
      ['email', 'text'],
      ['legacy', 'text'],
      ['size', 'bigint'],
    ]),
  ],
  ['users_email_idx@users'],
);
const models = snapshot(
  [
    table('users', [
      ['id', 'integer'],
      ['email', 'text'],
      ['size', 'bigint'],
      ['role', 'character varying(20)'],
      ['name', 'text'],
    ]),
    table('things', [['id', 'integer']]),
  ],
  ['users_email_idx@users', 'users_role_idx@users'],
);

async function classify(path: string, text: string, m: Snapshot | null = models) {
  const a = await analyzeScript(extractSql({ path, text }));
  return classifyScript({ analysis: a, production, ...(m ? { models: m } : {}) });
}

describe('classifyScript', () => {
  it.each([
    ['already in production', 'x.sql', 'ALTER TABLE users ADD COLUMN email text;', 'obsolete', ['all_effects_in_production']],
    [
      'index in production',
      'x.sql',
      'CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);',
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'missing column the models have',
      'x.sql',
      "ALTER TABLE users ADD COLUMN role varchar(20) NOT NULL DEFAULT 'member';",
      'still_needed',
      ['missing_in_production'],
    ],
    ['a new table the models have', 'x.sql', 'CREATE TABLE things (id integer);', 'still_needed', ['missing_in_production']],
    ['a column type conflicting with production', 'x.sql', 'ALTER TABLE users ADD COLUMN size integer;', 'manual_review', ['conflict']],
    [
      'a guarded ADD COLUMN IF NOT EXISTS with another type never runs on production (issue 18 point 8)',
      'x.sql',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS size integer;',
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'the same behind a Python column check',
      'x.py',
      "if not column_exists(cur, 'users', 'size'):\n    cur.execute('ALTER TABLE users ADD COLUMN size integer')\n",
      'obsolete',
      ['all_effects_in_production'],
    ],
    ['a drop of what production holds', 'x.sql', 'ALTER TABLE users DROP COLUMN legacy;', 'manual_review', ['destructive']],
    [
      'a drop already done in production',
      'x.sql',
      'ALTER TABLE users DROP COLUMN IF EXISTS gone;',
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a column neither production nor the models have',
      'x.sql',
      'ALTER TABLE users ADD COLUMN nickname text;',
      'manual_review',
      ['not_in_models'],
    ],
    ['a syntax error', 'x.sql', 'ALTER TABLE users ADD COLUMN a int ADD COLUMN b int;', 'manual_review', ['syntax_error']],
    ['a statement a Snapshot cannot check', 'x.sql', 'GRANT USAGE ON SCHEMA public TO reporting;', 'manual_review', ['unsupported']],
    [
      'a GRANT on a table is compared like any effect: production and the models lack it (issue 18 point 7)',
      'x.sql',
      'GRANT SELECT ON users TO reporting;',
      'manual_review',
      ['not_in_models'],
    ],
    ['only reads', 'x.sql', 'SELECT count(*) FROM users;', 'obsolete', ['no_schema_effects']],
    [
      'only DML, nothing to check with',
      'x.sql',
      'UPDATE users SET email = lower(email) WHERE email <> lower(email);',
      'data_fix',
      ['dml_unknown'],
    ],
    [
      'dynamic SQL',
      'x.py',
      'for t in cur.fetchall():\n    cur.execute(f"ALTER TABLE {t} ADD COLUMN x int")\n',
      'manual_review',
      ['dynamic_sql'],
    ],
    ['no SQL at all', 'x.py', 'print("hello")\n', 'manual_review', ['no_sql_found']],
    [
      'a column added and dropped in the same script',
      'x.sql',
      'ALTER TABLE users ADD COLUMN tmp int; ALTER TABLE users DROP COLUMN tmp;',
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a column added then renamed to what the models want',
      'x.sql',
      'ALTER TABLE users ADD COLUMN nm text; ALTER TABLE users RENAME COLUMN nm TO name;',
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'a helper-guarded ALTER',
      'x.py',
      "if not column_exists(cur, 'users', 'email'):\n    cur.execute('ALTER TABLE users ADD COLUMN email text')\n",
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a DO block guarded by a condition on rows',
      'x.sql',
      'DO $$ BEGIN IF (SELECT count(*) FROM users) > 100 THEN CREATE INDEX users_role_idx ON users (role); END IF; END $$;',
      'manual_review',
      ['unsupported'],
    ],
    [
      'a helper guard about another object is evaluated on production: true there, so it runs',
      'x.py',
      "if not table_exists(cur, 'audit'):\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n",
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'a helper guard about another object false on production: it never runs there',
      'x.py',
      "if not table_exists(cur, 'users'):\n    cur.execute('ALTER TABLE users ADD COLUMN nickname text')\n",
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a guard on an object an earlier statement of the script changes is not evaluated on production',
      'x.py',
      "cur.execute('CREATE TABLE audit (id int)')\nif not table_exists(cur, 'audit'):\n    " +
        "cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n",
      'manual_review',
      ['not_in_models', 'unsupported'],
    ],
    [
      'a DO block with a catalogue guard',
      'x.sql',
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'users_role_idx') THEN " +
        'CREATE INDEX users_role_idx ON users (role); END IF; END $$;',
      'still_needed',
      ['missing_in_production'],
    ],
  ] as const)('%s', async (_name, path, text, cls, reasons) => {
    const c = await classify(path, text);
    expect({ class: c.class, reasons: c.reasons }, c.reason).toEqual({ class: cls, reasons: [...reasons] });
  });

  it('without models, what production lacks is assumed wanted, and the reason says so', async () => {
    const c = await classify('x.sql', 'ALTER TABLE users ADD COLUMN nickname text;', null);
    expect(c.class).toBe('still_needed');
    expect(c.reason).toBe('Production lacks users.nickname text (no models given: assumed wanted).');
  });

  it('notes the other type of a guarded ADD COLUMN that never runs', async () => {
    const c = await classify('x.sql', 'ALTER TABLE users ADD COLUMN IF NOT EXISTS size integer;');
    expect(c.effects.map((e) => [e.production, e.detail])).toEqual([
      [
        'present',
        "users.size is bigint, the script adds integer; the statement is guarded by the column's " +
          'existence, so it never runs on production (note: it would add that type on a database without ' +
          'the column)',
      ],
    ]);
    expect(c.reason).toMatch(/users\.size is bigint, the script adds integer/);
  });

  it('names the conflicting types', async () => {
    const c = await classify('x.sql', 'ALTER TABLE users ADD COLUMN size integer;');
    expect(c.reason).toBe('line 1: users.size integer conflicts with production: users.size is bigint, the script adds integer.');
  });

  it('says which condition it cannot evaluate', async () => {
    const c = await classify(
      'x.sql',
      'DO $$ BEGIN IF (SELECT count(*) FROM users) > 100 THEN CREATE INDEX users_role_idx ON users (role); END IF; END $$;',
    );
    expect(c.reason).toBe(
      'line 1: index users_role_idx runs only if (SELECT count(*) FROM users) > 100, which the conversion cannot evaluate.',
    );
    const h = await classify('x.py', "if not has_rows(cur, 'audit'):\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n");
    expect(h.reason).toBe(
      'line 2: users.role character varying(20) runs only if not has_rows(audit), which the conversion cannot evaluate.',
    );
  });

  it('a syntax error keeps its file:line:column', async () => {
    const c = await classify('legacy/x.sql', 'SELECT 1;\nALTER TABLE users\n  ADD COLUMN a int\n  ADD COLUMN b int;\n');
    expect(c.reason).toBe('legacy/x.sql:4:3: syntax error at or near "ADD".');
  });

  it('a later script renaming a table is followed: the earlier ADD COLUMN is judged under the new name', async () => {
    const a = await analyzeScript(extractSql({ path: 'a.sql', text: 'ALTER TABLE members ADD COLUMN email text;' }));
    const b = await analyzeScript(extractSql({ path: 'b.sql', text: 'ALTER TABLE members RENAME TO users;' }));
    const timeline = new Timeline();
    b.statements.forEach((s) => s.effects.forEach((e) => timeline.add(2_000_000, e, 'b.sql')));
    const c = classifyScript({ analysis: a, production, models, seq: [1_000_000], timeline });
    expect(c.class).toBe('obsolete');
    expect(c.effects[0]!.detail).toBe('renamed later by b.sql');
  });
});

// Issue 18 point 2: Python guards, in the style of FastAPI/SQLAlchemy estates. Production has
// users.email (and size bigint, index users_email_idx); the models also want users.role.
describe('classifyScript: Python guards decide what would run on production (issue 18 point 2)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'strata-classify-guards-'));
    mkdirSync(join(root, 'backend'), { recursive: true });
    writeFileSync(
      join(root, 'backend', 'db_helpers.py'),
      'def col_there(cur, table, column):\n    cur.execute("SELECT 1 FROM information_schema.columns ' +
        'WHERE table_name = %s AND column_name = %s", (table, column))\n    return cur.fetchone() is not ' +
        'None\n',
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const helper =
    'def probe(cur, t, c):\n    cur.execute("SELECT 1 FROM information_schema.columns WHERE ' +
    'table_name = %s AND column_name = %s", (t, c))\n    return cur.fetchone() is not None\n';
  const listing =
    'cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ' +
    "'users'\")\ncols = [r[0] for r in cur.fetchall()]\n";
  const attempt = (sql: string) => `try:\n    cur.execute("${sql}")\nexcept psycopg2.errors.DuplicateColumn:\n    conn.rollback()\n`;
  it.each([
    [
      'a helper read by its body: production has the column',
      `${helper}if not probe(cur, 'users', 'email'):\n    cur.execute('ALTER TABLE users ADD COLUMN email text')\n`,
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a helper read by its body: production lacks the column',
      `${helper}if not probe(cur, 'users', 'role'):\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n`,
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'a helper from a sibling module: present',
      "from db_helpers import col_there\nif not col_there(cur, 'users', 'email'):\n    " +
        "cur.execute('ALTER TABLE users ADD COLUMN email text')\n",
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a helper from a sibling module: missing',
      "from db_helpers import col_there\nif not col_there(cur, column='role', table='users'):\n    " +
        "cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n",
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'both branches: the else of a positive check, present',
      `${helper}if probe(cur, 'users', 'email'):\n    print('ok')\nelse:\n    cur.execute('ALTER TABLE users ADD COLUMN email text')\n`,
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a list of existing columns: present',
      `${listing}if 'email' not in cols:\n    cur.execute('ALTER TABLE users ADD COLUMN email text')\n`,
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'a list of existing columns: missing',
      `${listing}if 'role' not in cols:\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n`,
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'SQLAlchemy inspector.has_table: missing table the models have',
      "insp = inspect(engine)\nif not insp.has_table('things'):\n    conn.execute(text('CREATE TABLE things (id integer)'))\n",
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'both branches: only the one that runs on production counts (rename of a column production lacks, else add)',
      `${helper}if probe(cur, 'users', 'old_name'):\n    cur.execute('ALTER TABLE users RENAME COLUMN ` +
        `old_name TO name')\nelse:\n    cur.execute('ALTER TABLE users ADD COLUMN name text')\n`,
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'both branches: production has the old column, so the rename runs',
      `${helper}if probe(cur, 'users', 'legacy'):\n    cur.execute('ALTER TABLE users RENAME COLUMN ` +
        `legacy TO name')\nelse:\n    cur.execute('ALTER TABLE users ADD COLUMN name text')\n`,
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'try/except around an ADD COLUMN production has',
      attempt('ALTER TABLE users ADD COLUMN email text'),
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'try/except around an ADD COLUMN production lacks',
      attempt('ALTER TABLE users ADD COLUMN role varchar(20)'),
      'still_needed',
      ['missing_in_production'],
    ],
    [
      'try/except around an ADD COLUMN of another type never runs there (point 8)',
      attempt('ALTER TABLE users ADD COLUMN size integer'),
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      'try/except around a DROP production already did',
      'try:\n    cur.execute("ALTER TABLE users DROP COLUMN gone")\nexcept Exception:\n    pass\n',
      'obsolete',
      ['all_effects_in_production'],
    ],
    [
      "a helper running SQL that is no catalogue check stays a person's call",
      "def busy(cur):\n    cur.execute('SELECT count(*) FROM users')\n    return cur.fetchone()[0] > " +
        "10\nif busy(cur):\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n",
      'manual_review',
      ['unsupported'],
    ],
    [
      "a column list check not understood stays a person's call",
      `${listing}if wanted not in cols:\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n`,
      'manual_review',
      ['unsupported'],
    ],
    [
      'try/except around a type change: attempted on production like an unguarded one',
      'try:\n    cur.execute("ALTER TABLE users ALTER COLUMN email TYPE varchar(200)")\nexcept Exception:\n    pass\n',
      'manual_review',
      ['destructive'],
    ],
    [
      'try/except around a CREATE TABLE production lacks: attempted, so judged like any effect (not sent to a person for the try)',
      'try:\n    cur.execute("CREATE TABLE things (id integer)")\nexcept Exception as e:\n    print(e)\n',
      'still_needed',
      ['missing_in_production'],
    ],
  ] as const)('%s', async (_name, text, cls, reasons) => {
    const a = await analyzeScript(extractSql({ path: 'backend/fix_users.py', text }, { root }));
    const c = classifyScript({ analysis: a, production, models });
    expect({ class: c.class, reasons: c.reasons }, c.reason).toEqual({ class: cls, reasons: [...reasons] });
  });

  it('writes only the branch that runs on production, and says why the other does not', async () => {
    const text =
      `${helper}if probe(cur, 'users', 'old_name'):\n    cur.execute('ALTER TABLE users RENAME COLUMN ` +
      `old_name TO name')\nelse:\n    cur.execute('ALTER TABLE users ADD COLUMN name text')\n`;
    const a = await analyzeScript(extractSql({ path: 'x.py', text }));
    const c = classifyScript({ analysis: a, production, models });
    expect(neededStatements(a, c).map((s) => s.sql)).toEqual(['ALTER TABLE users ADD COLUMN name text']);
    expect(c.effects.find((j) => j.effect.kind === 'rename_column')?.detail).toBe(
      'guarded by column_exists(users, old_name), which is false on production: it never runs on ' +
        'production (users: neither old_name and name exist)',
    );
    const b = await analyzeScript(extractSql({ path: 'x.py', text: text.replaceAll('old_name', 'legacy') }));
    expect(neededStatements(b, classifyScript({ analysis: b, production, models })).map((s) => s.sql)).toEqual([
      'ALTER TABLE users RENAME COLUMN legacy TO name',
    ]);
  });

  it('names the condition it cannot evaluate', async () => {
    const text =
      "def busy(cur):\n    cur.execute('SELECT count(*) FROM users')\n    return cur.fetchone()[0] > " +
      "10\nif busy(cur):\n    cur.execute('ALTER TABLE users ADD COLUMN role varchar(20)')\n";
    const c = classifyScript({ analysis: await analyzeScript(extractSql({ path: 'x.py', text })), production, models });
    expect(c.reason).toBe('line 5: users.role character varying(20) runs only if busy(), which the conversion cannot evaluate.');
  });
});
