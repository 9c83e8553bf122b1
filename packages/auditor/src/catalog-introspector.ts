import { StrataError, connect, isPgDatabaseError, silentLogger, type Queryable } from '@pg-strata/core';
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
