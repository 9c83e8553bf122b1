import type { PlanContext } from '../context.js';

/**
 * One kind of object the planner handles: it compares its collection of
 * `ctx.a` and `ctx.b` and emits the statements (and facts) that take one to
 * the other. Registered in registry.ts.
 */
export interface PlanKind {
  name: string;
  plan(ctx: PlanContext): void;
}
