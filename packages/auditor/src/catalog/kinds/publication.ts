import { PUBLISH_ACTIONS, byCodePoint, objectKey, type PublicationTableDef, type PublishAction } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = {
  name: string;
  alltables: boolean;
  ins: boolean;
  upd: boolean;
  del: boolean;
  trunc: boolean;
  viaroot: boolean;
  tables: { schema: string; table: string; columns: string[] | null; where: string | null }[] | null;
  schemas: string[];
  comment: string | null;
};

/** Publications (database-wide, like event triggers). Column lists and row filters came with 15, FOR TABLES IN SCHEMA too;
 * publish_via_partition_root with 13. */
export const publicationKind: CatalogKind<Row> = {
  name: 'publication',
  params: 'none',
  sql: ({ major }) => {
    const pubCols =
      major >= 15
        ? 'CASE WHEN pr.prattrs IS NOT NULL THEN ARRAY(SELECT a.attname FROM pg_attribute a WHERE ' +
          'a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs::int2[]))::text[] END'
        : 'NULL::text[]';
    const pubQual = major >= 15 ? 'pg_get_expr(pr.prqual, pr.prrelid)' : 'NULL::text';
    const pubSchemas =
      major >= 15
        ? 'ARRAY(SELECT sn.nspname FROM pg_publication_namespace pn JOIN pg_namespace sn ON sn.oid = ' +
          'pn.pnnspid WHERE pn.pnpubid = p.oid)::text[]'
        : "'{}'::text[]";
    return (
      `SELECT p.pubname AS name, p.puballtables AS alltables, p.pubinsert AS ins, p.pubupdate AS upd, ` +
      `p.pubdelete AS del, p.pubtruncate AS trunc,
            ${major >= 13 ? 'p.pubviaroot' : 'false'} AS viaroot,
            (SELECT json_agg(json_build_object('schema', rn.nspname, 'table', rc.relname, 'columns', ${pubCols}, 'where', ${pubQual}))
               FROM pg_publication_rel pr JOIN pg_class rc ON rc.oid = pr.prrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
              WHERE pr.prpubid = p.oid) AS tables,
            ${pubSchemas} AS schemas, d.description AS comment
       FROM pg_publication p
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_publication'::regclass AND d.objsubid = 0
      WHERE ${notExt('pg_publication', 'p.oid')}`
    );
  },
  map(rows, ctx) {
    for (const r of rows) {
      const on: Record<PublishAction, boolean> = { insert: r.ins, update: r.upd, delete: r.del, truncate: r.trunc };
      const publish = PUBLISH_ACTIONS.filter((a) => on[a]);
      const tables: PublicationTableDef[] = (r.tables ?? [])
        .map((t) => ({ table: objectKey(t.schema, t.table), columns: t.columns ? [...t.columns].sort(byCodePoint) : null, where: t.where }))
        .sort((x, y) => byCodePoint(x.table, y.table));
      ctx.snap.publications[r.name] = {
        name: r.name,
        allTables: r.alltables,
        tables,
        schemas: [...r.schemas].sort(byCodePoint),
        publish,
        viaPartitionRoot: r.viaroot,
        comment: r.comment,
      };
    }
  },
};
