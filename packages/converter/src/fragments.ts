import type { SqlFragment } from './types.js';

/** The same fragment in every iteration of a loop is one fragment without `iteration`. */
export function dedupeIterations(fragments: SqlFragment[]): SqlFragment[] {
  const seen = new Map<string, number>();
  const out: SqlFragment[] = [];
  for (const f of fragments) {
    const { iteration, ...rest } = f;
    const key = JSON.stringify(rest);
    const at = seen.get(key);
    if (at !== undefined) {
      const { iteration: _drop, ...kept } = out[at]!;
      void _drop;
      out[at] = kept;
      continue;
    }
    seen.set(key, out.length);
    out.push(iteration ? { ...rest, iteration } : rest);
  }
  return out;
}
