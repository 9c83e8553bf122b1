import { describe, expect, it } from 'vitest';
import { cutParts } from '../src/parts.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('cutParts: the stairway chain cut into parts that take about as long each', () => {
  it('covers every position from the first tested one to the end, contiguously, each part holding a tested revision', () => {
    for (const [tested, workers] of [
      [range(0, 200), 2],
      [range(0, 1000), 4],
      [range(150, 200), 3],
      [[3, 4, 90, 91, 150], 2],
      [[7], 4],
    ] as [number[], number][]) {
      const parts = cutParts(tested, workers, tested[0]!, 200 + 800 * Number(tested.length === 1000));
      expect(parts.length).toBeGreaterThan(0);
      expect(parts.length).toBeLessThanOrEqual(workers);
      expect(parts[0]![0]).toBe(tested[0]);
      for (let k = 1; k < parts.length; k++) expect(parts[k]![0]).toBe(parts[k - 1]![1]);
      for (const [from, to] of parts) expect(tested.some((i) => i >= from && i < to)).toBe(true);
    }
  });

  it('gives the later part, on the bigger schema and starting late, fewer steps', () => {
    const [a, b] = cutParts(range(0, 200), 2, 0, 200);
    expect(a![1] - a![0]).toBeGreaterThan(110);
    expect(a![1] - a![0]).toBeLessThan(125);
    expect(b).toEqual([a![1], 200]);
  });
});
