import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { objectKey, type PolicyDef } from '../../snapshot.js';
import { disturbed, type PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

function roles(p: PolicyDef): string {
  return p.roles.map((r) => (r === 'public' ? 'PUBLIC' : quoteIdent(r))).join(', ');
}

export function createPolicy(p: PolicyDef): string {
  let s = `CREATE POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`;
  if (!p.permissive) s += ' AS RESTRICTIVE';
  if (p.command !== 'all') s += ` FOR ${p.command.toUpperCase()}`;
  if (!(p.roles.length === 1 && p.roles[0] === 'public')) s += ` TO ${roles(p)}`;
  if (p.using !== null) s += ` USING (${p.using})`;
  if (p.withCheck !== null) s += ` WITH CHECK (${p.withCheck})`;
  return s;
}

/** Row-security policies: `ALTER POLICY` where it can (roles, USING, WITH CHECK), else dropped and created again. */
export const policyKind: PlanKind = {
  name: 'policy',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const recreate = new Set<string>();
    for (const [k, p] of sorted(a.policies)) {
      const tk = objectKey(p.schema, p.table);
      const n = b.policies[k];
      if (facts.droppedTables.has(tk)) {
        if (n) recreate.add(k);
        continue;
      }
      const text = `${p.using ?? ''} ${p.withCheck ?? ''}`;
      const needsDrop =
        !n ||
        n.permissive !== p.permissive ||
        n.command !== p.command ||
        (p.using !== null && n.using === null) ||
        (p.withCheck !== null && n.withCheck === null) ||
        disturbed(ctx, tk, text);
      if (needsDrop) {
        if (n) recreate.add(k);
        ctx.emit('dropPolicies', { sql: `DROP POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`, destructive: false });
      }
    }
    for (const [k, p] of sorted(b.policies)) {
      const o = a.policies[k];
      if (!o || recreate.has(k)) {
        facts.recreatedPolicies.add(k);
        ctx.emit('policies', { sql: createPolicy(p), destructive: false });
        continue;
      }
      const parts: string[] = [];
      if (!deepEqual(o.roles, p.roles)) parts.push(`TO ${roles(p)}`);
      if (o.using !== p.using && p.using !== null) parts.push(`USING (${p.using})`);
      if (o.withCheck !== p.withCheck && p.withCheck !== null) parts.push(`WITH CHECK (${p.withCheck})`);
      if (parts.length)
        ctx.emit('policies', {
          sql: `ALTER POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)} ${parts.join(' ')}`,
          destructive: false,
        });
    }
  },
};
