import { quoteIdent } from '@pg-strata/core';
import { alterOwnerSql, ownerObject } from '../../owner-objects.js';
import type { OwnerObjectType } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

const KINDS: readonly OwnerObjectType[] = [
  'schema',
  'table',
  'view',
  'materialized view',
  'sequence',
  'type',
  'domain',
  'collation',
  'text search dictionary',
  'text search configuration',
  'event trigger',
  'publication',
];
const NAME = String.raw`(?:"(?:[^"]|"")+"|[^\s("]+)`;
/** `CREATE <kind> <name>` of any kind but functions (whose re-creation is a fact of its own). */
const CREATE = new RegExp(
  String.raw`^CREATE (?:OR REPLACE )?(?:UNLOGGED )?(${KINDS.map((k) => k.toUpperCase()).join('|')}) (${NAME}(?:\.${NAME})?)`,
);

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
    // Objects a kind creates again (a domain or composite rebuilt, a collation or text search object dropped and
    // created...), found by their CREATE statement: the kinds run before this one, so the list is complete.
    const creates = new Set<string>();
    for (const c of ctx.changes) {
      const m = CREATE.exec(c.step.sql);
      if (m) creates.add(`${m[1]} ${m[2]}`);
    }
    const createdByStep = (type: OwnerObjectType, object: string) => {
      const o = ownerObject(ctx.b, type, object);
      return o !== undefined && creates.has(`${type.toUpperCase()} ${o.schema ? qn(o.schema, o.name) : quoteIdent(o.name)}`);
    };
    const recreated = (type: OwnerObjectType, object: string) =>
      (type === 'table' && f.createdTables.has(object)) ||
      ((type === 'view' || type === 'materialized view') && f.rebuiltViews.has(object)) ||
      (type === 'function' && f.recreatedFunctions.has(object)) ||
      (type === 'publication' && f.createdPublications.has(object)) ||
      (type === 'event trigger' && f.recreatedEventTriggers.has(object)) ||
      (type !== 'function' && createdByStep(type, object));
    for (const [k, e] of sorted(ctx.b.owners ?? {})) {
      // Without the object on the other side (or without owners read there) the role that applies the plan owns it.
      if (oa[k]?.owner === e.owner && !recreated(e.objectType, e.object)) continue;
      const sql = alterOwnerSql(ctx.b, e.objectType, e.object, e.owner);
      if (sql) ctx.emit('owners', { sql, destructive: false });
    }
  },
};
