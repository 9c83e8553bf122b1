import { quoteIdent } from '@pg-strata/core';
import { byCodePoint, privilegeKey, type PrivilegeDef, type PrivilegeObjectType } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn } from '../sql.js';
import { recreatedServers } from './foreign.js';
import type { PlanKind } from './kind.js';

/** What a role holds on a newly created object before any GRANT: `EXECUTE` for PUBLIC on functions, `USAGE` on languages, else nothing. */
function defaultPrivileges(e: PrivilegeDef): { privileges: string[]; grantable: string[] } {
  if (e.grantee === 'public' && e.objectType === 'language') return { privileges: ['USAGE'], grantable: [] };
  return { privileges: e.objectType === 'function' && e.grantee === 'public' ? ['EXECUTE'] : [], grantable: [] };
}

/** Whether the plan creates the object (new, or dropped and created again), which then starts with PostgreSQL's default privileges. */
function createdInPlan(ctx: PlanContext, type: PrivilegeObjectType, object: string): boolean {
  switch (type) {
    case 'schema':
      return !(object in ctx.a.schemas);
    case 'sequence':
      return !(object in ctx.a.sequences);
    case 'function':
      return !(object in ctx.a.functions) || ctx.facts.recreatedFunctions.has(object);
    case 'table':
      return ctx.facts.createdTables.has(object) || ctx.facts.rebuiltViews.has(object);
    case 'foreign data wrapper':
      return !(object in (ctx.a.foreignDataWrappers ?? {}));
    case 'server':
      return !(object in (ctx.a.foreignServers ?? {})) || recreatedServers(ctx.a, ctx.b).has(object);
    case 'language':
      return !(object in (ctx.a.languages ?? {})); // CREATE OR REPLACE LANGUAGE keeps its grants
  }
}

function privilegeTarget(ctx: PlanContext, e: PrivilegeDef): string | undefined {
  const { b } = ctx;
  switch (e.objectType) {
    case 'schema':
      return e.object in b.schemas ? `SCHEMA ${quoteIdent(e.object)}` : undefined;
    case 'sequence': {
      const sq = b.sequences[e.object];
      return sq ? `SEQUENCE ${qn(sq.schema, sq.name)}` : undefined;
    }
    case 'function': {
      const f = b.functions[e.object];
      // `ON FUNCTION agg()` for an aggregate without arguments (`agg(*)` is only for AGGREGATE).
      return f ? `${f.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${qn(f.schema, f.name)}(${f.identityArguments})` : undefined;
    }
    case 'table': {
      const rel = b.tables[e.object] ?? b.views[e.object] ?? b.materializedViews[e.object];
      return rel ? `TABLE ${qn(rel.schema, rel.name)}` : undefined;
    }
    case 'foreign data wrapper':
      return e.object in (b.foreignDataWrappers ?? {}) ? `FOREIGN DATA WRAPPER ${quoteIdent(e.object)}` : undefined;
    case 'server':
      return e.object in (b.foreignServers ?? {}) ? `FOREIGN SERVER ${quoteIdent(e.object)}` : undefined;
    case 'language':
      return b.languages?.[e.object]?.trusted ? `LANGUAGE ${quoteIdent(e.object)}` : undefined;
  }
}

/**
 * What turns the privileges `before` into `want`: the privileges to revoke,
 * the grant options to revoke (of privileges kept), the privileges to grant
 * without and with the grant option.
 */
export function grantDelta(
  before: { privileges: string[]; grantable: string[] },
  want: { privileges: string[]; grantable: string[] },
): { revoke: string[]; revokeOption: string[]; grant: string[]; grantOption: string[] } {
  const minus = (x: string[], y: string[]) => x.filter((p) => !y.includes(p));
  return {
    revoke: minus(before.privileges, want.privileges),
    revokeOption: minus(
      before.grantable.filter((p) => want.privileges.includes(p)),
      want.grantable,
    ),
    grant: minus(minus(want.privileges, want.grantable), before.privileges),
    grantOption: minus(want.grantable, before.grantable),
  };
}

/** GRANT and REVOKE to match `b`'s privileges (only with `{ privileges: true }`). */
export const privilegeKind: PlanKind = {
  name: 'privilege',
  plan(ctx: PlanContext): void {
    if (!ctx.options.privileges) return;
    const pa = ctx.a.privileges ?? {};
    const pb = ctx.b.privileges ?? {};
    const entries = new Map<string, PrivilegeDef>();
    for (const [k, e] of [...Object.entries(pa), ...Object.entries(pb)]) entries.set(k, e);
    // A new function holds PUBLIC EXECUTE even where b has it revoked (and so lists no entry).
    for (const k of Object.keys(ctx.b.functions)) {
      if (!createdInPlan(ctx, 'function', k)) continue;
      const key = privilegeKey('function', k, 'public');
      if (!entries.has(key)) entries.set(key, { objectType: 'function', object: k, grantee: 'public', privileges: [], grantable: [] });
    }
    // So does a new trusted language PUBLIC USAGE.
    for (const [k, l] of Object.entries(ctx.b.languages ?? {})) {
      const key = privilegeKey('language', k, 'public');
      if (l.trusted && createdInPlan(ctx, 'language', k) && !entries.has(key))
        entries.set(key, { objectType: 'language', object: k, grantee: 'public', privileges: [], grantable: [] });
    }
    for (const [k, e] of [...entries].sort(([x], [y]) => byCodePoint(x, y))) {
      const on = privilegeTarget(ctx, e);
      if (!on) continue; // the object goes, and its privileges with it
      const old = pa[k];
      const before = createdInPlan(ctx, e.objectType, e.object)
        ? defaultPrivileges(e)
        : { privileges: old?.privileges ?? [], grantable: old?.grantable ?? [] };
      const want = { privileges: pb[k]?.privileges ?? [], grantable: pb[k]?.grantable ?? [] };
      const who = e.grantee === 'public' ? 'PUBLIC' : quoteIdent(e.grantee);
      const { revoke, revokeOption, grant, grantOption } = grantDelta(before, want);
      if (revoke.length) ctx.emit('privileges', { sql: `REVOKE ${revoke.join(', ')} ON ${on} FROM ${who}`, destructive: false });
      if (revokeOption.length)
        ctx.emit('privileges', { sql: `REVOKE GRANT OPTION FOR ${revokeOption.join(', ')} ON ${on} FROM ${who}`, destructive: false });
      if (grant.length) ctx.emit('privileges', { sql: `GRANT ${grant.join(', ')} ON ${on} TO ${who}`, destructive: false });
      if (grantOption.length)
        ctx.emit('privileges', { sql: `GRANT ${grantOption.join(', ')} ON ${on} TO ${who} WITH GRANT OPTION`, destructive: false });
    }
  },
};
