import { objectKey } from '../../snapshot.js';
import { COLLATION, notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  attrs: { name: string; type: string; collation: string | null; comment: string | null }[] | null;
  comment: string | null;
};

export const compositeKind: CatalogKind<Row> = {
  name: 'composite type',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, t.typname AS name,
            (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                    'collation', ${COLLATION('a.attcollation', 'at.typcollation')}, 'comment', ad.description) ORDER BY a.attnum)
               FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
               LEFT JOIN pg_description ad ON ad.objoid = a.attrelid AND ad.classoid = 'pg_class'::regclass AND ad.objsubid = a.attnum
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attrs,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'c' AND c.relkind = 'c' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
  map(rows, ctx) {
    for (const r of rows)
      ctx.snap.compositeTypes[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        attributes: r.attrs ?? [],
        comment: r.comment,
      };
  },
};
