import type pg from 'pg';
import { StrataError, closeConnection, connect, isPgDatabaseError, silentLogger, type Logger, type Queryable } from '@pg-strata/core';
import type { IntrospectOptions } from './catalog/options.js';
import { readCatalog } from './catalog/read.js';
import type { Snapshot } from './snapshot.js';

export type { IntrospectOptions } from './catalog/options.js';

/** What introspection can read from: a connection string or an open client (not inside a transaction). */
export type IntrospectTarget = string | Queryable;

/**
 * Read a database's schema into a {@link Snapshot}: a fixed number of
 * catalogue queries (one per object kind, whatever the schema's size) inside
 * one `REPEATABLE READ READ ONLY` transaction, so the Snapshot is consistent.
 * Given a URL, the queries are spread over `options.connections` sessions
 * (default 3) that share that transaction's snapshot, as `pg_dump --jobs` does.
 */
export async function introspect(target: IntrospectTarget, options: IntrospectOptions = {}): Promise<Snapshot> {
  if (typeof target === 'string') {
    const connectOptions = { url: target, applicationName: 'strata-auditor' };
    const client = await connect(connectOptions);
    // The helpers connect while the main session starts its transaction; one that fails is simply not used.
    const wanted = Math.max(0, Math.floor(options.connections ?? 3) - 1);
    const helpers = Array.from({ length: wanted }, () => connect(connectOptions).catch(() => null));
    try {
      return await introspectClient(client, options, helpers);
    } finally {
      await Promise.all([closeConnection(client), ...helpers.map(async (h) => h.then((c) => c && closeConnection(c)))]);
    }
  }
  return await introspectClient(target, options, []);
}

const SETTINGS = "SELECT set_config('search_path', $1, true), set_config('work_mem', '64MB', true), set_config('jit', 'off', true)";

/**
 * Start helper sessions on the snapshot `main` exports. Read-only catalogue
 * queries need no more than that; a helper that cannot join is dropped (and
 * with no snapshot to share, e.g. where pg_export_snapshot is refused, none is used).
 */
async function joinHelpers(
  main: Queryable,
  helpers: Promise<pg.Client | null>[],
  searchPath: string,
  logger: Logger,
): Promise<Queryable[]> {
  if (helpers.length === 0) return [];
  let snapshot: string | undefined;
  try {
    // Not in a savepoint: a subtransaction cannot export its snapshot.
    snapshot = (await main.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]?.s;
  } catch (err) {
    // Refused (the transaction is now aborted): read on the main session alone, in a new transaction.
    logger.debug('catalogue snapshot refused: reading on one session', { reason: (err as Error).message });
    await main.query('ROLLBACK');
    await main.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await main.query(SETTINGS, [searchPath]);
    return [];
  }
  if (!snapshot || !/^[0-9A-Fa-f-]+$/.test(snapshot)) return [];
  logger.debug('catalogue snapshot exported', { helpers: helpers.length });
  const joined = await Promise.all(
    helpers.map(async (p) => {
      const c = await p;
      if (!c) return null;
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
        await c.query(SETTINGS, [searchPath]);
        return c;
      } catch {
        return null;
      }
    }),
  );
  return joined.filter((c): c is pg.Client => c !== null);
}

async function introspectClient(client: Queryable, options: IntrospectOptions, helpers: Promise<pg.Client | null>[]): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const searchPath = options.searchPath ?? 'public';
  if (options.inTransaction) {
    await client.query(SETTINGS, [searchPath]);
    return await readCatalog(client, options);
  }
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(SETTINGS, [searchPath]);
    const snapshot = await readCatalog(client, options, await joinHelpers(client, helpers, searchPath, logger));
    await client.query('COMMIT');
    logger.debug('introspected', { ms: Date.now() - started, tables: Object.keys(snapshot.tables).length });
    return snapshot;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof StrataError) throw err;
    if (isPgDatabaseError(err)) {
      throw new StrataError('DB_QUERY', `Reading the catalogue failed: ${err.message}${err.code ? ` (SQLSTATE ${err.code})` : ''}.`, {
        meta: { sqlstate: err.code ?? null },
        cause: err,
      });
    }
    throw err;
  }
}
