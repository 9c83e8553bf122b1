import { quoteLiteral } from '@pg-strata/core';
import type { StatisticsDef } from '../../snapshot.js';
import { callsRecreatedFunction, type PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** pg_get_statisticsobjdef as a plan writes it: a statistics object in `public` unqualified, as every public object. */
export function createStatistics(s: StatisticsDef): string {
  const prefix = `CREATE STATISTICS ${qn('public', s.name)}`;
  return s.schema === 'public' ? s.definition.replace(/^CREATE STATISTICS public\.(?:"(?:[^"]|"")+"|\S+)/, prefix) : s.definition;
}

/**
 * Extended statistics objects: created once their table (or materialised view)
 * and its columns exist (phase `statistics`, near the end: nothing depends on
 * them), with their statistics target; dropped (`dropStatistics`, before
 * columns, tables and functions go) when they go or change, when a column
 * they use is dropped (PostgreSQL would drop them with it) or a function they
 * call is created again. Those of a table or materialised view the plan drops
 * go with it and, when the table is created again, come back. A new target is
 * `ALTER STATISTICS ... SET STATISTICS` (-1: the default).
 */
export const statisticsKind: PlanKind = {
  name: 'statistics object',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const sa = a.statistics ?? {};
    const sb = b.statistics ?? {};
    const gone = (rel: string) => facts.droppedTables.has(rel) || (facts.rebuiltViews.has(rel) && rel in a.materializedViews);
    const again = new Set<string>();
    for (const [k, s] of sorted(sa)) {
      const n = sb[k];
      if (gone(s.table)) {
        if (n) again.add(k);
        continue;
      }
      const columnDropped = s.columns.some((c) => facts.droppedColumns.has(`${s.table}\0${c}`));
      if (n && n.definition === s.definition && !columnDropped && !callsRecreatedFunction(ctx, s.definition)) continue;
      if (n) again.add(k);
      const why = columnDropped ? 'a column it uses is dropped' : 'its definition changes';
      ctx.emit('dropStatistics', {
        sql: `DROP STATISTICS ${qn(s.schema, s.name)}`,
        destructive: false,
        ...(n ? { comment: `${why}: the statistics object is created again` } : {}),
      });
    }
    for (const [k, s] of sorted(sb)) {
      const o = sa[k];
      const fresh = !o || again.has(k);
      const name = qn(s.schema, s.name);
      if (fresh) ctx.emit('statistics', { sql: createStatistics(s), destructive: false });
      if (s.target !== (fresh ? null : o!.target))
        ctx.emit('statistics', { sql: `ALTER STATISTICS ${name} SET STATISTICS ${s.target ?? -1}`, destructive: false });
      if (s.comment !== (fresh ? null : o!.comment))
        ctx.emit('comments', {
          sql: `COMMENT ON STATISTICS ${name} IS ${s.comment === null ? 'NULL' : quoteLiteral(s.comment)}`,
          destructive: false,
        });
    }
  },
};
