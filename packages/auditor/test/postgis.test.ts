import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { compare, introspect, plan, type Snapshot } from '../src/index.js';
import { applySteps, runSql } from './helpers.js';

// PostGIS from Debian's postgresql-15-postgis-3, against the system PostgreSQL 15
// (CI's script installs it). Missing PostGIS is a failure, not a skip: the
// promise "extension-owned objects never appear" must be checked somewhere.
const BIN_DIR = '/usr/lib/postgresql/15/bin';
const POSTGIS_CONTROL = '/usr/share/postgresql/15/extension/postgis.control';

describe('PostGIS on PostgreSQL 15', () => {
  let server: LocalServer | undefined;

  beforeAll(async () => {
    if (!existsSync(`${BIN_DIR}/postgres`))
      throw new Error(
        `PostgreSQL 15 is not installed in ${BIN_DIR}: run \`apt-get update && apt-get install -y postgresql-15 postgresql-15-postgis-3\`.`,
      );
    if (!existsSync(POSTGIS_CONTROL))
      throw new Error('PostGIS is not installed for PostgreSQL 15: run `apt-get update && apt-get install -y postgresql-15-postgis-3`.');
    server = await startLocalServer({ binDir: BIN_DIR });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const MODELS = `
    CREATE EXTENSION postgis;
    CREATE EXTENSION postgis_topology;
    CREATE TABLE places (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      geom geometry(Point,4326) NOT NULL,
      area geography(Polygon,4326),
      path geometry(LineStringZ,3857)
    );
    CREATE INDEX places_geom_idx ON places USING gist (geom);
    CREATE VIEW named_places AS SELECT id, name, ST_AsText(geom) AS wkt FROM places;`;

  it('keeps geometry types exactly and leaves every extension-owned object out of snapshot, drift and plan', async () => {
    const withGis = await createScratchDatabase(server!.url, { prefix: 'gis_models' });
    const empty = await createScratchDatabase(server!.url, { prefix: 'gis_empty' });
    try {
      await runSql(withGis.url, MODELS);
      const models = await introspect(withGis.url);
      expect(models.server.major).toBe(15);
      const places = models.tables['public.places']!;
      expect(places.columns.map((c) => [c.name, c.type])).toEqual([
        ['id', 'bigint'],
        ['name', 'text'],
        ['geom', 'geometry(Point,4326)'],
        ['area', 'geography(Polygon,4326)'],
        ['path', 'geometry(LineStringZ,3857)'],
      ]);
      expect(Object.keys(models.tables)).toEqual(['public.places']);
      expect(Object.keys(models.schemas)).toEqual(['public']); // not topology
      expect(Object.keys(models.functions)).toEqual([]);
      expect(Object.keys(models.views)).toEqual(['public.named_places']);
      expect(Object.keys(models.extensions).sort()).toEqual(['postgis', 'postgis_topology']);
      assertNoExtensionObjects(JSON.stringify(models));

      const production = await introspect(empty.url);
      const drift = compare(production, models, { left: 'production', right: 'the models' });
      expect(drift.map((d) => d.message)).toEqual([
        'production is missing the extension postgis that the models define',
        'production is missing the extension postgis_topology that the models define',
        'production is missing the table places that the models define',
        'production is missing the index places_geom_idx that the models define',
        'production is missing the view named_places that the models define',
      ]);

      const p = plan(production, models);
      const sql = p.up.map((s) => s.sql);
      assertNoExtensionObjects(JSON.stringify(p));
      expect(sql.slice(0, 4)).toEqual([
        'CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public',
        'CREATE SCHEMA IF NOT EXISTS topology',
        'CREATE EXTENSION IF NOT EXISTS postgis_topology WITH SCHEMA topology',
        'CREATE TABLE places (\n    id bigint GENERATED ALWAYS AS IDENTITY,\n    name text NOT ' +
          'NULL,\n    geom geometry(Point,4326) NOT NULL,\n    area geography(Polygon,4326),\n    path ' +
          'geometry(LineStringZ,3857),\n    CONSTRAINT places_pkey PRIMARY KEY (id)\n)',
      ]);

      await applySteps(empty.url, p.up);
      expect(compare(await introspect(empty.url), models)).toEqual([]);
      await applySteps(empty.url, p.down);
      const back = await introspect(empty.url);
      expect(compare(back, production)).toEqual([]);
      expect(Object.keys(back.extensions)).toEqual([]);
    } finally {
      await withGis.drop();
      await empty.drop();
    }
  });
});

function assertNoExtensionObjects(json: string): void {
  expect(json).not.toMatch(/spatial_ref_sys/);
  expect(json).not.toMatch(/"public\.st_[a-z]+\(/i); // no PostGIS function as an object or a dependency (the view's text calls st_astext)
  expect(json).not.toMatch(/"topology\./);
  expect(json).not.toMatch(/geometry_columns/);
}

export type { Snapshot };
