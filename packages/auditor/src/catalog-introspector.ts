// Stays whole until issue 21 splits readCatalog into one query and one mapper per object kind: the queries share the namespace list and helpers.
import type pg from 'pg';
import { StrataError, connect, isPgDatabaseError, silentLogger, type Logger, type Queryable } from '@pg-strata/core';
import { canonicalExpression } from './expression-canon.js';
import {
  byCodePoint,
  emptySnapshot,
  normalizeSnapshot,
  objectKey,
  privilegeKey,
  privilegeObjectExists,
  PUBLISH_ACTIONS,
  tableParents,
  type ColumnDef,
  type ConstraintDef,
  type ConstraintType,
  type FkAction,
  type FunctionDef,
  type PolicyDef,
  type PrivilegeObjectType,
  type PublicationTableDef,
  type PublishAction,
  type Snapshot,
  type TableDef,
  type ViewColumnDef,
} from './snapshot.js';

/** Options of {@link introspect}. */
export interface IntrospectOptions {
  /**
   * Schemas to read (glob patterns: `*` any run, `?` one character). Default:
   * every schema except the system ones, Strata's own and extension-owned ones.
   */
  schemas?: readonly string[];
  /** Schemas to leave out (glob patterns). Default `[]`; Strata's schema is always left out. */
  excludeSchemas?: readonly string[];
  /** Schema of Strata's own tables, always left out. Default `'strata'`. */
  strataSchema?: string;
  /** Objects to read, as glob patterns on `schema.name` or `name`. Default: all. */
  include?: readonly string[];
  /** Objects to leave out, as glob patterns on `schema.name` or `name`. Default `[]`. */
  exclude?: readonly string[];
  /**
   * `search_path` set while reading, which decides which names `format_type`,
   * `pg_get_expr` and `pg_get_viewdef` print unqualified. Fixed so that the
   * Snapshot does not depend on the connecting role's settings. Default `'public'`.
   */
  searchPath?: string;
  /** Receives progress events. Default: silent. */
  logger?: Logger;
  /**
   * The caller has a transaction open on the client and wants the catalogue
   * as that transaction sees it (e.g. the start-up shim checking what
   * `createAll` built before it commits). No BEGIN/COMMIT is issued and the
   * search_path is set with `SET LOCAL`. Default `false`.
   */
  inTransaction?: boolean;
}

/** What introspection can read from: a connection string or an open client (not inside a transaction). */
export type IntrospectTarget = string | Queryable;

/**
 * Read a database's schema into a {@link Snapshot}: a fixed number of
 * catalogue queries (one per object kind, whatever the schema's size) inside
 * one `REPEATABLE READ READ ONLY` transaction, so the Snapshot is consistent.
 */
export async function introspect(target: IntrospectTarget, options: IntrospectOptions = {}): Promise<Snapshot> {
  if (typeof target === 'string') {
    const client = await connect({ url: target, applicationName: 'strata-auditor' });
    try {
      return await introspectClient(client, options);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return await introspectClient(target, options);
}

async function introspectClient(client: Queryable, options: IntrospectOptions): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  if (options.inTransaction) {
    await client.query("SELECT set_config('search_path', $1, true), set_config('work_mem', '64MB', true)", [options.searchPath ?? 'public']);
    return await readCatalog(client, options);
  }
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query("SELECT set_config('search_path', $1, true), set_config('work_mem', '64MB', true)", [options.searchPath ?? 'public']);
    const snapshot = await readCatalog(client, options);
    await client.query('COMMIT');
    logger.debug('introspected', { ms: Date.now() - started, tables: Object.keys(snapshot.tables).length });
    return snapshot;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof StrataError) throw err;
    if (isPgDatabaseError(err)) {
      throw new StrataError('DB_QUERY', `Reading the catalogue failed: ${err.message}${err.code ? ` (SQLSTATE ${err.code})` : ''}.`, { meta: { sqlstate: err.code ?? null }, cause: err });
    }
    throw err;
  }
}

/** Translate a glob (`*`, `?`) into an anchored RegExp. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function matcher(patterns: readonly string[] | undefined): ((s: string) => boolean) | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const res = patterns.map(globToRegExp);
  return (s) => res.some((r) => r.test(s));
}

const ACTIONS: Record<string, FkAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const MATCH: Record<string, 'simple' | 'full' | 'partial'> = { s: 'simple', f: 'full', p: 'partial' };
const CONTYPES: Record<string, ConstraintType> = { p: 'primary key', f: 'foreign key', u: 'unique', c: 'check', x: 'exclude' };
const POLCMD: Record<string, PolicyDef['command']> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };
const REPLIDENT: Record<string, NonNullable<TableDef['replicaIdentity']>> = { d: 'default', f: 'full', n: 'nothing', i: 'index' };
const PROKIND: Record<string, FunctionDef['kind']> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };

/** `NOT EXISTS` an extension membership for an object of catalogue `cat` with oid `expr`. */
const notExt = (cat: string, expr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${cat}'::regclass AND e.objid = ${expr} AND e.deptype = 'e')`;

// Collation of a column/attribute when it differs from its type's default.
const COLLATION = (collExpr: string, typeCollExpr: string) =>
  `CASE WHEN ${collExpr} <> 0 AND ${collExpr} <> ${typeCollExpr} THEN
     (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname) ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
        FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = ${collExpr}) END`;

async function readCatalog(client: Queryable, options: IntrospectOptions): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const t0 = Date.now();
    const rows = (await client.query<R>(sql, params)).rows;
    logger.debug('catalogue query', { ms: Date.now() - t0, rows: rows.length, query: sql.slice(0, 60).replace(/\s+/g, ' ') });
    return rows;
  };
  const [{ v }] = (await q<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")) as [{ v: number }];
  const major = Math.floor(v / 10000);
  const snap = emptySnapshot(major);

  // Schemas decide everything else: each later query reads only these namespaces.
  const nsRows = await q<{ oid: number; name: string; comment: string | null; ext: boolean }>(
    `SELECT n.oid::int AS oid, n.nspname AS name, d.description AS comment,
            -- An extension's own schema (topology, tiger): a member, or holding that extension and nothing of anyone else.
            (NOT ${notExt('pg_namespace', 'n.oid')}
             OR (n.nspname <> 'public' AND EXISTS (SELECT 1 FROM pg_extension x WHERE x.extnamespace = n.oid)
                 AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND ${notExt('pg_class', 'c.oid')}
                                   AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid AND i.deptype IN ('i', 'a')))
                 AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid AND ${notExt('pg_proc', 'p.oid')})
                 AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd', 'r') AND ${notExt('pg_type', 't.oid')}))) AS ext
       FROM pg_namespace n
       LEFT JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`,
  );
  const includeSchema = matcher(options.schemas);
  const excludeSchema = matcher([...(options.excludeSchemas ?? []), options.strataSchema ?? 'strata']);
  const nsps: number[] = [];
  for (const n of nsRows) {
    if (n.ext) continue;
    if (includeSchema && !includeSchema(n.name)) continue;
    if (excludeSchema?.(n.name)) continue;
    nsps.push(n.oid);
    snap.schemas[n.name] = { name: n.name, comment: n.comment };
  }

  const extRows = await q<{ name: string; schema: string; version: string; requires: string[]; comment: string | null; default_version: string | null; default_comment: string | null }>(
    `SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version,
            ARRAY(SELECT r.extname FROM pg_depend dep JOIN pg_extension r ON r.oid = dep.refobjid
                   WHERE dep.classid = 'pg_extension'::regclass AND dep.objid = x.oid AND dep.refclassid = 'pg_extension'::regclass
                   ORDER BY 1)::text[] AS requires,
            obj_description(x.oid, 'pg_extension') AS comment, av.default_version, av.comment AS default_comment
       FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
       LEFT JOIN pg_available_extensions av ON av.name = x.extname
      WHERE x.extname <> 'plpgsql'`,
  );
  for (const x of extRows) {
    snap.extensions[x.name] = {
      name: x.name,
      schema: x.schema,
      version: x.version,
      requires: x.requires.filter((r) => r !== 'plpgsql'),
      comment: x.comment,
      ...(x.default_version === null ? {} : { defaultVersion: x.default_version, defaultComment: x.default_comment }),
    };
  }

  const P = [nsps];
  const locale = major >= 17 ? 'co.colllocale' : major >= 15 ? 'co.colliculocale' : 'NULL';
  const collRows = await q<{ schema: string; name: string; provider: string; locale: string | null; lc_collate: string | null; lc_ctype: string | null; deterministic: boolean; rules: string | null; comment: string | null }>(
    `SELECT n.nspname AS schema, co.collname AS name, co.collprovider AS provider, ${locale} AS locale,
            co.collcollate AS lc_collate, co.collctype AS lc_ctype, co.collisdeterministic AS deterministic,
            ${major >= 16 ? 'co.collicurules' : 'NULL'} AS rules, d.description AS comment
       FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
       LEFT JOIN pg_description d ON d.objoid = co.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0
      WHERE co.collnamespace = ANY($1::oid[]) AND ${notExt('pg_collation', 'co.oid')}`,
    P,
  );
  for (const r of collRows) {
    const provider = r.provider === 'i' ? 'icu' : r.provider === 'b' ? 'builtin' : 'libc';
    snap.collations[objectKey(r.schema, r.name)] = {
      schema: r.schema,
      name: r.name,
      provider,
      // Before 15 an ICU collation kept its locale in collcollate.
      locale: provider === 'libc' ? null : (r.locale ?? r.lc_collate),
      lcCollate: provider === 'libc' ? r.lc_collate : null,
      lcCtype: provider === 'libc' ? r.lc_ctype : null,
      deterministic: r.deterministic,
      rules: r.rules,
      comment: r.comment,
    };
  }
  const enumRows = await q<{ schema: string; name: string; values: string[]; comment: string | null }>(
    `SELECT n.nspname AS schema, t.typname AS name,
            ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS values,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'e' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
    P,
  );
  for (const r of enumRows) snap.enums[objectKey(r.schema, r.name)] = r;

  const domRows = await q<{ schema: string; name: string; type: string; notnull: boolean; def: string | null; coll: string | null; checks: { name: string; definition: string; validated: boolean; comment: string | null }[] | null; comment: string | null }>(
    `SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS type, t.typnotnull AS notnull,
            t.typdefault AS def, ${COLLATION('t.typcollation', 'bt.typcollation')} AS coll,
            (SELECT json_agg(json_build_object('name', c.conname, 'definition', pg_get_constraintdef(c.oid), 'validated', c.convalidated, 'comment', cd.description) ORDER BY c.conname)
               FROM pg_constraint c LEFT JOIN pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_constraint'::regclass AND cd.objsubid = 0
              WHERE c.contypid = t.oid AND c.contype = 'c') AS checks,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type bt ON bt.oid = t.typbasetype
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'd' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
    P,
  );
  for (const r of domRows) {
    snap.domains[objectKey(r.schema, r.name)] = {
      schema: r.schema,
      name: r.name,
      type: r.type,
      notNull: r.notnull,
      default: r.def,
      collation: r.coll,
      checks: (r.checks ?? []).map((c) => ({ name: c.name, definition: stripNotValid(c.definition), validated: c.validated, comment: c.comment })),
      comment: r.comment,
    };
  }

  const compRows = await q<{ schema: string; name: string; attrs: { name: string; type: string; collation: string | null; comment: string | null }[] | null; comment: string | null }>(
    `SELECT n.nspname AS schema, t.typname AS name,
            (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                    'collation', ${COLLATION('a.attcollation', 'at.typcollation')}, 'comment', ad.description) ORDER BY a.attnum)
               FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
               LEFT JOIN pg_description ad ON ad.objoid = a.attrelid AND ad.classoid = 'pg_class'::regclass AND ad.objsubid = a.attnum
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attrs,
            d.description AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typtype = 'c' AND c.relkind = 'c' AND t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
    P,
  );
  // PostgreSQL's default multirange name: 'range' replaced by 'multirange' once, else '_multirange' appended.
  const multirange =
    "CASE WHEN mt.typname <> (CASE WHEN t.typname LIKE '%range%' THEN regexp_replace(t.typname, 'range', 'multirange') ELSE t.typname || '_multirange' END) THEN mt.typname END";
  const rangeRows = await q<{ schema: string; name: string; subtype: string; opclass: string | null; coll: string | null; canonical: string | null; diff: string | null; multirange: string | null; comment: string | null }>(
    `SELECT n.nspname AS schema, t.typname AS name, format_type(r.rngsubtype, NULL) AS subtype,
            CASE WHEN NOT oc.opcdefault THEN (CASE WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(oc.opcname) ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END) END AS opclass,
            ${COLLATION('r.rngcollation', 'st.typcollation')} AS coll,
            CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
            CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS diff,
            ${major >= 14 ? multirange : 'NULL'} AS multirange, d.description AS comment
       FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_type st ON st.oid = r.rngsubtype
       JOIN pg_opclass oc ON oc.oid = r.rngsubopc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
       ${major >= 14 ? 'LEFT JOIN pg_type mt ON mt.oid = r.rngmultitypid' : ''}
       LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
      WHERE t.typnamespace = ANY($1::oid[]) AND ${notExt('pg_type', 't.oid')}`,
    P,
  );
  for (const r of rangeRows) {
    snap.rangeTypes[objectKey(r.schema, r.name)] = {
      schema: r.schema,
      name: r.name,
      subtype: r.subtype,
      subtypeOpclass: r.opclass,
      collation: r.coll,
      canonical: r.canonical,
      subtypeDiff: r.diff,
      multirange: r.multirange,
      comment: r.comment,
    };
  }

  for (const r of compRows) snap.compositeTypes[objectKey(r.schema, r.name)] = { schema: r.schema, name: r.name, attributes: r.attrs ?? [], comment: r.comment };

  const seqRows = await q<{ schema: string; name: string; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean; oschema: string | null; otable: string | null; ocolumn: string | null; comment: string | null }>(
    `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
            s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
            own.nspname AS oschema, own.relname AS otable, own.attname AS ocolumn, d.description AS comment
       FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN LATERAL (
             SELECT tn.nspname, tc.relname, a.attname, dep.deptype FROM pg_depend dep
               JOIN pg_class tc ON tc.oid = dep.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
               JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
              WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
              LIMIT 1) own ON true
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE c.relnamespace = ANY($1::oid[]) AND own.deptype IS DISTINCT FROM 'i' AND ${notExt('pg_class', 'c.oid')}`,
    P,
  );
  for (const r of seqRows) {
    snap.sequences[objectKey(r.schema, r.name)] = {
      schema: r.schema,
      name: r.name,
      type: r.type,
      start: r.start,
      increment: r.increment,
      min: r.min,
      max: r.max,
      cache: r.cache,
      cycle: r.cycle,
      ownedBy: r.otable && r.oschema && r.ocolumn ? { table: objectKey(r.oschema, r.otable), column: r.ocolumn } : null,
      comment: r.comment,
    };
  }

  // Tables, views and materialised views: the relations whose columns we read.
  const relRows = await q<{ oid: number; schema: string; name: string; kind: string; partkey: string | null; parent: string | null; bound: string | null; inherits: string[] | null; unlogged: boolean; replident: string; replindex: string | null; rls: boolean; force: boolean; comment: string | null; viewdef: string | null; options: string[] | null; populated: boolean; deps: string[] | null }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
            CASE WHEN c.relispartition THEN (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid LIMIT 1) END AS parent,
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
            CASE WHEN c.relkind IN ('r', 'p') AND NOT c.relispartition THEN ARRAY(SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno)::text[] END AS inherits,
            c.relpersistence = 'u' AS unlogged,
            c.relrowsecurity AS rls, c.relforcerowsecurity AS force, d.description AS comment,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS viewdef,
            -- A table's TOAST storage parameters are written toast.name=value, as CREATE TABLE ... WITH takes them.
            CASE WHEN c.relkind IN ('r', 'p') AND c.reltoastrelid <> 0 THEN
              c.reloptions || ARRAY(SELECT 'toast.' || o FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid)
              ELSE c.reloptions END AS options,
            c.relispopulated AS populated, c.relreplident AS replident,
            CASE WHEN c.relreplident = 'i' THEN (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident) END AS replindex,
            CASE WHEN c.relkind IN ('v', 'm') THEN ARRAY(
              SELECT DISTINCT CASE WHEN dep.refclassid = 'pg_class'::regclass
                       THEN (SELECT rn.nspname || '.' || rc.relname FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = dep.refobjid)
                       WHEN dep.refclassid = 'pg_proc'::regclass
                       THEN (SELECT pn.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = dep.refobjid)
                       -- A primary key that lets the view select columns it does not GROUP BY.
                       ELSE (SELECT rn.nspname || '.' || rc.relname || '#' || co.conname FROM pg_constraint co JOIN pg_class rc ON rc.oid = co.conrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE co.oid = dep.refobjid) END
                FROM pg_rewrite rw JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = rw.oid
               WHERE rw.ev_class = c.oid AND dep.refobjid <> c.oid AND dep.deptype = 'n'
                 AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = dep.refclassid AND e.objid = dep.refobjid AND e.deptype = 'e')
                 AND dep.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass)) END AS deps
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relpersistence <> 't' AND c.relnamespace = ANY($1::oid[]) AND ${notExt('pg_class', 'c.oid')}`,
    P,
  );
  const relByOid = new Map<number, { key: string; kind: string; columns: (ColumnDef | ViewColumnDef)[] }>();
  for (const r of relRows) {
    const key = objectKey(r.schema, r.name);
    if (r.kind === 'r' || r.kind === 'p') {
      const t = {
        schema: r.schema,
        name: r.name,
        partitionBy: r.partkey,
        partitionOf: r.parent && r.bound ? { table: r.parent, bound: r.bound } : null,
        inherits: r.inherits ?? [],
        unlogged: r.unlogged,
        options: [...(r.options ?? [])].sort(),
        replicaIdentity: REPLIDENT[r.replident] ?? 'default',
        replicaIdentityIndex: r.replident === 'i' ? r.replindex : null,
        columns: [] as ColumnDef[],
        constraints: {} as Record<string, ConstraintDef>,
        rowSecurity: r.rls,
        forceRowSecurity: r.force,
        comment: r.comment,
      };
      snap.tables[key] = t;
      relByOid.set(r.oid, { key, kind: 't', columns: t.columns });
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
      relByOid.set(r.oid, { key, kind: r.kind, columns: v.columns });
    }
  }

  const colRows = await q<{ rel: number; num: number; name: string; type: string; notnull: boolean; def: string | null; identity: string; generated: string; coll: string | null; comment: string | null; local: boolean; inh: number; seq: (string | boolean)[] | null }>(
    `SELECT a.attrelid::int AS rel, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated,
            ${COLLATION('a.attcollation', 't.typcollation')} AS coll, d.description AS comment, a.attislocal AS local, a.attinhcount AS inh,
            CASE WHEN a.attidentity <> '' THEN (
              SELECT ARRAY[format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text]
                FROM pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid
               WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
                 AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i' LIMIT 1) END AS seq
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
       LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
      WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relpersistence <> 't' AND c.relnamespace = ANY($1::oid[])
        AND a.attnum > 0 AND NOT a.attisdropped`,
    P,
  );
  // Sorted here rather than in SQL: an ORDER BY over every column of every table spills to disk on big schemas.
  colRows.sort((x, y) => x.rel - y.rel || x.num - y.num);
  const attName = new Map<number, Map<number, string>>();
  for (const r of colRows) {
    let m = attName.get(r.rel);
    if (!m) attName.set(r.rel, (m = new Map()));
    m.set(r.num, r.name);
  }
  const names = (rel: number, nums: number[] | null) => (nums ?? []).map((n) => attName.get(rel)?.get(n) ?? String(n));
  // A child's inherited column is listed only where it differs from its parent's (see inheritedColumn).
  const oidByKey = new Map([...relByOid].map(([oid, rel]) => [rel.key, oid]));
  const rowByName = new Map<string, (typeof colRows)[number]>();
  for (const r of colRows) rowByName.set(`${r.rel}\0${r.name}`, r);
  const ownDefault = (r: (typeof colRows)[number]) => (r.generated === '' ? r.def : null);
  const parentRow = (t: TableDef, name: string) => {
    for (const p of tableParents(t)) {
      const row = rowByName.get(`${oidByKey.get(p)}\0${name}`);
      if (row) return row;
    }
    return undefined;
  };
  for (const r of colRows) {
    const rel = relByOid.get(r.rel);
    if (!rel) continue;
    if (rel.kind !== 't') {
      rel.columns.push({ name: r.name, type: r.type, comment: r.comment });
      continue;
    }
    const table = snap.tables[rel.key];
    // Inherited columns are the parent's (PARTITION OF / INHERITS recreate them), unless NOT NULL, default or comment are the child's own.
    const parent = table && r.inh > 0 ? parentRow(table, r.name) : undefined;
    if (parent) {
      if (r.notnull !== parent.notnull || ownDefault(r) !== ownDefault(parent) || r.comment !== null) {
        (rel.columns as ColumnDef[]).push({ name: r.name, type: r.type, notNull: r.notnull, default: ownDefault(r), identity: null, generated: null, collation: r.coll, comment: r.comment });
      }
      continue;
    }
    const s = r.seq;
    (rel.columns as ColumnDef[]).push({
      name: r.name,
      type: r.type,
      notNull: r.notnull,
      default: r.generated === '' ? r.def : null,
      identity:
        r.identity !== '' && s
          ? { generation: r.identity === 'a' ? 'always' : 'by default', type: String(s[0]), start: String(s[1]), increment: String(s[2]), min: String(s[3]), max: String(s[4]), cache: String(s[5]), cycle: s[6] === 'true' }
          : null,
      generated: r.generated === 's' ? r.def : null,
      collation: r.coll,
      comment: r.comment,
    });
  }

  const nnd = major >= 15 ? 'ix.indnullsnotdistinct' : 'false';
  const conRows = await q<{ rel: number; name: string; type: string; def: string; cols: number[] | null; frel: number; fnums: number[] | null; validated: boolean; deferrable: boolean; deferred: boolean; noinherit: boolean; fschema: string | null; ftable: string | null; fcols: string[] | null; upd: string; del: string; match: string; nnd: boolean | null; comment: string | null }>(
    `SELECT con.conrelid::int AS rel, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS def,
            con.conkey::int[] AS cols, con.confrelid::int AS frel, con.confkey::int[] AS fnums,
            con.convalidated AS validated, con.condeferrable AS deferrable, con.condeferred AS deferred, con.connoinherit AS noinherit,
            fn.nspname AS fschema, fc.relname AS ftable,
            -- Column names of a referenced table outside the schemas read (the others are mapped from the column query).
            CASE WHEN con.contype = 'f' AND NOT fc.relnamespace = ANY($1::oid[]) THEN
              ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] END AS fcols,
            con.confupdtype AS upd, con.confdeltype AS del, con.confmatchtype AS match, ${nnd} AS nnd, d.description AS comment
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
       LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
       LEFT JOIN pg_index ix ON ix.indexrelid = con.conindid AND con.contype IN ('p', 'u')
       LEFT JOIN pg_description d ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
      WHERE con.contype IN ('p', 'f', 'u', 'c', 'x') AND con.conislocal AND con.conparentid = 0
        AND c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])`,
    P,
  );
  for (const r of conRows) {
    const rel = relByOid.get(r.rel);
    const table = rel ? snap.tables[rel.key] : undefined;
    if (!table) continue;
    const type = CONTYPES[r.type] as ConstraintType;
    table.constraints[r.name] = {
      name: r.name,
      type,
      definition: stripNotValid(r.def),
      columns: names(r.rel, r.cols),
      validated: r.validated,
      deferrable: r.deferrable,
      initiallyDeferred: r.deferred,
      noInherit: type === 'check' && r.noinherit,
      references:
        type === 'foreign key' && r.fschema && r.ftable
          ? { table: objectKey(r.fschema, r.ftable), columns: r.fcols ?? names(r.frel, r.fnums), onUpdate: ACTIONS[r.upd] ?? 'no action', onDelete: ACTIONS[r.del] ?? 'no action', match: MATCH[r.match] ?? 'simple' }
          : null,
      nullsNotDistinct: Boolean(r.nnd),
      comment: r.comment,
    };
  }

  const idxRows = await q<{ schema: string; name: string; rel: number; def: string; method: string; unique: boolean; valid: boolean; pred: string | null; nums: number[]; exprs: string[] | null; nkey: number; comment: string | null }>(
    `SELECT n.nspname AS schema, ic.relname AS name, i.indrelid::int AS rel, pg_get_indexdef(i.indexrelid) AS def, am.amname AS method,
            i.indisunique AS unique, i.indisvalid AS valid, pg_get_expr(i.indpred, i.indrelid) AS pred,
            i.indkey::int2[]::int[] AS nums,
            CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k ORDER BY k)::text[] END AS exprs,
            i.indnkeyatts AS nkey, d.description AS comment
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
       JOIN pg_am am ON am.oid = ic.relam JOIN pg_class tc ON tc.oid = i.indrelid
       LEFT JOIN pg_description d ON d.objoid = ic.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
      WHERE tc.relkind IN ('r', 'p', 'm') AND ic.relnamespace = ANY($1::oid[]) AND NOT ic.relispartition
        AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
        AND ${notExt('pg_class', 'ic.oid')}`,
    P,
  );
  for (const r of idxRows) {
    const rel = relByOid.get(r.rel);
    if (!rel) continue;
    // Plain key columns are named from the column query; only expression indexes need pg_get_indexdef per key.
    const cols = r.exprs ?? names(r.rel, r.nums);
    snap.indexes[objectKey(r.schema, r.name)] = {
      schema: r.schema,
      name: r.name,
      table: rel.key,
      definition: canonicalExpression(r.def),
      method: r.method,
      unique: r.unique,
      keys: cols.slice(0, r.nkey),
      include: cols.slice(r.nkey),
      predicate: r.pred === null ? null : canonicalExpression(r.pred),
      valid: r.valid,
      comment: r.comment,
    };
  }

  const sqlBody = major >= 14 ? 'p.prosqlbody IS NOT NULL' : 'false';
  const fnRows = await q<{ schema: string; name: string; kind: string; args: string; result: string | null; lang: string; def: string | null; sqlbody: boolean; comment: string | null }>(
    `SELECT n.nspname AS schema, p.proname AS name, p.prokind AS kind, pg_get_function_identity_arguments(p.oid) AS args,
            CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result, l.lanname AS lang,
            CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS def, ${sqlBody} AS sqlbody, d.description AS comment
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
      WHERE p.pronamespace = ANY($1::oid[]) AND ${notExt('pg_proc', 'p.oid')}
        AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'i')`,
    P,
  );
  for (const r of fnRows) {
    snap.functions[`${objectKey(r.schema, r.name)}(${r.args})`] = {
      schema: r.schema,
      name: r.name,
      kind: PROKIND[r.kind] ?? 'function',
      identityArguments: r.args,
      result: r.result,
      language: r.lang,
      definition: r.def,
      sqlBody: r.sqlbody,
      comment: r.comment,
    };
  }

  const trigParent = major >= 13 ? 'AND tg.tgparentid = 0' : '';
  const trgRows = await q<{ rel: number; name: string; def: string; enabled: 'O' | 'D' | 'R' | 'A'; comment: string | null }>(
    `SELECT tg.tgrelid::int AS rel, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS def, tg.tgenabled AS enabled, d.description AS comment
       FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
       LEFT JOIN pg_description d ON d.objoid = tg.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0
      WHERE NOT tg.tgisinternal ${trigParent} AND c.relnamespace = ANY($1::oid[])`,
    P,
  );
  for (const r of trgRows) {
    const rel = relByOid.get(r.rel);
    if (!rel) continue;
    const [schema, table] = splitKeyOf(rel.key, snap);
    snap.triggers[`${rel.key}.${r.name}`] = { schema, table, name: r.name, definition: r.def, enabled: r.enabled, comment: r.comment };
  }

  const polRows = await q<{ rel: number; name: string; permissive: boolean; cmd: string; roles: string[]; using: string | null; check: string | null; comment: string | null }>(
    `SELECT p.polrelid::int AS rel, p.polname AS name, p.polpermissive AS permissive, p.polcmd AS cmd,
            ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1)::text[] AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check, d.description AS comment
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0
      WHERE c.relnamespace = ANY($1::oid[])`,
    P,
  );
  for (const r of polRows) {
    const rel = relByOid.get(r.rel);
    if (!rel) continue;
    const [schema, table] = splitKeyOf(rel.key, snap);
    snap.policies[`${rel.key}.${r.name}`] = {
      schema,
      table,
      name: r.name,
      permissive: r.permissive,
      command: POLCMD[r.cmd] ?? 'all',
      roles: [...r.roles].sort(),
      using: r.using,
      withCheck: r.check,
      comment: r.comment,
    };
  }

  // Event triggers and publications belong to the database, not to a schema: read whatever the schema filters.
  const evtRows = await q<{ name: string; event: string; tags: string[] | null; fschema: string; fname: string; fargs: string; enabled: 'O' | 'D' | 'R' | 'A'; comment: string | null }>(
    `SELECT et.evtname AS name, et.evtevent AS event, et.evttags::text[] AS tags, n.nspname AS fschema, p.proname AS fname,
            pg_get_function_identity_arguments(p.oid) AS fargs, et.evtenabled AS enabled, d.description AS comment
       FROM pg_event_trigger et JOIN pg_proc p ON p.oid = et.evtfoid JOIN pg_namespace n ON n.oid = p.pronamespace
       LEFT JOIN pg_description d ON d.objoid = et.oid AND d.classoid = 'pg_event_trigger'::regclass AND d.objsubid = 0
      WHERE ${notExt('pg_event_trigger', 'et.oid')}`,
  );
  for (const r of evtRows) {
    snap.eventTriggers[r.name] = {
      name: r.name,
      event: r.event,
      tags: [...(r.tags ?? [])].sort(byCodePoint),
      function: `${objectKey(r.fschema, r.fname)}(${r.fargs})`,
      enabled: r.enabled,
      comment: r.comment,
    };
  }

  // Column lists and row filters came with 15, FOR TABLES IN SCHEMA too; publish_via_partition_root with 13.
  const pubCols = major >= 15 ? 'CASE WHEN pr.prattrs IS NOT NULL THEN ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs::int2[]))::text[] END' : 'NULL::text[]';
  const pubQual = major >= 15 ? 'pg_get_expr(pr.prqual, pr.prrelid)' : 'NULL::text';
  const pubSchemas = major >= 15 ? 'ARRAY(SELECT sn.nspname FROM pg_publication_namespace pn JOIN pg_namespace sn ON sn.oid = pn.pnnspid WHERE pn.pnpubid = p.oid)::text[]' : "'{}'::text[]";
  const pubRows = await q<{ name: string; alltables: boolean; ins: boolean; upd: boolean; del: boolean; trunc: boolean; viaroot: boolean; tables: { schema: string; table: string; columns: string[] | null; where: string | null }[] | null; schemas: string[]; comment: string | null }>(
    `SELECT p.pubname AS name, p.puballtables AS alltables, p.pubinsert AS ins, p.pubupdate AS upd, p.pubdelete AS del, p.pubtruncate AS trunc,
            ${major >= 13 ? 'p.pubviaroot' : 'false'} AS viaroot,
            (SELECT json_agg(json_build_object('schema', rn.nspname, 'table', rc.relname, 'columns', ${pubCols}, 'where', ${pubQual}))
               FROM pg_publication_rel pr JOIN pg_class rc ON rc.oid = pr.prrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
              WHERE pr.prpubid = p.oid) AS tables,
            ${pubSchemas} AS schemas, d.description AS comment
       FROM pg_publication p
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_publication'::regclass AND d.objsubid = 0
      WHERE ${notExt('pg_publication', 'p.oid')}`,
  );
  for (const r of pubRows) {
    const on: Record<PublishAction, boolean> = { insert: r.ins, update: r.upd, delete: r.del, truncate: r.trunc };
    const publish = PUBLISH_ACTIONS.filter((a) => on[a]);
    const tables: PublicationTableDef[] = (r.tables ?? [])
      .map((t) => ({ table: objectKey(t.schema, t.table), columns: t.columns ? [...t.columns].sort(byCodePoint) : null, where: t.where }))
      .sort((x, y) => byCodePoint(x.table, y.table));
    snap.publications[r.name] = { name: r.name, allTables: r.alltables, tables, schemas: [...r.schemas].sort(byCodePoint), publish, viaPartitionRoot: r.viaroot, comment: r.comment };
  }

  // Kinds Strata does not handle yet, listed so that nothing is skipped silently (extension members left out).
  const inNs = (expr: string) => `${expr} = ANY($1::oid[])`;
  const qname = (ns: string, name: string) => `quote_ident(${ns}.nspname) || '.' || quote_ident(${name})`;
  const unhandledRows = await q<{ kind: string; name: string }>(
    [
      `SELECT 'text search configuration' AS kind, ${qname('n', 'c.cfgname')} AS name FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_ts_config', 'c.oid')}`,
      `SELECT 'text search dictionary', ${qname('n', 'c.dictname')} FROM pg_ts_dict c JOIN pg_namespace n ON n.oid = c.dictnamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_ts_dict', 'c.oid')}`,
      `SELECT 'text search parser', ${qname('n', 'c.prsname')} FROM pg_ts_parser c JOIN pg_namespace n ON n.oid = c.prsnamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_ts_parser', 'c.oid')}`,
      `SELECT 'text search template', ${qname('n', 'c.tmplname')} FROM pg_ts_template c JOIN pg_namespace n ON n.oid = c.tmplnamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_ts_template', 'c.oid')}`,
      `SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname || '(' || coalesce(format_type(o.oprleft, NULL), 'NONE') || ', ' || coalesce(format_type(o.oprright, NULL), 'NONE') || ')' FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_operator', 'o.oid')}`,
      `SELECT 'operator class', ${qname('n', 'c.opcname')} || ' USING ' || am.amname FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod WHERE ${inNs('n.oid')} AND ${notExt('pg_opclass', 'c.oid')}`,
      `SELECT 'operator family', ${qname('n', 'f.opfname')} || ' USING ' || am.amname FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod WHERE ${inNs('n.oid')} AND ${notExt('pg_opfamily', 'f.oid')}
          AND NOT EXISTS (SELECT 1 FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = f.opfname AND c.opcnamespace = f.opfnamespace)`,
      // Casts a type made itself (a range type's multirange casts) depend on it internally: not the user's.
      `SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')' FROM pg_cast c WHERE c.oid >= 16384 AND ${notExt('pg_cast', 'c.oid')}
          AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')`,
      `SELECT 'conversion', ${qname('n', 'c.conname')} FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace WHERE ${inNs('n.oid')} AND ${notExt('pg_conversion', 'c.oid')}`,
      `SELECT 'statistics object', ${qname('n', 's.stxname')} FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE ${inNs('n.oid')}`,
      `SELECT 'foreign table', ${qname('n', 'c.relname')} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'f' AND ${inNs('n.oid')} AND ${notExt('pg_class', 'c.oid')}`,
      `SELECT 'foreign-data wrapper', quote_ident(w.fdwname) FROM pg_foreign_data_wrapper w WHERE ${notExt('pg_foreign_data_wrapper', 'w.oid')}`,
      `SELECT 'server', quote_ident(s.srvname) FROM pg_foreign_server s WHERE ${notExt('pg_foreign_server', 's.oid')}`,
      `SELECT 'rule', quote_ident(r.rulename) || ' ON ' || ${qname('n', 'c.relname')} FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND ${inNs('n.oid')} AND ${notExt('pg_class', 'c.oid')}`,
      `SELECT 'language', quote_ident(l.lanname) FROM pg_language l WHERE l.oid >= 16384 AND ${notExt('pg_language', 'l.oid')}`,
      `SELECT 'access method', quote_ident(a.amname) FROM pg_am a WHERE a.oid >= 16384 AND ${notExt('pg_am', 'a.oid')}`,
      `SELECT 'default privileges', coalesce(pg_get_userbyid(d.defaclrole)::text, '?') || coalesce(' IN SCHEMA ' || (SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = d.defaclnamespace), '') || ' ON ' || CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END FROM pg_default_acl d`,
      `SELECT 'security label', s.provider || ' on ' || pg_describe_object(s.classoid, s.objoid, s.objsubid) FROM pg_seclabel s WHERE s.objoid >= 16384`,
      `SELECT 'subscription', quote_ident(s.subname) FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    ].join('\n     UNION ALL '),
    [nsps],
  );
  if (unhandledRows.length > 0) {
    snap.unhandled = {};
    for (const r of unhandledRows) snap.unhandled[`${r.kind}:${r.name}`] = { kind: r.kind, name: r.name };
  }

  // Privileges: one query over every kind, the owner's own left out.
  const grantee = "CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee)::text END";
  const privRows = await q<{ kind: PrivilegeObjectType; schema: string; name: string; args: string | null; grantee: string; privilege: string; grantable: boolean }>(
    `SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, NULL AS args, ${grantee} AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
      WHERE n.oid = ANY($1::oid[]) AND a.grantee <> n.nspowner
     UNION ALL
     SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, n.nspname, c.relname, NULL, ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
            aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relnamespace = ANY($1::oid[]) AND a.grantee <> c.relowner
     UNION ALL
     SELECT 'function', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      WHERE p.pronamespace = ANY($1::oid[]) AND a.grantee <> p.proowner`,
    P,
  );
  for (const r of privRows) {
    const object = r.kind === 'schema' ? r.name : r.kind === 'function' ? `${objectKey(r.schema, r.name)}(${r.args})` : objectKey(r.schema, r.name);
    const key = privilegeKey(r.kind, object, r.grantee);
    const e = (snap.privileges[key] ??= { objectType: r.kind, object, grantee: r.grantee, privileges: [], grantable: [] });
    e.privileges.push(r.privilege);
    if (r.grantable) e.grantable.push(r.privilege);
  }

  applyNameFilters(snap, options);
  // Only privileges on objects the Snapshot holds (not on extension members, identity sequences, filtered objects).
  for (const [k, e] of Object.entries(snap.privileges)) {
    if (!privilegeObjectExists(snap, e.objectType, e.object)) delete snap.privileges[k];
    else {
      e.privileges.sort();
      e.grantable.sort();
    }
  }
  return normalizeSnapshot(snap);
}

/** Schema and name of a table key, read from the table itself (names may contain dots). */
function splitKeyOf(key: string, snap: Snapshot): [string, string] {
  const t = snap.tables[key] ?? snap.views[key] ?? snap.materializedViews[key];
  return t ? [t.schema, t.name] : ['', key];
}

function stripNotValid(def: string): string {
  return canonicalExpression(def.endsWith(' NOT VALID') ? def.slice(0, -' NOT VALID'.length) : def);
}

/** Apply `include` / `exclude` name patterns to every collection (triggers and policies follow their table; event triggers and publications go by name). */
function applyNameFilters(snap: Snapshot, options: IntrospectOptions): void {
  const inc = matcher(options.include);
  const exc = matcher(options.exclude);
  if (!inc && !exc) return;
  const keep = (schema: string, name: string) => {
    const q = `${schema}.${name}`;
    if (inc && !inc(q) && !inc(name)) return false;
    if (exc && (exc(q) || exc(name))) return false;
    return true;
  };
  for (const coll of ['collations', 'enums', 'domains', 'compositeTypes', 'rangeTypes', 'sequences', 'tables', 'views', 'materializedViews', 'functions'] as const) {
    const rec = snap[coll] as Record<string, { schema: string; name: string }>;
    for (const [k, v] of Object.entries(rec)) if (!keep(v.schema, v.name)) delete rec[k];
  }
  const relKept = (key: string) => key in snap.tables || key in snap.views || key in snap.materializedViews;
  for (const [k, v] of Object.entries(snap.indexes)) if (!relKept(v.table) || !keep(v.schema, v.name)) delete snap.indexes[k];
  for (const [k, v] of Object.entries(snap.triggers)) if (!relKept(objectKey(v.schema, v.table))) delete snap.triggers[k];
  for (const [k, v] of Object.entries(snap.policies)) if (!relKept(objectKey(v.schema, v.table))) delete snap.policies[k];
  // Event triggers and publications have no schema: the patterns apply to their name.
  const keepName = (name: string) => (!inc || inc(name)) && !exc?.(name);
  for (const coll of ['eventTriggers', 'publications'] as const) {
    const rec = snap[coll] as Record<string, { name: string }>;
    for (const [k, v] of Object.entries(rec)) if (!keepName(v.name)) delete rec[k];
  }
}
