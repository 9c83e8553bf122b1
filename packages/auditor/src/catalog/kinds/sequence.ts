import { objectKey } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  oschema: string | null;
  otable: string | null;
  ocolumn: string | null;
  comment: string | null;
};

/** Sequences (not identity ones, which are their column's), with the column that owns them. */
export const sequenceKind: CatalogKind<Row> = {
  name: 'sequence',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
            s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
            own.nspname AS oschema, own.relname AS otable, own.attname AS ocolumn, d.description AS comment
       FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN LATERAL (
             SELECT tn.nspname, tc.relname, a.attname, dep.deptype FROM pg_depend dep
               JOIN pg_class tc ON tc.oid = dep.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
               JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
              WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.refclassid ` +
    `= 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
              LIMIT 1) own ON true
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE c.relnamespace = ANY($1::oid[]) AND own.deptype IS DISTINCT FROM 'i' AND ${notExt('pg_class', 'c.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      ctx.snap.sequences[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        type: r.type,
        start: r.start,
        increment: r.increment,
        min: r.min,
        max: r.max,
        cache: r.cache,
        cycle: r.cycle,
        ownedBy: r.otable && r.oschema && r.ocolumn ? { table: objectKey(r.oschema, r.otable), column: r.ocolumn } : null,
        comment: r.comment,
      };
    }
  },
};
