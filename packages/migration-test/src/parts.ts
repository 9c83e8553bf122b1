/**
 * How the stairway's chain is cut into contiguous parts, one per database
 * run at once. A step costs more the more the schema already holds: its two
 * fingerprints read the whole catalogue, and on a quiet server they are two
 * thirds of a step's CPU at revision 120 of 200 (a step's CPU is then about
 * 1 + j/90 times that of a step at revision 0), while on a loaded machine the
 * wall time follows the round trips more than the CPU (steps at revision 150
 * took about 8% longer than at 50). A part after the first also starts
 * late, by the plain upgrade to its start (about a twentieth of a step per
 * migration). Parts are cut so that the slowest part is as quick as it can be
 * under a model between the two (1 + j/200), rather than with as many steps
 * each, which left the second of two parts finishing about a second after the
 * first (200 migrations, `bench/migrate-test.mjs`).
 */

/** Relative cost of the step at graph position `index`: a step at position 200 costs twice one at 0. */
const stepCost = (index: number): number => 1 + index / 200;
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
