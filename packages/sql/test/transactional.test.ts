import { withConnection } from '@pg-strata/core';
import { useTestDatabase } from '@pg-strata/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScript } from '../src/index.js';

// `transactional` is checked against PostgreSQL itself: each statement runs
// inside BEGIN ... ROLLBACK, and PostgreSQL's answer (SQLSTATE 25001,
// active_sql_transaction: "cannot run inside a transaction block") must agree
// with the parser's flag (for a DO block that commits, PostgreSQL says
// 2D000, invalid_transaction_termination). Statements flagged transactional
// must succeed there.
const db = useTestDatabase('sql_tx');

const SETUP = `
  CREATE SCHEMA app;
  CREATE TABLE t (a int PRIMARY KEY);
  CREATE INDEX i ON t (a);
  CREATE TYPE mood AS ENUM ('sad', 'ok');
  CREATE TABLE parent (k int) PARTITION BY LIST (k);
  CREATE TABLE child PARTITION OF parent FOR VALUES IN (1);
`;

// DATABASE_NAME is replaced by the test database's name.
const STATEMENTS = [
  'CREATE INDEX CONCURRENTLY i2 ON t (a)',
  'CREATE INDEX i2 ON t (a)',
  'DROP INDEX CONCURRENTLY i',
  'DROP INDEX i',
  'REINDEX INDEX CONCURRENTLY i',
  'REINDEX (CONCURRENTLY) TABLE t',
  'REINDEX TABLE t',
  'REINDEX SCHEMA app',
  'REINDEX DATABASE DATABASE_NAME',
  'REINDEX SYSTEM DATABASE_NAME',
  'VACUUM',
  'VACUUM (FULL, ANALYZE) t',
  'ANALYZE t',
  'CREATE DATABASE strata_never_created',
  'DROP DATABASE IF EXISTS strata_never_created',
  'ALTER DATABASE DATABASE_NAME SET TABLESPACE pg_default',
  "ALTER DATABASE DATABASE_NAME SET work_mem = '64MB'",
  "CREATE TABLESPACE fast LOCATION '/nonexistent/strata'",
  'DROP TABLESPACE IF EXISTS fast',
  "ALTER SYSTEM SET work_mem = '64MB'",
  'CLUSTER',
  'CLUSTER t USING t_pkey',
  'DISCARD ALL',
  'DISCARD PLANS',
  "COMMIT PREPARED 'strata_tx'",
  "ROLLBACK PREPARED 'strata_tx'",
  'ALTER TABLE parent DETACH PARTITION child CONCURRENTLY',
  'ALTER TABLE parent DETACH PARTITION child',
  "CREATE SUBSCRIPTION s CONNECTION 'host=localhost' PUBLICATION p",
  "CREATE SUBSCRIPTION s CONNECTION 'host=localhost' PUBLICATION p WITH (connect = false)",
  "ALTER TYPE mood ADD VALUE 'happy'",
  'CREATE TABLE t2 (a int)',
  'TRUNCATE t',
  'DO $$ BEGIN CREATE TABLE t3 (a int); COMMIT; END $$',
  "DO $$ BEGIN RAISE NOTICE 'no commit here'; END $$",
];

describe('transactional agrees with PostgreSQL', () => {
  let dbName = '';
  beforeAll(async () => {
    await withConnection({ url: db().url }, async (client) => {
      await client.query(SETUP);
    });
    dbName = db().name;
  });

  it('for every statement PostgreSQL refuses in a transaction block, and near misses', async () => {
    const sql = STATEMENTS.map((s) => s.replace(/DATABASE_NAME/g, dbName));
    const { statements } = await parseScript(sql.join(';\n'));
    expect(statements.map((s) => s.text)).toEqual(sql);
    const expected = statements.map((s) => ({ sql: s.text, sqlstate: s.transactional ? null : '25001' }));
    const actual = await withConnection({ url: db().url }, async (client) => {
      const out: { sql: string; sqlstate: string | null }[] = [];
      for (const s of statements) {
        await client.query('BEGIN');
        let sqlstate: string | null = null;
        try {
          await client.query(s.text);
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'unknown';
          sqlstate = code === '2D000' ? '25001' : code;
        }
        await client.query('ROLLBACK');
        out.push({ sql: s.text, sqlstate });
      }
      return out;
    });
    expect(actual).toEqual(expected);
  });
});
