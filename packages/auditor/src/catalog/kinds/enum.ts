import { objectKey } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = { schema: string; name: string; values: string[]; comment: string | null };

export const enumKind: CatalogKind<Row> = {
  name: 'enum',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, t.typname AS name,
            ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS values,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'e' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
  map(rows, ctx) {
    for (const r of rows) ctx.snap.enums[objectKey(r.schema, r.name)] = r;
  },
};
