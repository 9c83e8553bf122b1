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

/**
 * The file position of character `offset` (0-based, UTF-16) of `fragment.sql`,
 * e.g. to turn a libpg-query error position into `file:line:column`. Exact for
 * `mapping: 'exact'` fragments; for approximate ones the fragment's start,
 * flagged `exact: false`. Offsets past the end are clamped.
 */
export function fragmentPosition(fragment: SqlFragment, offset: number): { line: number; column: number; exact: boolean } {
  if (fragment.mapping !== 'exact' || fragment.sql === null) return { line: fragment.loc.line, column: fragment.loc.column, exact: false };
  const text = fragment.sql.slice(0, Math.max(0, Math.min(offset, fragment.sql.length)));
  const nl = text.lastIndexOf('\n');
  if (nl === -1) return { line: fragment.loc.line, column: fragment.loc.column + text.length, exact: true };
  let lines = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return { line: fragment.loc.line + lines, column: text.length - nl, exact: true };
}
