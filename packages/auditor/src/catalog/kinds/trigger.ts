import { splitKeyOf, type CatalogKind } from '../context.js';

type Row = { rel: number; name: string; def: string; enabled: 'O' | 'D' | 'R' | 'A'; comment: string | null };

/** Triggers of the relations read (not internal ones, not a partition's clone of its parent's). */
export const triggerKind: CatalogKind<Row> = {
  name: 'trigger',
  params: 'namespaces',
  sql: ({ major }) =>
    `SELECT tg.tgrelid::int AS rel, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS def, tg.tgenabled AS enabled, d.description AS comment
       FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
       LEFT JOIN pg_description d ON d.objoid = tg.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0
      WHERE NOT tg.tgisinternal ${major >= 13 ? 'AND tg.tgparentid = 0' : ''} AND c.relnamespace = ANY($1::oid[])`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      const [schema, table] = splitKeyOf(rel.key, ctx.snap);
      ctx.snap.triggers[`${rel.key}.${r.name}`] = {
        schema,
        table,
        name: r.name,
        definition: r.def,
        enabled: r.enabled,
        comment: r.comment,
      };
    }
  },
};
