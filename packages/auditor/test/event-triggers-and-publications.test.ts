import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { compare, introspect, plan, type Snapshot } from '../src/index.js';
import { fixturePairs, introspectPair, roundTrip, runSql, serverMajor } from './helpers.js';

// The round trips of these kinds are fixtures 93-95 of the corpus (round-trip.test.ts);
// here: the sentences compare writes, and where the plan puts their statements.
const fixture = (prefix: string) => fixturePairs().find((p) => p.name.startsWith(prefix))!;

async function snapshots(prefix: string): Promise<[Snapshot, Snapshot]> {
  const pair = fixture(prefix);
  return await introspectPair(pair.a, pair.b, 'evpub');
}

const sql = (steps: { sql: string }[]) => steps.map((s) => s.sql);
// Fixtures 94 and 95 use PostgreSQL 15's column lists, row filters and
// FOR TABLES IN SCHEMA; older servers (`pnpm test:matrix`) get the publications
// they can hold instead, which the introspector reads without 15's catalogs.
const major = await serverMajor(testServerUrl());

describe('event triggers', () => {
  let a: Snapshot;
  let b: Snapshot;
  beforeAll(async () => {
    [a, b] = await snapshots('93-');
  });

  it('are read with their event, tags, function, state and comment', () => {
    expect(a.eventTriggers.track_tables).toEqual({
      name: 'track_tables',
      event: 'ddl_command_start',
      tags: ['CREATE TABLE'],
      function: 'audit.note_ddl()',
      enabled: 'O',
      comment: null,
    });
    expect(b.eventTriggers['New Guard']).toEqual({
      name: 'New Guard',
      event: 'ddl_command_start',
      tags: ['DROP TABLE'],
      function: 'public.new_guard()',
      enabled: 'R',
      comment: 'watches drops',
    });
  });

  it('are compared in sentences', () => {
    const messages = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => d.objectType === 'event trigger')
      .map((d) => `${d.severity}: ${d.message}`);
    expect(messages).toEqual([
      'error: production is missing the event trigger New Guard that the models define',
      'error: production has an extra event trigger guard that the models do not define',
      'warning: event trigger quiet is disabled in production but enabled in the models',
      'warning: event trigger rewrites is disabled in production but enabled always in the models',
      'warning: event trigger track_ddl is enabled in production but disabled in the models',
      'info: event trigger track_ddl has a different comment in production than in the models',
      'error: event trigger track_drops executes audit.note_ddl() in production but audit.note_drop() in the models',
      'error: event trigger track_tables fires for tags (CREATE TABLE) in production but for tags ' +
        '(ALTER TABLE, CREATE TABLE) in the models',
    ]);
  });

  it('are dropped or disabled before anything else and created last, after their functions', () => {
    const up = sql(plan(a, b).up);
    expect(up.slice(0, 4)).toEqual([
      'DROP EVENT TRIGGER guard',
      'DROP EVENT TRIGGER track_drops',
      'DROP EVENT TRIGGER track_tables',
      'ALTER EVENT TRIGGER track_ddl DISABLE',
    ]);
    expect(up.indexOf('DROP FUNCTION old_guard()')).toBeGreaterThan(up.indexOf('DROP EVENT TRIGGER guard'));
    expect(up.slice(up.indexOf('ALTER TABLE things ADD COLUMN name text') + 1)).toEqual([
      `CREATE EVENT TRIGGER "New Guard" ON ddl_command_start WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION new_guard()`,
      'ALTER EVENT TRIGGER "New Guard" ENABLE REPLICA',
      'ALTER EVENT TRIGGER quiet ENABLE',
      'ALTER EVENT TRIGGER rewrites ENABLE ALWAYS',
      'CREATE EVENT TRIGGER track_drops ON sql_drop EXECUTE FUNCTION audit.note_drop()',
      `CREATE EVENT TRIGGER track_tables ON ddl_command_start WHEN TAG IN ('ALTER TABLE', 'CREATE ` +
        `TABLE') EXECUTE FUNCTION audit.note_ddl()`,
      `COMMENT ON EVENT TRIGGER "New Guard" IS 'watches drops'`,
      `COMMENT ON EVENT TRIGGER track_ddl IS 'every DDL command, when switched on'`,
    ]);
  });
});

if (major >= 15) {
  describe('publications', () => {
    let a: Snapshot;
    let b: Snapshot;
    beforeAll(async () => {
      [a, b] = await snapshots('94-');
    });

    it('are read with their tables (column lists, row filters), schemas and options', () => {
      expect(a.publications.shop).toEqual({
        name: 'shop',
        allTables: false,
        tables: [
          { table: 'sales.customers', columns: null, where: null },
          { table: 'sales.orders', columns: ['id', 'total'], where: '(total > (0)::numeric)' },
        ],
        schemas: [],
        publish: ['insert', 'update'],
        viaPartitionRoot: false,
        comment: null,
      });
      expect(b.publications['Fresh Pub']).toMatchObject({
        allTables: false,
        tables: [{ table: 'sales.customers', columns: null, where: null }],
        schemas: ['archive'],
      });
      expect(a.publications.everything).toMatchObject({
        allTables: true,
        tables: [],
        schemas: [],
        publish: ['insert', 'update', 'delete', 'truncate'],
      });
    });

    it('are compared in sentences', () => {
      const messages = compare(a, b, { left: 'production', right: 'the models' })
        .filter((d) => d.objectType === 'publication')
        .map((d) => d.message);
      expect(messages).toEqual([
        'production is missing the publication Fresh Pub that the models define',
        'publication archive_pub publishes the tables in schema archive in production but not in the models',
        'publication archive_pub does not publish the tables in schema sales in production but does in the models',
        'publication empty_pub does not publish table audit_log in production but does in the models',
        'publication empty_pub publishes insert, update, delete, truncate in production but truncate in the models',
        'production has an extra publication everything that the models do not define',
        'publication feed publishes all tables in production but a list of tables in the models',
        'publication feed does not publish table audit_log in production but does in the models',
        'publication feed does not publish the tables in schema sales in production but does in the models',
        'publication feed has a comment in production but none in the models',
        'publication shop publishes table sales.orders (id, total) WHERE (total > (0)::numeric) in ' +
          'production but table sales.orders (id, region, total) WHERE (total > (100)::numeric) in the ' +
          'models',
        'publication shop publishes insert, update in production but insert, update, delete in the models',
        'publication shop publishes the changes of partitions as their own in production but as their ' +
          "partitioned table's (publish_via_partition_root) in the models",
        'publication shop has no comment in production but has one in the models',
      ]);
    });

    it('are altered with ADD, DROP and SET, and created again to switch FOR ALL TABLES', () => {
      expect(sql(plan(a, b).up)).toEqual([
        'DROP PUBLICATION everything',
        'DROP PUBLICATION feed',
        'ALTER PUBLICATION archive_pub DROP TABLES IN SCHEMA archive',
        'CREATE PUBLICATION "Fresh Pub" FOR TABLE sales.customers, TABLES IN SCHEMA archive',
        'ALTER PUBLICATION archive_pub ADD TABLES IN SCHEMA sales',
        `ALTER PUBLICATION empty_pub SET (publish = 'truncate')`,
        'ALTER PUBLICATION empty_pub ADD TABLE audit_log (id) WHERE (id > 0)',
        `CREATE PUBLICATION feed FOR TABLE audit_log, TABLES IN SCHEMA sales WITH (publish = 'insert')`,
        `ALTER PUBLICATION shop SET (publish = 'insert, update, delete', publish_via_partition_root = true)`,
        'ALTER PUBLICATION shop SET TABLE sales.customers, TABLE sales.orders (id, region, total) WHERE (total > (100)::numeric)',
        `COMMENT ON PUBLICATION shop IS 'orders for the warehouse'`,
      ]);
    });

    it('let go of a table before it or a column they name is dropped or changes type, and take it back after', async () => {
      const [c, d] = await snapshots('95-');
      const up = sql(plan(c, d).up);
      const at = (s: string) => {
        const i = up.indexOf(s);
        expect(i, s).toBeGreaterThanOrEqual(0);
        return i;
      };
      const letGo = Math.max(
        at('ALTER PUBLICATION metrics_pub DROP TABLE metrics'),
        at('ALTER PUBLICATION shop DROP TABLE events, old_log, orders'),
      );
      // events is created again and old_log removed: one DROP TABLE.
      for (const s of [
        'DROP TABLE events, old_log',
        'ALTER TABLE orders DROP COLUMN note',
        'ALTER TABLE metrics ALTER COLUMN value TYPE bigint',
      ])
        expect(at(s)).toBeGreaterThan(letGo);
      expect(up.slice(-2)).toEqual([
        'ALTER PUBLICATION metrics_pub ADD TABLE metrics (id, value) WHERE (value > 0)',
        'ALTER PUBLICATION shop ADD TABLE events, TABLE orders (id, total) WHERE (total > (0)::numeric)',
      ]);
    });
  });

  describe('event triggers and publications in a Snapshot', () => {
    let db: ScratchDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('evpub');
      await runSql(db.url, `${fixture('93-').a}\n${fixture('94-').a}`);
    });
    afterAll(async () => {
      await db.drop();
    });

    it('belong to the database: a schema filter keeps them, name patterns narrow them', async () => {
      const onlyArchive = await introspect(db.url, { schemas: ['archive'] });
      expect(Object.keys(onlyArchive.publications)).toEqual(['archive_pub', 'empty_pub', 'everything', 'feed', 'shop']);
      expect(Object.keys(onlyArchive.eventTriggers)).toEqual(['guard', 'quiet', 'rewrites', 'track_ddl', 'track_drops', 'track_tables']);
      const narrowed = await introspect(db.url, { exclude: ['track_*', 'every*'] });
      expect(Object.keys(narrowed.publications)).toEqual(['archive_pub', 'empty_pub', 'feed', 'shop']);
      expect(Object.keys(narrowed.eventTriggers)).toEqual(['guard', 'quiet', 'rewrites']);
    });
  });
} else {
  describe('publications before PostgreSQL 15', () => {
    const a =
      'CREATE TABLE orders (id int PRIMARY KEY, total numeric); CREATE TABLE notes (id int); CREATE PUBLICATION shop FOR TABLE orders;';
    const b = `CREATE TABLE orders (id int PRIMARY KEY, total numeric); CREATE TABLE notes (id int);
      CREATE PUBLICATION shop FOR TABLE orders, notes WITH (publish = 'insert, update');
      CREATE PUBLICATION everything FOR ALL TABLES;`;

    it('are read with their tables and options, without the catalogs PostgreSQL 15 added', async () => {
      const [, sb] = await introspectPair(a, b, 'evpub');
      expect(Object.keys(sb.publications)).toEqual(['everything', 'shop']);
      expect(sb.publications.shop).toMatchObject({ name: 'shop', allTables: false, schemas: [] });
      expect(sb.publications.shop!.tables.map((t) => [t.table, t.columns, t.where])).toEqual([
        ['public.notes', null, null],
        ['public.orders', null, null],
      ]);
    });

    it('go there and back', async () => {
      await roundTrip(a, b, () => createTestDatabase('evpub'));
    });
  });
}

describe('event triggers in a Snapshot', () => {
  it('leave out an event trigger an extension owns', async () => {
    const other = await createTestDatabase('evpub');
    try {
      // plpgsql is in every database; an extension's script would do the same with its own event trigger.
      await runSql(other.url, `${fixture('93-').a}\nALTER EXTENSION plpgsql ADD EVENT TRIGGER guard;`);
      expect(Object.keys((await introspect(other.url)).eventTriggers)).toEqual([
        'quiet',
        'rewrites',
        'track_ddl',
        'track_drops',
        'track_tables',
      ]);
    } finally {
      await other.drop();
    }
  });
});
