import type { Queryable } from '@pg-strata/core';

/**
 * One query: an md5 over the catalogue rows of every object a Snapshot holds
 * (schemas, relations and their columns, constraints, indexes, views,
 * sequences, types, functions, triggers, rules, policies, privileges,
 * comments, extensions, collations, event triggers, publications), Strata's
 * own schema and the system schemas left out. Objects are named, never
 * identified by oid, and columns by position among the live ones, so
 * reverting and re-applying a migration gives the same fingerprint. It reads
 * more than a Snapshot does (owners, storage options, ...), never less:
 * equal fingerprints mean equal Snapshots; different ones are explained by a
 * full introspection and compare, which has the last word.
 */
export async function catalogFingerprint(client: Queryable, strataSchema: string, options: { prepared?: boolean } = {}): Promise<string> {
  // Prepared (named) on a connection of the caller's that nothing else resets: planned once, not on every call.
  const r = options.prepared
    ? await client.query<{ fp: string }>({ name: 'strata_catalog_fingerprint', text: FINGERPRINT_SQL, values: [strataSchema] })
    : await client.query<{ fp: string }>(FINGERPRINT_SQL, [strataSchema]);
  return r.rows[0]!.fp;
}

const FINGERPRINT_SQL =
  `
WITH ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
   WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND n.nspname <> $1
), rel AS (
  SELECT c.oid, c.relname, c.relkind, quote_ident(ns.nspname) || '.' || quote_ident(c.relname) AS qn
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
), descr AS MATERIALIZED (
  -- Comments on the database's own objects (built-in ones have oids below 16384), joined once rather than looked up per row.
  SELECT objoid, classoid, objsubid, description FROM pg_description WHERE objoid >= 16384
), items AS (
  SELECT ROW('schema', n.nspname, pg_get_userbyid(n.nspowner), n.nspacl, ds.description)::text AS x
    FROM pg_namespace n JOIN ns ON ns.oid = n.oid LEFT JOIN descr ds ON ds.objoid = n.oid AND ` +
  `ds.classoid = 'pg_namespace'::regclass AND ds.objsubid = 0
  UNION ALL
  SELECT ROW('rel', r.qn, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relacl, c.reloptions,
             c.relispartition, pg_get_expr(c.relpartbound, c.oid), CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
             pg_get_userbyid(c.relowner), ds.description,
             CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
             ih.parents, t.spcname)::text
    FROM rel r JOIN pg_class c ON c.oid = r.oid LEFT JOIN descr ds ON ds.objoid = c.oid AND ` +
  `ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
    -- Joins rather than a subquery per row (10% of the fingerprint's CPU at 200 migrations; the same rows, the same value).
    LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
    LEFT JOIN (SELECT i.inhrelid, array_agg(i.inhparent::regclass::text ORDER BY i.inhseqno) AS parents FROM pg_inherits i ` +
  `GROUP BY i.inhrelid) ih ON ih.inhrelid = c.oid
  UNION ALL
  SELECT ROW('col', r.qn, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), a.attname, format_type(a.atttypid, a.atttypmod),
             a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
             CASE WHEN co.oid IS NOT NULL THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
             a.attacl, ds.description, a.attstorage, a.attoptions, a.attstattarget)::text
    FROM pg_attribute a JOIN rel r ON r.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    LEFT JOIN descr ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT ROW('index', r.qn, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisclustered, ` +
  `i.indisreplident, i.indisprimary, i.indisunique)::text
    FROM pg_index i JOIN rel r ON r.oid = i.indexrelid
  UNION ALL
  SELECT ROW('constraint', co.conrelid::regclass::text, co.contypid::regtype::text, co.conname, co.contype, pg_get_constraintdef(co.oid),
             co.convalidated, co.conislocal, co.connoinherit, ds.description)::text
    FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace LEFT JOIN descr ds ON ds.objoid = ` +
  `co.oid AND ds.classoid = 'pg_constraint'::regclass AND ds.objsubid = 0
  UNION ALL
  SELECT ROW('trigger', t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, ds.description)::text
    FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid LEFT JOIN descr ds ON ds.objoid = t.oid ` +
  `AND ds.classoid = 'pg_trigger'::regclass AND ds.objsubid = 0 WHERE NOT t.tgisinternal
  UNION ALL
  SELECT ROW('rule', w.ev_class::regclass::text, w.rulename, pg_get_ruledef(w.oid), w.ev_enabled)::text
    FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class WHERE w.rulename <> '_RETURN'
  UNION ALL
  SELECT ROW('policy', p.polrelid::regclass::text, p.polname, p.polcmd, p.polpermissive,
             (SELECT array_agg(CASE WHEN g = 0 THEN 'public' ELSE pg_get_userbyid(g) END ORDER BY 1) FROM unnest(p.polroles) g),
             pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), ds.description)::text
    FROM pg_policy p JOIN rel r ON r.oid = p.polrelid LEFT JOIN descr ds ON ds.objoid = p.oid ` +
  `AND ds.classoid = 'pg_policy'::regclass AND ds.objsubid = 0
  UNION ALL
  SELECT ROW('sequence', s.seqrelid::regclass::text, format_type(s.seqtypid, NULL), s.seqstart, ` +
  `s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
             (SELECT dr.refobjid::regclass::text || '.' || quote_ident(a.attname) FROM pg_depend dr
                JOIN pg_attribute a ON a.attrelid = dr.refobjid AND a.attnum = dr.refobjsubid
               WHERE dr.classid = 'pg_class'::regclass AND dr.objid = s.seqrelid AND ` +
  `dr.refclassid = 'pg_class'::regclass AND dr.deptype IN ('a', 'i') LIMIT 1))::text
    FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
  UNION ALL
  SELECT ROW('type', t.oid::regtype::text, t.typtype, pg_get_userbyid(t.typowner), t.typacl, ds.description,
             CASE WHEN t.typtype = 'e' THEN (SELECT array_agg(e.enumlabel ORDER BY ` +
  `e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END,
             CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, t.typnotnull, t.typdefault,
             (SELECT ROW(rg.rngsubtype::regtype::text, rg.rngcollation, rg.rngsubopc, ` +
  `rg.rngcanonical::text, rg.rngsubdiff::text)::text FROM pg_range rg WHERE rg.rngtypid = ` +
  `t.oid))::text
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace LEFT JOIN descr ds ON ds.objoid = t.oid ` +
  `AND ds.classoid = 'pg_type'::regclass AND ds.objsubid = 0 WHERE t.typcategory <> 'A'
  UNION ALL
  SELECT ROW('function', p.oid::regprocedure::text, p.prokind, CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
             p.proacl, pg_get_userbyid(p.proowner), ds.description,
             (SELECT (to_jsonb(ag) - 'aggfnoid')::text FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid))::text
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace LEFT JOIN descr ds ON ds.objoid = p.oid ` +
  `AND ds.classoid = 'pg_proc'::regclass AND ds.objsubid = 0
  UNION ALL
  SELECT ROW('extension', x.extname, x.extversion, x.extnamespace::regnamespace::text)::text FROM pg_extension x
  UNION ALL
  SELECT ROW('collation', quote_ident(ns.nspname) || '.' || quote_ident(co.collname), ` +
  `(to_jsonb(co) - 'oid' - 'collnamespace' - 'collowner')::text)::text
    FROM pg_collation co JOIN ns ON ns.oid = co.collnamespace
  UNION ALL
  SELECT ROW('event trigger', e.evtname, e.evtevent, e.evtenabled, e.evttags, e.evtfoid::regprocedure::text)::text FROM pg_event_trigger e
  UNION ALL
  SELECT ROW('publication', (to_jsonb(pb) - 'oid' - 'pubowner')::text)::text FROM pg_publication pb
  UNION ALL
  SELECT ROW('publication table', pb.pubname, pr.prrelid::regclass::text, (to_jsonb(pr) - 'oid' - 'prpubid' - 'prrelid')::text)::text
    FROM pg_publication_rel pr JOIN pg_publication pb ON pb.oid = pr.prpubid
  UNION ALL
  SELECT ROW('default acl', pg_get_userbyid(d.defaclrole), NULLIF(d.defaclnamespace, ` +
  `0)::regnamespace::text, d.defaclobjtype, d.defaclacl)::text FROM pg_default_acl d
)
SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x COLLATE "C"), '')) AS fp FROM items`;
