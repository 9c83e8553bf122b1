/**
 * How the stairway's chain is cut into contiguous parts, one per database
 * run at once. A step costs more the more the schema already holds (the
 * fingerprint reads the whole catalogue: at 200 generated migrations a step
 * at revision 200 cost about 8% more than one at revision 100 on a loaded
 * machine, more on a quiet one, where the fingerprint is a larger share), and
 * a part after the first starts late by the plain upgrade to its start
 * (about a twentieth of a step per migration). Parts are cut so that the
 * slowest part is as quick as it can be under that model, rather than with
 * as many steps each, which left the second of two parts finishing about a
 * second after the first (200 migrations, `bench/migrate-test.mjs`).
 */

/** Relative cost of the step at graph position `index`: a step at position 800 costs twice one at 0. */
const stepCost = (index: number): number => 1 + index / 800;
/** Cost of the plain upgrade a later part does first, per migration applied, relative to a step's. */
const UP_TO_COST = 0.05;

/**
 * `[from, to)` ranges of graph positions, at most `workers` of them, covering
 * `testedIdx` (ascending graph positions of the tested revisions) from
 * `first` to `end`. Every part holds at least one tested revision.
 */
export function cutParts(testedIdx: readonly number[], workers: number, first: number, end: number): [number, number][] {
  const n = testedIdx.length;
  if (n === 0) return [];
  // Greedy packing under a ceiling on each part's cost: how many parts it takes, and where they start (indexes into testedIdx).
  const pack = (ceiling: number): number[] => {
    const starts = [0];
    let cost = 0;
    for (let t = 0; t < n; t++) {
      const w = stepCost(testedIdx[t]!);
      if (t > starts[starts.length - 1]! && cost + w > ceiling) {
        starts.push(t);
        cost = UP_TO_COST * testedIdx[t]! + w;
      } else cost += w;
    }
    return starts;
  };
  let lo = 0;
  let hi = testedIdx.reduce((s, i) => s + stepCost(i), 0);
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2;
    if (pack(mid).length <= workers) hi = mid;
    else lo = mid;
  }
  const starts = pack(hi);
  return starts.map((s, k) => [k === 0 ? first : testedIdx[s]!, k + 1 < starts.length ? testedIdx[starts[k + 1]!]! : end]);
}
