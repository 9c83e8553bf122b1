import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StrataError, describeLockHolder, quoteLiteral } from '@pg-strata/core';
import type { ResolvedOptions } from './options.js';
import { beginReadingPid } from './pooler.js';
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
 * Transaction mode's lock, inside an open transaction: wait at most
 * `lockWaitMs` (none given: for ever) for the transaction-level run lock,
 * then lift the wait limit again for the migration's own statements.
 */
export function xactLockSql(key: bigint, lockWaitMs: number | undefined): string {
  const wait = lockWaitMs === undefined ? '0' : String(Math.max(1, lockWaitMs));
  return `SET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT pg_advisory_xact_lock(${key.toString()}::bigint);`;
}

/**
 * Session mode: hold the session-level run lock while `fn` runs, released in
 * `finally` (and by the server if the connection dies, so a killed runner
 * never leaks it).
 *
 * Waiting is a poll of pg_try_advisory_lock, not a blocking
 * pg_advisory_lock: a waiter blocked inside `SELECT pg_advisory_lock()` holds
 * a snapshot, and CREATE INDEX CONCURRENTLY run by the lock holder waits for
 * every older snapshot to go away, so the two would deadlock (PostgreSQL
 * then kills one of the waiters with 40P01). Short polls let the index build
 * proceed. The poll backs off from 10 ms to 250 ms.
 */
export async function withRunLock<T>(client: pg.Client, o: ResolvedOptions, fn: () => Promise<T>): Promise<T> {
  const key = runLockKey(o.schema).toString();
  const t0 = Date.now();
  const tryLock = async () =>
    (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])).rows[0]?.ok === true;
  let got = await tryLock();
  if (!got) {
    const holder = await describeLockHolder(client, key).catch(() => null);
    o.emit({ type: 'lock-waiting', key, holder });
    o.logger.info('waiting for the migration lock', {
      holderPid: holder?.pid ?? null,
      holderApplicationName: holder?.applicationName ?? null,
    });
    let delay = 10;
    while (!got) {
      const waited = Date.now() - t0;
      if (o.lockWaitMs !== undefined && waited >= o.lockWaitMs) {
        const now = await describeLockHolder(client, key).catch(() => null);
        const by = now ? ` It is held by pid ${now.pid}${now.applicationName ? ` (application_name '${now.applicationName}')` : ''}.` : '';
        const code = o.lockWaitMs === 0 ? 'LOCK_BUSY' : 'LOCK_TIMEOUT';
        const when = o.lockWaitMs === 0 ? 'at once (no waiting was allowed)' : `within ${o.lockWaitMs} ms`;
        throw new StrataError(
          code,
          `Could not take the migration lock of schema ${o.schema} (advisory lock ${key}) ${when}.${by} ` +
            `Another migration run is in progress; wait for it to finish or raise the lock wait.`,
          {
            meta: { key, holder: now },
          },
        );
      }
      const pause = o.lockWaitMs === undefined ? delay : Math.min(delay, Math.max(1, o.lockWaitMs - waited));
      await new Promise((resolve) => setTimeout(resolve, pause));
      delay = Math.min(250, delay * 2);
      got = await tryLock();
    }
  }
  o.emit({ type: 'lock-acquired', key, waitedMs: Date.now() - t0 });
  try {
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
  }
}

/**
 * Create Strata's tables: under the session lock, or in a transaction holding
 * the xact lock. With `probe` (a pooler, pool mode unknown) the transaction is
 * opened by a message of its own that also reads the backend pid: a statement
 * pooler refuses it before anything is written (POOLER_UNSUPPORTED), and the
 * pid, returned, tells whether the pooler moved the run to another server
 * connection. One more round trip, behind a pooler only.
 */
export async function ensureTables(client: pg.Client, o: ResolvedOptions, probe = false): Promise<number | undefined> {
  if (o.lockMode === 'session') {
    await client.query(createTablesSql(o.schema));
    return undefined;
  }
  const key = runLockKey(o.schema).toString();
  const wait = o.lockWaitMs === undefined ? '0' : String(Math.max(1, o.lockWaitMs));
  const pid = probe ? await beginReadingPid(client) : undefined;
  try {
    await client.query(
      `${probe ? '' : 'BEGIN;\n'}SET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT ` +
        `pg_advisory_xact_lock(${key}::bigint);\n${createTablesSql(o.schema)}COMMIT;`,
    );
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return pid;
}
