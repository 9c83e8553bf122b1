import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { fixturePairs, roundTripOn } from './helpers.js';

// The fixture corpus's round trip (round-trip.test.ts) on the system
// PostgreSQL 15 as well, next to the test server, in every \`pnpm test\`.
const pairs = fixturePairs();
const PG15 = '/usr/lib/postgresql/15/bin';

describe('round trip over the fixture corpus on PostgreSQL 15', () => {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    if (!existsSync(`${PG15}/postgres`))
      throw new Error(`PostgreSQL 15 is not installed in ${PG15}: run \`apt-get update && apt-get install -y postgresql-15\`.`);
    server = await startLocalServer({ binDir: PG15 });
  });
  afterAll(async () => {
    await server?.stop();
  });
  for (const pair of pairs) {
    it.concurrent(pair.name, async () => {
      await roundTripOn(15, pair, () => createScratchDatabase(server!.url, { prefix: 'rt15' }));
    });
  }
});
