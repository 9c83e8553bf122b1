import { byCodePoint, objectKey } from '../../snapshot.js';
import { attributeNames, notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  rel: number;
  def: string;
  keys: number[] | null;
  exprcols: number[] | null;
  target: number | null;
  comment: string | null;
};

/**
 * Extended statistics objects (`CREATE STATISTICS`) on the relations read: their
 * definition as pg_get_statisticsobjdef prints it, the columns they use (also
 * those inside expressions: pg_depend) and their statistics target when set.
 */
export const statisticsKind: CatalogKind<Row> = {
  name: 'statistics object',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, s.stxname AS name, s.stxrelid::int AS rel, pg_get_statisticsobjdef(s.oid) AS def,
            s.stxkeys::int2[]::int[] AS keys, nullif(s.stxstattarget, -1)::int AS target, d.description AS comment,
            ARRAY(SELECT DISTINCT dep.refobjsubid FROM pg_depend dep WHERE dep.classid = 'pg_statistic_ext'::regclass
                     AND dep.objid = s.oid AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0)::int[] AS exprcols
       FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
       LEFT JOIN pg_description d ON d.objoid = s.oid AND d.classoid = 'pg_statistic_ext'::regclass AND d.objsubid = 0
      WHERE s.stxnamespace = ANY($1::oid[]) AND ${notExt('pg_statistic_ext', 's.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      const columns = [...new Set(attributeNames(ctx, r.rel, [...(r.keys ?? []), ...(r.exprcols ?? [])]))].sort(byCodePoint);
      (ctx.snap.statistics ??= {})[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        table: rel.key,
        definition: r.def,
        columns,
        target: r.target,
        comment: r.comment,
      };
    }
  },
};
