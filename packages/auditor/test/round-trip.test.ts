import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@strata/testkit';
import { compare, introspect, plan, renderSteps } from '../src/index.js';
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
        expect(afterUp).toEqual(b);

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
