import { objectKey } from '../../snapshot.js';
import { COLLATION, notExt, stripNotValid, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  coll: string | null;
  checks: { name: string; definition: string; validated: boolean; comment: string | null }[] | null;
  comment: string | null;
};

export const domainKind: CatalogKind<Row> = {
  name: 'domain',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS type, t.typnotnull AS notnull,
            t.typdefault AS def, ${COLLATION('t.typcollation', 'bt.typcollation')} AS coll,
            (SELECT json_agg(json_build_object('name', c.conname, 'definition', ` +
    `pg_get_constraintdef(c.oid), 'validated', c.convalidated, 'comment', cd.description) ORDER BY ` +
    `c.conname)
               FROM pg_constraint c LEFT JOIN pg_description cd ON cd.objoid = c.oid AND ` +
    `cd.classoid = 'pg_constraint'::regclass AND cd.objsubid = 0
              WHERE c.contypid = t.oid AND c.contype = 'c') AS checks,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type bt ON bt.oid = t.typbasetype
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'd' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      ctx.snap.domains[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        type: r.type,
        notNull: r.notnull,
        default: r.def,
        collation: r.coll,
        checks: (r.checks ?? []).map((c) => ({
          name: c.name,
          definition: stripNotValid(c.definition),
          validated: c.validated,
          comment: c.comment,
        })),
        comment: r.comment,
      };
    }
  },
};
