import { objectKey, type ColumnDef, type ConstraintDef, type FdwOptions, type TableDef, type ViewColumnDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';
import { optionsJson, sortedOptions } from './foreign.js';

type Row = {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  partkey: string | null;
  parent: string | null;
  bound: string | null;
  inherits: string[] | null;
  unlogged: boolean;
  replident: string;
  replindex: string | null;
  rls: boolean;
  force: boolean;
  comment: string | null;
  viewdef: string | null;
  options: string[] | null;
  populated: boolean;
  deps: string[] | null;
  server: string | null;
  am: string | null;
  ftoptions: FdwOptions | null;
};

const REPLIDENT: Record<string, NonNullable<TableDef['replicaIdentity']>> = { d: 'default', f: 'full', n: 'nothing', i: 'index' };

/** Tables (foreign ones too), views and materialised views: the relations whose columns, constraints, indexes, triggers and policies the
 * later kinds read. */
export const relationKind: CatalogKind<Row> = {
  name: 'relation',
  params: 'namespaces',
  sql: () =>
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
            CASE WHEN c.relispartition THEN (SELECT pn.nspname || '.' || pc.relname FROM ` +
    `pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid LIMIT 1) END AS parent,
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
            CASE WHEN c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition THEN ARRAY(SELECT ` +
    `pn.nspname || '.' || pc.relname FROM pg_inherits i JOIN pg_class pc ON pc.oid = ` +
    `i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno)::text[] END AS inherits,
            c.relpersistence = 'u' AS unlogged,
            c.relrowsecurity AS rls, c.relforcerowsecurity AS force, d.description AS comment,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS viewdef,
            -- A table's TOAST storage parameters are written toast.name=value, as CREATE TABLE ... WITH takes them.
            CASE WHEN c.relkind IN ('r', 'p') AND c.reltoastrelid <> 0 THEN
              c.reloptions || ARRAY(SELECT 'toast.' || o FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid)
              ELSE c.reloptions END AS options,
            c.relispopulated AS populated, c.relreplident AS replident,
            CASE WHEN c.relreplident = 'i' THEN (SELECT ic.relname FROM pg_index i JOIN ` +
    `pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident) END AS ` +
    `replindex,
            CASE WHEN c.relkind IN ('v', 'm') THEN ARRAY(
              SELECT DISTINCT CASE WHEN dep.refclassid = 'pg_class'::regclass
                       THEN (SELECT rn.nspname || '.' || rc.relname FROM pg_class rc JOIN ` +
    `pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = dep.refobjid)
                       WHEN dep.refclassid = 'pg_proc'::regclass
                       THEN (SELECT pn.nspname || '.' || p.proname || '(' || ` +
    `pg_get_function_identity_arguments(p.oid) || ')' FROM pg_proc p JOIN pg_namespace pn ON pn.oid ` +
    `= p.pronamespace WHERE p.oid = dep.refobjid)
                       -- A primary key that lets the view select columns it does not GROUP BY.
                       ELSE (SELECT rn.nspname || '.' || rc.relname || '#' || co.conname FROM ` +
    `pg_constraint co JOIN pg_class rc ON rc.oid = co.conrelid JOIN pg_namespace rn ON rn.oid = ` +
    `rc.relnamespace WHERE co.oid = dep.refobjid) END
                FROM pg_rewrite rw JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = rw.oid
               WHERE rw.ev_class = c.oid AND dep.refobjid <> c.oid AND dep.deptype = 'n'
                 AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = dep.refclassid AND e.objid = dep.refobjid AND e.deptype = 'e')
                 AND dep.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass)) END AS deps,
            fs.srvname AS server,
            CASE WHEN c.relkind = 'r' THEN (SELECT am.amname FROM pg_am am WHERE am.oid = ` +
    `c.relam AND am.amname <> 'heap') END AS am, ${optionsJson('ft.ftoptions')} AS ftoptions
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relpersistence <> 't' AND c.relnamespace = ` +
    `ANY($1::oid[]) AND ${notExt('pg_class', 'c.oid')}`,
  map(rows, ctx) {
    const { snap } = ctx;
    for (const r of rows) {
      const key = objectKey(r.schema, r.name);
      if (r.kind === 'r' || r.kind === 'p' || r.kind === 'f') {
        const t: TableDef = {
          schema: r.schema,
          name: r.name,
          partitionBy: r.partkey,
          partitionOf: r.parent && r.bound ? { table: r.parent, bound: r.bound } : null,
          inherits: r.inherits ?? [],
          unlogged: r.unlogged,
          options: [...(r.options ?? [])].sort(),
          // A foreign table has no replica identity (PostgreSQL keeps 'nothing'): read as the default, which plans nothing.
          replicaIdentity: r.kind === 'f' ? 'default' : (REPLIDENT[r.replident] ?? 'default'),
          replicaIdentityIndex: r.replident === 'i' ? r.replindex : null,
          columns: [] as ColumnDef[],
          constraints: {} as Record<string, ConstraintDef>,
          rowSecurity: r.rls,
          forceRowSecurity: r.force,
          comment: r.comment,
        };
        if (r.am) t.accessMethod = r.am;
        if (r.kind === 'f') t.foreign = { server: r.server ?? '', options: sortedOptions(r.ftoptions) };
        snap.tables[key] = t;
        ctx.relations.set(r.oid, { key, kind: 't', columns: t.columns });
      } else {
        const v = {
          schema: r.schema,
          name: r.name,
          definition: r.viewdef ?? '',
          columns: [] as ViewColumnDef[],
          options: [...(r.options ?? [])].sort(),
          dependsOn: [...new Set((r.deps ?? []).filter((d): d is string => d !== null && d !== key))].sort(),
          comment: r.comment,
        };
        if (r.kind === 'v') snap.views[key] = v;
        else snap.materializedViews[key] = { ...v, populated: r.populated };
        ctx.relations.set(r.oid, { key, kind: r.kind, columns: v.columns });
      }
    }
  },
};
