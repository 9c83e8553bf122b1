import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseScriptSync } from '@pg-strata/sql';
import { deriveDataChecks } from './data-check.js';
import { analyzeScript, catalogueCheck } from './effects.js';
import { statementEffects } from './statement-effects.js';
import { extractSql } from './extract.js';

beforeAll(async () => {
  await loadParser();
});

const effectsOf = (sql: string) => statementEffects(parseScriptSync(sql).statements[0]!.ast);

describe('statementEffects', () => {
  it.each([
    [
      "ALTER TABLE users ADD COLUMN a VARCHAR(20) NOT NULL DEFAULT 'x'",
      [{ kind: 'add_column', schema: 'public', table: 'users', column: 'a', type: 'character varying(20)', default: "'x'", notNull: true }],
    ],
    [
      'ALTER TABLE app.users ADD COLUMN IF NOT EXISTS b TIMESTAMPTZ',
      [
        {
          kind: 'add_column',
          schema: 'app',
          table: 'users',
          column: 'b',
          type: 'timestamp with time zone',
          default: null,
          notNull: false,
          conditional: true,
        },
      ],
    ],
    [
      'ALTER TABLE t ADD COLUMN c timestamp(3) without time zone',
      [
        {
          kind: 'add_column',
          schema: 'public',
          table: 't',
          column: 'c',
          type: 'timestamp(3) without time zone',
          default: null,
          notNull: false,
        },
      ],
    ],
    [
      'ALTER TABLE t ADD COLUMN d numeric(10,2)[]',
      [{ kind: 'add_column', schema: 'public', table: 't', column: 'd', type: 'numeric(10,2)[]', default: null, notNull: false }],
    ],
    [
      'ALTER TABLE t ADD COLUMN e bigserial',
      [
        {
          kind: 'add_column',
          schema: 'public',
          table: 't',
          column: 'e',
          type: 'bigint',
          default: "nextval('t_e_seq'::regclass)",
          notNull: true,
        },
      ],
    ],
    [
      'ALTER TABLE t ADD COLUMN f char',
      [{ kind: 'add_column', schema: 'public', table: 't', column: 'f', type: 'character(1)', default: null, notNull: false }],
    ],
    [
      'ALTER TABLE t ADD COLUMN g float8',
      [{ kind: 'add_column', schema: 'public', table: 't', column: 'g', type: 'double precision', default: null, notNull: false }],
    ],
    ['ALTER TABLE t DROP COLUMN IF EXISTS h', [{ kind: 'drop_column', schema: 'public', table: 't', column: 'h', conditional: true }]],
    [
      'ALTER TABLE t ALTER COLUMN i TYPE bigint',
      [{ kind: 'alter_column_type', schema: 'public', table: 't', column: 'i', type: 'bigint' }],
    ],
    ['ALTER TABLE t ALTER COLUMN j SET NOT NULL', [{ kind: 'set_not_null', schema: 'public', table: 't', column: 'j' }]],
    ['ALTER TABLE t ALTER COLUMN k DROP DEFAULT', [{ kind: 'drop_default', schema: 'public', table: 't', column: 'k' }]],
    ['ALTER TABLE t RENAME COLUMN a TO b', [{ kind: 'rename_column', schema: 'public', table: 't', from: 'a', to: 'b' }]],
    ['ALTER TABLE t RENAME TO u', [{ kind: 'rename_table', schema: 'public', table: 't', from: 't', to: 'u' }]],
    [
      'ALTER TABLE t ADD CONSTRAINT t_x_fk FOREIGN KEY (x) REFERENCES o (id)',
      [{ kind: 'add_constraint', schema: 'public', table: 't', constraint: 't_x_fk', constraintType: 'foreign key', keyColumns: ['x'] }],
    ],
    [
      'ALTER TABLE t ADD UNIQUE (a, b)',
      [
        {
          kind: 'add_constraint',
          schema: 'public',
          table: 't',
          constraint: 't_a_b_key',
          constraintType: 'unique',
          keyColumns: ['a', 'b'],
          derivedName: true,
        },
      ],
    ],
    ['ALTER TABLE t DROP CONSTRAINT t_x_fk', [{ kind: 'drop_constraint', schema: 'public', table: 't', constraint: 't_x_fk' }]],
    [
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a)',
      [{ kind: 'create_index', schema: 'public', table: 't', index: 'ix', keyColumns: ['a'], conditional: true, concurrent: true }],
    ],
    [
      'CREATE INDEX ON t (a, b)',
      [{ kind: 'create_index', schema: 'public', table: 't', index: 't_a_b_idx', keyColumns: ['a', 'b'], derivedName: true }],
    ],
    ['DROP INDEX IF EXISTS app.ix', [{ kind: 'drop_index', schema: 'app', index: 'ix', conditional: true }]],
    [
      'DROP TABLE a, b',
      [
        { kind: 'drop_table', schema: 'public', table: 'a' },
        { kind: 'drop_table', schema: 'public', table: 'b' },
      ],
    ],
    ['UPDATE t SET a = 1, b = 2 WHERE c', [{ kind: 'update_rows', schema: 'public', table: 't', columns: ['a', 'b'] }]],
    ['INSERT INTO t (a) VALUES (1)', [{ kind: 'insert_rows', schema: 'public', table: 't', columns: ['a'] }]],
    ['DELETE FROM t WHERE a', [{ kind: 'delete_rows', schema: 'public', table: 't' }]],
    [
      'CREATE EXTENSION IF NOT EXISTS pgcrypto',
      [{ kind: 'create_object', schema: 'public', objectType: 'extension', name: 'pgcrypto', conditional: true }],
    ],
    ['CREATE VIEW v AS SELECT 1', [{ kind: 'create_object', schema: 'public', objectType: 'view', name: 'v' }]],
    ['SELECT 1', []],
    ['VACUUM t', []],
    ['GRANT SELECT ON t TO r', [{ kind: 'grant', schema: 'public', table: 't', grantee: 'r', privileges: ['SELECT'] }]],
    ["COMMENT ON COLUMN s.t.c IS 'x'", [{ kind: 'set_comment', schema: 's', table: 't', column: 'c', comment: 'x' }]],
    ['GRANT USAGE ON SCHEMA s TO r', [{ kind: 'other', schema: 'public', objectType: 'GRANT' }]],
    [
      'ALTER TABLE t SET (autovacuum_enabled = false)',
      [{ kind: 'other', schema: 'public', table: 't', objectType: 'ALTER TABLE SetRelOptions', name: 't' }],
    ],
  ])('%s', (sql, effects) => {
    expect(effectsOf(sql)).toEqual(effects);
  });

  it('CREATE TABLE lists its columns and its named constraints', () => {
    expect(
      effectsOf("CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, n text NOT NULL DEFAULT 'a', CONSTRAINT t_n_check CHECK (n <> ''))"),
    ).toEqual([
      {
        kind: 'create_table',
        schema: 'public',
        table: 't',
        conditional: true,
        columns: [
          { name: 'id', type: 'integer', notNull: true, default: "nextval('t_id_seq'::regclass)" },
          { name: 'n', type: 'text', notNull: true, default: "'a'" },
        ],
      },
      { kind: 'add_constraint', schema: 'public', table: 't', constraint: 't_n_check', constraintType: 'check', keyColumns: ['n'] },
    ]);
  });
});

describe('catalogueCheck', () => {
  it.each([
    ["EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'ix')", ['pg_indexes', 'ix']],
    [
      "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c')",
      ['information_schema.columns', 't', 'c'],
    ],
    ["EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'k')", ['pg_constraint', 'k']],
    ["EXISTS (SELECT 1 FROM users WHERE name = 'x')", undefined],
    ['(SELECT count(*) FROM pg_indexes) > 3', undefined],
    ['not sql at all (', undefined],
  ])('%s', async (cond, args) => {
    expect(await catalogueCheck(cond)).toEqual(args);
  });
});

describe('analyzeScript', () => {
  it('maps a syntax error in a Python literal to its line and column in the script', async () => {
    const a = await analyzeScript(extractSql({ path: 'fix.py', text: 'cur.execute("ALTER TABLE t ADD COLUMN a int ADD COLUMN b int")\n' }));
    expect(a.problems).toEqual([{ kind: 'syntax_error', message: 'syntax error at or near "ADD"', line: 1, column: 45, exact: true }]);
  });

  it('a DO block running EXECUTE of a computed string is dynamic', async () => {
    const a = await analyzeScript(
      extractSql({ path: 'x.sql', text: "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 't'); END $$;" }),
    );
    expect(a.problems.map((p) => p.kind)).toEqual(['dynamic_sql']);
  });
});

describe('deriveDataChecks', () => {
  const checks = async (text: string) => {
    const a = await analyzeScript(extractSql({ path: 'x.py', text }));
    return deriveDataChecks(a.statements[0]!);
  };

  it.each([
    [
      'cur.execute("UPDATE users u SET role = \'owner\' WHERE u.id = 1")',
      { sql: ["SELECT EXISTS (SELECT 1 FROM users AS u WHERE u.id = 1 AND u.role IS DISTINCT FROM 'owner') AS pending"] },
    ],
    ['cur.execute("DELETE FROM t WHERE a < %s", (5,))', { sql: ["SELECT EXISTS (SELECT 1 FROM t WHERE a < '5') AS pending"] }],
    [
      "cur.executemany(\"INSERT INTO t (k, v) VALUES (%s, %s) ON CONFLICT (k) DO NOTHING\", [('a', '1'), ('b', '2')])",
      {
        sql: [
          "SELECT NOT EXISTS (SELECT 1 FROM t WHERE t.k IS NOT DISTINCT FROM 'a') AS pending",
          "SELECT NOT EXISTS (SELECT 1 FROM t WHERE t.k IS NOT DISTINCT FROM 'b') AS pending",
        ],
      },
    ],
    [
      'cur.execute("UPDATE t SET seen = now() WHERE seen IS NULL")',
      { why: 'it sets a value that changes on every run (now(), random(), DEFAULT...)' },
    ],
    ['cur.execute("INSERT INTO t (a) SELECT a FROM u")', { why: 'it inserts from a query or without a column list' }],
    ['cur.execute("UPDATE t SET a = %s", (x,))', { why: 'its parameters are not constants of the script' }],
  ])('%s', async (text, expected) => {
    expect(await checks(text)).toEqual(expected);
  });
});
