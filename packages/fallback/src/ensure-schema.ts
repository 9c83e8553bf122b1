import type { Kysely } from 'kysely';
import {
  StrataError,
  connect,
  describeConnection,
  isPgDatabaseError,
  isStrataError,
  quoteIdent,
  toConnectionError,
  silentLogger,
  withAdvisoryLock,
  withConnection,
  type Logger,
  type Queryable,
} from '@pg-strata/core';
import type { Snapshot } from '@pg-strata/auditor';
import {
  backendPid,
  buildGraph,
  isAtHead,
  isDirect,
  loadMigrations,
  runLockKey,
  stampHeadsOnClient,
  upgrade,
  type RevisionGraph,
} from '@pg-strata/runner';
import { isKysely, isPool, kyselyOnClient, queryableOf, type AppDatabase } from './client-kysely.js';
import { parseSchemaMode, type SchemaMode } from './schema-mode.js';

/** Options of {@link ensureSchema}. Nothing here is read from the environment: the application passes it. */
export interface EnsureSchemaOptions {
  /**
   * Connection string of the application's database. Used for the runner
   * (which opens its own connection and holds the run lock on it) and for
   * the create_all transaction. Never printed: messages use `user@host:port/db`.
   */
  url: string;
  /**
   * The application's own handle (a `Kysely<any>`, a pg `Pool` or `Client`).
   * When given, the at-head check runs on it (no new connection: one round
   * trip in all), and so does the history note of a migrated run; in
   * `create_all` mode the lock and the transaction run on one connection
   * reserved from a Kysely or a Pool (its settings, TLS included, apply).
   * The runner itself always connects with `url`. Default: none, connections
   * are opened from `url`.
   */
  db?: AppDatabase;
  /** Folder of the migration files. */
  migrationsDir: string;
  /**
   * The legacy models: builds every table on an empty database. Needed in
   * `create_all` mode only. It receives a Kysely bound to the connection
   * that holds the lock (without the application's plugins), inside the
   * transaction that is rolled back unless what it built equals the
   * migrations head; a `db.transaction()` it opens becomes a savepoint.
   * Default: none.
   */
  createAll?: (db: Kysely<any>) => Promise<void>;
  /** `'migrate'` (default), `'verify'` or `'create_all'`; see {@link SchemaMode}. */
  mode?: SchemaMode;
  /** Schema of Strata's tables. Default `'strata'`. */
  schema?: string;
  /** Receives progress, and the deprecation warning of `create_all`. Default: silent. */
  logger?: Logger;
  /**
   * How long to wait for the run lock (another replica migrating), in ms.
   * Default `undefined`: wait as long as it takes. `0` fails at once.
   */
  lockWaitMs?: number;
  /** `lock_timeout` of each migration (a header may set its own). Default: the runner's, `'10s'`. */
  lockTimeout?: string;
  /** `statement_timeout` of each migration (a header may set its own). Default: the runner's, `'0'` (none). */
  statementTimeout?: string;
  /**
   * `'auto'` (default): `'session'` on a direct connection, `'transaction'`
   * behind a pooler (PgBouncer...), decided by the runner as for `migrate up`
   * (and, for create_all, on the connection that builds). `'session'`: a
   * session-level advisory lock held on the shim's own connection.
   * `'transaction'`: the runner and the create_all transaction take the
   * transaction-level lock.
   */
  lockMode?: 'auto' | 'session' | 'transaction';
  /**
   * The Snapshot of the migrations head, precomputed (e.g. written in CI with
   * `headSnapshot()` + `serializeSnapshot`). Only `create_all` on an empty
   * database needs it. Default: computed when needed, in a shadow database.
   */
  headSnapshot?: Snapshot;
  /**
   * A server where the shadow database for the head Snapshot may be created
   * (a role with CREATE DATABASE). Default: an embedded PostgreSQL is started
   * for the occasion. Ignored when `headSnapshot` is given.
   */
  shadowUrl?: string;
  /** `application_name` of the shim's connections. Default `'strata-ensure'`. */
  applicationName?: string;
}

/** What {@link ensureSchema} did. */
export type EnsureAction = 'none' | 'migrated' | 'created_all' | 'refused';

/** A migration applied by the shim. */
export interface EnsureApplied {
  revision: string;
  file: string;
  durationMs: number;
}

/**
 * The outcome of {@link ensureSchema}. A refusal is thrown (the application
 * must not start) as a StrataError whose `meta.result` is this object with
 * `action: 'refused'` and `reason`.
 */
export interface EnsureResult {
  mode: SchemaMode;
  action: EnsureAction;
  /** Migrations applied by this call, in order (`migrated`). */
  applied: EnsureApplied[];
  /** Revisions recorded without running them (`created_all`). */
  stamped: string[];
  /** The database's heads afterwards (before, when refused). */
  heads: string[];
  /** Wall time of the call, in ms. */
  durationMs: number;
  /** Why it refused (`refused` only). */
  reason?: string;
}

/** The warning logged every time `create_all` mode is used. */
export const CREATE_ALL_DEPRECATION =
  "schema mode 'create_all' is deprecated: it exists only to roll back the cut-over to " +
  'migrations. It builds an empty database with the legacy createAll and stamps the migrations ' +
  "head; switch back to 'migrate' (the default) as soon as the rollback is over.";

/**
 * The start-up shim. Call it before the application listens:
 *
 * - `migrate` (default): one query checks whether the database is at the
 *   head of `migrationsDir`; if it is, that is all it costs. Otherwise the
 *   runner applies what is pending under its advisory lock, so many replicas
 *   starting together apply each migration once.
 * - `verify`: changes nothing; a database not at head throws
 *   `SCHEMA_NOT_AT_HEAD` naming the pending revisions and files.
 * - `create_all`: logs {@link CREATE_ALL_DEPRECATION}. A versioned database is
 *   migrated as in `migrate`. An empty, unversioned one is built by
 *   `createAll` in one transaction under the run lock, compared with the
 *   migrations head (refused with the differences unless equal), and the
 *   head is stamped in that same transaction. It refuses a graph with
 *   several heads and a non-empty unversioned database.
 *
 * History: migrations the shim applied carry `meta.ensure = { mode, action }`
 * in their history rows; a create_all records one `stamped` row per
 * revision with the same note. A call that finds the database at head
 * writes nothing, on purpose: recording it would cost a second round trip
 * (and a write) on every start of every replica. Refusals write nothing
 * either: `verify` changes nothing by definition, and a refused create_all
 * rolls back.
 */
export async function ensureSchema(options: EnsureSchemaOptions): Promise<EnsureResult> {
  const started = performance.now();
  const mode: SchemaMode = options.mode === undefined ? 'migrate' : parseSchemaMode(options.mode, 'The schema mode');
  const logger = options.logger ?? silentLogger;
  const schema = options.schema ?? 'strata';
  const applicationName = options.applicationName ?? 'strata-ensure';
  const elapsed = () => Math.round(performance.now() - started);
  const where = describeConnection(options.url);
  if (mode === 'create_all') logger.warn(CREATE_ALL_DEPRECATION, { mode });

  // The one round trip of a start at head.
  const check = await isAtHead(options.db ? queryableOf(options.db) : options.url, {
    migrationsDir: options.migrationsDir,
    schema,
    applicationName,
  }).catch((err: unknown) => {
    // The application's pool reports a refused connection as a bare Node error: give it the usual safe sentence.
    throw isStrataError(err)
      ? err
      : isPgDatabaseError(err)
        ? new StrataError('DB_QUERY', `Reading the schema version on ${where} failed: ${err.message} (SQLSTATE ${err.code})`, {
            meta: { sqlstate: err.code ?? null },
            cause: err,
          })
        : toConnectionError(err, options.url);
  });
  if (check.atHead) {
    logger.info('the database is at head', { mode, heads: check.current });
    return { mode, action: 'none', applied: [], stamped: [], heads: check.current, durationMs: elapsed() };
  }

  const refuse = (
    code: ConstructorParameters<typeof StrataError>[0],
    reason: string,
    message: string,
    meta: Record<string, unknown> = {},
  ): never => {
    const result: EnsureResult = { mode, action: 'refused', applied: [], stamped: [], heads: check.current, durationMs: elapsed(), reason };
    throw new StrataError(code, message, { meta: { ...meta, result } });
  };

  if (mode === 'verify') {
    const graph = buildGraph(await loadMigrations(options.migrationsDir));
    const pending = check.pending.map((r) => ({ revision: r, file: graph.get(r)?.file ?? '?' }));
    const unknown = check.current.filter((r) => !graph.get(r));
    const lines = [
      `The database ${where} is not at the head of ${options.migrationsDir} (schema mode 'verify' ` +
        `changes nothing, so the application must not start).`,
    ];
    if (unknown.length > 0) {
      lines.push(
        `It records revision${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which no ` +
          `migration file defines: this release's migration files are older than the database. Deploy the ` +
          `release that has them.`,
      );
    }
    if (pending.length > 0) {
      lines.push(`${pending.length} migration${pending.length === 1 ? ' is' : 's are'} pending:`);
      for (const p of pending) lines.push(`  ${p.revision}  ${p.file}`);
      lines.push("Run `strata up` (the deploy's migration step) first, or start with STRATA_SCHEMA_MODE=migrate.");
    }
    return refuse('SCHEMA_NOT_AT_HEAD', 'not at head', lines.join('\n'), { pending, unknown, current: check.current });
  }

  if (mode === 'create_all' && check.current.length === 0) {
    const created = await createAllOnEmpty(options, { schema, applicationName, logger, where, refuse });
    if (created) return { mode, action: 'created_all', applied: [], stamped: created.stamped, heads: created.heads, durationMs: elapsed() };
    // Another replica versioned the database while this one waited for the lock: migrate from there.
  }

  const run = await upgrade({
    url: options.url,
    migrationsDir: options.migrationsDir,
    schema,
    applicationName,
    logger,
    ...(options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs }),
    ...(options.lockMode === undefined ? {} : { lockMode: options.lockMode }),
    ...(options.lockTimeout === undefined ? {} : { lockTimeout: options.lockTimeout }),
    ...(options.statementTimeout === undefined ? {} : { statementTimeout: options.statementTimeout }),
  });
  const applied = run.steps
    .filter((s) => s.status === 'applied')
    .map((s) => ({ revision: s.revision, file: s.file, durationMs: s.durationMs }));
  if (applied.length > 0) {
    // Also when a later migration failed: the ones applied before it were applied by this mode.
    const note = { ensure: { mode, action: 'migrated' } };
    const annotate = async (q: Queryable) =>
      await noteInHistory(
        q,
        schema,
        applied.map((a) => a.revision),
        note,
      );
    await (options.db ? annotate(queryableOf(options.db)) : withConnection({ url: options.url, applicationName }, annotate)).catch(
      (err: unknown) => {
        // The migrations are applied and recorded; only the note is missing.
        logger.warn('could not note the schema mode in the history rows', { error: String((err as Error)?.message ?? err) });
      },
    );
  }
  if (!run.ok) {
    throw run.error ?? new StrataError('MIGRATION_FAILED', `Bringing ${where} to head failed; see the history table (\`strata history\`).`);
  }
  if (applied.length === 0) {
    // Another replica applied everything while this one waited for the lock.
    return { mode, action: 'none', applied: [], stamped: [], heads: run.to, durationMs: elapsed() };
  }
  logger.info('migrated to head', { mode, applied: applied.map((a) => a.file), heads: run.to });
  return { mode, action: 'migrated', applied, stamped: [], heads: run.to, durationMs: elapsed() };
}

interface CreateAllContext {
  schema: string;
  applicationName: string;
  logger: Logger;
  where: string;
  refuse: (code: ConstructorParameters<typeof StrataError>[0], reason: string, message: string, meta?: Record<string, unknown>) => never;
}

/**
 * The create_all path on an unversioned database. Returns the stamped
 * revisions and heads, or `undefined` when the database turned out to be versioned
 * once the lock was held (another replica built it first).
 */
async function createAllOnEmpty(
  options: EnsureSchemaOptions,
  c: CreateAllContext,
): Promise<{ stamped: string[]; heads: string[] } | undefined> {
  if (!options.createAll) {
    throw new StrataError(
      'USAGE',
      "Schema mode 'create_all' needs the legacy createAll(db) function (option createAll, or --create-all MODULE on the command line).",
    );
  }
  const graph = buildGraph(await loadMigrations(options.migrationsDir));
  if (graph.heads.length !== 1) refuseHeads(graph, c);

  return await withDedicatedClient(options, c.applicationName, async (client) => {
    const key = runLockKey(c.schema);
    // 'auto': the session lock only where the connection is known to be direct (a Kysely handle's is not known).
    const mode =
      options.lockMode === 'session' || options.lockMode === 'transaction'
        ? options.lockMode
        : isDirect(client, await backendPid(client))
          ? 'session'
          : 'transaction';
    if (mode !== options.lockMode)
      c.logger.info(
        `create_all: lock mode '${mode}' (` +
          `${mode === 'session' ? 'direct connection' : 'the connection goes through a pooler, or cannot be told from one'}` +
          `)`,
        { lockMode: mode },
      );
    const body = async (): Promise<{ stamped: string[]; heads: string[] } | undefined> => {
      // Everything from the re-check to the stamp is one transaction: a refusal or a failure anywhere rolls it all back.
      await client.query('BEGIN');
      try {
        if (mode === 'transaction') await takeXactLock(client, key, options.lockWaitMs, c.schema);
        // Re-read under the lock: a replica that held it may have built and stamped the database.
        if ((await versionRows(client, c.schema)).length > 0) {
          await client.query('ROLLBACK');
          return undefined;
        }
        const objects = await userObjects(client, c.schema);
        if (objects.length > 0) {
          const shown = objects.slice(0, 5).join(', ') + (objects.length > 5 ? ', ...' : '');
          c.refuse(
            'SCHEMA_NOT_AT_HEAD',
            'not empty',
            `Schema mode 'create_all' refuses: the database ${c.where} has no Strata version but is not ` +
              `empty (${shown}). create_all only builds an empty database. Audit it against the models ` +
              `(\`strata audit\`), record the revision it matches with \`strata stamp <revision> --verify\`, ` +
              `and start in mode 'migrate'.`,
            { objects },
          );
        }
        const head =
          options.headSnapshot ??
          (await (
            await import('./head-snapshot.js')
          ).headSnapshot({
            migrationsDir: options.migrationsDir,
            schema: c.schema,
            logger: c.logger,
            targetMajor: await serverMajor(client),
            ...(options.shadowUrl ? { shadowUrl: options.shadowUrl } : {}),
          }));
        try {
          await options.createAll!(kyselyOnClient(client));
        } catch (err) {
          if (err instanceof StrataError) throw err;
          const detail = isPgDatabaseError(err) ? `${err.message} (SQLSTATE ${err.code})` : String((err as Error)?.message ?? err);
          throw new StrataError(
            'MODELS_SOURCE_FAILED',
            `createAll failed on ${c.where}: ${detail}. Nothing was created (the transaction was rolled back).`,
            { cause: err },
          );
        }
        // The auditor (and through it the SQL parser) is loaded here only: migrate and verify modes never pay for it.
        const { compare, introspect } = await import('@pg-strata/auditor');
        const built = await introspect(client, { inTransaction: true, strataSchema: c.schema });
        const drift = compare(built, head, { left: 'createAll', right: 'the migrations head', uncompared: false });
        if (drift.length > 0) {
          c.refuse(
            'SCHEMA_MISMATCH',
            'createAll differs from the migrations head',
            `Schema mode 'create_all' refuses: what createAll built differs from the head of ` +
              `${options.migrationsDir} (${graph.heads[0]}) in ${drift.length} way` +
              `${drift.length === 1 ? '' : 's'}:\n${drift.map((d) => `  - ${d.message}`).join('\n')}\nNothing ` +
              `was created (the transaction was rolled back). Make the models and the migrations agree (write ` +
              `a migration for the change, or fix createAll), then start again.`,
            { differences: drift.map((d) => d.message), drift },
          );
        }
        const stamped = await stampHeadsOnClient(client, {
          graph,
          schema: c.schema,
          meta: { ensure: { mode: 'create_all', action: 'created_all' } },
        });
        await client.query('COMMIT');
        c.logger.info('built the empty database with createAll and stamped head', { heads: stamped.to });
        return { stamped: stamped.checksumsRecorded, heads: stamped.to };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        if (!(err instanceof StrataError) && isPgDatabaseError(err)) {
          throw new StrataError(
            'DB_QUERY',
            `create_all on ${c.where} failed: ${err.message} (SQLSTATE ${err.code}). Nothing was created ` +
              `(the transaction was rolled back).`,
            { meta: { sqlstate: err.code ?? null }, cause: err },
          );
        }
        throw err;
      }
    };
    if (mode === 'transaction') return await body();
    const lock = {
      key,
      what: `the migration lock (schema ${c.schema})`,
      ...(options.lockWaitMs === undefined ? {} : { timeoutMs: options.lockWaitMs }),
    };
    return await withAdvisoryLock(client, lock, body);
  });
}

/**
 * One connection for the lock and the create_all transaction: reserved from
 * the application's handle when given (its pool's settings, TLS included,
 * apply), else opened from `url`. A pooled connection that failed is
 * destroyed rather than returned, so no lock or transaction state leaks into
 * the pool.
 */
async function withDedicatedClient<T>(
  options: EnsureSchemaOptions,
  applicationName: string,
  fn: (client: Queryable) => Promise<T>,
): Promise<T> {
  const db = options.db;
  if (db && isKysely(db)) return await db.connection().execute(async (bound) => await fn(queryableOf(bound)));
  if (db && isPool(db)) {
    const pooled = await db.connect().catch((err: unknown) => {
      throw toConnectionError(err, options.url);
    });
    let failed = false;
    try {
      return await fn(pooled);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      pooled.release(failed);
    }
  }
  const client = await connect({ url: options.url, applicationName });
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Transaction lock mode (PgBouncer transaction pooling, where a session lock
 * would outlive the transaction on a shared server connection): the same key
 * as a transaction-level lock, bounded by `lockWaitMs` with SET LOCAL.
 */
async function takeXactLock(client: Queryable, key: bigint, lockWaitMs: number | undefined, schema: string): Promise<void> {
  const k = key.toString();
  if (lockWaitMs === 0) {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [k]);
    if (!got.rows[0]?.ok)
      throw new StrataError(
        'LOCK_BUSY',
        `Could not take the migration lock (schema ${schema}) at once (no waiting was allowed): another ` +
          `replica is migrating or building the database. Wait for it, or raise lockWaitMs.`,
        { meta: { key: k } },
      );
    return;
  }
  await client.query("SELECT set_config('lock_timeout', $1, true)", [String(lockWaitMs ?? 0)]);
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [k]);
  } catch (err) {
    if (isPgDatabaseError(err) && err.code === '55P03') {
      throw new StrataError(
        'LOCK_TIMEOUT',
        `Could not take the migration lock (schema ${schema}) within ${lockWaitMs} ms: another replica ` +
          `is migrating or building the database. Wait for it, or raise lockWaitMs.`,
        { meta: { key: k }, cause: err },
      );
    }
    throw err;
  }
  await client.query("SELECT set_config('lock_timeout', '0', true)");
}

/** The server's major version (catalogue output can differ between majors: the shadow server should match). */
async function serverMajor(client: Queryable): Promise<number> {
  const r = await client.query<{ major: number }>("SELECT current_setting('server_version_num')::int / 10000 AS major");
  return r.rows[0]?.major ?? 0;
}

/** The version table's rows, `[]` when Strata's tables do not exist yet (checked first: an error would abort the transaction). */
async function versionRows(client: Queryable, schema: string): Promise<string[]> {
  const version = `${quoteIdent(schema)}.strata_version`;
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [version]);
  if (!exists.rows[0]?.t) return [];
  return (await client.query<{ revision: string }>(`SELECT revision FROM ${version}`)).rows.map((r) => r.revision);
}

function refuseHeads(graph: RevisionGraph, c: CreateAllContext): never {
  if (graph.heads.length === 0) {
    return c.refuse(
      'MIGRATION_MULTIPLE_HEADS',
      'no migrations',
      `Schema mode 'create_all' refuses: there are no migrations, so there is no head to stamp. Write ` +
        `the baseline migration first (\`strata new\`).`,
      { heads: [] },
    );
  }
  const list = graph.heads.map((h) => `  ${h}  ${graph.get(h)!.file}`).join('\n');
  return c.refuse(
    'MIGRATION_MULTIPLE_HEADS',
    'several heads',
    `Schema mode 'create_all' refuses: the migrations have ${graph.heads.length} heads:\n${list}` +
      `\ncreate_all stamps one head, and stamping over a branched graph hides the other branch: ` +
      `databases built this way would never get its migrations (fresh deployments break later). Run ` +
      `\`strata merge\` to write a merge migration, then start again.`,
    { heads: [...graph.heads], files: graph.heads.map((h) => graph.get(h)!.file) },
  );
}

/** Objects that make a database "not empty": user relations, types and functions outside Strata's schema and extensions. */
async function userObjects(client: Queryable, strataSchema: string): Promise<string[]> {
  const res = await client.query<{ o: string }>(
    `WITH ns AS (
       SELECT oid, nspname FROM pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema', $1) AND nspname NOT LIKE ` +
      `'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%')
     SELECT format('%s %s', CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized ` +
      `view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'table' ` +
      `END,
                   CASE WHEN ns.nspname = 'public' THEN quote_ident(c.relname) ELSE ` +
      `quote_ident(ns.nspname) || '.' || quote_ident(c.relname) END) AS o
       FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     UNION ALL
     SELECT format('type %s', t.oid::regtype) FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = ` +
      `'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
     UNION ALL
     SELECT format('function %s', p.oid::regprocedure) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
      WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 1`,
    [strataSchema],
  );
  return res.rows.map((r) => r.o);
}

/** Merge `note` into the meta of the latest `applied` up row of each revision. */
async function noteInHistory(q: Queryable, schema: string, revisions: string[], note: Record<string, unknown>): Promise<void> {
  const history = `${quoteIdent(schema)}.strata_history`;
  await q.query(
    `UPDATE ${history} SET meta = meta || $1::jsonb
      WHERE id IN (SELECT max(id) FROM ${history} WHERE direction = 'up' AND outcome = ` +
      `'applied' AND revision = ANY($2::text[]) GROUP BY revision)`,
    [JSON.stringify(note), revisions],
  );
}
