import { matcher, notExt, type CatalogKind } from '../context.js';

type Row = { oid: number; name: string; comment: string | null; ext: boolean };

/** Schemas decide everything else: each later per-schema query reads only these namespaces. */
export const schemaKind: CatalogKind<Row> = {
  name: 'schema',
  params: 'none',
  sql: () =>
    `SELECT n.oid::int AS oid, n.nspname AS name, d.description AS comment,
            -- An extension's own schema (topology, tiger): a member, or holding that extension and nothing of anyone else.
            (NOT ${notExt('pg_namespace', 'n.oid')}
             OR (n.nspname <> 'public' AND EXISTS (SELECT 1 FROM pg_extension x WHERE x.extnamespace = n.oid)
                 AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND ${notExt('pg_class', 'c.oid')}
                                   AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = ` +
    `'pg_class'::regclass AND i.objid = c.oid AND i.deptype IN ('i', 'a')))
                 AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid AND ${notExt('pg_proc', 'p.oid')})
                 AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid AND ` +
    `t.typtype IN ('e', 'd', 'r') AND ${notExt('pg_type', 't.oid')}))) AS ext
       FROM pg_namespace n
       LEFT JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`,
  map(rows, ctx) {
    const includeSchema = matcher(ctx.options.schemas);
    const excludeSchema = matcher([...(ctx.options.excludeSchemas ?? []), ctx.options.strataSchema ?? 'strata']);
    for (const n of rows) {
      if (n.ext) continue;
      if (includeSchema && !includeSchema(n.name)) continue;
      if (excludeSchema?.(n.name)) continue;
      ctx.namespaces.push(n.oid);
      ctx.snap.schemas[n.name] = { name: n.name, comment: n.comment };
    }
  },
};
