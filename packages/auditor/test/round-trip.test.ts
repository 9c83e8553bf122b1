import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { fixturePairs, roundTripOn, serverMajor } from './helpers.js';

// The property that ties compare and plan together: applying plan(a, b).up to
// a database whose Snapshot is a yields one whose Snapshot compares equal to b,
// and applying .down takes it back to a. Checked on the test server (17; by
// `pnpm test:matrix` on every supported major) and, in round-trip-pg15.test.ts,
// on the system PostgreSQL 15 that CI installs. A fixture whose first line says
// `-- requires: PostgreSQL N` is checked to be refused by older servers.
const pairs = fixturePairs();
const testMajor = await serverMajor(testServerUrl());

describe('round trip over the fixture corpus', () => {
  it('has at least 40 schema pairs', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
  });
  for (const pair of pairs) {
    it.concurrent(pair.name, async () => {
      await roundTripOn(testMajor, pair, () => createTestDatabase('rt'));
    });
  }
});
