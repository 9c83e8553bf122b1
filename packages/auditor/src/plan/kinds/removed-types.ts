import type { PlanContext } from '../context.js';
import { qn, sorted, topo } from '../sql.js';
import type { PlanKind } from './kind.js';

/**
 * Types of `a` that `b` has not (listed by the enum, range, domain and composite
 * kinds), dropped at the end, each before the types it is built on (a domain over
 * an enum, a composite with a domain attribute); then removed collations.
 */
export const removedTypesKind: PlanKind = {
  name: 'removed types',
  plan(ctx: PlanContext): void {
    const removed = ctx.facts.removedTypes;
    // Each after the removed types built on it: ordered by "is used by", so topo puts users first.
    const usedBy = (name: string) => removed.filter((r) => r.uses.some((u) => u.replace(/(\[\])+$/, '') === name)).map((r) => r.key);
    for (const r of topo(removed, (r) => usedBy(r.key))) ctx.emit('dropRemovedTypes', r.step);
    for (const [k, c] of sorted(ctx.a.collations ?? {}))
      if (!(k in (ctx.b.collations ?? {})))
        ctx.emit('dropRemovedTypes', { sql: `DROP COLLATION ${qn(c.schema, c.name)}`, destructive: false });
  },
};
