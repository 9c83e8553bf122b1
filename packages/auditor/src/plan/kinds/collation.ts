import { quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** Collations: a changed one is created again (removed ones are dropped by the removed-types kind). */
export const collationKind: PlanKind = {
  name: 'collation',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, c] of sorted(b.collations ?? {})) {
      const old = a.collations?.[k];
      if (old && deepEqual(old, { ...c, comment: old.comment })) continue;
      if (old)
        ctx.emit('dropTypes', {
          sql: `DROP COLLATION ${qn(old.schema, old.name)}`,
          destructive: false,
          comment: 'a collation cannot be altered: it is created again',
        });
      const opts = [`provider = ${c.provider}`];
      if (c.provider === 'libc') {
        if (c.lcCollate === c.lcCtype) opts.push(`locale = ${quoteLiteral(c.lcCollate ?? '')}`);
        else opts.push(`lc_collate = ${quoteLiteral(c.lcCollate ?? '')}`, `lc_ctype = ${quoteLiteral(c.lcCtype ?? '')}`);
      } else opts.push(`locale = ${quoteLiteral(c.locale ?? '')}`);
      if (!c.deterministic) opts.push('deterministic = false');
      if (c.rules) opts.push(`rules = ${quoteLiteral(c.rules)}`);
      ctx.emit('types', { sql: `CREATE COLLATION ${qn(c.schema, c.name)} (${opts.join(', ')})`, destructive: false });
    }
  },
};
