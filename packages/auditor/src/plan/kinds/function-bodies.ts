import type { PlanContext } from '../context.js';
import type { PlanKind } from './kind.js';

/**
 * `SET check_function_bodies = off` first of all when the plan creates an SQL
 * function before the tables it may read, as pg_dump does. Reads the other
 * kinds' changes, so it is registered last.
 */
export const functionBodiesKind: PlanKind = {
  name: 'function bodies',
  plan(ctx: PlanContext): void {
    if (!ctx.changes.some((c) => c.phase === 'functions' && /\bLANGUAGE sql\b/i.test(c.step.sql))) return;
    ctx.emit('pre', {
      sql: 'SET check_function_bodies = off',
      destructive: false,
      comment: 'SQL functions may refer to tables created further down, as pg_dump does',
    });
  },
};
