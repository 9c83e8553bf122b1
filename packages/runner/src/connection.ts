/**
 * Connections of the runner's commands: opening (notices go to the logger), the
 * files read meanwhile, closing or resetting, errors as StrataErrors, cancelling.
 */
import pg from 'pg';
import { StrataError, closeConnection, connect, openConnection, describeConnection } from '@pg-strata/core';
import { isPgDatabaseError, isStrataError } from '@pg-strata/core';
import { loadMigrations } from './migration-file.js';
import type { ResolvedOptions } from './options.js';
import { buildGraph, type RevisionGraph } from './revision-graph.js';
import { poolerError } from './pooler.js';

/** RAISE NOTICE from a migration (and PostgreSQL's own notices) reach the logger, never stdout. */
function withNotices(client: pg.Client, o: ResolvedOptions): pg.Client {
  client.on('notice', (n) => o.logger.info(`notice: ${n.message}`, { severity: n.severity ?? null, code: n.code ?? null }));
  return client;
}

export async function openClient(o: ResolvedOptions): Promise<pg.Client> {
  return withNotices(await connect({ url: o.url, applicationName: o.applicationName }), o);
}

/**
 * The migration files, a connection and the answer to a first query, together:
 * the handshake (backend start, SCRAM) and the query proceed while the files
 * are read, which reading lets happen by yielding to the event loop. The files are
 * still judged first: a broken graph is reported (and the connection
 * dropped) whether or not the database answers.
 */
export async function graphAndClient<T>(
  o: ResolvedOptions,
  first: (client: pg.Client) => Promise<T>,
): Promise<{ graph: RevisionGraph; client: Promise<pg.Client>; first: Promise<T>; abandon: () => void }> {
  const opening = openConnection({ url: o.url, applicationName: o.applicationName });
  const client = opening.client.then((c) => withNotices(c, o));
  // The first query (the state) goes out as soon as the connection is up, and
  // its answer is awaited only once the files are read and hashed.
  const answer = client.then(first);
  // Both are awaited by the caller; this only keeps an early failure from being "unhandled".
  client.catch(() => {});
  answer.catch(() => {});
  try {
    // One turn of the event loop first: the socket connects, and the startup
    // packet leaves before the files are read, so the server forks its backend
    // meanwhile rather than after the first 64 files.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { graph: await loadGraph(o.migrationsDir), client, first: answer, abandon: () => opening.abandon() };
  } catch (err) {
    // Whether connected or still waiting on a silent server: not a moment longer.
    opening.abandon();
    throw err;
  }
}

export async function withClient<T>(
  o: ResolvedOptions,
  fn: (client: pg.Client) => Promise<T>,
  opened?: Promise<pg.Client>,
  /** Keep the connection (a run session's), reset by `DISCARD ALL` or by the function given. */
  keepOpen: boolean | (() => Promise<void>) = false,
): Promise<T> {
  const client = await (opened ?? openClient(o));
  try {
    return await fn(client);
  } catch (err) {
    throw asStrataError(err, o);
  } finally {
    if (typeof keepOpen === 'function') await keepOpen();
    else if (keepOpen) await resetSession(client);
    else await closeConnection(client);
  }
}

/** A kept connection leaves a run as a new one would arrive: no transaction, no SET, no PREPAREd statement, no lock. */
async function resetSession(client: pg.Client): Promise<void> {
  await client.query('DISCARD ALL').catch(async () => {
    await client.query('ROLLBACK').catch(() => {});
    await client.query('DISCARD ALL').catch(() => {});
  });
}

function asStrataError(err: unknown, o: ResolvedOptions): unknown {
  if (isStrataError(err)) return err;
  const pooler = poolerError(err);
  if (pooler) return pooler;
  if (isPgDatabaseError(err)) {
    if (err.code === '55P03') {
      return new StrataError(
        'LOCK_TIMEOUT',
        `Could not take the migration lock of schema ${o.schema} on ${describeConnection(o.url)} within ` +
          `${o.lockWaitMs ?? 0} ms: another migration run holds it. Wait for it to finish or raise ` +
          `lockWaitMs.`,
        { meta: { sqlstate: err.code }, cause: err },
      );
    }
    return new StrataError('DB_QUERY', `Query on ${describeConnection(o.url)} failed: ${err.message} (SQLSTATE ${err.code})`, {
      meta: { sqlstate: err.code ?? null },
      cause: err,
    });
  }
  return err;
}

/**
 * Ask the server to notice when this client dies in the middle of a long
 * statement (PostgreSQL 14+, where the platform supports it): a runner
 * killed during a slow migration then has its transaction rolled back and its
 * lock released within a second, instead of the server finishing and
 * committing the migration on behalf of a process that no longer exists.
 * Without it, a multi-statement query keeps running to its COMMIT.
 * Returns the server's version number (`server_version_num`) and the backend
 * pid (which tells a pooler, see pooler.ts), read in the same round trip.
 */
export async function watchForDeadClient(client: pg.Client): Promise<{ version: number; pid: number | undefined }> {
  const results = (await client.query(`DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    PERFORM set_config('client_connection_check_interval', '1000', false);
  END IF;
EXCEPTION WHEN others THEN NULL;
END $$;
SELECT current_setting('server_version_num')::int AS v, pg_backend_pid() AS pid;`)) as unknown as pg.QueryResult<{
    v: number;
    pid: number;
  }>[];
  return { version: results[1]?.rows[0]?.v ?? 0, pid: results[1]?.rows[0]?.pid };
}

export async function loadGraph(dir: string): Promise<RevisionGraph> {
  return buildGraph(await loadMigrations(dir));
}

/**
 * Ask the server to cancel what `client` is running (the protocol's cancel
 * request, on a connection of its own, as psql's Ctrl-C does): a
 * transaction in progress is rolled back. Best effort.
 */
export function cancelQuery(client: pg.Client): void {
  const c = client as pg.Client & {
    _getActiveQuery?: () => unknown;
    host?: string;
    port?: number;
    processID?: number | null;
    secretKey?: number | null;
  };
  if (c._getActiveQuery?.() === null || c.processID == null || c.secretKey == null) return;
  try {
    const Connection = (
      pg as unknown as {
        Connection: new () => {
          connect(port: number, host: string): void;
          on(e: string, f: () => void): void;
          cancel(pid: number, key: number): void;
        };
      }
    ).Connection;
    const con = new Connection();
    con.on('error', () => {});
    con.on('connect', () => con.cancel(c.processID!, c.secretKey!));
    if (c.host?.startsWith('/')) (con as unknown as { connect(path: string): void }).connect(`${c.host}/.s.PGSQL.${c.port}`);
    else con.connect(c.port ?? 5432, c.host ?? 'localhost');
  } catch {
    // the statement finishes instead
  }
}
