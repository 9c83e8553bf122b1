import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { PlanContext } from '../context.js';
import { qn, sorted, typeName } from '../sql.js';
import type { PlanKind } from './kind.js';

/** Range types: a changed one is created again. */
export const rangeKind: PlanKind = {
  name: 'range type',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, r] of sorted(b.rangeTypes ?? {})) {
      const old = a.rangeTypes?.[k];
      if (old && deepEqual(old, { ...r, comment: old.comment })) continue;
      if (old)
        ctx.emit('dropTypes', {
          sql: `DROP TYPE ${qn(old.schema, old.name)}`,
          destructive: true,
          comment: 'a range type cannot be altered: it is created again',
        });
      const opts = [`SUBTYPE = ${r.subtype}`];
      if (r.subtypeOpclass) opts.push(`SUBTYPE_OPCLASS = ${r.subtypeOpclass}`);
      if (r.collation) opts.push(`COLLATION = ${r.collation}`);
      if (r.canonical) opts.push(`CANONICAL = ${r.canonical}`);
      if (r.subtypeDiff) opts.push(`SUBTYPE_DIFF = ${r.subtypeDiff}`);
      if (r.multirange) opts.push(`MULTIRANGE_TYPE_NAME = ${qn(r.schema, r.multirange)}`);
      ctx.emit('types', { sql: `CREATE TYPE ${qn(r.schema, r.name)} AS RANGE (${opts.join(', ')})`, destructive: false });
    }
    for (const [k, r] of sorted(a.rangeTypes ?? {}))
      if (!(k in (b.rangeTypes ?? {})))
        ctx.facts.removedTypes.push({
          key: typeName(r.schema, r.name),
          uses: [r.subtype],
          step: { sql: `DROP TYPE ${qn(r.schema, r.name)}`, destructive: true },
        });
  },
};
