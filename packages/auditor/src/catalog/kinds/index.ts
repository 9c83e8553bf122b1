import { canonicalExpression } from '../../expression-canon.js';
import { objectKey } from '../../snapshot.js';
import { attributeNames, notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  rel: number;
  def: string;
  method: string;
  unique: boolean;
  valid: boolean;
  pred: string | null;
  nums: number[];
  exprs: string[] | null;
  nkey: number;
  comment: string | null;
};

/** Indexes that do not back a constraint, of tables and materialised views (not a partition's copy). */
export const indexKind: CatalogKind<Row> = {
  name: 'index',
  params: 'namespaces',
  // pg_get_indexdef is the slowest call of introspection (it opens the table, cold in a new session): an index of plain
  // columns with default operator classes, collations and order, no INCLUDE, options or NULLS NOT DISTINCT is written
  // here as PostgreSQL writes it; every other index still gets pg_get_indexdef's own text.
  sql: ({ major }) =>
    `SELECT n.nspname AS schema, ic.relname AS name, i.indrelid::int AS rel, am.amname AS method,
            CASE WHEN p.simple THEN 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                   || ' ON ' || quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || ' USING ' || quote_ident(am.amname) || ' ('
                   || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) || ')' || COALESCE(' WHERE ' || p.pred, '')
                 ELSE pg_get_indexdef(i.indexrelid) END AS def,
            i.indisunique AS unique, i.indisvalid AS valid, p.pred,
            i.indkey::int2[]::int[] AS nums,
            CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, ` +
    `true) FROM generate_series(1, i.indnatts) k ORDER BY k)::text[] END AS exprs,
            i.indnkeyatts AS nkey, d.description AS comment
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
       JOIN pg_am am ON am.oid = ic.relam JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
       CROSS JOIN LATERAL (SELECT pg_get_expr(i.indpred, i.indrelid) AS pred,
              i.indexprs IS NULL AND i.indnatts = i.indnkeyatts AND ic.reloptions IS NULL AND ic.relkind = 'i'
              ${major >= 15 ? 'AND NOT i.indnullsnotdistinct' : ''}
              AND 0 = ALL (i.indoption::int2[])
              AND NOT EXISTS (SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) j WHERE NOT EXISTS (
                    SELECT 1 FROM pg_attribute a JOIN pg_opclass oc ON oc.oid = i.indclass[j]
                     WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[j] AND oc.opcdefault AND oc.opcintype = a.atttypid
                       AND i.indcollation[j] IN (0, a.attcollation))) AS simple) p
       LEFT JOIN pg_description d ON d.objoid = ic.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE tc.relkind IN ('r', 'p', 'm') AND ic.relnamespace = ANY($1::oid[]) AND NOT ic.relispartition
        AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
        AND ${notExt('pg_class', 'ic.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      // Plain key columns are named from the column query; only expression indexes need pg_get_indexdef per key.
      const cols = r.exprs ?? attributeNames(ctx, r.rel, r.nums);
      ctx.snap.indexes[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        table: rel.key,
        definition: canonicalExpression(r.def),
        method: r.method,
        unique: r.unique,
        keys: cols.slice(0, r.nkey),
        include: cols.slice(r.nkey),
        predicate: r.pred === null ? null : canonicalExpression(r.pred),
        valid: r.valid,
        comment: r.comment,
      };
    }
  },
};
