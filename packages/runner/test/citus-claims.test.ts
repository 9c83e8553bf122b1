import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { upgrade } from '@pg-strata/runner';
import { query, sqlMigration, tempMigrations } from './helpers.js';

// docs/scaling.md says how migrations are written for Citus, which this machine
// cannot run. The parts of it that are plain PostgreSQL behaviour of the runner
// are checked here, on the test server.
const db = useTestDatabase('runner_citus');
const folders: { rm(): void }[] = [];
afterAll(() => folders.forEach((f) => f.rm()));
const scratch = () => {
  const m = tempMigrations();
  folders.push(m);
  return m;
};

describe('what docs/scaling.md claims for Citus, checked on plain PostgreSQL', () => {
  it('a SET LOCAL of an extension setting (citus.multi_shard_modify_mode) holds for its own migration only', async () => {
    const url = db().url;
    const m = scratch();
    await query(url, 'CREATE SCHEMA c1; CREATE TABLE c1.seen (n int, mode text)');
    m.write(
      '0001_a.sql',
      sqlMigration(
        'c1a',
        [],
        "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';\nINSERT INTO c1.seen VALUES (1, " +
          "current_setting('citus.multi_shard_modify_mode', true));",
      ),
    );
    m.write(
      '0002_b.sql',
      sqlMigration('c1b', ['c1a'], "INSERT INTO c1.seen VALUES (2, current_setting('citus.multi_shard_modify_mode', true));"),
    );
    await upgrade({ url, migrationsDir: m.dir, schema: 'strata_c1' });
    const rows = await query<{ n: number; mode: string | null }>(url, 'SELECT n, mode FROM c1.seen ORDER BY n');
    // 2: the placeholder exists once set in the session, empty outside the transaction that set it.
    expect(rows.map((r) => [r.n, r.mode || null])).toEqual([
      [1, 'sequential'],
      [2, null],
    ]);
  });

  it(
    'a `-- transactional: false` migration runs each statement in its own transaction (what ' +
      'create_distributed_table_concurrently needs)',
    async () => {
      const url = db().url;
      const m = scratch();
      // A stand-in for a function that refuses to run inside a transaction block:
      // here, one in which an earlier statement already wrote.
      await query(
        url,
        `CREATE SCHEMA c2;
       CREATE TABLE c2.events (tenant_id int, id int);
       CREATE FUNCTION c2.needs_autocommit(t regclass) RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         IF pg_current_xact_id_if_assigned() IS NOT NULL THEN RAISE EXCEPTION '% cannot run inside a transaction block', t; END IF;
       END $$;`,
      );
      m.write(
        '0001_a.sql',
        sqlMigration(
          'c2a',
          [],
          "INSERT INTO c2.events VALUES (1, 1);\nSELECT c2.needs_autocommit('c2.events');\nCREATE INDEX " +
            'CONCURRENTLY events_tenant ON c2.events (tenant_id);',
          '',
          '-- transactional: false',
        ),
      );
      const r = await upgrade({ url, migrationsDir: m.dir, schema: 'strata_c2' });
      expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['c2a', 'applied']]);
      // And the same statements in an ordinary (transactional) migration fail, rolled back whole.
      const t = scratch();
      t.write('0001_a.sql', sqlMigration('c3a', [], "INSERT INTO c2.events VALUES (2, 2);\nSELECT c2.needs_autocommit('c2.events');"));
      const failed = await upgrade({ url, migrationsDir: t.dir, schema: 'strata_c3' });
      expect(failed.error?.message).toMatch(/cannot run inside a transaction block/);
      expect(await query(url, 'SELECT id FROM c2.events ORDER BY id')).toEqual([{ id: 1 }]);
    },
  );

  it(
    "Strata's own tables are ordinary local tables in its schema, and the run lock is an advisory " + 'lock of the database connected to',
    async () => {
      const url = db().url;
      const m = scratch();
      m.write('0001_a.sql', sqlMigration('c4a', [], 'SELECT pg_sleep(1.5);'));
      const run = upgrade({ url, migrationsDir: m.dir, schema: 'strata_c4', lockMode: 'session' });
      let held: { database: string }[] = [];
      for (let i = 0; i < 100 && held.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        held = await query(
          url,
          `SELECT d.datname AS database FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND l.granted`,
        );
      }
      await run;
      expect(held).toEqual([{ database: await query<{ d: string }>(url, 'SELECT current_database() AS d').then((r) => r[0]!.d) }]);
      const kinds = await query(
        url,
        `SELECT c.relname, c.relkind::text, c.relpersistence::text FROM pg_class c JOIN pg_namespace n ` +
          `ON n.oid = c.relnamespace WHERE n.nspname = 'strata_c4' AND c.relkind IN ('r', 'p', 'f', 'v') ` +
          `ORDER BY 1`,
      );
      expect(kinds.length).toBeGreaterThan(0);
      for (const k of kinds) expect([k.relname, k.relkind, k.relpersistence]).toEqual([k.relname, 'r', 'p']);
    },
  );
});
