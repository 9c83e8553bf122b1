import { accessSync, constants as fsConstants } from 'node:fs';
import pg from 'pg';
import { StrataError, isPgDatabaseError } from './errors.js';
import { describeConnection, redactSecret, redactUrls } from './redact.js';

/** Something that can run a query: a pg Client, PoolClient or Pool. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Options for opening a connection. */
export interface ConnectOptions {
  /** A libpq-style connection string (`postgres://...`). Never printed. */
  url: string;
  /** `application_name` reported in pg_stat_activity. Default `'strata'`. */
  applicationName?: string;
  /** Connect timeout in milliseconds. Default 10 000. */
  connectTimeoutMs?: number;
  /** Extra node-postgres client options (TLS files resolved by the caller). */
  ssl?: pg.ClientConfig['ssl'];
}

/**
 * Parse a connection string into node-postgres options without leaking it:
 * a malformed URL becomes a StrataError that does not echo the input.
 */
export function parseConnectionUrl(url: string): pg.ClientConfig {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StrataError('USAGE', 'No database URL given: pass --url or set DATABASE_URL.');
  }
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new StrataError(
      'USAGE',
      'The database URL is not a postgres:// or postgresql:// URL (the value is not shown because it may contain a password).',
    );
  }
  try {
    // Validate with WHATWG URL first: pg-connection-string accepts almost anything.
    new URL(url);
  } catch {
    throw new StrataError(
      'USAGE',
      'The database URL could not be parsed (the value is not shown because it may contain a ' +
        'password). Percent-encode special characters in the user name and password.',
    );
  }
  return { connectionString: withLibpqSslSemantics(url) };
}

/** The `sslmode` values libpq knows, plus node-postgres' own `no-verify`. */
const SSL_MODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);

/**
 * TLS parameters in the URL mean what they mean to libpq (psql, pg_dump):
 * `sslmode=require` encrypts without verifying (verifies the chain when
 * `sslrootcert` is given), `verify-ca` checks the chain, `verify-full` also
 * the host name. node-postgres 8 treats `require` and `verify-ca` as
 * `verify-full` (and prints a warning) unless `uselibpqcompat=true` is set,
 * so it is set here: one URL behaves the same in Strata, psql and pg_dump.
 * The certificate files are checked up front so a wrong path is a clear
 * usage error, not an exception from deep inside the driver.
 */
function withLibpqSslSemantics(url: string): string {
  const u = new URL(url);
  const mode = u.searchParams.get('sslmode');
  if (mode !== null && !SSL_MODES.has(mode)) {
    throw new StrataError(
      'USAGE',
      `Unknown sslmode '${mode}' in the database URL: use disable, prefer, require, verify-ca or verify-full.`,
      { meta: { sslmode: mode } },
    );
  }
  for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = u.searchParams.get(param);
    if (file === null) continue;
    try {
      accessSync(file, fsConstants.R_OK);
    } catch (err) {
      throw new StrataError(
        'USAGE',
        `The ${param} file ${file} (from the database URL) cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`,
        { meta: { param, file } },
      );
    }
  }
  if (mode === 'verify-ca' && u.searchParams.get('sslrootcert') === null) {
    throw new StrataError(
      'USAGE',
      'sslmode=verify-ca needs sslrootcert (the CA certificate that signed the server certificate); ' +
        'with a public CA use sslmode=verify-full.',
    );
  }
  if (mode === null || mode === 'no-verify' || u.searchParams.has('uselibpqcompat')) return url;
  u.searchParams.set('uselibpqcompat', 'true');
  return u.toString();
}

/** TLS verification failures (Node's codes), turned into advice about the CA and host name. */
const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Make an error from pg safe to show: no URL, no password, and a clear sentence. */
export function toConnectionError(err: unknown, url: string): StrataError {
  const where = describeConnection(url);
  const secret = passwordOf(url);
  const clean = (s: string) => redactSecret(redactUrls(s), secret);
  if (err instanceof StrataError) return err;
  if (isPgDatabaseError(err)) {
    if (err.code === '28P01' || err.code === '28000') {
      return new StrataError('DB_AUTH', `Authentication failed for ${where}: ${clean(err.message)}. Check the user name and password.`, {
        meta: { sqlstate: err.code },
      });
    }
    if (err.code === '3D000') {
      return new StrataError('DB_CONNECTION', `Cannot connect to ${where}: ${clean(err.message)}.`, { meta: { sqlstate: err.code } });
    }
    return new StrataError('DB_CONNECTION', `Cannot connect to ${where}: ${clean(err.message)}`, { meta: { sqlstate: err.code } });
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code && TLS_VERIFY_CODES.has(e.code)) {
    const what =
      e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'the server certificate does not name this host (sslmode=verify-full checks the host name; ' +
          'connect by a name the certificate lists)'
        : 'the server certificate could not be verified against the CA given (sslrootcert / ssl.ca): use ' +
          'the CA certificate that signed the server certificate';
    return new StrataError(
      'DB_CONNECTION',
      `Cannot connect to ${where}: TLS certificate verification failed: ${clean(String(e.message))} (${e.code}); ${what}.`,
      { meta: { errno: e.code, tls: true } },
    );
  }
  if (/does not support SSL/i.test(String(e?.message))) {
    return new StrataError(
      'DB_CONNECTION',
      `Cannot connect to ${where}: the server does not support TLS connections, and the URL asks for ` +
        `TLS (sslmode). Enable ssl on the server, or use sslmode=disable on a trusted network.`,
      { meta: { tls: true } },
    );
  }
  const reason =
    e?.code === 'ECONNREFUSED'
      ? 'connection refused (is the server running and listening on that port?)'
      : e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN'
        ? 'host name not found'
        : e?.code === 'ETIMEDOUT' || /timeout/i.test(String(e?.message))
          ? 'timed out'
          : clean(String(e?.message ?? err));
  return new StrataError('DB_CONNECTION', `Cannot connect to ${where}: ${reason}.`, { meta: { errno: e?.code ?? null } });
}

/**
 * The socket under a pg Client (pg keeps it as `connection.stream`, not in its
 * typed API): closing it is how a connection is dropped without waiting on
 * the server.
 */
function socketOf(client: pg.Client): { once?(event: 'finish', listener: () => void): unknown; destroy?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { once?(event: 'finish', listener: () => void): unknown; destroy?(): void } } })
    .connection?.stream;
}

/** A connection being opened, which can be given up before it is up. */
export interface OpeningConnection {
  /** The connected client, or a StrataError safe to print. */
  readonly client: Promise<pg.Client>;
  /**
   * Close it whether it is up or still connecting, without waiting: a
   * connection started ahead of need (while files are read, say) must not
   * keep the process alive when the need goes away, e.g. for the seconds a
   * silent server takes to time out.
   */
  abandon(): void;
}

/**
 * Start opening a connection and return at once; {@link connect} is this,
 * awaited. A failure surfaces only through `client` (the promise is marked
 * handled, so one that is abandoned unread is not an unhandled rejection).
 */
export function openConnection(options: ConnectOptions): OpeningConnection {
  let pgClient: pg.Client | undefined;
  let abandoned = false;
  let connected = false;
  const client = (async () => {
    const config = parseConnectionUrl(options.url);
    try {
      pgClient = new pg.Client({
        ...config,
        application_name: options.applicationName ?? 'strata',
        connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
        ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
      });
    } catch (err) {
      // The driver parses the URL (and reads certificate files) in its constructor.
      throw toConnectionError(err, options.url);
    }
    const c = pgClient;
    // An idle client can emit 'error' (server restart, network drop); without a
    // listener that would crash the process instead of failing the next query.
    c.on('error', () => {});
    try {
      await c.connect();
    } catch (err) {
      await c.end().catch(() => {});
      throw toConnectionError(err, options.url);
    }
    connected = true;
    if (abandoned) await closeConnection(c);
    return c;
  })();
  client.catch(() => {});
  return {
    client,
    abandon() {
      abandoned = true;
      if (!pgClient) return;
      // Connected: say goodbye. Still connecting: end() would send Terminate
      // and wait for a server that may never answer, so drop the socket.
      if (connected) void closeConnection(pgClient);
      else socketOf(pgClient)?.destroy?.();
    },
  };
}

/** Open a connected pg Client, or throw a StrataError safe to print. */
export async function connect(options: ConnectOptions): Promise<pg.Client> {
  return await openConnection(options).client;
}

/**
 * End a session: Terminate is written, then the socket closed as soon as it
 * is flushed. pg's end() alone also waits for the server to close its side,
 * which comes only once the backend process has shut down: ~8 ms on loopback
 * (measured), every run, after the session is already over. Never throws.
 */
export async function closeConnection(client: pg.Client): Promise<void> {
  const stream = socketOf(client);
  const ended = client.end().catch(() => {});
  // 'finish': our Terminate and FIN are out; nothing the server could still send matters.
  stream?.once?.('finish', () => stream.destroy?.());
  await ended;
}

/** Run `fn` with a fresh connection that is always closed afterwards. */
export async function withConnection<T>(options: ConnectOptions, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(options);
  try {
    return await fn(client);
  } finally {
    await closeConnection(client);
  }
}

/** Options of {@link withAdvisoryLock}. */
export interface AdvisoryLockOptions {
  /** The 64-bit lock key, as a decimal string or bigint. */
  key: bigint | string;
  /** Wait at most this long for the lock, in ms; `0` fails at once. Default: wait without limit (polling, see withAdvisoryLock). */
  timeoutMs?: number;
  /** What the lock protects, for error messages. Default `'the migration lock'`. */
  what?: string;
}

/**
 * Who holds an advisory lock in the current database, read from
 * pg_locks/pg_stat_activity. Advisory locks are per database, and pg_locks
 * lists every database's: without the filter a session of another database
 * holding the same key (another project's migration run) could be named.
 */
export async function describeLockHolder(
  client: Queryable,
  key: bigint | string,
): Promise<{ pid: number; applicationName: string } | null> {
  const k = BigInt(key);
  const classid = Number((k >> 32n) & 0xffffffffn);
  const objid = Number(k & 0xffffffffn);
  const res = await client.query<{ pid: number; application_name: string }>(
    `SELECT l.pid, a.application_name
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int8::oid AND l.objid = $2::int8::oid AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [classid, objid],
  );
  const row = res.rows[0];
  return row ? { pid: row.pid, applicationName: row.application_name ?? '' } : null;
}

/**
 * Hold a session-level advisory lock while `fn` runs, releasing it in
 * `finally`. A session lock is released by the server when the connection
 * ends, so a killed process never leaks it.
 *
 * Waiting polls `pg_try_advisory_lock` instead of blocking in
 * `pg_advisory_lock`: a backend blocked in that SELECT is a running
 * transaction, and `CREATE INDEX CONCURRENTLY` run by the lock holder waits
 * for every running transaction to finish, so a blocking waiter and the
 * holder would deadlock (PostgreSQL then kills one of them).
 */
export async function withAdvisoryLock<T>(client: Queryable, options: AdvisoryLockOptions, fn: () => Promise<T>): Promise<T> {
  const key = BigInt(options.key).toString();
  await acquireAdvisoryLock(client, key, options);
  try {
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
  }
}

async function acquireAdvisoryLock(client: Queryable, key: string, options: AdvisoryLockOptions): Promise<void> {
  const what = options.what ?? 'the migration lock';
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let pause = 20;
  for (;;) {
    const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
    if (res.rows[0]?.ok) return;
    if (Date.now() >= deadline) {
      const holder = await describeLockHolder(client, key).catch(() => null);
      const by = holder
        ? ` It is held by pid ${holder.pid}${holder.applicationName ? ` (application_name '${holder.applicationName}')` : ''}.`
        : '';
      const code = options.timeoutMs === 0 ? 'LOCK_BUSY' : 'LOCK_TIMEOUT';
      const waited = code === 'LOCK_BUSY' ? 'at once (no waiting was allowed)' : `within ${options.timeoutMs} ms`;
      throw new StrataError(
        code,
        `Could not take ${what} ${waited}.${by} Another migration run is in progress; wait for it to finish or raise the lock timeout.`,
        { meta: { key, holder } },
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(pause, deadline - Date.now()))));
    pause = Math.min(pause * 2, 250);
  }
}
