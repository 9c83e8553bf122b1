import { StrataError, isPgDatabaseError, type Queryable } from '@pg-strata/core';
import type { ResolvedOptions } from './options.js';

/**
 * Poolers, and which lock mode a run uses behind one.
 *
 * The sign: at connect, PostgreSQL announces the backend's pid (BackendKeyData,
 * pg's `client.processID`), and `pg_backend_pid()` returns the same number.
 * A pooler (PgBouncer in every pool mode, and the others) cannot forward the
 * key of one server connection, because a client may be served by several:
 * PgBouncer sends a random key of its own. So the connection is *known to be
 * direct* only when the two agree; anything else (a different pid, no key at
 * all, a handle whose key cannot be read) counts as a pooler. It costs no
 * round trip: the pid rides on a query the run sends anyway.
 *
 * Which pool mode cannot be told reliably from the client side: a
 * transaction pooler with no other client hands the same server connection
 * back every time, exactly as a session pooler does. So behind any pooler the
 * run uses the transaction-scoped lock (correct in every pool mode) and no
 * prepared statement; when the backend pid does change between two
 * transactions, the message says it is transaction pooling for sure.
 * Statement pooling cannot run a transaction spread over several messages:
 * the first one (`BEGIN; SELECT pg_backend_pid()`, before anything is
 * written) is refused by the pooler, and the run stops with POOLER_UNSUPPORTED.
 */

/** What a run decided about its connection. */
export interface ConnectionPath {
  /** The lock mode to use. */
  mode: 'session' | 'transaction';
  /** The backend pid is the one announced at connect: no pooler, session state lasts (prepared statements may be used). */
  direct: boolean;
  /** Chosen by the run (lockMode `'auto'`), rather than forced by the user. */
  auto: boolean;
  /** `pg_backend_pid()` as first read. */
  pid: number | undefined;
}

/** The pid announced at connect (BackendKeyData), when the handle is a pg Client that received one. */
function announcedPid(client: Queryable): number | undefined {
  const p = (client as { processID?: unknown }).processID;
  return typeof p === 'number' ? p : undefined;
}

/** Whether `client` reaches PostgreSQL directly, given `pg_backend_pid()` read on it. */
export function isDirect(client: Queryable, serverPid: number | undefined): boolean {
  const announced = announcedPid(client);
  return announced !== undefined && serverPid !== undefined && announced === serverPid;
}

/**
 * The run's lock mode: the user's when forced (nothing is looked at), else
 * session when direct and transaction behind a pooler. Nothing is said yet:
 * see {@link announce}, once the pool mode is known as well as it will be.
 */
export function choosePath(client: Queryable, o: ResolvedOptions, serverPid: number | undefined): ConnectionPath {
  const direct = isDirect(client, serverPid);
  if (o.lockMode !== 'auto') return { mode: o.lockMode, direct, auto: false, pid: serverPid };
  return { mode: direct ? 'session' : 'transaction', direct, auto: true, pid: serverPid };
}

/**
 * Say once (logger info, and a `lock-mode` event the CLI prints) that the
 * run chose transaction locking by itself. `laterPid`: `pg_backend_pid()`
 * read in a later transaction, when there was one.
 */
export function announce(path: ConnectionPath, o: ResolvedOptions, laterPid?: number): void {
  if (!path.auto || path.direct) return;
  const moved = laterPid !== undefined && path.pid !== undefined && laterPid !== path.pid;
  const what = moved
    ? 'the connection goes through a transaction-pooling connection pooler (its server connection changed between two transactions)'
    : 'the connection goes through a connection pooler (PgBouncer or similar: the server backend is not the one announced at connect)';
  const reason =
    `${what}; using transaction-scoped locks (lock mode 'transaction') and no prepared statements. ` +
    `Use --lock-mode session (lockMode: 'session') only with a direct connection or a ` +
    `session-pooling pooler.`;
  o.logger.info(reason, { lockMode: 'transaction', transactionPooling: moved });
  o.emit({ type: 'lock-mode', mode: 'transaction', pooler: true, reason });
}

/** `pg_backend_pid()`, as a query of its own. */
export async function backendPid(client: Queryable): Promise<number | undefined> {
  const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return r.rows[0]?.pid;
}

/**
 * Open a transaction and read the backend pid in it. Through a statement
 * pooler this is where the run stops, before anything is written: the
 * pooler refuses a transaction left open at the end of a message.
 */
export async function beginReadingPid(client: Queryable): Promise<number | undefined> {
  try {
    const res = (await client.query('BEGIN; SELECT pg_backend_pid() AS pid')) as unknown as { rows: { pid?: number }[] }[];
    return res[res.length - 1]?.rows[0]?.pid;
  } catch (err) {
    throw poolerError(err) ?? err;
  }
}

/**
 * PgBouncer's answer to a transaction spread over several messages in
 * statement pooling (08P01 "transaction blocks not allowed in statement
 * pooling mode", then it closes the connection), as a StrataError that says
 * what to do. `undefined` for any other error.
 */
export function poolerError(err: unknown): StrataError | undefined {
  const message = (err as Error)?.message ?? '';
  if (!/statement pooling mode|long transactions not allowed/i.test(message)) return undefined;
  return new StrataError(
    'POOLER_UNSUPPORTED',
    'The connection goes through a pooler in statement pooling mode (pool_mode = statement), which ' +
      'runs every statement on its own and refuses transactions of several statements; migrations need ' +
      'them (the lock, the migration and its version/history rows commit together). Nothing was ' +
      'applied. Use a direct connection (the provider\'s "direct" or "session" URL, or PostgreSQL\'s ' +
      'own port), or a pool in transaction or session mode, for migrations.',
    { meta: { poolMode: 'statement', sqlstate: isPgDatabaseError(err) ? (err.code ?? null) : null }, cause: err },
  );
}
