// Golden harness for introspection (issue 21 splits readCatalog into one query and one
// mapper per kind; the Snapshots must not change). Every fixture script of the
// round-trip corpus (test/fixtures/*.sql) is loaded into a fresh database and
// introspected; the serialized Snapshots are compared with golden/snapshots.json.gz,
// recorded from the introspector before the split.
//
//   check:  npx vitest run packages/auditor/test/introspect-golden.test.ts
//   record: STRATA_GOLDEN=record npx vitest run packages/auditor/test/introspect-golden.test.ts
//
// The recording holds the test server's major version: re-record when the server changes.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { introspect, serializeSnapshot } from '../src/index.js';
import { fixturesDir, runSql } from './helpers.js';

const golden = new URL('./golden/snapshots.json.gz', import.meta.url);

async function snapshots(): Promise<Record<string, string>> {
  const files = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const out: Record<string, string> = {};
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const db = await createTestDatabase('intro_golden');
      try {
        await runSql(db.url, readFileSync(`${fixturesDir}${f}`, 'utf8'));
        out[f] = serializeSnapshot(await introspect(db.url));
      } finally {
        await db.drop();
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : 1)));
}

describe('introspection golden output', () => {
  it('gives the recorded Snapshot for every fixture script', async () => {
    const got = await snapshots();
    expect(Object.keys(got).length).toBeGreaterThan(150);
    if (process.env.STRATA_GOLDEN === 'record') {
      writeFileSync(golden, gzipSync(JSON.stringify(got, null, 1)));
      return;
    }
    const expected = JSON.parse(gunzipSync(readFileSync(golden)).toString('utf8')) as Record<string, string>;
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    const differ = Object.keys(got).filter((f) => got[f] !== expected[f]);
    if (differ.length) expect(got[differ[0]!], `${differ[0]} (${differ.length} differ)`).toBe(expected[differ[0]!]);
  }, 600_000);
});
