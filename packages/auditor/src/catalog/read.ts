import type pg from 'pg';
import { silentLogger, type Queryable } from '@pg-strata/core';
import { emptySnapshot, normalizeSnapshot, objectKey, privilegeObjectExists, type Snapshot } from '../snapshot.js';
import { matcher, type CatalogContext, type CatalogKind } from './context.js';
import { CATALOG_KINDS } from './kinds/registry.js';
import { ownerObject } from '../owner-objects.js';
import type { IntrospectOptions } from './options.js';
import { canonicalViewDefinition, prepareViewCanon } from '../view-canon.js';
import { loadParser } from '@pg-strata/sql';

/**
 * Where a kind's query runs when there are several sessions: the kinds that
 * deparse expressions of tables (indexes, constraints: pg_get_indexdef,
 * pg_get_expr, pg_get_constraintdef open the table, slow the first time in a
 * session) on their own session, away from the rest; with 3 sessions or more,
 * their queries are cut in two by the table's oid parity, each half on its own
 * session, so each session opens only half the tables. Returns the parts:
 * session index and the row filter of each.
 */
function parts(kind: string, sessions: number): { lane: number; half: 0 | 1 | null }[] {
  const deparsing = kind === 'index' || kind === 'constraint';
  if (sessions >= 3 && deparsing)
    return [
      { lane: 1, half: 0 },
      { lane: 2, half: 1 },
    ];
  if (sessions >= 2 && (deparsing || kind === 'trigger' || kind === 'policy')) return [{ lane: 1, half: null }];
  return [{ lane: 0, half: null }];
}

/**
 * Read the catalogue into a Snapshot: each kind's query (a fixed number of
 * queries, whatever the schema's size), its rows mapped by the kind, then the
 * name filters and the privileges matched to the objects kept. `helpers` are
 * more connections reading the same snapshot as `client` (SET TRANSACTION
 * SNAPSHOT): the queries after the schemas' are spread over all of them and
 * sent at once, and each kind is mapped, in registry order, as its rows come.
 */
export async function readCatalog(client: Queryable, options: IntrospectOptions, helpers: readonly Queryable[] = []): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const q = async <R extends pg.QueryResultRow>(on: Queryable, sql: string, params: unknown[] = []): Promise<R[]> => {
    const t0 = Date.now();
    const rows = (await on.query<R>(sql, params)).rows;
    logger.debug('catalogue query', { ms: Date.now() - t0, rows: rows.length, query: sql.slice(0, 60).replace(/\s+/g, ' ') });
    return rows;
  };
  const [{ v }] = (await q<{ v: number }>(client, "SELECT current_setting('server_version_num')::int AS v")) as [{ v: number }];
  const major = Math.floor(v / 10000);
  const ctx: CatalogContext = {
    major,
    options,
    snap: emptySnapshot(major),
    namespaces: [],
    relations: new Map(),
    attributeNames: new Map(),
  };
  const [first, ...rest] = CATALOG_KINDS as [CatalogKind<any>, ...CatalogKind<any>[]];
  first.map(await q(client, first.sql(ctx), first.params === 'namespaces' ? [ctx.namespaces] : []), ctx);
  // One query at a time per session, each session's next one sent as soon as its last answered.
  const lanes: { on: Queryable; last: Promise<unknown> }[] = [client, ...helpers].map((on) => ({ on, last: Promise.resolve() }));
  const pending = rest.map(async (kind) => {
    if (kind.when && !kind.when(ctx)) return [];
    const params = kind.params === 'namespaces' ? [ctx.namespaces] : [];
    const sent = parts(kind.name, lanes.length).map(({ lane, half }) => {
      const l = lanes[lane]!;
      const sql = half === null ? kind.sql(ctx) : `SELECT * FROM (${kind.sql(ctx)}) part WHERE part.rel % 2 = ${half}`;
      const rows = l.last.then(() => q(l.on, sql, params));
      l.last = rows; // after a failure the session's later queries are not sent
      return rows;
    });
    return (await Promise.all(sent)).flat();
  });
  for (const p of pending) p.catch(() => {}); // awaited below, in order; a later kind's failure must not go unhandled meanwhile
  for (const [i, kind] of rest.entries()) kind.map(await pending[i]!, ctx);
  const { snap } = ctx;
  const views = [...Object.values(snap.views), ...Object.values(snap.materializedViews)];
  await prepareViewCanon(views.map((v) => v.definition));
  // The plan reads LANGUAGE sql string bodies with the parser (plan/function-calls.ts), synchronously. Not for a
  // caller inside its own transaction (the start-up shim checking what it built compares, it does not plan).
  if (!options.inTransaction && Object.values(snap.functions).some((f) => f.language === 'sql' && !f.sqlBody)) await loadParser();
  for (const v of views) v.definition = canonicalViewDefinition(v.definition);
  applyNameFilters(snap, options);
  // Only privileges on objects the Snapshot holds (not on extension members, identity sequences, filtered objects).
  for (const [k, e] of Object.entries(snap.privileges)) {
    if (!privilegeObjectExists(snap, e.objectType, e.object)) delete snap.privileges[k];
    else {
      e.privileges.sort();
      e.grantable.sort();
    }
  }
  // Only owners of objects the Snapshot holds (a sequence owned by a column follows its table).
  for (const [k, e] of Object.entries(snap.owners ?? {})) if (!ownerObject(snap, e.objectType, e.object)) delete snap.owners![k];
  return normalizeSnapshot(snap);
}

/** Apply `include` / `exclude` name patterns to every collection (triggers and policies follow their table; event triggers and publications
 * go by name). */
export function applyNameFilters(snap: Snapshot, options: IntrospectOptions): void {
  const inc = matcher(options.include);
  const exc = matcher(options.exclude);
  if (!inc && !exc) return;
  const keep = (schema: string, name: string) => {
    const q = `${schema}.${name}`;
    if (inc && !inc(q) && !inc(name)) return false;
    if (exc && (exc(q) || exc(name))) return false;
    return true;
  };
  for (const coll of [
    'collations',
    'enums',
    'domains',
    'compositeTypes',
    'rangeTypes',
    'sequences',
    'tables',
    'views',
    'materializedViews',
    'functions',
  ] as const) {
    const rec = snap[coll] as Record<string, { schema: string; name: string }>;
    for (const [k, v] of Object.entries(rec)) if (!keep(v.schema, v.name)) delete rec[k];
  }
  for (const coll of ['textSearchDictionaries', 'textSearchConfigurations'] as const) {
    const rec = snap[coll];
    for (const [k, v] of Object.entries(rec ?? {})) if (!keep(v.schema, v.name)) delete rec![k];
  }
  const relKept = (key: string) => key in snap.tables || key in snap.views || key in snap.materializedViews;
  for (const [k, v] of Object.entries(snap.indexes)) if (!relKept(v.table) || !keep(v.schema, v.name)) delete snap.indexes[k];
  for (const [k, v] of Object.entries(snap.triggers)) if (!relKept(objectKey(v.schema, v.table))) delete snap.triggers[k];
  for (const [k, v] of Object.entries(snap.policies)) if (!relKept(objectKey(v.schema, v.table))) delete snap.policies[k];
  for (const [k, v] of Object.entries(snap.rules ?? {})) if (!relKept(objectKey(v.schema, v.table))) delete snap.rules![k];
  for (const [k, v] of Object.entries(snap.statistics ?? {})) if (!relKept(v.table) || !keep(v.schema, v.name)) delete snap.statistics![k];
  for (const [k, v] of Object.entries(snap.conversions ?? {})) if (!keep(v.schema, v.name)) delete snap.conversions![k];
  // Event triggers and publications have no schema: the patterns apply to their name.
  const keepName = (name: string) => (!inc || inc(name)) && !exc?.(name);
  for (const coll of ['eventTriggers', 'publications'] as const) {
    const rec = snap[coll] as Record<string, { name: string }>;
    for (const [k, v] of Object.entries(rec)) if (!keepName(v.name)) delete rec[k];
  }
  // So do wrappers, servers, languages and access methods; a user mapping follows its server.
  for (const coll of ['foreignDataWrappers', 'foreignServers', 'languages', 'accessMethods'] as const) {
    const rec = snap[coll] as Record<string, { name: string }> | undefined;
    for (const [k, v] of Object.entries(rec ?? {})) if (!keepName(v.name)) delete rec![k];
  }
  for (const [k, v] of Object.entries(snap.userMappings ?? {})) if (!snap.foreignServers?.[v.server]) delete snap.userMappings![k];
}
