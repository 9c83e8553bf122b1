import { alterOwnerSql } from '../../owner-objects.js';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/**
 * `ALTER ... OWNER TO` to match `b`'s owners (only with `{ owners: true }`):
 * where the owner differs, and on every object the plan creates or creates
 * again (it starts owned by the role that applies the plan). After comments,
 * before grants. Roles are not created.
 */
export const ownerKind: PlanKind = {
  name: 'owner',
  plan(ctx: PlanContext): void {
    if (!ctx.options.owners) return;
    const oa = ctx.a.owners ?? {};
    const f = ctx.facts;
    const recreated = (type: string, object: string) =>
      (type === 'table' && f.createdTables.has(object)) ||
      ((type === 'view' || type === 'materialized view') && f.rebuiltViews.has(object)) ||
      (type === 'function' && f.recreatedFunctions.has(object)) ||
      (type === 'type' && (f.recreatedComposites.has(object) || f.rebuiltEnums.has(object))) ||
      (type === 'publication' && f.createdPublications.has(object)) ||
      (type === 'event trigger' && f.recreatedEventTriggers.has(object));
    for (const [k, e] of sorted(ctx.b.owners ?? {})) {
      // Without the object on the other side (or without owners read there) the role that applies the plan owns it.
      if (oa[k]?.owner === e.owner && !recreated(e.objectType, e.object)) continue;
      const sql = alterOwnerSql(ctx.b, e.objectType, e.object, e.owner);
      if (sql) ctx.emit('owners', { sql, destructive: false });
    }
  },
};
