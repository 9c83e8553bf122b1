import { objectKey } from '../../snapshot.js';
import { COLLATION, notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  subtype: string;
  opclass: string | null;
  coll: string | null;
  canonical: string | null;
  diff: string | null;
  multirange: string | null;
  comment: string | null;
};

// PostgreSQL's default multirange name: 'range' replaced by 'multirange' once, else '_multirange' appended.
const MULTIRANGE =
  "CASE WHEN mt.typname <> (CASE WHEN t.typname LIKE '%range%' THEN regexp_replace(t.typname, " +
  "'range', 'multirange') ELSE t.typname || '_multirange' END) THEN mt.typname END";

export const rangeKind: CatalogKind<Row> = {
  name: 'range type',
  params: 'namespaces',
  sql: ({ major }) =>
    `SELECT n.nspname AS schema, t.typname AS name, format_type(r.rngsubtype, NULL) AS subtype,
            CASE WHEN NOT oc.opcdefault THEN (CASE WHEN ocn.nspname = 'pg_catalog' THEN ` +
    `quote_ident(oc.opcname) ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END) ` +
    `END AS opclass,
            ${COLLATION('r.rngcollation', 'st.typcollation')} AS coll,
            CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
            CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS diff,
            ${major >= 14 ? MULTIRANGE : 'NULL'} AS multirange, d.description AS comment
       FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_type st ON st.oid = r.rngsubtype
       JOIN pg_opclass oc ON oc.oid = r.rngsubopc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
       ${major >= 14 ? 'LEFT JOIN pg_type mt ON mt.oid = r.rngmultitypid' : ''}
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      ctx.snap.rangeTypes[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        subtype: r.subtype,
        subtypeOpclass: r.opclass,
        collation: r.coll,
        canonical: r.canonical,
        subtypeDiff: r.diff,
        multirange: r.multirange,
        comment: r.comment,
      };
    }
  },
};
