import { createHash } from 'node:crypto';
import type pg from 'pg';
import { describeLockHolder, quoteLiteral, withAdvisoryLock } from '@strata/core';
import type { ResolvedOptions } from './options.js';
import { createTablesSql } from './version-table.js';

/**
 * The advisory-lock key of a run: the first 8 bytes of
 * sha256('strata:migrate:' + schema) as a signed 64-bit integer. Advisory
 * locks are per database, so there is one key per (database, schema): two
 * projects using different schemas in one database do not block each other.
 */
export function runLockKey(schema: string): bigint {
  const digest = createHash('sha256').update(`strata:migrate:${schema}`).digest();
  return digest.readBigInt64BE(0);
}

/**
 * Session mode: hold the session-level run lock while `fn` runs. A first
 * non-blocking try avoids a wait in the common case and tells the caller
 * (event `lock-waiting`) who holds it otherwise; the wait itself is core's
 * withAdvisoryLock (server-side queue bounded by lock_timeout).
 */
export async function withRunLock<T>(client: pg.Client, o: ResolvedOptions, fn: () => Promise<T>): Promise<T> {
  const key = runLockKey(o.schema).toString();
  const t0 = Date.now();
  const tried = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
  if (tried.rows[0]?.ok) {
    o.emit({ type: 'lock-acquired', key, waitedMs: 0 });
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
    }
  }
  const holder = await describeLockHolder(client, key).catch(() => null);
  o.emit({ type: 'lock-waiting', key, holder });
  o.logger.info('waiting for the migration lock', { holderPid: holder?.pid ?? null, holderApplicationName: holder?.applicationName ?? null });
  const what = `the migration lock (advisory lock ${key}, schema ${o.schema})`;
  return await withAdvisoryLock(client, { key, what, ...(o.lockWaitMs === undefined ? {} : { timeoutMs: o.lockWaitMs }) }, async () => {
    o.emit({ type: 'lock-acquired', key, waitedMs: Date.now() - t0 });
    return await fn();
  });
}

/** Create Strata's tables: under the session lock, or in a transaction holding the xact lock. */
export async function ensureTables(client: pg.Client, o: ResolvedOptions): Promise<void> {
  if (o.lockMode === 'session') {
    await client.query(createTablesSql(o.schema));
    return;
  }
  const key = runLockKey(o.schema).toString();
  const wait = o.lockWaitMs === undefined ? '0' : String(Math.max(1, o.lockWaitMs));
  try {
    await client.query(`BEGIN;\nSET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT pg_advisory_xact_lock(${key}::bigint);\n${createTablesSql(o.schema)}COMMIT;`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
