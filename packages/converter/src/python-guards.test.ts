import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySnapshot } from '@pg-strata/auditor';
import { convertEstate } from './convert.js';
import { extractSql } from './extract.js';
import type { SqlGuard } from './types.js';

// Sibling modules of a small estate in the style of FastAPI/SQLAlchemy projects.
const MODULES: Record<string, string> = {
  'backend/db_utils.py': `
import psycopg2

COLUMN_SQL = """
    SELECT 1 FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = %s AND column_name = %s
"""

def has_column(cur, table, column):
    cur.execute(COLUMN_SQL, (table, column))
    return cur.fetchone() is not None

def relation_present(cur, name):
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", ("public." + name,))
    return cur.fetchone()[0]

def column_missing(cur, table, column):
    cur.execute("SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped", (table, column))
    return cur.fetchone() is None

def get_connection():
    return psycopg2.connect("dbname=app")
`,
  'backend/app/helpers.py': `
from sqlalchemy import text

def idx_ok(conn, name):
    return conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": name}).first() is not None

def fk_there(conn, tbl, constraint_name):
    q = f"SELECT 1 FROM information_schema.table_constraints WHERE table_name = '{tbl}' AND constraint_name = '{constraint_name}'"
    return conn.execute(text(q)).scalar() is not None

def count_users(conn):
    return conn.execute(text("SELECT count(*) FROM users")).scalar()
`,
  'shared/checks.py': `
def col_exists(engine, table, column):
    from sqlalchemy import inspect
    return column in [c["name"] for c in inspect(engine).get_columns(table)]
`,
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-guards-'));
  for (const [p, text] of Object.entries(MODULES)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  name: string;
  /** Where the script sits in the estate (its imports resolve from there). */
  path?: string;
  src: string;
  /** The guard of each fragment that runs DDL/DML, in order (null: none). */
  guards: (SqlGuard | null)[];
}

const ddl = /^\s*(ALTER|CREATE|DROP|UPDATE|INSERT|DELETE)\b/i;

const cases: Case[] = [
  // 1. helpers read by their body, whatever their name
  {
    name: 'a helper defined in the script, named after nothing, reading information_schema.columns',
    src: `
def probe(cur, t, c):
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", (t, c))
    return cur.fetchone() is not None

if not probe(cur, "users", "email"):
    cur.execute("ALTER TABLE users ADD COLUMN email text")
`,
    guards: [{ kind: 'column_exists', negated: true, args: ['users', 'email'] }],
  },
  {
    name: 'keyword arguments map to the parameters; parameters in the other order',
    src: `
def check(cur, column, table):
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", (table, column))
    return bool(cur.fetchone())

if not check(cur, table="orders", column="total"):
    cur.execute("ALTER TABLE orders ADD COLUMN total numeric")
`,
    guards: [{ kind: 'column_exists', negated: true, args: ['orders', 'total'] }],
  },
  {
    name: 'an f-string helper reading pg_tables',
    src: `
def there(cur, name):
    cur.execute(f"SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = '{name}'")
    return cur.fetchone() is not None

if not there(cur, "audit_log"):
    cur.execute("CREATE TABLE audit_log (id serial PRIMARY KEY)")
`,
    guards: [{ kind: 'table_exists', negated: true, args: ['audit_log'] }],
  },
  {
    name: 'a helper named column_exists that reads an index catalogue is an index check (the body wins)',
    src: `
def column_exists(cur, name):
    cur.execute("SELECT 1 FROM pg_class WHERE relkind = 'i' AND relname = %s", (name,))
    return cur.fetchone() is not None

if not column_exists(cur, "users_email_idx"):
    cur.execute("CREATE INDEX users_email_idx ON users (email)")
`,
    guards: [{ kind: 'index_exists', negated: true, args: ['users_email_idx'] }],
  },
  {
    name: 'a helper answering "missing" (is None) flips the guard; a method on self',
    src: `
class Migration:
    def lacks(self, cur, table, column):
        cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %(t)s AND column_name = %(c)s", {"t": table, "c": column})
        return cur.fetchone() is None

    def run(self, cur):
        if self.lacks(cur, "users", "role"):
            cur.execute("ALTER TABLE users ADD COLUMN role text")
`,
    guards: [{ kind: 'column_exists', negated: true, args: ['users', 'role'] }],
  },
  {
    name: 'a helper whose body runs SQL that is no catalogue check is an opaque if (named), not a guess from its name',
    src: `
def has_rows(cur):
    cur.execute("SELECT count(*) FROM users")
    return cur.fetchone()[0] > 0

if has_rows(cur):
    cur.execute("CREATE INDEX users_role_idx ON users (role)")
`,
    guards: [{ kind: 'if', negated: false, args: ['has_rows'] }],
  },
  {
    name: 'from a sibling module: from db_utils import has_column (module beside the script)',
    path: 'backend/fix_email.py',
    src: `
from db_utils import has_column, relation_present as rp, get_connection
conn = get_connection()
cur = conn.cursor()
if not has_column(cur, "users", "email"):
    cur.execute("ALTER TABLE users ADD COLUMN email text")
if not rp(cur, "audit"):
    cur.execute("CREATE TABLE audit (id int)")
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'email'] },
      { kind: 'table_exists', negated: true, args: ['audit'] },
    ],
  },
  {
    name: 'from a package under the estate root: from backend.db_utils import column_missing (pg_attribute, "missing")',
    path: 'scripts/add_role.py',
    src: `
from backend.db_utils import column_missing
if column_missing(cur, "users", "role"):
    cur.execute("ALTER TABLE users ADD COLUMN role text")
`,
    guards: [{ kind: 'column_exists', negated: true, args: ['users', 'role'] }],
  },
  {
    name: 'relative import: from .helpers import idx_ok (SQLAlchemy text() with a named parameter)',
    path: 'backend/app/migrate_idx.py',
    src: `
from .helpers import idx_ok, fk_there
with engine.begin() as conn:
    if not idx_ok(conn, "orders_user_idx"):
        conn.execute(text("CREATE INDEX orders_user_idx ON orders (user_id)"))
    if not fk_there(conn, "orders", "orders_user_fk"):
        conn.execute(text("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"))
`,
    guards: [
      { kind: 'index_exists', negated: true, args: ['orders_user_idx'] },
      { kind: 'constraint_exists', negated: true, args: ['orders', 'orders_user_fk'] },
    ],
  },
  {
    name: 'import a module: import helpers; helpers.idx_ok(...); a helper of it that is no check stays opaque',
    path: 'backend/app/run_fix.py',
    src: `
import helpers as h
if not h.idx_ok(conn, "users_name_idx"):
    conn.execute(text("CREATE INDEX users_name_idx ON users (name)"))
if h.count_users(conn):
    conn.execute(text("CREATE INDEX users_x_idx ON users (x)"))
`,
    guards: [
      { kind: 'index_exists', negated: true, args: ['users_name_idx'] },
      { kind: 'if', negated: false, args: ['count_users'] },
    ],
  },
  {
    name: 'an inspector helper in another folder: column in inspect(engine).get_columns(table)',
    path: 'shared/tools/fix_cols.py',
    src: `
from shared.checks import col_exists
if not col_exists(engine, "users", "phone"):
    with engine.begin() as c:
        c.execute(text("ALTER TABLE users ADD COLUMN phone text"))
`,
    guards: [{ kind: 'column_exists', negated: true, args: ['users', 'phone'] }],
  },
  {
    name: 'a module that cannot be found: the name decides, as before',
    path: 'backend/fix_x.py',
    src: `
from nowhere import table_exists
if not table_exists(cur, "things"):
    cur.execute("CREATE TABLE things (id int)")
`,
    guards: [{ kind: 'table_exists', negated: true, args: ['things'] }],
  },
  {
    name: "a name bound to a check's answer: exists = helper(...); if not exists:",
    src: `
def probe(cur, t, c):
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", (t, c))
    return cur.fetchone() is not None

exists = probe(cur, "users", "email")
if not exists:
    cur.execute("ALTER TABLE users ADD COLUMN email text")
missing = not table_exists(cur, "audit")
if missing:
    cur.execute("CREATE TABLE audit (id int)")
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'email'] },
      { kind: 'table_exists', negated: true, args: ['audit'] },
    ],
  },
  {
    name: 'a file check is not a database guard (os.path.exists, Path(...).exists())',
    src: `
if os.path.exists("seed.sql"):
    cur.execute("CREATE TABLE seeds (id int)")
if Path(__file__).with_name("x.sql").exists():
    cur.execute("CREATE TABLE xs (id int)")
`,
    guards: [null, null],
  },
  // 2. checks against a list of existing columns
  {
    name: "cols = [r[0] for r in cur.fetchall()] after a query listing users' columns; 'email' not in cols",
    src: `
cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
cols = [r[0] for r in cur.fetchall()]
if 'email' not in cols:
    cur.execute("ALTER TABLE users ADD COLUMN email text")
if "legacy" in cols:
    cur.execute("ALTER TABLE users DROP COLUMN legacy")
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'email'] },
      { kind: 'column_exists', negated: false, args: ['users', 'legacy'] },
    ],
  },
  {
    name: 'a set comprehension over a SQLAlchemy result, and a dict one',
    src:
      `
result = conn.execute(text("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"))
existing = {row[0] for row in result}
types = {r[0]: r[1] for r in conn.execute(text("SELECT column_name, data_type FROM ` +
      `information_schema.columns WHERE table_name = 'orders'"))}
if "status" not in existing:
    conn.execute(text("ALTER TABLE orders ADD COLUMN status text"))
if "total" not in types:
    conn.execute(text("ALTER TABLE orders ADD COLUMN total numeric"))
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['orders', 'status'] },
      { kind: 'column_exists', negated: true, args: ['orders', 'total'] },
    ],
  },
  {
    name: 'SQLAlchemy inspect(): get_columns, get_table_names, has_table, get_indexes',
    src: `
from sqlalchemy import inspect
inspector = inspect(engine)
columns = [c["name"] for c in inspector.get_columns("users")]
tables = inspector.get_table_names()
indexes = {i["name"] for i in inspector.get_indexes("users")}
with engine.begin() as conn:
    if "avatar" not in columns:
        conn.execute(text("ALTER TABLE users ADD COLUMN avatar text"))
    if "sessions" not in tables:
        conn.execute(text("CREATE TABLE sessions (id int)"))
    if not inspector.has_table("tokens"):
        conn.execute(text("CREATE TABLE tokens (id int)"))
    if "users_avatar_idx" not in indexes:
        conn.execute(text("CREATE INDEX users_avatar_idx ON users (avatar)"))
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'avatar'] },
      { kind: 'table_exists', negated: true, args: ['sessions'] },
      { kind: 'table_exists', negated: true, args: ['tokens'] },
      { kind: 'index_exists', negated: true, args: ['users_avatar_idx'] },
    ],
  },
  {
    name: 'listing queries with constant parameters (%s tuple, :name dict)',
    src: `
cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", ("users",))
cols = set(r[0] for r in cur.fetchall())
rows = conn.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"), {"t": "orders"}).fetchall()
order_cols = [r[0] for r in rows]
if "email" not in cols:
    cur.execute("ALTER TABLE users ADD COLUMN email text")
if "status" not in order_cols:
    conn.execute(text("ALTER TABLE orders ADD COLUMN status text"))
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'email'] },
      { kind: 'column_exists', negated: true, args: ['orders', 'status'] },
    ],
  },
  {
    name: 'an inline existence query then if not cur.fetchone():',
    src: `
cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'")
if not cur.fetchone():
    cur.execute("ALTER TABLE users ADD COLUMN bio text")
exists = conn.execute(text("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'users_bio_idx')")).scalar()
if not exists:
    conn.execute(text("CREATE INDEX users_bio_idx ON users (bio)"))
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['users', 'bio'] },
      { kind: 'index_exists', negated: true, args: ['users_bio_idx'] },
    ],
  },
  {
    name: 'asyncpg: col_exists = await conn.fetchval(catalogue query, $1 args); if not col_exists:',
    src: `
async def main():
    conn = await asyncpg.connect(DATABASE_URL)
    col_exists = await conn.fetchval("""
        SELECT 1 FROM information_schema.columns
        WHERE table_name='service_types' AND column_name='base_credits'
    """)
    if not col_exists:
        await conn.execute("ALTER TABLE service_types ADD COLUMN base_credits integer")
    if not await conn.fetchval("SELECT 1 FROM pg_tables WHERE tablename = $1", "audit"):
        await conn.execute("CREATE TABLE audit (id int)")
`,
    guards: [
      { kind: 'column_exists', negated: true, args: ['service_types', 'base_credits'] },
      { kind: 'table_exists', negated: true, args: ['audit'] },
    ],
  },
  {
    name: 'a catalogue answer naming no one object (LIKE pattern) is a condition not understood',
    src: `
has_pk = await conn.fetchval("SELECT 1 FROM pg_indexes WHERE tablename = 'cache' AND indexname LIKE '%_pkey'")
if not has_pk:
    await conn.execute("ALTER TABLE cache ADD PRIMARY KEY (name)")
`,
    guards: [{ kind: 'if', negated: true, args: ['has_pk'] }],
  },
  {
    name: 'a list check not understood (two names with or) names the condition',
    src: `
cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
cols = [r[0] for r in cur.fetchall()]
for name in ["a", "b"]:
    pass
if col_name not in cols:
    cur.execute("ALTER TABLE users ADD COLUMN c text")
`,
    guards: [{ kind: 'if', negated: false, args: ['col_name not in cols'] }],
  },
  // 3. try/except around an ALTER
  {
    name: 'try: ALTER ... ADD COLUMN except DuplicateColumn: pass',
    src: `
try:
    cur.execute("ALTER TABLE users ADD COLUMN email text")
    conn.commit()
except psycopg2.errors.DuplicateColumn:
    conn.rollback()
`,
    guards: [{ kind: 'exception', negated: true, args: ['psycopg2.errors.DuplicateColumn'] }],
  },
  {
    name: 'except (ProgrammingError, Exception) as e: print(e); a bare except',
    src: `
try:
    conn.execute(text("CREATE INDEX users_email_idx ON users (email)"))
except (ProgrammingError, Exception) as e:
    print("already there", e)
try:
    cur.execute("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)")
except:
    pass
`,
    guards: [
      { kind: 'exception', negated: true, args: ['ProgrammingError', 'Exception'] },
      { kind: 'exception', negated: true, args: ['(bare except)'] },
    ],
  },
  {
    name: 'an except that re-raises, one catching an unrelated error, and a try around several statements are no guards',
    src: `
try:
    cur.execute("ALTER TABLE users ADD COLUMN a text")
except Exception:
    conn.rollback()
    raise
try:
    cur.execute("ALTER TABLE users ADD COLUMN b text")
except KeyError:
    pass
try:
    cur.execute("ALTER TABLE users ADD COLUMN c text")
    cur.execute("ALTER TABLE users ADD COLUMN d text")
except Exception:
    conn.rollback()
`,
    guards: [null, null, null, null],
  },
  {
    name: 'except A | B (a union of exception types)',
    src: `
try:
    cur.execute("CREATE TABLE audit (id int)")
except psycopg2.errors.DuplicateTable | psycopg2.errors.InsufficientPrivilege:
    conn.rollback()
`,
    guards: [{ kind: 'exception', negated: true, args: ['psycopg2.errors.DuplicateTable'] }],
  },
  {
    name: 'one ALTER per loop iteration inside its own try',
    src: `
for col, typ in [("x", "int"), ("y", "text")]:
    try:
        cur.execute(f"ALTER TABLE users ADD COLUMN {col} {typ}")
    except psycopg2.Error:
        conn.rollback()
`,
    guards: [
      { kind: 'exception', negated: true, args: ['psycopg2.Error'] },
      { kind: 'exception', negated: true, args: ['psycopg2.Error'] },
    ],
  },
];

describe('Python guards (issue 18 point 2)', () => {
  it.each(cases)('$name', ({ path, src, guards }) => {
    const x = extractSql({ path: path ?? 'fix_x.py', text: src }, { root });
    const runs = x.fragments.filter((f) => f.sql !== null && ddl.test(f.sql));
    expect(runs.map((f) => f.guard ?? null)).toEqual(guards);
  });

  it('without the estate root, an imported helper falls back to its name', () => {
    const src =
      'from db_utils import has_column\nif not has_column(cur, "users", "email"):\n    ' +
      'cur.execute("ALTER TABLE users ADD COLUMN email text")\n';
    const x = extractSql({ path: 'backend/fix_email.py', text: src });
    expect(x.fragments.find((f) => f.sql?.startsWith('ALTER'))?.guard).toEqual({
      kind: 'if',
      negated: true,
      args: ['has_column', 'users', 'email'],
    });
  });
});

describe('convertEstate reads guard helpers from the estate it is given', () => {
  let estate: string;
  beforeAll(() => {
    estate = mkdtempSync(join(tmpdir(), 'strata-guard-estate-'));
    mkdirSync(join(estate, 'backend', 'utils'), { recursive: true });
    writeFileSync(join(estate, 'backend', 'utils', '__init__.py'), '');
    writeFileSync(
      join(estate, 'backend', 'utils', 'schema.py'),
      'def col_present(conn, tbl, col):\n    row = conn.execute(text("SELECT 1 FROM ' +
        'information_schema.columns WHERE table_name = :t AND column_name = :c"), {"t": tbl, "c": ' +
        'col}).first()\n    return row is not None\n',
    );
    const script = (column: string, type: string) =>
      `from sqlalchemy import create_engine, text\nfrom utils.schema import col_present\nengine = ` +
      `create_engine(DATABASE_URL)\nwith engine.begin() as conn:\n    if not col_present(conn, ` +
      `"users", "${column}"):\n        conn.execute(text("ALTER TABLE users ADD COLUMN ${column} ` +
      `${type}"))\n`;
    writeFileSync(join(estate, 'backend', 'fix_email.py'), script('email', 'text'));
    writeFileSync(join(estate, 'backend', 'add_role.py'), script('role', 'text'));
  });
  afterAll(() => rmSync(estate, { recursive: true, force: true }));

  it('present in production: obsolete; missing: a migration', async () => {
    const production = emptySnapshot(17);
    production.tables['public.users'] = {
      schema: 'public',
      name: 'users',
      partitionBy: null,
      partitionOf: null,
      inherits: [],
      unlogged: false,
      columns: ['id', 'email'].map((name) => ({
        name,
        type: name === 'id' ? 'integer' : 'text',
        notNull: false,
        default: null,
        identity: null,
        generated: null,
        collation: null,
        comment: null,
      })),
      constraints: {},
      rowSecurity: false,
      forceRowSecurity: false,
      comment: null,
    };
    const plan = await convertEstate({ root: estate, production, gitDates: false });
    const byPath = Object.fromEntries(plan.scripts.map((s) => [s.path, s]));
    expect(byPath['backend/fix_email.py']?.class, byPath['backend/fix_email.py']?.reason).toBe('obsolete');
    expect(byPath['backend/add_role.py']?.class, byPath['backend/add_role.py']?.reason).toBe('still_needed');
    expect(byPath['backend/add_role.py']?.statements.map((s) => s.guards.map((g) => [g.kind, g.negated, g.args, g.recognised]))).toEqual([
      [['column_exists', true, ['users', 'role'], true]],
    ]);
  });
});
