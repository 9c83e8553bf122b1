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
      // Casts a type made itself (a range type's multirange casts) depend on it internally: not the user's.
      `SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, ` +
        `NULL) || ')' FROM pg_cast c WHERE c.oid >= 16384 AND ${notExt('pg_cast', 'c.oid')}
          AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')`,
      `SELECT 'conversion', ${qname('n', 'c.conname')} FROM pg_conversion c JOIN pg_namespace n ON ` +
        `n.oid = c.connamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_conversion', 'c.oid')}`,
      `SELECT 'statistics object', ${qname('n', 's.stxname')} FROM pg_statistic_ext s JOIN ` +
        `pg_namespace n ON n.oid = s.stxnamespace WHERE ${inNs('n.oid')}`,
      `SELECT 'rule', quote_ident(r.rulename) || ' ON ' || ${qname('n', 'c.relname')} FROM pg_rewrite ` +
        `r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ` +
        `r.rulename <> '_RETURN' AND ${inNs('n.oid')} AND ${notExt('pg_class', 'c.oid')}`,
      `SELECT 'default privileges', coalesce(pg_get_userbyid(d.defaclrole)::text, '?') || coalesce(' ` +
        `IN SCHEMA ' || (SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = d.defaclnamespace), ` +
        `'') || ' ON ' || CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' ` +
        `THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END FROM pg_default_acl d`,
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
