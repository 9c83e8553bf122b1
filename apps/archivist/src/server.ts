import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { isPgDatabaseError, silentLogger, type Logger } from '@pg-strata/core';
import { ensureSchema, type EnsureResult, type EnsureSchemaOptions, type SchemaMode } from '@pg-strata/fallback';
import type { Database } from './database.js';
import { HttpError, sendJson } from './http-util.js';
import { createAll } from './models.js';
import { routes } from './routes.js';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Connection string of the application database. */
  url: string;
  /** TCP port; `0` picks a free one. Default `8080`. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** What the start-up shim does: `'migrate'` (default), `'verify'` or `'create_all'`. */
  mode?: SchemaMode;
  /** Folder of the migration files. */
  migrationsDir: string;
  /** Receives the shim's events and one line per request error. Default: silent. */
  logger?: Logger;
  /** Server for the shadow database of `create_all` mode. Default: an embedded PostgreSQL. */
  shadowUrl?: string;
  /** Precomputed Snapshot of the migrations head (`create_all` mode). Default: computed when needed. */
  headSnapshot?: EnsureSchemaOptions['headSnapshot'];
  /** Size of the connection pool. Default `10`. */
  poolSize?: number;
}

/** A running Archivist. */
export interface ArchivistServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** What the start-up shim did. */
  readonly schema: EnsureResult;
  /** The application's Kysely instance. */
  readonly db: Kysely<Database>;
  /** Stop listening, then close the pool. Safe to call twice. */
  close(): Promise<void>;
}

/** PostgreSQL errors a client caused, as HTTP statuses. */
function statusOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (isPgDatabaseError(err)) {
    if (err.code === '23505') return { status: 409, message: `already exists${err.constraint ? ` (${err.constraint})` : ''}` };
    if (err.code === '23503')
      return { status: 400, message: `refers to a row that does not exist${err.constraint ? ` (${err.constraint})` : ''}` };
    if (err.code === '23514' || err.code === '22P02' || err.code === '22001') return { status: 400, message: err.message };
  }
  return { status: 500, message: 'internal error' };
}

/**
 * Start Org Archivist: make sure the schema is right with the start-up shim
 * (which may refuse: then nothing listens and the error is thrown), then
 * serve HTTP. There is no /fix-db endpoint: schema changes are migrations.
 */
export async function startServer(options: ServerOptions): Promise<ArchivistServer> {
  const logger = options.logger ?? silentLogger;
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, application_name: 'archivist' });
  pool.on('error', (err) => logger.warn('idle database connection failed', { error: err.message }));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let schema: EnsureResult;
  try {
    schema = await ensureSchema({
      url: options.url,
      db,
      migrationsDir: options.migrationsDir,
      createAll,
      mode: options.mode ?? 'migrate',
      logger,
      applicationName: 'archivist-ensure',
      ...(options.shadowUrl ? { shadowUrl: options.shadowUrl } : {}),
      ...(options.headSnapshot ? { headSnapshot: options.headSnapshot } : {}),
    });
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find((r) => r.method === req.method && r.path.test(url.pathname));
    if (!route) {
      const known = routes.some((r) => r.path.test(url.pathname));
      sendJson(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
      return;
    }
    const params = route.path.exec(url.pathname)!.slice(1);
    route.handler({ db, req, res, params, query: url.searchParams, schema }).catch((err: unknown) => {
      const { status, message } = statusOf(err);
      if (status >= 500)
        logger.error('request failed', { method: req.method, path: url.pathname, error: String((err as Error)?.message ?? err) });
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('listening', { port, schemaMode: schema.mode, schemaAction: schema.action });
  let closing: Promise<void> | undefined;
  return Object.freeze({
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    schema,
    db,
    close(): Promise<void> {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await db.destroy();
      })();
      return closing;
    },
  });
}
