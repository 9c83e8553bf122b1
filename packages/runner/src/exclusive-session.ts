/**
 * Exclusive run sessions (`openRunSession({ exclusive: true })`): a session
 * that holds the run lock from its opening to its close, on a database no
 * other runner uses meanwhile (what `migrate test`'s scratch databases are).
 * What a run re-checks because another runner might have moved the database
 * since the last look is then known without a query (see the README's
 * "Exclusive run sessions" for why each skip is safe).
 */
import type pg from 'pg';
import type { PreparedStep } from './prepare.js';
import type { ResolvedOptions } from './options.js';
import { choosePath } from './pooler.js';
import { watchForDeadClient } from './connection.js';
import { runLockKey } from './run-lock.js';
import { refreshSummary } from './run-state.js';
import { createTablesSql, type DbState } from './version-table.js';

/** What an exclusive session knows between its runs. */
export interface ExclusiveState {
  /** `server_version_num` and the backend pid, read once: neither changes while the connection lives. */
  serverVersion: number;
  pid: number | undefined;
  /**
   * The database's state as the last run left it, when this session knows it
   * exactly: every run since the last read succeeded, and the read found no
   * failure or running claim. Undefined: the next run reads it.
   */
  known: DbState | undefined;
  /** A run wrote history since the summary was last written: written once at close. */
  summaryStale: boolean;
  /** Parsed steps by direction and revision: the files are read once per session, so their parse is too. */
  prepared: Map<string, PreparedStep>;
}

/**
 * Make a session exclusive: take the run lock (without waiting: a holder
 * means another runner is there, and the session stays an ordinary one),
 * create Strata's tables, and read the server's version and pid. Only on a
 * direct connection in session lock mode: through a pooler the session's
 * state (its lock among it) would not last. Returns undefined when the
 * session cannot be exclusive.
 */
export async function makeExclusive(client: pg.Client, o: ResolvedOptions): Promise<ExclusiveState | undefined> {
  const { version, pid } = await watchForDeadClient(client);
  const path = choosePath(client, o, pid);
  if (path.mode !== 'session' || !path.direct) return undefined;
  const key = runLockKey(o.schema).toString();
  const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])).rows[0]?.ok === true;
  if (!got) return undefined;
  try {
    await client.query(createTablesSql(o.schema));
  } catch (err) {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
    throw err;
  }
  return { serverVersion: version, pid, known: undefined, summaryStale: false, prepared: new Map() };
}

/**
 * Leave a run as `DISCARD ALL` would, except for the run lock the session
 * holds (DISCARD ALL is these commands and `pg_advisory_unlock_all()`), and
 * with the dead-client check set again (RESET ALL clears it): the next run
 * finds the session as a new connection would, holding the lock.
 */
export async function resetExclusive(client: pg.Client, state: ExclusiveState): Promise<void> {
  const check = state.serverVersion >= 140000 ? ' SET client_connection_check_interval = 1000;' : '';
  const reset =
    'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; ' +
    `DISCARD PLANS; DISCARD TEMP; DISCARD SEQUENCES;${check}`;
  await client.query(reset).catch(async () => {
    await client.query('ROLLBACK').catch(() => {});
    await client.query(reset).catch(() => {});
  });
}

/** At close: write the summary the session's runs left stale, so the database is left as ordinary runs leave it. */
export async function closeExclusive(client: pg.Client, o: ResolvedOptions, state: ExclusiveState): Promise<void> {
  if (state.summaryStale) await refreshSummary(client, o);
}

/** The state after a run that succeeded from `before`, applying or reverting steps to leave `heads`. */
export function stateAfter(before: DbState, heads: string[]): DbState | undefined {
  // Failures and running claims stay in the history until a later row supersedes them: read them again.
  if (before.failures.size > 0 || before.running.length > 0) return undefined;
  // Checksums: the files this session applied are the files it holds; the ones applied before were verified against them.
  return { initialised: true, heads: [...heads].sort(), checksums: new Map(), failures: new Map(), invalidIndexes: [], running: [] };
}
