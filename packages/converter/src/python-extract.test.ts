import { describe, expect, it } from 'vitest';
import { extractSql } from './extract.js';
import type { SqlFragment } from './types.js';

interface Case {
  name: string;
  src: string;
  /** Each fragment, matched with toMatchObject (so unlisted keys are free, listed ones exact). */
  fragments: Partial<SqlFragment>[];
  /** Expected warning messages (substring match), in order; default none. */
  warnings?: string[];
  calls?: string[];
  /** Keys that must be absent from every fragment. */
  absent?: (keyof SqlFragment)[];
}

const loc = (line: number, column: number, endLine: number, endColumn: number) => ({ line, column, endLine, endColumn });

const cases: Case[] = [
  {
    name: 'double-quoted literal to cursor.execute: exact location of the content',
    src: 'cur.execute("SELECT 1")\n',
    fragments: [{ sql: 'SELECT 1', dynamic: false, loc: loc(1, 14, 1, 22), mapping: 'exact', via: 'cur.execute' }],
    absent: ['params', 'guard', 'reason', 'callLoc'],
  },
  {
    name: 'single-quoted literal with a double-quoted identifier inside',
    src: `cursor.execute('ALTER TABLE "Users" ADD COLUMN x int')`,
    fragments: [{ sql: 'ALTER TABLE "Users" ADD COLUMN x int', loc: loc(1, 17, 1, 53), mapping: 'exact', via: 'cursor.execute' }],
  },
  {
    name: 'triple-quoted multi-line string keeps its newlines and maps exactly',
    src: 'cur.execute("""\nALTER TABLE t\n    ADD COLUMN c int\n""")\n',
    fragments: [{ sql: '\nALTER TABLE t\n    ADD COLUMN c int\n', loc: loc(1, 16, 4, 1), mapping: 'exact' }],
  },
  {
    name: "triple single quotes with a ' inside",
    src: "cur.execute('''SELECT 'a' AS x''')",
    fragments: [{ sql: "SELECT 'a' AS x", loc: loc(1, 16, 1, 31), mapping: 'exact' }],
  },
  {
    name: 'raw string keeps backslashes',
    src: String.raw`cur.execute(r"SELECT '\d+' ~ x")`,
    fragments: [{ sql: String.raw`SELECT '\d+' ~ x`, mapping: 'exact', loc: loc(1, 15, 1, 31) }],
  },
  {
    name: 'escapes are decoded; the mapping is approximate',
    src: String.raw`cur.execute("SELECT 'a\tb',\n 'c\'d'")`,
    fragments: [{ sql: "SELECT 'a\tb',\n 'c'd'", mapping: 'approximate', loc: loc(1, 14, 1, 37) }],
  },
  {
    name: 'bytes literal',
    src: 'cur.execute(b"VACUUM ANALYZE documents")',
    fragments: [{ sql: 'VACUUM ANALYZE documents', mapping: 'exact', loc: loc(1, 15, 1, 39) }],
  },
  {
    name: 'unicode escapes and \\N{...} kept as written',
    src: String.raw`cur.execute("SELECT '\u00e9' || '\N{BULLET}'")`,
    fragments: [{ sql: String.raw`SELECT 'é' || '\N{BULLET}'`, mapping: 'approximate' }],
  },
  {
    name: 'implicitly concatenated literals',
    src: 'cur.execute("ALTER TABLE users "\n            "ADD COLUMN role text")',
    fragments: [{ sql: 'ALTER TABLE users ADD COLUMN role text', mapping: 'approximate', loc: loc(1, 14, 2, 34) }],
  },
  {
    name: '+ concatenation with a module constant',
    src: 'TABLE = "users"\ncur.execute("ALTER TABLE " + TABLE + " ADD COLUMN x int")',
    fragments: [{ sql: 'ALTER TABLE users ADD COLUMN x int', dynamic: false, mapping: 'approximate', loc: loc(2, 14, 2, 56) }],
  },
  {
    name: '% formatting with a tuple of constants',
    src: 'T = "organisations"\nDDL = "slug text"\ncur.execute("ALTER TABLE %s ADD COLUMN %s" % (T, DDL))',
    fragments: [{ sql: 'ALTER TABLE organisations ADD COLUMN slug text', dynamic: false, mapping: 'approximate' }],
    absent: ['params'],
  },
  {
    name: '% formatting with a dict and %% (Python formatting always unescapes)',
    src: 'cur.execute("UPDATE %(t)s SET pct = \'100%%\'" % {"t": "stats"})',
    fragments: [{ sql: "UPDATE stats SET pct = '100%'", dynamic: false }],
  },
  {
    name: '% formatting with a single constant',
    src: 'cur.execute("DROP INDEX IF EXISTS %s" % "idx_old")',
    fragments: [{ sql: 'DROP INDEX IF EXISTS idx_old', dynamic: false }],
  },
  {
    name: '.format() with positional and keyword constants',
    src: 'Q = "CREATE INDEX {name} ON {0} ({col})"\ncur.execute(Q.format("documents", name="idx_d", col="owner_id"))',
    fragments: [
      {
        sql: 'CREATE INDEX idx_d ON documents (owner_id)',
        dynamic: false,
        mapping: 'approximate',
        loc: loc(1, 6, 1, 40),
        callLoc: { line: 2, column: 1 },
      },
    ],
  },
  {
    name: '.format() with a run-time argument stays partial and dynamic',
    src: 'def f(cur, col):\n    cur.execute("ALTER TABLE t DROP COLUMN {}".format(col))',
    fragments: [{ sql: 'ALTER TABLE t DROP COLUMN {}', dynamic: true, reason: '{} in .format() has no constant argument' }],
  },
  {
    name: 'f-string over a module constant',
    src: 'SCHEMA = "public"\ncur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")',
    fragments: [{ sql: 'CREATE SCHEMA IF NOT EXISTS public', dynamic: false, mapping: 'approximate', loc: loc(2, 15, 2, 51) }],
  },
  {
    name: 'f-string over a function-level constant, with {{ }} escapes',
    src: 'def run(cur):\n    col = "tags"\n    cur.execute(f"UPDATE docs SET {col} = \'{{}}\'")',
    fragments: [{ sql: "UPDATE docs SET tags = '{}'", dynamic: false }],
  },
  {
    name: 'f-string with !r conversion',
    src: 'NAME = "x"\ncur.execute(f"SELECT {NAME!r}")',
    fragments: [{ sql: "SELECT 'x'", dynamic: false }],
  },
  {
    name: 'f-string in a loop over a literal list: one fragment per iteration',
    src:
      'for table in ["documents", "conversations"]:\n    cur.execute(f"ALTER TABLE {table} ADD COLUMN ' +
      'IF NOT EXISTS updated_at timestamptz")\n',
    fragments: [
      {
        sql: 'ALTER TABLE documents ADD COLUMN IF NOT EXISTS updated_at timestamptz',
        dynamic: false,
        iteration: { table: 'documents' },
        loc: loc(2, 19, 2, 86),
      },
      {
        sql: 'ALTER TABLE conversations ADD COLUMN IF NOT EXISTS updated_at timestamptz',
        dynamic: false,
        iteration: { table: 'conversations' },
      },
    ],
  },
  {
    name: 'loop over a name bound to a literal tuple, defined after the function that uses it',
    src: 'def go(cur):\n    for t in TABLES:\n        cur.execute("ANALYZE " + t)\nTABLES = ("a", "b")\n',
    fragments: [
      { sql: 'ANALYZE a', iteration: { t: 'a' } },
      { sql: 'ANALYZE b', iteration: { t: 'b' } },
    ],
  },
  {
    name: 'nested loops give the cartesian product',
    src: 'for t in ["a", "b"]:\n    for c in ["x", "y"]:\n        cur.execute(f"ALTER TABLE {t} ADD {c} int")',
    fragments: [
      { sql: 'ALTER TABLE a ADD x int', iteration: { t: 'a', c: 'x' } },
      { sql: 'ALTER TABLE a ADD y int', iteration: { t: 'a', c: 'y' } },
      { sql: 'ALTER TABLE b ADD x int', iteration: { t: 'b', c: 'x' } },
      { sql: 'ALTER TABLE b ADD y int', iteration: { t: 'b', c: 'y' } },
    ],
  },
  {
    name: 'tuple unpacking in a for loop',
    src: 'for t, c in [("users", "role"), ("docs", "status")]:\n    cur.execute(f"ALTER TABLE {t} ADD COLUMN {c} text")',
    fragments: [
      { sql: 'ALTER TABLE users ADD COLUMN role text', iteration: { t: 'users', c: 'role' } },
      { sql: 'ALTER TABLE docs ADD COLUMN status text', iteration: { t: 'docs', c: 'status' } },
    ],
  },
  {
    name: 'the same SQL in every iteration is one fragment',
    src: 'for f in ["a.sql", "b.sql"]:\n    cur.execute("SELECT 1")',
    fragments: [{ sql: 'SELECT 1', dynamic: false }],
    absent: ['iteration'],
  },
  {
    name: 'loop over rows fetched at run time: dynamic, partial SQL, reason names the loop',
    src: 'for (name,) in cur.fetchall():\n    cur.execute(f\'ALTER TABLE "{name}" SET (fillfactor = 90)\')',
    fragments: [
      {
        sql: 'ALTER TABLE "{name}" SET (fillfactor = 90)',
        dynamic: true,
        reason: 'placeholder {name}: loop variable `name` iterates over `cur.fetchall()` (`cur.fetchall(...)` is computed at run time)',
        loc: loc(2, 19, 2, 61),
      },
    ],
  },
  {
    name: 'function parameter in an f-string',
    src: 'def add(cur, table):\n    cur.execute(f"ALTER TABLE {table} ADD x int")',
    fragments: [{ sql: 'ALTER TABLE {table} ADD x int', dynamic: true, reason: 'placeholder {table}: `table` is a parameter of `add`' }],
  },
  {
    name: 'SQL from a run-time variable: sql null, dynamic, located at the argument',
    src: 'import sys\nsql = sys.argv[1]\ncur.execute(sql)\n',
    fragments: [
      {
        sql: null,
        dynamic: true,
        reason: '`sql` is assigned at line 2 from `sys.argv[1]`, not a constant',
        loc: loc(3, 13, 3, 16),
        mapping: 'approximate',
      },
    ],
  },
  {
    name: 'SQL from a call: sql null',
    src: 'cur.execute(build_query())',
    fragments: [{ sql: null, dynamic: true, reason: '`build_query(...)` is computed at run time', loc: loc(1, 13, 1, 26) }],
  },
  {
    name: 'a name bound to a constant earlier in the same scope; callLoc points at the call',
    src: 'def fix(cur):\n    stmt = "ALTER TABLE t ADD c int"\n    cur.execute(stmt)\n',
    fragments: [
      { sql: 'ALTER TABLE t ADD c int', dynamic: false, loc: loc(2, 13, 2, 36), mapping: 'exact', callLoc: { line: 3, column: 5 } },
    ],
  },
  {
    name: 'a name rebound to a run-time value is no longer constant',
    src: 'q = "SELECT 1"\nq = input()\ncur.execute(q)',
    fragments: [{ sql: null, dynamic: true }],
  },
  {
    name: 'a name bound differently in two branches is not constant',
    src: 'if FAST:\n    q = "SELECT 1"\nelse:\n    q = "SELECT 2"\ncur.execute(q)',
    fragments: [{ sql: null, dynamic: true, reason: '`q` is assigned differently in different branches' }],
  },
  {
    name: 'a chain of names',
    src: 'A = "ALTER TABLE t ADD c int"\nB = A\ncur.execute(B)',
    fragments: [{ sql: 'ALTER TABLE t ADD c int', loc: loc(1, 6, 1, 29), callLoc: { line: 3, column: 1 } }],
  },
  {
    name: 'SQLAlchemy text() with :name binds, executed with parameters',
    src: 'conn.execute(text("SELECT * FROM users WHERE id = :id AND org = :org"), {"id": 1, "org": 2})',
    fragments: [
      {
        sql: 'SELECT * FROM users WHERE id = $1 AND org = $2',
        params: true,
        paramStyle: 'named',
        paramCount: 2,
        via: 'conn.execute',
        mapping: 'approximate',
        loc: loc(1, 20, 1, 69),
      },
    ],
  },
  {
    name: 'text() leaves ::casts and quoted colons alone',
    src: `db.execute(text("SELECT '{}'::jsonb, 'a:b', x::text FROM t WHERE id = :id"))`,
    fragments: [{ sql: "SELECT '{}'::jsonb, 'a:b', x::text FROM t WHERE id = $1", params: true, paramCount: 1, mapping: 'approximate' }],
  },
  {
    name: 'text() bound to a module name and executed later: one fragment',
    src: 'Q = text("""\nDO $$ BEGIN PERFORM 1; END $$;\n""")\n\ndef run(session):\n    session.execute(Q)\n',
    fragments: [
      {
        sql: '\nDO $$ BEGIN PERFORM 1; END $$;\n',
        via: 'session.execute',
        callLoc: { line: 6, column: 5 },
        mapping: 'exact',
        loc: loc(1, 13, 3, 1),
      },
    ],
  },
  {
    name: 'text() never executed in the file is still extracted',
    src: 'REPORT = text("SELECT count(*) FROM documents")\n',
    fragments: [{ sql: 'SELECT count(*) FROM documents', via: 'text()', loc: loc(1, 16, 1, 46) }],
  },
  {
    name: 'sa.text inside session.execute',
    src: 'import sqlalchemy as sa\nsession.execute(sa.text("TRUNCATE audit_logs"))',
    fragments: [{ sql: 'TRUNCATE audit_logs', via: 'session.execute' }],
  },
  {
    name: 'Alembic op.execute',
    src: 'def upgrade():\n    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")\n',
    fragments: [{ sql: 'CREATE EXTENSION IF NOT EXISTS pg_trgm', via: 'op.execute', loc: loc(2, 17, 2, 55) }],
  },
  {
    name: 'exec_driver_sql',
    src: "conn.exec_driver_sql('ALTER TABLE messages ADD COLUMN token_count INTEGER')",
    fragments: [{ sql: 'ALTER TABLE messages ADD COLUMN token_count INTEGER', via: 'conn.exec_driver_sql' }],
  },
  {
    name: 'executescript',
    src: 'cur.executescript("CREATE TABLE a (id int); CREATE TABLE b (id int);")',
    fragments: [{ sql: 'CREATE TABLE a (id int); CREATE TABLE b (id int);', via: 'cur.executescript' }],
  },
  {
    name: 'executemany: %s placeholders become $n parameters',
    src: 'cur.executemany("INSERT INTO t (a, b) VALUES (%s, %s)", rows)',
    fragments: [{ sql: 'INSERT INTO t (a, b) VALUES ($1, $2)', params: true, paramStyle: 'pyformat', paramCount: 2, mapping: 'exact' }],
  },
  {
    name: 'executemany over a literal list: constant parameter rows',
    src:
      'ROWS = [("summarise", "general"), ("translate", None)]\ncur.executemany("INSERT INTO p (name, ' +
      'category) VALUES (%s, %s) ON CONFLICT DO NOTHING", ROWS)',
    fragments: [
      {
        sql: 'INSERT INTO p (name, category) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        paramValues: [
          ['summarise', 'general'],
          ['translate', null],
        ],
      },
    ],
  },
  {
    name: 'execute with a constant tuple',
    src: 'cur.execute("DELETE FROM t WHERE id = %s AND k = %s", (42, "x"))',
    fragments: [{ sql: 'DELETE FROM t WHERE id = $1 AND k = $2', paramValues: [['42', 'x']] }],
  },
  {
    name: 'execute with a run-time value: no paramValues',
    src: 'cur.execute("DELETE FROM t WHERE id = %s", (row_id,))',
    fragments: [{ sql: 'DELETE FROM t WHERE id = $1', params: true }],
    absent: ['paramValues'],
  },
  {
    name: '%(name)s placeholders: same name, same number',
    src: 'cur.execute("UPDATE t SET a = %(v)s WHERE b = %(v)s OR c = %(w)s", {"v": 1, "w": 2})',
    fragments: [{ sql: 'UPDATE t SET a = $1 WHERE b = $1 OR c = $2', paramCount: 2, mapping: 'approximate' }],
  },
  {
    name: '%% becomes % when the call has parameters',
    src: `cur.execute("SELECT * FROM t WHERE name LIKE 'a%%' AND id = %s", (1,))`,
    fragments: [{ sql: "SELECT * FROM t WHERE name LIKE 'a%' AND id = $1", params: true, paramCount: 1, mapping: 'approximate' }],
  },
  {
    name: '%% stays %% when the call has no parameters (psycopg2 sends it as is)',
    src: `cur.execute("SELECT 'a%%'")`,
    fragments: [{ sql: "SELECT 'a%%'", mapping: 'exact' }],
    absent: ['params'],
  },
  {
    name: 'a lone % without parameters is left alone',
    src: `cur.execute("UPDATE t SET pct = pct % 7")`,
    fragments: [{ sql: 'UPDATE t SET pct = pct % 7', mapping: 'exact' }],
    absent: ['params'],
  },
  {
    name: 'guard: if not column_exists(cur, table, column)',
    src: 'if not column_exists(cur, "users", "role"):\n    cur.execute("ALTER TABLE users ADD COLUMN role text")\n',
    fragments: [
      { sql: 'ALTER TABLE users ADD COLUMN role text', guard: { kind: 'column_exists', negated: true, args: ['users', 'role'] } },
    ],
  },
  {
    name: 'guard: the else branch of a positive check is negated',
    src: 'if index_exists(cur, "idx_a"):\n    print("skip")\nelse:\n    cur.execute("CREATE INDEX idx_a ON t (a)")\n',
    fragments: [{ sql: 'CREATE INDEX idx_a ON t (a)', guard: { kind: 'index_exists', negated: true, args: ['idx_a'] } }],
  },
  {
    name: 'guard: an early return guards the rest of the block',
    src: 'def fix(cur):\n    if table_exists(cur, "locations"):\n        return\n    cur.execute("CREATE TABLE locations (id int)")\n',
    fragments: [{ sql: 'CREATE TABLE locations (id int)', guard: { kind: 'table_exists', negated: true, args: ['locations'] } }],
  },
  {
    name: 'guard: another *_exists helper is recorded as if',
    src:
      'if not constraint_exists(conn, "fk_a"):\n    conn.execute(text("ALTER TABLE a ADD CONSTRAINT ' +
      'fk_a FOREIGN KEY (b) REFERENCES b"))',
    fragments: [{ guard: { kind: 'if', negated: true, args: ['constraint_exists', 'fk_a'] } }],
  },
  {
    name: 'dollar quotes inside a Python string',
    src: "cur.execute('''DO $body$ BEGIN RAISE NOTICE 'it''s %', 1; END $body$''')",
    fragments: [{ sql: "DO $body$ BEGIN RAISE NOTICE 'it''s %', 1; END $body$", mapping: 'exact', dynamic: false }],
  },
  {
    name: 'comments containing SQL are not SQL',
    src: '# cur.execute("DROP TABLE users")\n"""cur.execute("DROP TABLE docs")"""\ncur.execute("SELECT 1")  # DROP TABLE x\n',
    fragments: [{ sql: 'SELECT 1', loc: loc(3, 14, 3, 22) }],
  },
  {
    name: 'SQL in a docstring or a print is not executed',
    src: 'print("ALTER TABLE t ADD c int")\nlog.info("DROP TABLE %s", name)\n',
    fragments: [],
  },
  {
    name: 'textwrap.dedent of a triple-quoted string',
    src: 'import textwrap\ncur.execute(textwrap.dedent("""\n    ALTER TABLE t\n        ADD c int\n"""))',
    fragments: [{ sql: '\nALTER TABLE t\n    ADD c int\n', mapping: 'approximate' }],
  },
  {
    name: 'with-statement cursors and a class method',
    src:
      'class Fixer:\n    DDL = "ALTER TABLE a ADD b int"\n    def run(self, conn):\n        with ' +
      'conn.cursor() as cur:\n            cur.execute("ALTER TABLE a ADD c int")\n',
    fragments: [{ sql: 'ALTER TABLE a ADD c int', loc: loc(5, 26, 5, 49) }],
  },
  {
    name: 'the SQL argument given as a keyword',
    src: 'conn.execute(statement=text("SELECT 2"))',
    fragments: [{ sql: 'SELECT 2' }],
  },
  {
    name: 'a project helper named in options.calls',
    src: 'run_sql(conn, "ALTER TABLE a ADD b int")\nrun_sql("VACUUM")',
    calls: ['run_sql'],
    fragments: [
      { sql: null, dynamic: true },
      { sql: 'VACUUM', via: 'run_sql' },
    ],
  },
  {
    name: 'psycopg2.sql composition with Identifier and Literal',
    src:
      'from psycopg2 import sql\nfor t in ["users"]:\n    cur.execute(sql.SQL("ALTER TABLE {} ALTER ' +
      'COLUMN role SET DEFAULT {}").format(sql.Identifier(t), sql.Literal("member")))',
    fragments: [{ sql: `ALTER TABLE "users" ALTER COLUMN role SET DEFAULT 'member'`, dynamic: false, iteration: { t: 'users' } }],
  },
  {
    name: 'psycopg2.sql with a run-time identifier',
    src: 'def f(cur, t):\n    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(t)))',
    fragments: [{ sql: 'DROP TABLE {}', dynamic: true }],
  },
  {
    name: 'text(...).bindparams(...) bound to a name and executed: one fragment',
    src: 'Q = text("DELETE FROM s WHERE id = :id").bindparams(id=1)\nsession.execute(Q)\n',
    fragments: [{ sql: 'DELETE FROM s WHERE id = $1', via: 'session.execute', params: true, paramStyle: 'named' }],
  },
  {
    name: 'text() inside another call (not executed here) is still reported once',
    src: 'q = session.query(User).from_statement(text("SELECT * FROM users"))\n',
    fragments: [{ sql: 'SELECT * FROM users', via: 'text()' }],
  },
  {
    name: 'a wrapper function: the SQL is extracted at each call, not inside the wrapper',
    src:
      'def run_sql(cur, sql):\n    print(sql)\n    cur.execute(sql)\n\nrun_sql(c, "ALTER TABLE a ADD ' +
      'b int")\nrun_sql(c, sql="VACUUM")\n',
    fragments: [
      { sql: 'ALTER TABLE a ADD b int', via: 'run_sql', dynamic: false, loc: loc(5, 13, 5, 36) },
      { sql: 'VACUUM', via: 'run_sql' },
    ],
  },
  {
    name: 'a wrapper method with parameters, called through an object',
    src: 'class Db:\n    def run(self, q, *params):\n        self.cur.execute(q, params)\n\ndb = Db()\ndb.run("UPDATE t SET a = %s", 1)\n',
    fragments: [{ sql: 'UPDATE t SET a = $1', via: 'db.run', params: true, paramCount: 1 }],
  },
  {
    name: 'wrappers of wrappers, through text()',
    src: 'def b(conn, q):\n    conn.execute(text(q))\n\ndef a(stmt):\n    b(engine, stmt)\n\na("SELECT 1")\n',
    fragments: [{ sql: 'SELECT 1', via: 'a' }],
  },
  {
    name: 'a wrapper never called in the file keeps its dynamic fragment',
    src: 'def run_sql(cur, sql):\n    cur.execute(sql)\n',
    fragments: [{ sql: null, dynamic: true, reason: '`sql` is a parameter of `run_sql`' }],
  },
  {
    name: 'SQL read from a constant path is an include, like psql -f',
    src:
      'import os\nDIR = "migrations"\ncur.execute(open(os.path.join(DIR, ' +
      '"005_rename.sql")).read())\nwith open("fix.sql") as fh:\n    ' +
      'cur.execute(fh.read())\ncur.execute((Path(DIR) / "x.sql").read_text())\n',
    fragments: [
      { sql: null, dynamic: false, includes: 'migrations/005_rename.sql', via: 'cur.execute', loc: loc(3, 13, 3, 61) },
      { sql: null, dynamic: false, includes: 'fix.sql' },
      { sql: null, dynamic: false, includes: 'migrations/x.sql' },
    ],
  },
  {
    name: 'SQL read from a path computed at run time is dynamic',
    src: 'for name in sorted(os.listdir(d)):\n    with open(os.path.join(d, name)) as fh:\n        cur.execute(fh.read())\n',
    fragments: [
      {
        sql: null,
        dynamic: true,
        reason:
          '`fh.read()` reads a file: `fh` is bound by `with open(os.path.join(d, name))`: `open(...)` opens a path computed at run time',
      },
    ],
  },
  {
    name: '"".join over a list of constants',
    src: 'cur.execute(" ".join(["ALTER TABLE t", "ADD c int"]))',
    fragments: [{ sql: 'ALTER TABLE t ADD c int', dynamic: false }],
  },
  {
    name: 'unterminated string: a warning and a dynamic fragment, no crash',
    src: 'cur.execute("ALTER TABLE t ADD c int)\nprint("done")\n',
    fragments: [{ sql: 'ALTER TABLE t ADD c int)', dynamic: true, reason: 'unterminated string literal', loc: loc(1, 14, 1, 38) }],
    warnings: ['unterminated string literal', 'Python syntax error'],
  },
  {
    name: 'a syntax error elsewhere in the file: later calls are still extracted',
    src: 'def broken(:\n    pass\n\ncur.execute("SELECT 42")\n',
    fragments: [{ sql: 'SELECT 42', loc: loc(4, 14, 4, 23) }],
    warnings: ['Python syntax error'],
  },
  {
    name: 'execute with no argument',
    src: 'cur.execute()',
    fragments: [{ sql: null, dynamic: true, reason: 'called without an SQL argument' }],
  },
  {
    name: 'non-ASCII text before the literal: columns count characters (code points)',
    src: '# café\nx = "é"; cur.execute("SELECT \'ü\'")',
    fragments: [{ sql: "SELECT 'ü'", loc: loc(2, 23, 2, 33), mapping: 'exact' }],
  },
];

describe('extractSql: Python', () => {
  it.each(cases)('$name', (c) => {
    const e = extractSql({ path: 'fix_case.py', text: c.src }, c.calls ? { calls: c.calls } : {});
    expect(e.language).toBe('python');
    expect(e.fragments).toHaveLength(c.fragments.length);
    c.fragments.forEach((f, i) => expect(e.fragments[i]).toMatchObject(f));
    for (const key of c.absent ?? []) for (const f of e.fragments) expect(f).not.toHaveProperty(key);
    expect(e.warnings.map((w) => w.message)).toEqual((c.warnings ?? []).map((w) => expect.stringContaining(w)));
  });

  it('maps an offset inside an exact fragment back to the file', () => {
    const src =
      'import psycopg2\n\ncur.execute("""\n    ALTER TABLE documents\n        ADD COLUMN summary ' +
      'TEXT\n        ADD COLUMN summarised_at TIMESTAMPTZ\n""")\n';
    const [f] = extractSql({ path: 'fix_summary.py', text: src }).fragments;
    expect(f?.mapping).toBe('exact');
    // the offset PostgreSQL would report for the second ADD, counted from the fragment's start
    const offset = f!.sql!.indexOf('ADD COLUMN summarised_at');
    const before = f!.sql!.slice(0, offset).split('\n');
    const line = f!.loc.line + before.length - 1;
    const column = before.length === 1 ? f!.loc.column + offset : before.at(-1)!.length + 1;
    expect(src.split('\n')[line - 1]!.slice(column - 1)).toBe('ADD COLUMN summarised_at TIMESTAMPTZ');
    expect({ line, column }).toEqual({ line: 6, column: 9 });
  });
});
