import { notExt, type CatalogKind } from '../context.js';

type Row = { kind: string; name: string };

const inNs = (expr: string) => `${expr} = ANY($1::oid[])`;
const qname = (ns: string, name: string) => `quote_ident(${ns}.nspname) || '.' || quote_ident(${name})`;

/** Kinds Strata does not handle yet, listed so that nothing is skipped silently (extension members left out). */
export const unhandledKind: CatalogKind<Row> = {
  name: 'not handled',
  params: 'namespaces',
  sql: () =>
    [
      `SELECT 'text search parser' AS kind, ${qname('n', 'c.prsname')} AS name FROM pg_ts_parser c ` +
        `JOIN pg_namespace n ON n.oid = c.prsnamespace WHERE ${inNs('n.oid')} AND ` +
        `${notExt('pg_ts_parser', 'c.oid')}`,
      `SELECT 'text search template', ${qname('n', 'c.tmplname')} FROM pg_ts_template c JOIN ` +
        `pg_namespace n ON n.oid = c.tmplnamespace WHERE ${inNs('n.oid')} AND ` +
        `${notExt('pg_ts_template', 'c.oid')}`,
      `SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname || '(' || ` +
        `coalesce(format_type(o.oprleft, NULL), 'NONE') || ', ' || coalesce(format_type(o.oprright, ` +
        `NULL), 'NONE') || ')' FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE ` +
        `${inNs('n.oid')} AND ${notExt('pg_operator', 'o.oid')}`,
      `SELECT 'operator class', ${qname('n', 'c.opcname')} || ' USING ' || am.amname FROM pg_opclass ` +
        `c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod WHERE ` +
        `${inNs('n.oid')} AND ${notExt('pg_opclass', 'c.oid')}`,
      `SELECT 'operator family', ${qname('n', 'f.opfname')} || ' USING ' || am.amname FROM ` +
        `pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = ` +
        `f.opfmethod WHERE ${inNs('n.oid')} AND ${notExt('pg_opfamily', 'f.oid')}
          AND NOT EXISTS (SELECT 1 FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = ` +
        `f.opfname AND c.opcnamespace = f.opfnamespace)`,
      `SELECT 'foreign table', ${qname('n', 'c.relname')} FROM pg_class c JOIN pg_namespace n ON ` +
        `n.oid = c.relnamespace WHERE c.relkind = 'f' AND ${inNs('n.oid')} AND ` +
        `${notExt('pg_class', 'c.oid')}`,
      `SELECT 'foreign-data wrapper', quote_ident(w.fdwname) FROM pg_foreign_data_wrapper w WHERE ` +
        `${notExt('pg_foreign_data_wrapper', 'w.oid')}`,
      `SELECT 'server', quote_ident(s.srvname) FROM pg_foreign_server s WHERE ${notExt('pg_foreign_server', 's.oid')}`,
      `SELECT 'language', quote_ident(l.lanname) FROM pg_language l WHERE l.oid >= 16384 AND ${notExt('pg_language', 'l.oid')}`,
      `SELECT 'access method', quote_ident(a.amname) FROM pg_am a WHERE a.oid >= 16384 AND ${notExt('pg_am', 'a.oid')}`,
      // Base types (CREATE TYPE with INPUT / OUTPUT functions); their array types depend on them internally.
      `SELECT 'base type', ${qname('n', 't.typname')} FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ` +
        `WHERE t.typtype = 'b' AND ${inNs('n.oid')} AND ${notExt('pg_type', 't.oid')} AND NOT EXISTS (SELECT 1 FROM ` +
        `pg_depend i WHERE i.classid = 'pg_type'::regclass AND i.objid = t.oid AND i.deptype = 'i')`,
      `SELECT 'security label', s.provider || ' on ' || pg_describe_object(s.classoid, s.objoid, ` +
        `s.objsubid) FROM pg_seclabel s WHERE s.objoid >= 16384`,
      `SELECT 'subscription', quote_ident(s.subname) FROM pg_subscription s WHERE s.subdbid = (SELECT ` +
        `oid FROM pg_database WHERE datname = current_database())`,
    ].join('\n     UNION ALL '),
  map(rows, ctx) {
    if (rows.length === 0) return;
    ctx.snap.unhandled = {};
    for (const r of rows) ctx.snap.unhandled[`${r.kind}:${r.name}`] = { kind: r.kind, name: r.name };
  },
};
