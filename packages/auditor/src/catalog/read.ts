import type pg from 'pg';
import { silentLogger, type Queryable } from '@pg-strata/core';
import { emptySnapshot, normalizeSnapshot, objectKey, privilegeObjectExists, type Snapshot } from '../snapshot.js';
import { matcher, type CatalogContext, type CatalogKind } from './context.js';
import { CATALOG_KINDS } from './kinds/registry.js';
import type { IntrospectOptions } from './options.js';

/**
 * Which connection reads a kind when there are several (`lane % connections`):
 * the heavy kinds apart, so that their server-side work runs side by side.
 * Indexes and constraints share one: both deparse expressions, which opens
 * (and caches in that session) every table they belong to.
 */
const LANES: Record<string, number> = { column: 1, index: 2, constraint: 2, trigger: 2, policy: 2 };

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
  const ctx: CatalogContext = { major, options, snap: emptySnapshot(major), namespaces: [], relations: new Map(), attributeNames: new Map() };
  const [first, ...rest] = CATALOG_KINDS as [CatalogKind<any>, ...CatalogKind<any>[]];
  first.map(await q(client, first.sql(ctx), first.params === 'namespaces' ? [ctx.namespaces] : []), ctx);
  // One query at a time per session, each session's next one sent as soon as its last answered.
  const lanes: { on: Queryable; last: Promise<unknown> }[] = [client, ...helpers].map((on) => ({ on, last: Promise.resolve() }));
  const pending = rest.map((kind) => {
    const lane = lanes[(LANES[kind.name] ?? 0) % lanes.length]!;
    const rows = lane.last.then(() => q(lane.on, kind.sql(ctx), kind.params === 'namespaces' ? [ctx.namespaces] : []));
    lane.last = rows; // after a failure the session's later queries are not sent
    rows.catch(() => {}); // awaited below, in order; a later kind's failure must not go unhandled meanwhile
    return rows;
  });
  for (const [i, kind] of rest.entries()) kind.map(await pending[i]!, ctx);
  const { snap } = ctx;
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

/** Apply `include` / `exclude` name patterns to every collection (triggers and policies follow their table; event triggers and publications go by name). */
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
  for (const coll of ['collations', 'enums', 'domains', 'compositeTypes', 'rangeTypes', 'sequences', 'tables', 'views', 'materializedViews', 'functions'] as const) {
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
  // Event triggers and publications have no schema: the patterns apply to their name.
  const keepName = (name: string) => (!inc || inc(name)) && !exc?.(name);
  for (const coll of ['eventTriggers', 'publications'] as const) {
    const rec = snap[coll] as Record<string, { name: string }>;
    for (const [k, v] of Object.entries(rec)) if (!keepName(v.name)) delete rec[k];
  }
}
