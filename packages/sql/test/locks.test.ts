import { withConnection } from '@pg-strata/core';
import { useTestDatabase } from '@pg-strata/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScript, type LockMode } from '../src/index.js';

// `lock` is checked against PostgreSQL: each statement runs inside BEGIN ...
// ROLLBACK, and the strongest lock this backend then holds on a relation that
// existed beforehand (pg_locks) must be the one the parser claims.
const db = useTestDatabase('sql_locks');

const SETUP = `
  CREATE SCHEMA app;
  CREATE TABLE u (id int PRIMARY KEY);
  CREATE TABLE t (a int PRIMARY KEY, b int, u int);
  CREATE INDEX i ON t (b);
  ALTER TABLE t ADD CONSTRAINT t_b_pos CHECK (b > 0) NOT VALID;
  CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER trg0 BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();
  CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;
  CREATE UNIQUE INDEX mv_a ON mv (a);
  CREATE TABLE parent (k int) PARTITION BY LIST (k);
  CREATE TABLE child PARTITION OF parent FOR VALUES IN (1);
  CREATE TABLE loose (k int);
`;

const STATEMENTS = [
  'ALTER TABLE t ADD COLUMN c int',
  'ALTER TABLE t ALTER COLUMN b TYPE bigint',
  'ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > 0) NOT VALID',
  'ALTER TABLE t VALIDATE CONSTRAINT t_b_pos',
  'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID',
  'ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = off)',
  'ALTER TABLE t ALTER COLUMN b SET STATISTICS 500',
  'ALTER TABLE t DISABLE TRIGGER ALL',
  'ALTER TABLE t ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE parent ATTACH PARTITION loose FOR VALUES IN (2)',
  'ALTER TABLE parent DETACH PARTITION child',
  'ALTER TABLE t RENAME COLUMN b TO b2',
  'ALTER INDEX i RENAME TO j',
  'ALTER TABLE t SET SCHEMA app',
  'CREATE INDEX i2 ON t (b)',
  'DROP INDEX i',
  'DROP TABLE u CASCADE',
  'DROP TRIGGER trg0 ON t',
  'TRUNCATE t',
  'INSERT INTO t (a) VALUES (100)',
  'UPDATE t SET b = 1 WHERE a = 1',
  'DELETE FROM t WHERE a = 1',
  'MERGE INTO t USING u ON t.u = u.id WHEN MATCHED THEN DELETE',
  'SELECT * FROM t',
  'SELECT * FROM t FOR UPDATE',
  'ANALYZE t',
  'REINDEX TABLE t',
  'CLUSTER t USING t_pkey',
  'REFRESH MATERIALIZED VIEW mv',
  'REFRESH MATERIALIZED VIEW CONCURRENTLY mv',
  'LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE',
  'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()',
  'CREATE POLICY p ON t USING (true)',
  'CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY x',
  'CREATE TABLE t3 (x int REFERENCES u (id))',
  'CREATE TABLE c2 PARTITION OF parent FOR VALUES IN (3)',
  "COMMENT ON TABLE t IS 'x'",
  "COMMENT ON COLUMN t.b IS 'x'",
  'CREATE STATISTICS s ON a, b FROM t',
];

const PG_MODES: Readonly<Record<string, LockMode>> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};
const ORDER = Object.values(PG_MODES);

describe('lock agrees with PostgreSQL', () => {
  let relations: number[] = [];
  beforeAll(async () => {
    relations = await withConnection({ url: db().url }, async (client) => {
      await client.query(SETUP);
      const r = await client.query<{ oid: number }>(
        "SELECT c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'app')",
      );
      return r.rows.map((row) => row.oid);
    });
  });

  it('for DDL, DML and maintenance statements', async () => {
    const { statements } = await parseScript(STATEMENTS.join(';\n'));
    expect(statements.map((s) => s.text)).toEqual(STATEMENTS);
    const expected = statements.map((s) => ({ sql: s.text, lock: s.lock }));
    const actual = await withConnection({ url: db().url }, async (client) => {
      const out: { sql: string; lock: LockMode | null }[] = [];
      for (const s of statements) {
        await client.query('BEGIN');
        await client.query(s.text);
        const r = await client.query<{ mode: string }>(
          "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation = ANY($1::oid[])",
          [relations],
        );
        await client.query('ROLLBACK');
        let strongest: LockMode | null = null;
        for (const { mode } of r.rows) {
          const m = PG_MODES[mode];
          if (m !== undefined && (strongest === null || ORDER.indexOf(m) > ORDER.indexOf(strongest))) strongest = m;
        }
        out.push({ sql: s.text, lock: strongest });
      }
      return out;
    });
    expect(actual).toEqual(expected);
  });
});
