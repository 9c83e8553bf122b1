import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { fixturePairs, roundTrip } from './helpers.js';

// The property that ties compare and plan together: applying plan(a, b).up to
// a database whose Snapshot is a yields one whose Snapshot compares equal to b,
// and applying .down takes it back to a. Checked on the test server (17) and
// on the system PostgreSQL 15, which CI installs.
const pairs = fixturePairs();
const PG15 = '/usr/lib/postgresql/15/bin';

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
