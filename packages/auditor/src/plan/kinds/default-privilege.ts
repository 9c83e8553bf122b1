import { quoteIdent } from '@pg-strata/core';
import { defaultGrant } from '../../compare-access.js';
import type { DefaultPrivilegeDef, DefaultPrivilegeObjectType } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import type { Phase } from '../phases.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';
import { grantDelta } from './privilege.js';

type Grant = { privileges: string[]; grantable: string[] };

/**
 * `ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] GRANT / REVOKE ... ON <kind>`
 * to match `b`'s default privileges (only with `{ privileges: true }`). A grantee
 * a side does not list holds the built-in default there (nothing in a schema):
 * so a default of the whole database that revokes the built-in `EXECUTE` from
 * PUBLIC is given back by a GRANT. Defaults in a schema that goes are dropped
 * with it; the roles are not created or dropped.
 *
 * Defaults act on what is created: the privileges kind expects the objects the
 * plan creates to start with the built-in privileges. So where `a` has a default
 * that could apply to an object the plan creates (same kind; same schema, or
 * any for a default of the whole database), it is set back to the built-in one
 * first of all, and set to `b`'s at the end.
 */
export const defaultPrivilegeKind: PlanKind = {
  name: 'default privilege',
  plan(ctx: PlanContext): void {
    if (!ctx.options.privileges) return;
    const pa = ctx.a.defaultPrivileges ?? {};
    const pb = ctx.b.defaultPrivileges ?? {};
    const created = createdSchemas(ctx);
    for (const k of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort()) {
      const e = (pb[k] ?? pa[k])!;
      if (e.schema !== null && !(e.schema in ctx.b.schemas)) continue;
      const builtin = defaultGrant(undefined, e);
      const before = e.schema !== null && !(e.schema in ctx.a.schemas) ? builtin : defaultGrant(pa[k], e);
      const want = defaultGrant(pb[k], e);
      const kinds = created.get(e.objectType);
      const acts = kinds !== undefined && pa[k] !== undefined && (e.schema === null ? kinds.size > 0 : kinds.has(e.schema));
      if (acts) {
        const final = want.privileges.join() !== builtin.privileges.join() || want.grantable.length > 0;
        const why = final
          ? 'set back to the built-in default while the plan creates objects it would apply to, set again at the end'
          : 'made first: it would apply to the objects the plan creates';
        emitChange(ctx, 'pre', e, before, builtin, why);
        emitChange(ctx, 'privileges', e, builtin, want);
      } else emitChange(ctx, 'privileges', e, before, want);
    }
  },
};

/** The schemas in which the plan creates objects whose privileges a Snapshot records, by the kind of default that acts on them. */
function createdSchemas(ctx: PlanContext): Map<DefaultPrivilegeObjectType, Set<string>> {
  const { a, b, facts } = ctx;
  const out = new Map<DefaultPrivilegeObjectType, Set<string>>([
    ['tables', new Set()],
    ['sequences', new Set()],
    ['functions', new Set()],
    ['schemas', new Set()],
  ]);
  const add = (type: DefaultPrivilegeObjectType, schema: string) => out.get(type)!.add(schema);
  for (const k of [...facts.createdTables, ...facts.rebuiltViews]) {
    const rel = b.tables[k] ?? b.views[k] ?? b.materializedViews[k];
    if (rel) add('tables', rel.schema);
  }
  for (const [k, s] of sorted(b.sequences)) if (!(k in a.sequences)) add('sequences', s.schema);
  for (const [k, f] of sorted(b.functions)) if (!(k in a.functions) || facts.recreatedFunctions.has(k)) add('functions', f.schema);
  for (const s of Object.keys(b.schemas)) if (!(s in a.schemas)) add('schemas', s);
  return out;
}

function emitChange(ctx: PlanContext, phase: Phase, e: DefaultPrivilegeDef, before: Grant, want: Grant, comment?: string): void {
  const { revoke, revokeOption, grant, grantOption } = grantDelta(before, want);
  const head = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(e.role)}${e.schema === null ? '' : ` IN SCHEMA ${quoteIdent(e.schema)}`}`;
  const on = `ON ${e.objectType.toUpperCase()}`;
  const who = e.grantee === 'public' ? 'PUBLIC' : quoteIdent(e.grantee);
  const emit = (sql: string) => ctx.emit(phase, { sql: `${head} ${sql}`, destructive: false, ...(comment ? { comment } : {}) });
  if (revoke.length) emit(`REVOKE ${revoke.join(', ')} ${on} FROM ${who}`);
  if (revokeOption.length) emit(`REVOKE GRANT OPTION FOR ${revokeOption.join(', ')} ${on} FROM ${who}`);
  if (grant.length) emit(`GRANT ${grant.join(', ')} ${on} TO ${who}`);
  if (grantOption.length) emit(`GRANT ${grantOption.join(', ')} ${on} TO ${who} WITH GRANT OPTION`);
}
