import { PHASE_RANK, type Phase } from './phases.js';
import type { Step } from './step.js';

/** One statement of a plan, as a node of the statement graph. */
export interface Change {
  /** Where the statement goes in the order of phases. */
  phase: Phase;
  step: Step;
  /** Its position in the order the kinds emitted the changes: ties within a phase keep it. */
  seq: number;
  /** The kind that emitted it (kinds/registry.ts). */
  kind?: string;
  /** A name other changes can give in `after`. */
  id?: string;
  /** Ids of changes that must come before this one, whatever their phase. */
  after?: readonly string[];
}

/**
 * The changes in an order that applies: a topological sort of the statement
 * graph, whose edges are each change's `after` list, taking among the changes
 * ready to go the one of the lowest phase, then the one emitted first. Without
 * `after` edges that is a stable sort by phase. An edge that closes a cycle
 * (or names no change) is left out rather than lose a statement.
 */
export function orderChanges(changes: readonly Change[]): Step[] {
  const byId = new Map<string, Change>();
  for (const c of changes) if (c.id !== undefined) byId.set(c.id, c);
  const rank = (c: Change) => PHASE_RANK.get(c.phase)!;
  const before = (x: Change, y: Change) => rank(x) - rank(y) || x.seq - y.seq;
  if (!changes.some((c) => c.after?.length)) {
    // No edges: a stable sort by phase, one bucket per phase.
    const buckets: Step[][] = [];
    for (const c of [...changes].sort((x, y) => x.seq - y.seq)) (buckets[rank(c)] ??= []).push(c.step);
    return buckets.flat();
  }

  // Kahn's algorithm over the explicit edges, with (phase, seq) deciding among the ready ones.
  const waiting = new Map<Change, number>();
  const next = new Map<Change, Change[]>();
  for (const c of changes) {
    const deps = [...new Set(c.after ?? [])].map((id) => byId.get(id)).filter((d): d is Change => d !== undefined && d !== c);
    waiting.set(c, deps.length);
    for (const d of deps) next.set(d, [...(next.get(d) ?? []), c]);
  }
  const out: Step[] = [];
  const placed = new Set<Change>();
  const ready = changes.filter((c) => waiting.get(c) === 0);
  while (placed.size < changes.length) {
    if (ready.length === 0) {
      // A cycle: release its first change by (phase, seq).
      ready.push([...changes].filter((c) => !placed.has(c)).sort(before)[0]!);
    }
    ready.sort(before);
    const c = ready.shift()!;
    if (placed.has(c)) continue;
    placed.add(c);
    out.push(c.step);
    for (const n of next.get(c) ?? []) {
      const left = waiting.get(n)! - 1;
      waiting.set(n, left);
      if (left === 0 && !placed.has(n)) ready.push(n);
    }
  }
  return out;
}
