import { describe, expect, it } from 'vitest';
import { extractSql } from './extract.js';
import type { SqlFragment } from './types.js';

interface Case {
  name: string;
  src: string;
  path?: string;
  fragments: Partial<SqlFragment>[];
  warnings?: string[];
  calls?: string[];
  absent?: (keyof SqlFragment)[];
}

const loc = (line: number, column: number, endLine: number, endColumn: number) => ({ line, column, endLine, endColumn });

const cases: Case[] = [
  {
    name: 'client.query with a single-quoted string: exact location',
    src: "await client.query('ALTER TABLE t ADD c int');",
    fragments: [{ sql: 'ALTER TABLE t ADD c int', dynamic: false, via: 'client.query', loc: loc(1, 21, 1, 44), mapping: 'exact' }],
    absent: ['params', 'callLoc'],
  },
  {
    name: 'pool.query with $1 parameters',
    src: 'pool.query("UPDATE users SET role = $1 WHERE id = $2", [role, id]);',
    fragments: [{ sql: 'UPDATE users SET role = $1 WHERE id = $2', params: true, paramStyle: 'dollar', paramCount: 2, mapping: 'exact' }],
    absent: ['paramValues'],
  },
  {
    name: 'constant bind values are kept',
    src: "const ROLE = 'admin';\npool.query('UPDATE users SET role = $1 WHERE id = $2 AND x IS DISTINCT FROM $3', [ROLE, 7, null]);",
    fragments: [{ sql: 'UPDATE users SET role = $1 WHERE id = $2 AND x IS DISTINCT FROM $3', paramValues: [['admin', '7', null]] }],
  },
  {
    name: 'a multi-line template literal without substitutions',
    src: 'await db.query(`\n  CREATE INDEX IF NOT EXISTS i\n    ON t (a)\n`);',
    fragments: [{ sql: '\n  CREATE INDEX IF NOT EXISTS i\n    ON t (a)\n', mapping: 'exact', loc: loc(1, 17, 4, 1) }],
  },
  {
    name: 'a template literal whose substitution is a constant',
    src: "const TABLE = 'documents';\nawait client.query(`ALTER TABLE ${TABLE} ADD c int`);",
    fragments: [{ sql: 'ALTER TABLE documents ADD c int', dynamic: false, mapping: 'approximate', loc: loc(2, 21, 2, 51) }],
  },
  {
    name: 'a template literal whose substitution is unknown: dynamic, written as in the source',
    src: 'export async function fix(client, table) {\n  await client.query(`ALTER TABLE ${table} ADD c int`);\n}',
    fragments: [{ sql: 'ALTER TABLE ${table} ADD c int', dynamic: true, reason: '${table}: `table` is a function parameter' }],
  },
  {
    name: '+ concatenation of literals and a constant',
    src: "const COL = 'archived_at';\nclient.query('ALTER TABLE c ' + 'ADD COLUMN ' + COL + ' timestamptz');",
    fragments: [{ sql: 'ALTER TABLE c ADD COLUMN archived_at timestamptz', dynamic: false, mapping: 'approximate' }],
  },
  {
    name: 'a const declared earlier: loc at the literal, callLoc at the call',
    src: "const DDL = 'ALTER TABLE a ADD b int';\n\nawait client.query(DDL);",
    fragments: [{ sql: 'ALTER TABLE a ADD b int', loc: loc(1, 14, 1, 37), mapping: 'exact', callLoc: { line: 3, column: 7 } }],
  },
  {
    name: 'a reassigned let is not constant',
    src: "let q = 'SELECT 1';\nif (x) q = 'SELECT 2';\nclient.query(q);",
    fragments: [{ sql: null, dynamic: true, reason: '`q` is reassigned' }],
  },
  {
    name: 'a run-time value: sql null',
    src: 'client.query(readFileSync(file, "utf8"));',
    fragments: [{ sql: null, dynamic: true, loc: loc(1, 14, 1, 40) }],
  },
  {
    name: 'client.query({ text, values })',
    src: "client.query({ text: 'DELETE FROM t WHERE id = $1', values: [1] });",
    fragments: [{ sql: 'DELETE FROM t WHERE id = $1', params: true, paramCount: 1, paramValues: [['1']] }],
  },
  {
    name: 'escapes in a string literal: approximate mapping',
    src: "client.query('SELECT \\'it\\'\\'s\\'');",
    fragments: [{ sql: "SELECT 'it''s'", mapping: 'approximate' }],
  },
  {
    name: 'nested quotes without escapes stay exact',
    src: `client.query("SELECT 'a' AS \\"x\\"" + '');\nclient.query(\`SELECT "b", 'c'\`);`,
    fragments: [{ sql: 'SELECT \'a\' AS "x"' }, { sql: `SELECT "b", 'c'`, mapping: 'exact' }],
  },
  {
    name: 'sql tagged template: ${} are parameters',
    src: 'await sql`UPDATE users SET role = ${role} WHERE id = ${id}`;',
    fragments: [{ sql: 'UPDATE users SET role = $1 WHERE id = $2', params: true, paramStyle: 'template', paramCount: 2, via: 'sql' }],
  },
  {
    name: 'sql tag with sql.raw / sql.table / sql.lit of constants inlined',
    src:
      "const t = 'prompt_templates';\nawait sql`ALTER TABLE ${sql.table(t)} ADD v int DEFAULT " +
      "${sql.lit('1')}; COMMENT ON TABLE ${sql.raw(t)} IS 'x'`.execute(db);",
    fragments: [
      { sql: `ALTER TABLE "prompt_templates" ADD v int DEFAULT '1'; COMMENT ON TABLE prompt_templates IS 'x'`, dynamic: false, via: 'sql' },
    ],
    absent: ['params'],
  },
  {
    name: 'sql.raw of a run-time value is dynamic',
    src: 'await sql`DROP TABLE ${sql.raw(name)}`.execute(db);',
    fragments: [{ sql: 'DROP TABLE ${sql.raw(name)}', dynamic: true }],
  },
  {
    name: 'a sql tag nested in another is one fragment',
    src: 'const where = sql`WHERE id = ${id}`;\nawait sql`DELETE FROM t ${where}`;',
    fragments: [
      { sql: 'WHERE id = $1', via: 'sql' },
      { sql: 'DELETE FROM t WHERE id = $1', params: true, paramCount: 1 },
    ],
  },
  {
    name: 'a sql tag passed to db.execute is extracted once',
    src: 'await db.execute(sql`VACUUM`);',
    fragments: [{ sql: 'VACUUM', via: 'sql' }],
  },
  {
    name: 'Kysely builder chains are not SQL text',
    src: "await db.selectFrom('users').selectAll().execute();\nawait query.execute(db);",
    fragments: [],
  },
  {
    name: 'knex.raw with ? bindings',
    src: "await knex.raw('UPDATE t SET a = ? WHERE b ?? ?', [1, 'k']);",
    fragments: [{ sql: 'UPDATE t SET a = $1 WHERE b ?? $2', params: true, paramStyle: 'question', paramCount: 2, via: 'knex.raw' }],
  },
  {
    name: 'knex.schema.raw without bindings',
    src: "knex.schema.raw('CREATE EXTENSION IF NOT EXISTS citext');",
    fragments: [{ sql: 'CREATE EXTENSION IF NOT EXISTS citext', via: 'knex.schema.raw' }],
    absent: ['params'],
  },
  {
    name: 'pg-promise db.none',
    src: "await db.none('TRUNCATE sessions');",
    fragments: [{ sql: 'TRUNCATE sessions', via: 'db.none' }],
  },
  {
    name: 'Prisma $executeRawUnsafe and $queryRaw tag',
    src: "await prisma.$executeRawUnsafe('ALTER TABLE a ADD b int');\nawait prisma.$queryRaw`SELECT * FROM a WHERE id = ${id}`;",
    fragments: [{ sql: 'ALTER TABLE a ADD b int' }, { sql: 'SELECT * FROM a WHERE id = $1', via: 'prisma.$queryRaw' }],
  },
  {
    name: 'TypeScript: type assertions and annotations around the SQL',
    path: 'fix_x.ts',
    src: "const q: string = 'SELECT 1' as const;\nawait client.query<{ n: number }>((q as string));",
    fragments: [{ sql: 'SELECT 1' }],
  },
  {
    name: 'comments containing SQL are not SQL',
    src: "// client.query('DROP TABLE users')\n/* await sql`DROP TABLE x` */\nconsole.log('DROP TABLE y');",
    fragments: [],
  },
  {
    name: 'String.raw keeps backslashes',
    src: "client.query(String.raw`SELECT E'\\n'`);",
    fragments: [{ sql: "SELECT E'\\n'" }],
  },
  {
    name: 'sql(...) called with a string (postgres.js style)',
    src: "await sql('ALTER TABLE a ADD b int');\nconst ident = sql(name);",
    fragments: [{ sql: 'ALTER TABLE a ADD b int', via: 'sql' }],
  },
  {
    name: 'for...of over a literal array: one fragment per value',
    src:
      "for (const t of ['documents', 'conversations']) {\n  await client.query(`ALTER TABLE ${t} ADD " +
      'COLUMN IF NOT EXISTS updated_at timestamptz`);\n}',
    fragments: [
      { sql: 'ALTER TABLE documents ADD COLUMN IF NOT EXISTS updated_at timestamptz', iteration: { t: 'documents' }, dynamic: false },
      { sql: 'ALTER TABLE conversations ADD COLUMN IF NOT EXISTS updated_at timestamptz', iteration: { t: 'conversations' } },
    ],
  },
  {
    name: 'forEach over a const array',
    src: "const IDX = ['a', 'b'];\nIDX.forEach((c) => pool.query('CREATE INDEX IF NOT EXISTS idx_' + c + ' ON t (' + c + ')'));",
    fragments: [
      { sql: 'CREATE INDEX IF NOT EXISTS idx_a ON t (a)', iteration: { c: 'a' } },
      { sql: 'CREATE INDEX IF NOT EXISTS idx_b ON t (b)', iteration: { c: 'b' } },
    ],
  },
  {
    name: 'for...of over rows from the database: dynamic',
    src:
      "const { rows } = await client.query('SELECT tablename FROM pg_tables');\nfor (const r of rows) " +
      'await client.query(`VACUUM ${r.tablename}`);',
    fragments: [
      { sql: 'SELECT tablename FROM pg_tables', dynamic: false },
      { sql: 'VACUUM ${r.tablename}', dynamic: true },
    ],
  },
  {
    name: 'array join of constants',
    src: "client.query(['ALTER TABLE t', 'ADD c int'].join(' '));",
    fragments: [{ sql: 'ALTER TABLE t ADD c int' }],
  },
  {
    name: 'a project helper named in options.calls',
    src: "runSql('ANALYZE');",
    calls: ['runSql'],
    fragments: [{ sql: 'ANALYZE', via: 'runSql' }],
  },
  {
    name: 'a wrapper function: the SQL is extracted at each call, not inside the wrapper',
    src:
      'async function run(client, sql) {\n  console.log(sql);\n  return client.query(sql);\n}\nawait ' +
      "run(c, 'ALTER TABLE a ADD b int');\nconst again = (q) => run(c, q);\nawait again('VACUUM');",
    fragments: [
      { sql: 'ALTER TABLE a ADD b int', via: 'run', loc: loc(5, 15, 5, 38) },
      { sql: 'VACUUM', via: 'again' },
    ],
  },
  {
    name: 'a wrapper never called keeps its dynamic fragment',
    src: 'export const exec = (db, text) => db.query(text);',
    fragments: [{ sql: null, dynamic: true, reason: '`text` is a function parameter' }],
  },
  {
    name: 'execute with a non-string argument is not SQL',
    src: 'await migrator.execute(plan);',
    fragments: [],
  },
  {
    name: 'unterminated string: a warning and a dynamic fragment, no crash',
    src: "await client.query('ALTER TABLE t ADD c int);\n",
    fragments: [{ sql: null, dynamic: true, via: 'unparsed', reason: 'the file does not parse: Unterminated string' }],
    warnings: ['JavaScript syntax error: Unterminated string'],
  },
  {
    name: 'a syntax error oxc does not recover from: one dynamic fragment at the error',
    path: 'fix_y.ts',
    src: "const x = ;\nawait client.query('SELECT 1');\n",
    fragments: [{ sql: null, dynamic: true, via: 'unparsed', loc: loc(1, 11, 1, 12), reason: 'the file does not parse: Unexpected token' }],
    warnings: ['TypeScript syntax error: Unexpected token'],
  },
];

describe('extractSql: JavaScript and TypeScript', () => {
  it.each(cases)('$name', (c) => {
    const path = c.path ?? 'fix_case.js';
    const e = extractSql({ path, text: c.src }, c.calls ? { calls: c.calls } : {});
    expect(e.language).toBe(path.endsWith('.ts') ? 'typescript' : 'javascript');
    expect(e.fragments).toHaveLength(c.fragments.length);
    c.fragments.forEach((f, i) => expect(e.fragments[i]).toMatchObject(f));
    for (const key of c.absent ?? []) for (const f of e.fragments) expect(f).not.toHaveProperty(key);
    expect(e.warnings.map((w) => w.message)).toEqual((c.warnings ?? []).map((w) => expect.stringContaining(w)));
  });
});
