import { StrataError } from '@pg-strata/core';
import { multipleHeadsError, type RevisionGraph } from './revision-graph.js';
import type { MigrationFile } from './types.js';

function relative(target: string): number | undefined {
  const m = /^([+-])(\d+)$/.exec(target.trim());
  if (!m) return undefined;
  const n = Number(m[2]);
  // +0 / -0 would be a run that does nothing and reports success.
  if (n === 0)
    throw new StrataError('USAGE', `'${target.trim()}' is not a step count: use ${m[1]}N with N of 1 or more.`, {
      meta: { target: target.trim() },
    });
  return (m[1] === '-' ? -1 : 1) * n;
}

/**
 * The migrations to apply, in execution order, to reach `target` from the
 * applied set: `head` (the single head), `heads`, a revision id or prefix
 * (it and its ancestors), or `+N` (the next N pending migrations).
 */
export function planUpgrade(graph: RevisionGraph, applied: ReadonlySet<string>, target = 'head'): MigrationFile[] {
  const pending = (wanted: Set<string>) => graph.order.filter((m) => wanted.has(m.revision) && !applied.has(m.revision));
  const t = target.trim();
  if (t === 'head') {
    if (graph.heads.length > 1) throw multipleHeadsError(graph);
    return graph.heads.length === 0 ? [] : pending(graph.ancestors(graph.heads[0]!));
  }
  if (t === 'heads') {
    const all = new Set<string>();
    for (const h of graph.heads) for (const a of graph.ancestors(h)) all.add(a);
    return pending(all);
  }
  if (t === 'base') return [];
  const n = relative(t);
  if (n !== undefined) {
    if (n < 0) throw new StrataError('USAGE', `'${t}' goes backwards: use downgrade (strata down ${t}).`, { meta: { target: t } });
    const all = graph.order.filter((m) => !applied.has(m.revision));
    if (n > all.length)
      throw new StrataError('USAGE', `Cannot apply ${n} migrations: only ${all.length} ${all.length === 1 ? 'is' : 'are'} pending.`, {
        meta: { target: t, pending: all.length },
      });
    return all.slice(0, n);
  }
  return pending(graph.ancestors(graph.resolve(t).revision));
}

/**
 * The migrations to revert, in execution order (newest first), to reach
 * `target`: `-N` (default `-1`: the N newest applied heads, one at a time),
 * `base` (everything), or a revision id or prefix (every applied descendant
 * of it is reverted; it stays applied).
 */
export function planDowngrade(graph: RevisionGraph, applied: ReadonlySet<string>, target = '-1'): MigrationFile[] {
  const t = target.trim();
  const newestFirst = (set: Set<string>) => graph.order.filter((m) => set.has(m.revision)).reverse();
  if (t === 'base') return newestFirst(new Set(applied));
  if (t === 'head' || t === 'heads')
    throw new StrataError('USAGE', `'${t}' is not a downgrade target: use a revision, -N or base.`, { meta: { target: t } });
  const n = relative(t);
  if (n !== undefined) {
    if (n > 0) throw new StrataError('USAGE', `'${t}' goes forwards: use upgrade (strata up ${t}).`, { meta: { target: t } });
    const steps = -n;
    if (steps > applied.size)
      throw new StrataError(
        'USAGE',
        `Cannot revert ${steps} migrations: only ${applied.size} ${applied.size === 1 ? 'is' : 'are'} applied.`,
        { meta: { target: t, applied: applied.size } },
      );
    const remaining = new Set(applied);
    const out: MigrationFile[] = [];
    for (let i = 0; i < steps; i++) {
      const head = graph.headsOf(remaining).at(-1)!;
      remaining.delete(head);
      out.push(graph.get(head)!);
    }
    return out;
  }
  const rev = graph.resolve(t).revision;
  if (!applied.has(rev)) {
    throw new StrataError(
      'USAGE',
      `Cannot downgrade to ${rev} (${graph.get(rev)!.file}): it is not applied. Use 'base' to revert everything.`,
      { meta: { target: rev } },
    );
  }
  const revert = new Set([...graph.descendants(rev, false)].filter((r) => applied.has(r)));
  return newestFirst(revert);
}

/** The version-table change of one step: heads removed and added. */
export interface HeadsChange {
  remove: string[];
  add: string[];
}

/**
 * How the heads change when `revision` is applied (`up`) or reverted (`down`),
 * given the (ancestor-closed) applied set before the step. O(parents x
 * children), not O(graph): a run of a thousand steps must not be quadratic.
 */
export function headsChange(graph: RevisionGraph, applied: ReadonlySet<string>, revision: string, direction: 'up' | 'down'): HeadsChange {
  const parents = graph.get(revision)?.parents ?? [];
  // A parent is a head exactly when none of its children other than `revision` is applied.
  const parentHeads = parents.filter((p) => !graph.children(p).some((c) => c !== revision && applied.has(c)));
  return direction === 'up' ? { remove: parentHeads, add: [revision] } : { remove: [revision], add: parentHeads };
}
