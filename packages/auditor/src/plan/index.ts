import type { Snapshot } from '../snapshot.js';
import { PlanContext } from './context.js';
import { orderChanges, type Change } from './graph.js';
import { KINDS } from './kinds/registry.js';
import { analyzeTables } from './kinds/table.js';
import type { Plan, PlanHint, PlanOptions, Step } from './step.js';

export type { Plan, PlanHint, PlanOptions, Step } from './step.js';
export { renderSteps } from './render.js';
export { readableIndexDef } from './kinds/index.js';

/**
 * The ordered DDL that turns Snapshot `a` into Snapshot `b` (`up`) and `b`
 * back into `a` (`down`), dependency-ordered and with destructive steps marked.
 * Renames are never guessed: a dropped and an added column of the same type
 * become a {@link PlanHint}.
 */
export function plan(a: Snapshot, b: Snapshot, options: PlanOptions = {}): Plan {
  const hints: PlanHint[] = [];
  const up = planSteps(a, b, options, hints);
  const down = planSteps(b, a, options, []);
  return { up, down, hints };
}

/**
 * One direction: the changes of every kind (README, "How a plan is made"),
 * then the statement graph in order.
 */
export function planSteps(a: Snapshot, b: Snapshot, options: PlanOptions, hints: PlanHint[]): Step[] {
  return orderChanges(planChanges(a, b, options, hints));
}

/** The changes of every kind, in the order the kinds emitted them, each tagged with its kind and phase (before the sort). */
export function planChanges(a: Snapshot, b: Snapshot, options: PlanOptions, hints: PlanHint[]): Change[] {
  const ctx = new PlanContext(a, b, options, hints);
  analyzeTables(ctx);
  for (const kind of KINDS) {
    ctx.kind = kind.name;
    kind.plan(ctx);
  }
  return ctx.changes;
}
