import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@strata/testkit';
import { compare, introspect, plan, renderSteps, type Snapshot } from '../src/index.js';
import { applySteps, fixturePairs, runSql } from './helpers.js';

// The property that ties compare and plan together: applying plan(a, b).up to
// a database whose Snapshot is a yields one whose Snapshot compares equal to b,
// and applying .down takes it back to a.
const pairs = fixturePairs();

describe('round trip over the fixture corpus', () => {
  it('has at least 40 schema pairs', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
  });

  for (const pair of pairs) {
    it.concurrent(pair.name, async () => {
      const dbA = await createTestDatabase('rt_a');
      const dbB = await createTestDatabase('rt_b');
      try {
        await runSql(dbA.url, pair.a);
        await runSql(dbB.url, pair.b);
        const a = await introspect(dbA.url);
        const b = await introspect(dbB.url);
        expect(compare(a, b).length, 'the two sides of a fixture must differ').toBeGreaterThan(0);
        const p = plan(a, b);

        await applySteps(dbA.url, p.up);
        const afterUp = await introspect(dbA.url);
        expect(compare(afterUp, b, { left: 'after up', right: 'b' }), renderSteps(p.up)).toEqual([]);
        // Beyond compare: the Snapshots are deep-equal, up to column order (ADD COLUMN appends).
        expect(columnsByName(afterUp)).toEqual(columnsByName(b));

        await applySteps(dbA.url, p.down);
        const afterDown = await introspect(dbA.url);
        expect(compare(afterDown, a, { left: 'after down', right: 'a' }), renderSteps(p.down)).toEqual([]);
      } finally {
        await dbA.drop();
        await dbB.drop();
      }
    });
  }
});

function columnsByName(s: Snapshot): Snapshot {
  const copy = structuredClone(s);
  for (const t of Object.values(copy.tables)) t.columns.sort((x, y) => (x.name < y.name ? -1 : 1));
  return copy;
}
