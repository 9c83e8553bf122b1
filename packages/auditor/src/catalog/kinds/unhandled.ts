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
      // Names the columns, whichever kinds below are left.
      'SELECT NULL::text AS kind, NULL::text AS name WHERE false',
      // Base types (CREATE TYPE with INPUT / OUTPUT functions); their array types depend on them internally.
      `SELECT 'base type', ${qname('n', 't.typname')} FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ` +
        `WHERE t.typtype = 'b' AND ${inNs('n.oid')} AND ${notExt('pg_type', 't.oid')} AND NOT EXISTS (SELECT 1 FROM ` +
        `pg_depend i WHERE i.classid = 'pg_type'::regclass AND i.objid = t.oid AND i.deptype = 'i')`,
      // Grants on single columns (GRANT SELECT (a) ON t): compared only with privileges (compare-kinds.ts).
      `SELECT 'column privilege', ${qname('n', 'c.relname')} || '(' || quote_ident(a.attname) || ')' FROM pg_attribute a ` +
        `JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE cardinality(a.attacl) > 0 ` +
        `AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${inNs('n.oid')} AND ` +
        `${notExt('pg_class', 'c.oid')}`,
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
