import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { useTestDatabase } from '@pg-strata/testkit';
import { readToolHistory, revisionsFromHistory, type ImportedRevision } from '../src/index.js';

// The other tools' history tables as they write them, with the rows that decide a takeover:
// Flyway's baseline, undo and failed rows, goose's rolled-back versions, Prisma's rolled-back
// and unfinished migrations, golang-migrate's dirty flag, a table in another schema.
const db = useTestDatabase('importer_history');
let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: db().url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

const chain = (tool: string, ids: string[]): ImportedRevision[] =>
  ids.map((id, i) => ({ revision: `r${i + 1}`, sourceId: id, tool, file: `${id}.sql` }));

describe('readToolHistory on real tables', () => {
  it('flyway: baseline covers what it replaced, an undo unapplies, a failed row stops the takeover', async () => {
    await client.query(
      `CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), ` +
        `description varchar(200) NOT NULL, type varchar(20) NOT NULL,
      script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, ` +
        `installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT ` +
        `NULL);
      INSERT INTO flyway_schema_history VALUES
        (1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'app', now(), 0, true),
        (2, '3', 'three', 'SQL', 'V3__three.sql', 1, 'app', now(), 1, true),
        (3, '4', 'four', 'SQL', 'V4__four.sql', 1, 'app', now(), 1, true),
        (4, '4', 'four', 'UNDO_SQL', 'U4__four.sql', 1, 'app', now(), 1, true),
        (5, NULL, 'views', 'SQL', 'R__views.sql', 1, 'app', now(), 1, true)`,
    );
    const h = await readToolHistory(client, 'flyway');
    expect(h).toMatchObject({ table: 'public.flyway_schema_history', applied: ['3', 'R:views'], baseline: '2', problems: [] });
    // V4 was undone after R ran: Strata's chain cannot hold R without V4 before it, so the takeover is refused by name...
    expect(() => revisionsFromHistory(h, chain('flyway', ['1', '2', '3', '4', 'R:views']))).toThrow(
      /has R:views applied but not 4 before it/,
    );
    // ...and once V4 is gone from the folder too, R follows V3.
    expect(revisionsFromHistory(h, chain('flyway', ['1', '2', '3', 'R:views'])).revisions).toEqual(['r4']);
    await client.query(`INSERT INTO flyway_schema_history VALUES (6, '5', 'five', 'SQL', 'V5__five.sql', 1, 'app', now(), 1, false)`);
    expect((await readToolHistory(client, 'flyway')).problems).toEqual([
      'Flyway recorded a failed migration: 5 five (run flyway repair, or finish it, first).',
    ]);
  });

  it('goose: the latest row of each version decides; version 0 is not a migration', async () => {
    await client.query(
      `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied ` +
        `boolean NOT NULL, tstamp timestamp DEFAULT now());
      INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false)`,
    );
    const h = await readToolHistory(client, 'goose');
    expect(h.applied).toEqual(['1', '2']);
    expect(revisionsFromHistory(h, chain('goose', ['1', '2', '3'])).revisions).toEqual(['r2']);
  });

  it('prisma: finished and not rolled back counts; an unfinished migration stops the takeover', async () => {
    await client.query(
      `CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, ` +
        `finished_at timestamptz, migration_name varchar(255) NOT NULL,
      logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
      INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, started_at) VALUES
        ('a', 'x', now(), '1_init', NULL, now() - interval '3 min'),
        ('b', 'x', NULL, '2_bad', now(), now() - interval '2 min'),
        ('c', 'x', now(), '2_bad', NULL, now() - interval '1 min')`,
    );
    const h = await readToolHistory(client, 'prisma');
    expect(h).toMatchObject({ applied: ['1_init', '2_bad'], problems: [] });
    await client.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('d', 'x', '3_half')`);
    expect((await readToolHistory(client, 'prisma')).problems).toEqual([
      'Prisma migration 3_half started and did not finish (prisma migrate resolve it first).',
    ]);
  });

  it('golang-migrate: the current version, and its dirty flag; a table in another schema with --history-table', async () => {
    await client.query(
      `CREATE SCHEMA ops; CREATE TABLE ops.schema_migrations (version bigint PRIMARY KEY, dirty ` +
        `boolean NOT NULL); INSERT INTO ops.schema_migrations VALUES (2, false)`,
    );
    // Found in any schema (the search path's first); --history-table names one.
    expect((await readToolHistory(client, 'golang-migrate')).table).toBe('ops.schema_migrations');
    await expect(readToolHistory(client, 'golang-migrate', { table: 'public.schema_migrations' })).rejects.toThrow(
      /No golang-migrate history table public.schema_migrations/,
    );
    const h = await readToolHistory(client, 'golang-migrate', { table: 'ops.schema_migrations' });
    expect(h).toMatchObject({ table: 'ops.schema_migrations', applied: ['2'], problems: [] });
    expect(revisionsFromHistory(h, chain('golang-migrate', ['1', '2', '3'])).revisions).toEqual(['r2']);
    await client.query('UPDATE ops.schema_migrations SET dirty = true');
    const dirty = await readToolHistory(client, 'golang-migrate', { table: 'ops.schema_migrations' });
    expect(() => revisionsFromHistory(dirty, chain('golang-migrate', ['1', '2', '3']))).toThrow(/marks version 2 dirty/);
  });
});
