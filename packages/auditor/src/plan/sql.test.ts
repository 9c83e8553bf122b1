import { describe, expect, it } from 'vitest';
import { qn, topo } from './sql.js';

describe('plan naming and ordering helpers', () => {
  it('writes public names unqualified and quotes where needed', () => {
    expect(qn('public', 'users')).toBe('users');
    expect(qn('app', 'Order')).toBe('app."Order"');
  });
  it('topo: each item after those it depends on, else by key; a cycle keeps every item', () => {
    const items = [{ key: 'c' }, { key: 'a' }, { key: 'b' }];
    const deps: Record<string, string[]> = { a: ['c'], b: [], c: [] };
    expect(topo(items, (x) => deps[x.key]!).map((x) => x.key)).toEqual(['c', 'a', 'b']);
    const cyc: Record<string, string[]> = { a: ['b'], b: ['a'], c: [] };
    expect(
      topo(items, (x) => cyc[x.key]!)
        .map((x) => x.key)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
  });
});
