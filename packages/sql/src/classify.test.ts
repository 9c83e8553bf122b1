import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { parseScriptSync } from './split.js';
import type { DataLossReason, LockMode, SqlStatement } from './types.js';

beforeAll(async () => {
  await loadParser();
});

function one(sql: string): SqlStatement {
  const { statements } = parseScriptSync(sql);
  expect(statements).toHaveLength(1);
  return statements[0] as SqlStatement;
}

interface TagCase {
  sql: string;
  kind: string;
  tag: string;
}

const TAG_CASES: TagCase[] = [
  { sql: 'CREATE TABLE users (id bigint PRIMARY KEY)', kind: 'CreateStmt', tag: 'CREATE TABLE' },
  { sql: 'CREATE INDEX users_email ON users (email)', kind: 'IndexStmt', tag: 'CREATE INDEX' },
  { sql: 'CREATE UNIQUE INDEX CONCURRENTLY i ON users (email)', kind: 'IndexStmt', tag: 'CREATE INDEX' },
  { sql: 'ALTER TABLE users ADD COLUMN age int', kind: 'AlterTableStmt', tag: 'ALTER TABLE' },
  { sql: 'ALTER INDEX users_email SET (fillfactor = 70)', kind: 'AlterTableStmt', tag: 'ALTER INDEX' },
  { sql: 'ALTER TABLE users RENAME COLUMN a TO b', kind: 'RenameStmt', tag: 'ALTER TABLE' },
  { sql: 'ALTER TABLE users RENAME TO people', kind: 'RenameStmt', tag: 'ALTER TABLE' },
  { sql: 'DROP TABLE users', kind: 'DropStmt', tag: 'DROP TABLE' },
  { sql: 'DROP MATERIALIZED VIEW IF EXISTS mv', kind: 'DropStmt', tag: 'DROP MATERIALIZED VIEW' },
  { sql: 'INSERT INTO users (id) VALUES (1)', kind: 'InsertStmt', tag: 'INSERT' },
  { sql: 'UPDATE users SET a = 1 WHERE id = 2', kind: 'UpdateStmt', tag: 'UPDATE' },
  { sql: 'DELETE FROM users WHERE id = 2', kind: 'DeleteStmt', tag: 'DELETE' },
  { sql: 'SELECT * INTO backup FROM users', kind: 'SelectStmt', tag: 'SELECT INTO' },
  { sql: 'CREATE MATERIALIZED VIEW mv AS SELECT 1', kind: 'CreateTableAsStmt', tag: 'CREATE MATERIALIZED VIEW' },
  { sql: 'CREATE TABLE t2 AS SELECT * FROM t', kind: 'CreateTableAsStmt', tag: 'CREATE TABLE AS' },
  { sql: "CREATE TYPE mood AS ENUM ('sad', 'ok')", kind: 'CreateEnumStmt', tag: 'CREATE TYPE' },
  { sql: "ALTER TYPE mood ADD VALUE 'happy'", kind: 'AlterEnumStmt', tag: 'ALTER TYPE' },
  { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', kind: 'CreateFunctionStmt', tag: 'CREATE FUNCTION' },
  { sql: 'CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$', kind: 'CreateFunctionStmt', tag: 'CREATE PROCEDURE' },
  { sql: 'DO $$ BEGIN NULL; END $$', kind: 'DoStmt', tag: 'DO' },
  { sql: 'START TRANSACTION', kind: 'TransactionStmt', tag: 'START TRANSACTION' },
  { sql: 'END', kind: 'TransactionStmt', tag: 'COMMIT' },
  { sql: 'ROLLBACK TO SAVEPOINT s', kind: 'TransactionStmt', tag: 'ROLLBACK' },
  { sql: 'VACUUM ANALYZE users', kind: 'VacuumStmt', tag: 'VACUUM' },
  { sql: 'ANALYZE users', kind: 'VacuumStmt', tag: 'ANALYZE' },
  { sql: 'SET lock_timeout = 0', kind: 'VariableSetStmt', tag: 'SET' },
  { sql: 'RESET ALL', kind: 'VariableSetStmt', tag: 'RESET' },
  { sql: 'TRUNCATE users', kind: 'TruncateStmt', tag: 'TRUNCATE TABLE' },
  { sql: "COMMENT ON TABLE users IS 'people'", kind: 'CommentStmt', tag: 'COMMENT' },
  { sql: 'GRANT SELECT ON users TO app', kind: 'GrantStmt', tag: 'GRANT' },
  { sql: 'REVOKE SELECT ON users FROM app', kind: 'GrantStmt', tag: 'REVOKE' },
  { sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto', kind: 'CreateExtensionStmt', tag: 'CREATE EXTENSION' },
  { sql: 'ALTER TABLE users SET SCHEMA archive', kind: 'AlterObjectSchemaStmt', tag: 'ALTER TABLE' },
  { sql: 'ALTER SEQUENCE s OWNED BY users.id', kind: 'AlterSeqStmt', tag: 'ALTER SEQUENCE' },
  { sql: 'DISCARD ALL', kind: 'DiscardStmt', tag: 'DISCARD ALL' },
  { sql: 'CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int)', kind: 'DefineStmt', tag: 'CREATE AGGREGATE' },
  { sql: 'ALTER FUNCTION f() OWNER TO app', kind: 'AlterOwnerStmt', tag: 'ALTER FUNCTION' },
  { sql: 'CREATE STATISTICS s ON a, b FROM t', kind: 'CreateStatsStmt', tag: 'CREATE STATISTICS' },
];

describe('kind and tag', () => {
  it.each(TAG_CASES)('$sql', ({ sql, kind, tag }) => {
    const s = one(sql);
    expect([s.kind, s.tag]).toEqual([kind, tag]);
  });
});

interface TxCase {
  sql: string;
  transactional: boolean;
}

// Every statement PostgreSQL refuses in a transaction block, and near misses that it accepts.
const TX_CASES: TxCase[] = [
  { sql: 'CREATE INDEX CONCURRENTLY i ON t (a)', transactional: false },
  { sql: 'CREATE INDEX i ON t (a)', transactional: true },
  { sql: 'DROP INDEX CONCURRENTLY i', transactional: false },
  { sql: 'DROP INDEX i', transactional: true },
  { sql: 'REINDEX INDEX CONCURRENTLY i', transactional: false },
  { sql: 'REINDEX (CONCURRENTLY) TABLE t', transactional: false },
  { sql: 'REINDEX TABLE t', transactional: true },
  { sql: 'REINDEX SCHEMA app', transactional: false },
  { sql: 'REINDEX DATABASE app', transactional: false },
  { sql: 'REINDEX SYSTEM app', transactional: false },
  { sql: 'VACUUM', transactional: false },
  { sql: 'VACUUM (FULL, ANALYZE) t', transactional: false },
  { sql: 'ANALYZE t', transactional: true },
  { sql: 'CREATE DATABASE app', transactional: false },
  { sql: 'DROP DATABASE IF EXISTS app', transactional: false },
  { sql: 'ALTER DATABASE app SET TABLESPACE fast', transactional: false },
  { sql: "ALTER DATABASE app SET work_mem = '64MB'", transactional: true },
  { sql: "CREATE TABLESPACE fast LOCATION '/mnt/fast'", transactional: false },
  { sql: 'DROP TABLESPACE fast', transactional: false },
  { sql: "ALTER SYSTEM SET work_mem = '64MB'", transactional: false },
  { sql: 'CLUSTER', transactional: false },
  { sql: 'CLUSTER t USING t_pkey', transactional: true },
  { sql: 'DISCARD ALL', transactional: false },
  { sql: 'DISCARD PLANS', transactional: true },
  { sql: "COMMIT PREPARED 'tx1'", transactional: false },
  { sql: "ROLLBACK PREPARED 'tx1'", transactional: false },
  { sql: 'ALTER TABLE parent DETACH PARTITION child CONCURRENTLY', transactional: false },
  { sql: 'ALTER TABLE parent DETACH PARTITION child', transactional: true },
  { sql: "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", transactional: false },
  { sql: "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p WITH (create_slot = false)", transactional: true },
  { sql: 'ALTER SUBSCRIPTION s REFRESH PUBLICATION', transactional: false },
  { sql: 'ALTER SUBSCRIPTION s DISABLE', transactional: true },
  { sql: 'DROP SUBSCRIPTION s', transactional: false },
  { sql: "ALTER TYPE mood ADD VALUE 'happy'", transactional: true },
  { sql: 'DO $$ BEGIN CREATE TABLE a (id int); COMMIT; CREATE TABLE b (id int); END $$', transactional: false },
  { sql: 'DO $$ BEGIN IF true THEN ROLLBACK; END IF; END $$', transactional: false },
  { sql: "DO $$ BEGIN RAISE NOTICE 'commit later'; END $$", transactional: true },
  { sql: 'DO $$ BEGIN PERFORM 1; END $$', transactional: true },
];

describe('transactional', () => {
  it.each(TX_CASES)('$sql -> $transactional', ({ sql, transactional }) => {
    expect(one(sql).transactional).toBe(transactional);
  });

  it('flags ALTER TYPE ... ADD VALUE as enumValueAdded, not a rename', () => {
    expect(one("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok'").enumValueAdded).toBe(true);
    expect(one("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'").enumValueAdded).toBe(false);
    expect(one('ALTER TABLE t ADD COLUMN m mood').enumValueAdded).toBe(false);
  });
});

describe('transaction control', () => {
  it.each([
    ['BEGIN', true],
    ['BEGIN ISOLATION LEVEL SERIALIZABLE', true],
    ['START TRANSACTION', true],
    ['COMMIT', true],
    ['END', true],
    ['ROLLBACK', true],
    ['SAVEPOINT s1', true],
    ['RELEASE SAVEPOINT s1', true],
    ["PREPARE TRANSACTION 'tx1'", true],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', false],
    ['SELECT 1', false],
    ['PREPARE q AS SELECT 1', false],
  ] as const)('%s -> %s', (sql, expected) => {
    expect(one(sql).transactionControl).toBe(expected);
  });
});

describe('isDdl / isDml', () => {
  it.each([
    ['CREATE TABLE t (a int)', true, false],
    ['ALTER TABLE t ADD COLUMN b int', true, false],
    ['COMMENT ON COLUMN t.a IS NULL', true, false],
    ['GRANT SELECT ON t TO app', true, false],
    ['SELECT * INTO t2 FROM t', true, false],
    ['INSERT INTO t VALUES (1)', false, true],
    ['UPDATE t SET a = 1 WHERE a = 2', false, true],
    ['DELETE FROM t WHERE a = 1', false, true],
    ['MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE', false, true],
    ['TRUNCATE t', false, true],
    ["COPY t FROM '/tmp/t.csv'", false, true],
    ["COPY t TO '/tmp/t.csv'", false, false],
    ['WITH gone AS (DELETE FROM t WHERE a = 1 RETURNING *) SELECT count(*) FROM gone', false, true],
    ['SELECT * FROM t', false, false],
    ['DO $$ BEGIN NULL; END $$', false, false],
    ['SET search_path = app', false, false],
    ['VACUUM t', false, false],
    ['EXPLAIN ANALYZE DELETE FROM t WHERE a = 1', false, true],
    ['EXPLAIN DELETE FROM t WHERE a = 1', false, false],
  ] as const)('%s -> ddl %s, dml %s', (sql, ddl, dml) => {
    const s = one(sql);
    expect([s.isDdl, s.isDml]).toEqual([ddl, dml]);
  });
});

interface LossCase {
  sql: string;
  dataLoss: DataLossReason[];
}

const LOSS_CASES: LossCase[] = [
  { sql: 'DROP TABLE users', dataLoss: [{ code: 'drop_table', message: 'DROP TABLE users loses all its rows', object: 'users' }] },
  {
    sql: 'DROP TABLE IF EXISTS public.users, audit CASCADE',
    dataLoss: [
      { code: 'drop_table', message: 'DROP TABLE public.users loses all its rows', object: 'public.users' },
      { code: 'drop_table', message: 'DROP TABLE audit loses all its rows', object: 'audit' },
    ],
  },
  {
    sql: 'ALTER TABLE users DROP COLUMN email',
    dataLoss: [{ code: 'drop_column', message: "ALTER TABLE users DROP COLUMN email loses that column's data", object: 'users.email' }],
  },
  {
    sql: 'ALTER TABLE app.users ADD COLUMN a int, DROP COLUMN IF EXISTS b CASCADE',
    dataLoss: [{ code: 'drop_column', message: "ALTER TABLE app.users DROP COLUMN b loses that column's data", object: 'app.users.b' }],
  },
  {
    sql: 'DROP SCHEMA billing CASCADE',
    dataLoss: [{ code: 'drop_schema', message: 'DROP SCHEMA billing loses every object in it', object: 'billing' }],
  },
  {
    sql: 'DROP TYPE mood',
    dataLoss: [{ code: 'drop_type', message: 'DROP TYPE mood loses the type and any column that uses it (with CASCADE)', object: 'mood' }],
  },
  {
    sql: 'DROP DOMAIN app.email',
    dataLoss: [
      {
        code: 'drop_type',
        message: 'DROP DOMAIN app.email loses the domain and any column that uses it (with CASCADE)',
        object: 'app.email',
      },
    ],
  },
  {
    sql: 'DROP MATERIALIZED VIEW stats',
    dataLoss: [{ code: 'drop_materialized_view', message: 'DROP MATERIALIZED VIEW stats loses its stored rows', object: 'stats' }],
  },
  {
    sql: 'DROP SEQUENCE order_no',
    dataLoss: [{ code: 'drop_sequence', message: 'DROP SEQUENCE order_no loses its current value', object: 'order_no' }],
  },
  {
    sql: 'TRUNCATE audit_log, sessions RESTART IDENTITY',
    dataLoss: [
      { code: 'truncate', message: 'TRUNCATE audit_log loses all its rows', object: 'audit_log' },
      { code: 'truncate', message: 'TRUNCATE sessions loses all its rows', object: 'sessions' },
    ],
  },
  {
    sql: 'DELETE FROM sessions',
    dataLoss: [{ code: 'delete_without_where', message: 'DELETE FROM sessions without WHERE deletes every row', object: 'sessions' }],
  },
  {
    sql: 'UPDATE users SET active = true',
    dataLoss: [{ code: 'update_without_where', message: 'UPDATE users without WHERE overwrites every row', object: 'users' }],
  },
  {
    sql: 'WITH x AS (DELETE FROM sessions RETURNING 1) SELECT count(*) FROM x',
    dataLoss: [{ code: 'delete_without_where', message: 'DELETE FROM sessions without WHERE deletes every row', object: 'sessions' }],
  },
  {
    sql: 'DROP OWNED BY legacy_app',
    dataLoss: [{ code: 'drop_owned', message: 'DROP OWNED BY legacy_app drops every object the role owns', object: 'legacy_app' }],
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE smallint',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE users ALTER COLUMN age TYPE smallint may truncate, round or reject existing values',
        object: 'users.age',
      },
    ],
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN n TYPE integer',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE users ALTER COLUMN n TYPE integer may truncate, round or reject existing values',
        object: 'users.n',
      },
    ],
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20)',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20) may truncate, round or reject existing values',
        object: 'users.name',
      },
    ],
  },
  {
    sql: 'ALTER TABLE prices ALTER COLUMN amount SET DATA TYPE numeric(10,2)',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE prices ALTER COLUMN amount TYPE numeric(10,2) may truncate, round or reject existing values',
        object: 'prices.amount',
      },
    ],
  },
  {
    sql: 'ALTER TABLE m ALTER COLUMN x TYPE real',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE m ALTER COLUMN x TYPE real may truncate, round or reject existing values',
        object: 'm.x',
      },
    ],
  },
  {
    sql: 'ALTER TABLE m ALTER COLUMN c TYPE char',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE m ALTER COLUMN c TYPE char(1) may truncate, round or reject existing values',
        object: 'm.c',
      },
    ],
  },
  {
    sql: 'ALTER TABLE events ALTER COLUMN at TYPE date',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE events ALTER COLUMN at TYPE date may truncate, round or reject existing values',
        object: 'events.at',
      },
    ],
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN meta TYPE jsonb USING meta::jsonb',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE users ALTER COLUMN meta TYPE jsonb with USING may rewrite or lose existing values',
        object: 'users.meta',
      },
    ],
  },
  {
    sql: 'ALTER TYPE address DROP ATTRIBUTE zip',
    dataLoss: [
      { code: 'drop_column', message: "ALTER TYPE address DROP ATTRIBUTE zip loses that attribute's data", object: 'address.zip' },
    ],
  },
  {
    sql: 'ALTER TYPE address ALTER ATTRIBUTE zip TYPE varchar(5)',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TYPE address ALTER ATTRIBUTE zip TYPE varchar(5) may truncate, round or reject existing values',
        object: 'address.zip',
      },
    ],
  },
  {
    sql: 'ALTER TABLE t ALTER COLUMN c TYPE int2[]',
    dataLoss: [
      {
        code: 'alter_column_type',
        message: 'ALTER TABLE t ALTER COLUMN c TYPE int2[] may truncate, round or reject existing values',
        object: 't.c',
      },
    ],
  },
  // Must NOT fire.
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE bigint[]', dataLoss: [] },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE app.integer', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN name TYPE text', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN amount TYPE numeric', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN x TYPE double precision', dataLoss: [] },
  { sql: 'DROP VIEW active_users', dataLoss: [] },
  { sql: 'DROP INDEX users_email', dataLoss: [] },
  { sql: 'DROP FUNCTION f(int)', dataLoss: [] },
  { sql: 'DROP TRIGGER trg ON users', dataLoss: [] },
  { sql: 'ALTER TABLE users DROP CONSTRAINT users_email_key', dataLoss: [] },
  { sql: 'ALTER TABLE users ALTER COLUMN a DROP DEFAULT', dataLoss: [] },
  { sql: 'ALTER TABLE users RENAME COLUMN a TO b', dataLoss: [] },
  { sql: 'DELETE FROM sessions WHERE expires_at < now()', dataLoss: [] },
  { sql: 'UPDATE users SET active = true WHERE id = 1', dataLoss: [] },
  { sql: 'CREATE TABLE t (a int)', dataLoss: [] },
  { sql: 'SELECT * FROM users', dataLoss: [] },
  { sql: 'ALTER FOREIGN TABLE remote DROP COLUMN a', dataLoss: [] },
  { sql: 'REASSIGN OWNED BY legacy_app TO app', dataLoss: [] },
];

describe('dataLoss and destructive', () => {
  it.each(LOSS_CASES)('$sql', ({ sql, dataLoss }) => {
    const s = one(sql);
    expect(s.dataLoss).toEqual(dataLoss);
    expect(s.destructive).toBe(dataLoss.length > 0);
  });
});

interface LockCase {
  sql: string;
  lock: LockMode | null;
}

const LOCK_CASES: LockCase[] = [
  { sql: 'ALTER TABLE t ADD COLUMN a int', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_a_check', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID', lock: 'SHARE ROW EXCLUSIVE' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = off)', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'ALTER TABLE t DISABLE TRIGGER ALL', lock: 'SHARE ROW EXCLUSIVE' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT c, ADD COLUMN b int', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'ALTER TABLE p DETACH PARTITION c CONCURRENTLY', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'CREATE INDEX i ON t (a)', lock: 'SHARE' },
  { sql: 'CREATE INDEX CONCURRENTLY i ON t (a)', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'DROP INDEX CONCURRENTLY i', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'DROP TABLE t', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'TRUNCATE t', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'INSERT INTO t VALUES (1)', lock: 'ROW EXCLUSIVE' },
  { sql: 'UPDATE t SET a = 1 WHERE b = 2', lock: 'ROW EXCLUSIVE' },
  { sql: 'DELETE FROM t WHERE a = 1', lock: 'ROW EXCLUSIVE' },
  { sql: 'SELECT * FROM t', lock: 'ACCESS SHARE' },
  { sql: 'SELECT * FROM t FOR UPDATE', lock: 'ROW SHARE' },
  { sql: 'SELECT 1', lock: null },
  { sql: 'VACUUM t', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'VACUUM FULL t', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'REINDEX INDEX CONCURRENTLY i', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv', lock: 'EXCLUSIVE' },
  { sql: 'REFRESH MATERIALIZED VIEW mv', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE', lock: 'SHARE ROW EXCLUSIVE' },
  { sql: 'LOCK TABLE t', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', lock: 'SHARE ROW EXCLUSIVE' },
  { sql: 'ALTER INDEX i RENAME TO j', lock: 'SHARE UPDATE EXCLUSIVE' },
  { sql: 'ALTER TABLE t RENAME COLUMN a TO b', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'CREATE TABLE t (a int)', lock: null },
  { sql: 'CREATE TABLE t (u int REFERENCES u (id))', lock: 'SHARE ROW EXCLUSIVE' },
  { sql: 'CREATE TABLE c PARTITION OF p FOR VALUES IN (1)', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', lock: null },
];

describe('lock', () => {
  it.each(LOCK_CASES)('$sql -> $lock', ({ sql, lock }) => {
    expect(one(sql).lock).toBe(lock);
  });
});

describe('targets', () => {
  it.each([
    ['CREATE TABLE app.orders (id int, user_id int REFERENCES users (id))', ['app.orders', 'users']],
    ['ALTER TABLE "User Table" ADD COLUMN a int', ['User Table']],
    ['INSERT INTO archive SELECT * FROM orders o JOIN users u ON u.id = o.user_id', ['archive', 'orders', 'users']],
    ['WITH recent AS (SELECT * FROM orders) SELECT * FROM recent', ['orders']],
    ['DROP TABLE a, s.b', ['a', 's.b']],
    ['DROP TRIGGER trg ON app.users', ['app.users']],
    ['TRUNCATE a, b', ['a', 'b']],
    ['CREATE INDEX i ON public.users (email)', ['public.users']],
    ["COMMENT ON COLUMN app.users.email IS 'x'", ['app.users']],
    ['SELECT 1', []],
    ['UPDATE users SET n = n + 1 WHERE id IN (SELECT user_id FROM orders)', ['users', 'orders']],
  ] as const)('%s', (sql, targets) => {
    expect(one(sql).targets).toEqual(targets);
  });
});
