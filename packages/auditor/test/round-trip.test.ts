import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@strata/testkit';
import { createScratchDatabase, startLocalServer, type LocalServer, type ScratchDatabase } from '@strata/pg-server';
import { compare, introspect, plan, renderSteps, type Snapshot } from '../src/index.js';
import { applySteps, fixturePairs, runSql } from './helpers.js';

// The property that ties compare and plan together: applying plan(a, b).up to
// a database whose Snapshot is a yields one whose Snapshot compares equal to b,
// and applying .down takes it back to a. Checked on the test server (17) and
// on the system PostgreSQL 15, which CI installs.
const pairs = fixturePairs();
const PG15 = '/usr/lib/postgresql/15/bin';

function columnsByName(s: Snapshot): Snapshot {
  const copy = structuredClone(s);
  for (const t of Object.values(copy.tables)) t.columns.sort((x, y) => (x.name < y.name ? -1 : 1));
  return copy;
}

async function roundTrip(a: string, b: string, newDb: () => Promise<ScratchDatabase>): Promise<void> {
  const dbA = await newDb();
  const dbB = await newDb();
  try {
    await runSql(dbA.url, a);
    await runSql(dbB.url, b);
    const sa = await introspect(dbA.url);
    const sb = await introspect(dbB.url);
    expect(compare(sa, sb).length, 'the two sides of a fixture must differ').toBeGreaterThan(0);
    const p = plan(sa, sb);

    await applySteps(dbA.url, p.up);
    const afterUp = await introspect(dbA.url);
    expect(compare(afterUp, sb, { left: 'after up', right: 'b' }), renderSteps(p.up)).toEqual([]);
    // Beyond compare: the Snapshots are deep-equal, up to column order (ADD COLUMN appends).
    expect(columnsByName(afterUp)).toEqual(columnsByName(sb));

    await applySteps(dbA.url, p.down);
    const afterDown = await introspect(dbA.url);
    expect(compare(afterDown, sa, { left: 'after down', right: 'a' }), renderSteps(p.down)).toEqual([]);
  } finally {
    await dbA.drop();
    await dbB.drop();
  }
}

describe('round trip over the fixture corpus', () => {
  it('has at least 40 schema pairs', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
  });
  for (const pair of pairs) {
    it.concurrent(pair.name, async () => {
      await roundTrip(pair.a, pair.b, () => createTestDatabase('rt'));
    });
  }
});

describe('round trip over the fixture corpus on PostgreSQL 15', () => {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    if (!existsSync(`${PG15}/postgres`)) throw new Error(`PostgreSQL 15 is not installed in ${PG15}: run \`apt-get update && apt-get install -y postgresql-15\`.`);
    server = await startLocalServer({ binDir: PG15 });
  });
  afterAll(async () => {
    await server?.stop();
  });
  for (const pair of pairs) {
    it.concurrent(pair.name, async () => {
      await roundTrip(pair.a, pair.b, () => createScratchDatabase(server!.url, { prefix: 'rt15' }));
    });
  }
});
