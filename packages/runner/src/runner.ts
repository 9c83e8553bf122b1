// Stays whole: upgrade, downgrade, stamp, status, resolve and run sessions share option resolution, the lock and one state read; per-command files would each repeat that set-up.
import pg from 'pg';
import { StrataError, closeConnection, connect, openConnection, withConnection, describeConnection, isPgDatabaseError, isStrataError, quoteLiteral, type Queryable } from '@pg-strata/core';
import { batchable, executeBatch, executeStep, type ExecContext } from './executor.js';
import { loadMigrations, sqlSection } from './migration-file.js';
import { sqlModule } from './sql-parser.js';
import { offlineScriptFor } from './offline.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { planDowngrade, planUpgrade } from './planner.js';
import { checkDataLoss, dataLossFindings, prepareSteps, type PreparedStep } from './prepare.js';
import { buildGraph, multipleHeadsError, type RevisionGraph } from './revision-graph.js';
import { announce, backendPid, beginReadingPid, choosePath, poolerError } from './pooler.js';
import { ensureTables, runLockKey, withRunLock } from './run-lock.js';
import { stampOnClient } from './stamp.js';
import type { ChecksumProblem, DataLossFinding, Direction, FailedMigration, HistoryEntry, MigrationFile, RunnerOptions, RunResult, StampResult, StatusResult, StepResult } from './types.js';
import { appliedDigestOf, prepareStepDml, readHeads, readHistory, readState, refreshSummarySql, runningRow, stepDml, tableNames, type DbState } from './version-table.js';
import { headsChange } from './planner.js';
import { claimedStatements, interruptedError, judgeInterrupted, type RunningRow } from './interrupted.js';

/** A step a run is about to execute, as given to {@link UpgradeOptions.beforeRun}. */
export interface PlannedStep {
  revision: string;
  file: string;
  direction: Direction;
}
/**
 * Called once per run with the steps it is about to execute, after they are
 * parsed and checked (syntax, checksums, data loss) and before the lock is
 * taken or anything runs; also on a dry run. Not called when there is nothing
 * to do. Throw to refuse the run: the error reaches the caller unchanged and
 * nothing has run. This is how `migrate up` lints exactly what it will apply
 * without reading the database or the files a second time: `migrations` are
 * the files the run read, in graph order.
 */
export type BeforeRun = (steps: readonly PlannedStep[], migrations: readonly MigrationFile[]) => void | Promise<void>;
/** Options of {@link upgrade}. */
export interface UpgradeOptions extends RunnerOptions {
  /** `head` (default), `heads`, a revision id or unique prefix (it and its ancestors), or `+N`. */
  target?: string;
  /** Plan and validate (parse, checksums, data loss) without executing anything. Default `false`. */
  dryRun?: boolean;
  /** See {@link BeforeRun}. */
  beforeRun?: BeforeRun;
}
/** Options of {@link downgrade}. */
export interface DowngradeOptions extends RunnerOptions {
  /** `-N` (default `-1`), `base`, or a revision id or unique prefix to go back to (it stays applied). */
  target?: string;
  /** Plan and validate without executing anything. Default `false`. */
  dryRun?: boolean;
  /** See {@link BeforeRun}. */
  beforeRun?: BeforeRun;
}
/** Options of {@link history}. */
export interface HistoryOptions extends RunnerOptions {
  /** At most this many rows, newest first. Default: all. */
  limit?: number;
}
/** Options of {@link stamp}. */
export interface StampOptions extends RunnerOptions {
  /** Revision to record as current: an id or unique prefix, `head`, `heads` or `base`. */
  revision: string;
  /** Empty the version table first (for a version table naming revisions no file defines). Default `false`. */
  purge?: boolean;
}
/** Options of {@link offlineScript}. */
export interface OfflineScriptOptions extends Omit<RunnerOptions, 'url'> {
  /** Needed only when `from` is not given (the current state is read from the database). */
  url?: string;
  /** `'up'` or `'down'`. */
  direction: Direction;
  /** As for upgrade/downgrade. Default `head` for up, `-1` for down. */
  target?: string;
  /** Starting heads: comma-separated revision ids or prefixes, or `base`. When given, no connection is made. */
  from?: string;
  /**
   * Receives the statements of the script that lose data. A script runs
   * nothing, so it is never refused for them (`allowDataLoss` is not
   * needed); they are also listed in comments at the top of the script.
   */
  onDataLoss?: (findings: DataLossFinding[]) => void;
}
/** Options of {@link isAtHead}. */
export interface IsAtHeadOptions {
  /** Folder of the migration files. */
  migrationsDir: string;
  /** Schema of Strata's tables. Default `'strata'`. */
  schema?: string;
  /** `application_name` when a URL is given. Default `'strata'`. */
  applicationName?: string;
}
/** The result of {@link isAtHead}. */
export interface IsAtHeadResult {
  /** Nothing pending for any head of the files, and no unknown revision recorded. */
  atHead: boolean;
  /** Pending revisions in execution order. */
  pending: string[];
  /** Heads recorded in the database. */
  current: string[];
}

/** RAISE NOTICE from a migration (and PostgreSQL's own notices) reach the logger, never stdout. */
function withNotices(client: pg.Client, o: ResolvedOptions): pg.Client {
  client.on('notice', (n) => o.logger.info(`notice: ${n.message}`, { severity: n.severity ?? null, code: n.code ?? null }));
  return client;
}

async function openClient(o: ResolvedOptions): Promise<pg.Client> {
  return withNotices(await connect({ url: o.url, applicationName: o.applicationName }), o);
}

/**
 * The migration files, a connection and the answer to a first query, together:
 * the handshake (backend start, SCRAM) and the query proceed while the files
 * are read, which reading lets happen by yielding to the event loop. The files are
 * still judged first: a broken graph is reported (and the connection
 * dropped) whether or not the database answers.
 */
async function graphAndClient<T>(o: ResolvedOptions, first: (client: pg.Client) => Promise<T>): Promise<{ graph: RevisionGraph; client: Promise<pg.Client>; first: Promise<T>; abandon: () => void }> {
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

async function withClient<T>(o: ResolvedOptions, fn: (client: pg.Client) => Promise<T>, opened?: Promise<pg.Client>, keepOpen = false): Promise<T> {
  const client = await (opened ?? openClient(o));
  try {
    return await fn(client);
  } catch (err) {
    throw asStrataError(err, o);
  } finally {
    if (keepOpen) await resetSession(client);
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
      return new StrataError('LOCK_TIMEOUT', `Could not take the migration lock of schema ${o.schema} on ${describeConnection(o.url)} within ${o.lockWaitMs ?? 0} ms: another migration run holds it. Wait for it to finish or raise lockWaitMs.`, { meta: { sqlstate: err.code }, cause: err });
    }
    return new StrataError('DB_QUERY', `Query on ${describeConnection(o.url)} failed: ${err.message} (SQLSTATE ${err.code})`, { meta: { sqlstate: err.code ?? null }, cause: err });
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
async function watchForDeadClient(client: pg.Client): Promise<{ version: number; pid: number | undefined }> {
  const results = (await client.query(`DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    PERFORM set_config('client_connection_check_interval', '1000', false);
  END IF;
EXCEPTION WHEN others THEN NULL;
END $$;
SELECT current_setting('server_version_num')::int AS v, pg_backend_pid() AS pid;`)) as unknown as pg.QueryResult<{ v: number; pid: number }>[];
  return { version: results[1]?.rows[0]?.v ?? 0, pid: results[1]?.rows[0]?.pid };
}

async function loadGraph(dir: string): Promise<RevisionGraph> {
  return buildGraph(await loadMigrations(dir));
}

/** A database state with the applied set its heads imply (RevisionGraph.appliedFrom). */
interface SettledState extends DbState {
  applied: Set<string>;
  /** Version-table heads no migration file defines. */
  unknown: string[];
}

/**
 * A state whose `checksums` can be trusted, with its applied set: when the
 * summary's digest of the applied checksums answered (readState), it is
 * compared with the digest of the files; equal, the recorded checksums are
 * the files' and none is compared again (`checksums` stays empty, as
 * DbState allows: no checksum problem can be found), otherwise every
 * checksum is read (a second round trip, whose answer names the edited files).
 */
async function settleState(client: Queryable, o: ResolvedOptions, graph: RevisionGraph, state: DbState, options: { invalidIndexes?: boolean } = {}): Promise<SettledState> {
  const { applied, unknown } = graph.appliedFrom(state.heads);
  if (state.appliedDigest === undefined) return { ...state, applied, unknown };
  const files = graph.order.filter((m) => applied.has(m.revision));
  if (unknown.length === 0 && appliedDigestOf(files.map((m) => [m.revision, m.checksum] as const)) === state.appliedDigest) {
    o.logger.debug('applied checksums verified against the summary', { applied: files.length });
    return { ...state, applied, unknown };
  }
  o.logger.debug('the summary differs from the files: reading every recorded checksum', { applied: files.length });
  const full = await readState(client, o.schema, { ...options, full: true });
  return { ...full, ...graph.appliedFrom(full.heads) };
}

/** Rewrite the summary after a run that wrote history (best effort: a stale one costs the next run a fuller read, nothing else). */
async function refreshSummary(client: Queryable, o: ResolvedOptions): Promise<void> {
  await client.query(refreshSummarySql(o.schema, runLockKey(o.schema))).catch((err: unknown) => {
    o.logger.debug('summary not written', { error: err instanceof Error ? err.message : String(err) });
  });
}

function appliedOrThrow(state: SettledState, o: ResolvedOptions): Set<string> {
  const { applied, unknown } = state;
  if (unknown.length > 0) {
    throw new StrataError(
      'MIGRATION_UNKNOWN_REVISION',
      `The database ${describeConnection(o.url)} is at revision${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which no file in ${o.migrationsDir} defines. Restore the missing migration file(s), or record where the database really is with \`strata stamp <revision> --purge\`.`,
      { meta: { unknown } },
    );
  }
  return applied;
}

/** Applied migrations whose file no longer matches the checksum recorded when it was applied. */
function checksumProblems(graph: RevisionGraph, applied: ReadonlySet<string>, state: DbState): ChecksumProblem[] {
  const out: ChecksumProblem[] = [];
  for (const m of graph.order) {
    if (!applied.has(m.revision)) continue;
    const recorded = state.checksums.get(m.revision);
    if (recorded && !m.matchesChecksum(recorded)) out.push({ revision: m.revision, file: m.file, recorded, actual: m.checksum });
  }
  return out;
}

function verifyChecksums(graph: RevisionGraph, applied: ReadonlySet<string>, state: DbState): void {
  const problems = checksumProblems(graph, applied, state);
  if (problems.length === 0) return;
  // Stamping any current head keeps the others and re-records every differing checksum;
  // 'heads' could mark pending migrations as applied.
  const stampTo = state.heads[0] ?? 'base';
  const list = problems.map((p) => `  ${p.file} (revision ${p.revision}): recorded ${p.recorded}, file now ${p.actual}`).join('\n');
  throw new StrataError(
    'CHECKSUM_MISMATCH',
    `${problems.length === 1 ? 'An applied migration was' : `${problems.length} applied migrations were`} edited after being applied:\n${list}\nNothing was run. Restore the file${problems.length === 1 ? '' : 's'} as applied (e.g. from version control), and put the change in a new migration. If the edit only touched comments or formatting, or the database already matches the new text, accept it with \`strata stamp ${stampTo}\`, which records the checksums of the files as they are now.`,
    { meta: { problems, files: problems.map((p) => p.file) } },
  );
}

/** A pending step that failed last time outside a transaction and left INVALID indexes must be cleaned up first. */
function checkPreviousFailures(steps: readonly PreparedStep[], state: DbState, invalid: string[]): void {
  for (const s of steps) {
    const f = state.failures.get(s.migration.revision);
    if (!f || s.transactional || f.direction !== s.direction) continue;
    const mine = indexesNamedIn(s.migration, invalid);
    if (mine.length === 0) continue;
    throw new StrataError(
      'PREVIOUS_FAILURE',
      `${s.migration.file} (revision ${s.migration.revision}) failed on the previous run (${f.at}): ${f.error.split('\n')[0]}\nIt runs outside a transaction, and it left INVALID index${mine.length === 1 ? '' : 'es'} ${mine.join(', ')}. Drop ${mine.length === 1 ? 'it' : 'them'} (DROP INDEX CONCURRENTLY ${mine[0]}), fix the cause, then run \`strata up\` again.`,
      { meta: { file: s.migration.file, revision: s.migration.revision, invalidIndexes: mine, previousError: f.error } },
    );
  }
}

/** INVALID indexes a migration's text names; all of them when it names none (a generated name). */
function indexesNamedIn(m: MigrationFile, invalid: readonly string[]): string[] {
  const named = invalid.filter((qualified) => {
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    return new RegExp(`(^|[^A-Za-z0-9_$])"?${name.replace(/[$]/g, '\\$')}"?([^A-Za-z0-9_$]|$)`).test(m.source);
  });
  return named;
}

function summarize(direction: Direction, from: string[], to: string[], steps: StepResult[], dryRun: boolean, original?: StrataError): RunResult {
  const failed = steps.find((s) => s.status === 'failed');
  const result: RunResult = { direction, from, to, steps, ok: !failed, dryRun };
  if (failed?.error) result.error = original ?? new StrataError(failed.error.code as 'MIGRATION_FAILED', failed.error.message, { meta: failed.error.meta });
  return result;
}

async function run(options: RunnerOptions & { target?: string; dryRun?: boolean; beforeRun?: BeforeRun }, direction: Direction, session?: { client: pg.Client; graph: RevisionGraph }): Promise<RunResult> {
  const o = resolveOptions(options);
  const { graph, client: opened, first: firstState, abandon } = session ? sessionStart(session, o) : await graphAndClient(o, (c) => readState(c, o.schema));
  const target = options.target ?? (direction === 'up' ? 'head' : '-1');
  if (direction === 'up' && target.trim() === 'head' && graph.heads.length > 1) {
    abandon();
    throw multipleHeadsError(graph);
  }
  const plan = (applied: ReadonlySet<string>) => (direction === 'up' ? planUpgrade(graph, applied, target) : planDowngrade(graph, applied, target));
  const prepared = new Map<string, PreparedStep>();
  const prepare = async (migrations: MigrationFile[]): Promise<PreparedStep[]> => {
    const missing = migrations.filter((m) => !prepared.has(m.revision));
    for (const p of await prepareSteps(missing, direction)) prepared.set(p.migration.revision, p);
    const steps = migrations.map((m) => prepared.get(m.revision)!);
    // A dry run runs nothing, so it asks for no consent: it lists the data loss instead.
    if (!options.dryRun) checkDataLoss(steps, o.allowDataLoss);
    return steps;
  };

  let connected = false;
  return await withClient(o, async (client) => {
    connected = true;
    // One round trip tells whether there is anything to do; a run at head stops here.
    const first = await settleState(client, o, graph, await firstState);
    const firstApplied = appliedOrThrow(first, o);
    verifyChecksums(graph, firstApplied, first);
    const firstPlan = plan(firstApplied);
    if (firstPlan.length === 0) return summarize(direction, first.heads, first.heads, [], !!options.dryRun);
    // Parse and check every step before anything executes.
    const firstSteps = await prepare(firstPlan);
    if (firstSteps.some((s) => !s.transactional && first.failures.has(s.migration.revision))) {
      checkPreviousFailures(firstSteps, first, (await readState(client, o.schema, { invalidIndexes: true })).invalidIndexes);
    }
    await options.beforeRun?.(firstSteps.map((s) => ({ revision: s.migration.revision, file: s.migration.file, direction })), graph.order);
    if (options.dryRun) {
      const projected = new Set(firstApplied);
      for (const m of firstPlan) (direction === 'up' ? projected.add(m.revision) : projected.delete(m.revision));
      // `to` is where the run would leave the database.
      const result = summarize(direction, first.heads, graph.headsOf(projected), firstSteps.map((s) => ({ revision: s.migration.revision, file: s.migration.file, direction, status: 'planned', durationMs: 0, lockTimeout: s.migration.lockTimeout ?? o.lockTimeout, statementTimeout: s.migration.statementTimeout ?? o.statementTimeout })), true);
      result.dataLoss = dataLossFindings(firstSteps);
      return result;
    }

    const { version: serverVersion, pid } = await watchForDeadClient(client);
    // Direct, or through a pooler (then transaction locks; see pooler.ts). `eo`: the options with the mode to use.
    const path = choosePath(client, o, pid);
    const eo: ResolvedOptions = { ...o, lockMode: path.mode };
    const execute = async (): Promise<RunResult> => {
      announce(path, o, await ensureTables(client, eo, path.auto && !path.direct));
      // Re-read inside the lock: another runner may have moved the database meanwhile.
      const state = await settleState(client, o, graph, await readState(client, o.schema));
      const applied = appliedOrThrow(state, o);
      verifyChecksums(graph, applied, state);
      const steps = await prepare(plan(applied));
      // A non-transactional migration interrupted by a dead runner: resumed where that is safe, else the run stops with the step to take.
      const resume = await judgeRunning(client, state, steps);
      const ctx: ExecContext = {
        resume,
        client,
        schema: o.schema,
        graph,
        applied: new Set(applied),
        lockTimeout: o.lockTimeout,
        statementTimeout: o.statementTimeout,
        lockMode: path.mode,
        lockKey: runLockKey(o.schema),
        lockWaitMs: o.lockWaitMs,
        failures: state.failures,
        logger: o.logger,
        emit: (event) => {
          // Keep the failure itself (with its cause) for RunResult.error.
          if (event.type === 'migration-failed') firstError ??= event.error;
          o.emit(event);
        },
      };
      let firstError: StrataError | undefined;
      const results: StepResult[] = [];
      // Consecutive transactional SQL migrations share round trips (see
      // executeBatch), in batches that grow while migrations are quick and
      // shrink again when they are slow, so progress lines lag by one batch at most.
      // PostgreSQL 12 and older time a multi-statement message as a whole, so
      // there each migration keeps a message of its own.
      const anyBatchable = steps.some((s) => batchable(s, ctx));
      const canBatch = steps.length > 1 && anyBatchable && serverVersion >= 130000;
      // A migration that DEALLOCATEs or DISCARDs would drop the prepared DML under the next one;
      // through a pooler the next transaction may run on another server connection.
      if (anyBatchable && path.direct && !steps.some((s) => s.sql?.statements.kinds.has('DeallocateStmt') || s.sql?.statements.kinds.has('DiscardStmt'))) {
        await client.query(prepareStepDml(o.schema));
        ctx.preparedDml = true;
      }
      let size = 1;
      // A stop request (signal): nothing more starts; a transactional step in flight is cancelled (it rolls back).
      const stop = o.stop;
      let inFlight: { transactional: boolean } | undefined;
      if (stop) {
        ctx.stopRequested = () => (stop.force ? 'cancel' : stop.reason ? 'finish' : undefined);
        stop.changed = () => {
          if (inFlight && (inFlight.transactional || stop.force)) cancelQuery(client);
        };
      }
      for (let i = 0; i < steps.length; ) {
        if (stop?.reason) break;
        const step = steps[i]!;
        inFlight = { transactional: step.transactional };
        if (!batchable(step, ctx)) {
          const r = await executeStep(step, ctx);
          results.push(r);
          if (r.status === 'failed') break;
          i++;
          continue;
        }
        let j = i + 1;
        let bytes = step.sql!.section.text.length;
        while (canBatch && j < steps.length && j - i < size && batchable(steps[j]!, ctx) && bytes < MAX_BATCH_BYTES) bytes += steps[j++]!.sql!.section.text.length;
        const t0 = performance.now();
        const rs = await executeBatch(steps.slice(i, j), ctx);
        results.push(...rs);
        if (rs.length < j - i || rs.some((r) => r.status === 'failed')) break;
        size = performance.now() - t0 < QUICK_BATCH_MS ? Math.min(size * 2, MAX_BATCH) : Math.max(1, size >> 1);
        i = j;
      }
      inFlight = undefined;
      if (results.length > 0) await refreshSummary(client, o);
      const result = summarize(direction, state.heads, graph.headsOf(ctx.applied), results, false, firstError);
      if (stop?.reason) {
        result.interrupted = stop.reason;
        const ran = new Set(results.filter((r) => r.status === 'applied').map((r) => r.revision));
        result.notRun = steps.filter((s) => !ran.has(s.migration.revision)).map((s) => ({ revision: s.migration.revision, file: s.migration.file }));
      }
      return result;
    };
    // A stop before the first migration (waiting for the lock, reading the state): cancel the wait, run nothing.
    const stop = o.stop;
    if (stop) stop.changed = () => cancelQuery(client);
    if (stop?.reason) return stoppedBefore(direction, first.heads, firstSteps, stop.reason);
    try {
      return path.mode === 'session' ? await withRunLock(client, eo, execute) : await execute();
    } catch (err) {
      if (stop?.reason && isCancel(err)) return stoppedBefore(direction, first.heads, firstSteps, stop.reason);
      throw err;
    }
  }, opened, !!session).catch(async (err: unknown) => {
    // Which migrations are pending is only known from the database. When it
    // cannot be reached, a syntax error in the files is still an input error
    // worth reporting first (exit 2): check every SQL file of this direction.
    if (!connected && isStrataError(err) && (err.code === 'DB_CONNECTION' || err.code === 'DB_AUTH')) await syntaxCheck(graph.order, direction);
    throw err;
  });
}

/**
 * The interrupted claims (a `running` row whose session is gone) of the
 * steps about to run: each is judged (interrupted.ts); one that needs a
 * person stops the run before anything executes (MIGRATION_INTERRUPTED),
 * the others are resumed at the statement the judgement names.
 */
async function judgeRunning(client: Queryable, state: DbState, steps: readonly PreparedStep[]): Promise<Map<string, { id: string; from: number; why: string }>> {
  const resume = new Map<string, { id: string; from: number; why: string }>();
  for (const row of state.running) {
    if (row.alive) continue;
    const step = steps.find((s) => s.migration.revision === row.revision && s.direction === row.direction);
    if (!step) continue;
    const m = step.migration;
    // A claim by an older Strata recorded no statements: with one statement, it is the one in doubt.
    const known = row.statements === null && step.sql?.statements.length === 1 ? { ...row, statements: claimedStatements(step.sql.statements), statementsDone: 0 } : row;
    const verdict = await judgeInterrupted(client, known, m.file, m.revision, m.checksum);
    if (verdict.action === 'refuse') throw interruptedError(row, m.file, m.revision, verdict);
    resume.set(m.revision, { id: row.id, from: verdict.from, why: verdict.why });
  }
  return resume;
}

/** A query cancelled by the cancel request (SQLSTATE 57014), possibly wrapped by Strata. */
function isCancel(err: unknown): boolean {
  const e = isStrataError(err) ? (err.cause ?? err.meta) : err;
  return (isPgDatabaseError(e) && e.code === '57014') || (isStrataError(err) && err.meta.sqlstate === '57014');
}

/** The result of a run stopped by a signal before its first migration. */
function stoppedBefore(direction: Direction, heads: string[], steps: readonly PreparedStep[], reason: 'SIGINT' | 'SIGTERM'): RunResult {
  const result = summarize(direction, heads, heads, [], false);
  result.interrupted = reason;
  result.notRun = steps.map((s) => ({ revision: s.migration.revision, file: s.migration.file }));
  return result;
}

/**
 * Ask the server to cancel what `client` is running (the protocol's cancel
 * request, on a connection of its own, as psql's Ctrl-C does): a
 * transaction in progress is rolled back. Best effort.
 */
function cancelQuery(client: pg.Client): void {
  const c = client as pg.Client & { _getActiveQuery?: () => unknown; host?: string; port?: number; processID?: number | null; secretKey?: number | null };
  if (c._getActiveQuery?.() === null || c.processID == null || c.secretKey == null) return;
  try {
    const Connection = (pg as unknown as { Connection: new () => { connect(port: number, host: string): void; on(e: string, f: () => void): void; cancel(pid: number, key: number): void } }).Connection;
    const con = new Connection();
    con.on('error', () => {});
    con.on('connect', () => con.cancel(c.processID!, c.secretKey!));
    if (c.host?.startsWith('/')) (con as unknown as { connect(path: string): void }).connect(`${c.host}/.s.PGSQL.${c.port}`);
    else con.connect(c.port ?? 5432, c.host ?? 'localhost');
  } catch {
    // the statement finishes instead
  }
}

/** Most migrations one message carries, and about how much SQL. */
const MAX_BATCH = 64;
const MAX_BATCH_BYTES = 1 << 20;
/** A batch faster than this doubles the next one; a slower one halves it (progress lines lag a batch at most). */
const QUICK_BATCH_MS = 200;

async function syntaxCheck(migrations: readonly MigrationFile[], direction: Direction): Promise<void> {
  const sqlFiles = migrations.filter((m) => m.kind === 'sql');
  if (sqlFiles.length === 0) return;
  const sql = await sqlModule();
  for (const m of sqlFiles) {
    const section = sqlSection(m, direction);
    if (section) await sql.parseScript(section.text, { file: m.file, startLine: section.line, startColumn: 1 });
  }
}

/**
 * Apply pending migrations up to `target` (default `head`). Validation
 * problems (graph, syntax, checksums, data loss) throw before anything runs;
 * a migration that fails is reported in the result, with the migrations
 * before it applied and the ones after it not attempted.
 */
export async function upgrade(options: UpgradeOptions): Promise<RunResult> {
  return await run(options, 'up');
}

/** Revert applied migrations down to `target` (default `-1`). Same error model as {@link upgrade}. */
export async function downgrade(options: DowngradeOptions): Promise<RunResult> {
  return await run(options, 'down');
}

function sessionStart(session: { client: pg.Client; graph: RevisionGraph }, o: ResolvedOptions) {
  const first = readState(session.client, o.schema);
  first.catch(() => {});
  return { graph: session.graph, client: Promise.resolve(session.client), first, abandon: () => {} };
}

/** Runs of {@link openRunSession}: one connection and one read of the files for all of them. */
export interface RunSession {
  /** As {@link upgrade}, on the session's connection with the files as read when it opened. */
  upgrade(options?: { target?: string }): Promise<RunResult>;
  /** As {@link downgrade}, likewise. */
  downgrade(options?: { target?: string }): Promise<RunResult>;
  /** The graph of the files as read when the session opened. */
  readonly graph: RevisionGraph;
  /** The session's connection, for the caller's own queries between runs (never inside one). */
  readonly client: pg.Client;
  close(): Promise<void>;
}

/**
 * Many upgrade/downgrade runs on one connection, the files read once: what
 * `migrate test`'s stairway needs (three runs per revision), where opening a
 * connection and reading every file again cost more than the migration.
 * Each run behaves as {@link upgrade}/{@link downgrade} (lock, state read
 * inside the lock, checksums, history), and leaves the session as a new
 * connection would find it (`DISCARD ALL`). Runs must not overlap.
 */
export async function openRunSession(options: RunnerOptions): Promise<RunSession> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  const client = await openClient(o);
  const session = { client, graph };
  return {
    graph,
    client,
    upgrade: async (r = {}) => await run({ ...options, ...r }, 'up', session),
    downgrade: async (r = {}) => await run({ ...options, ...r }, 'down', session),
    close: async () => await closeConnection(client),
  };
}

/** Current heads, applied, pending and failed migrations, checksum problems; two round trips at most. */
export async function status(options: RunnerOptions): Promise<StatusResult> {
  const o = resolveOptions(options);
  const { graph, client: opened, first } = await graphAndClient(o, (c) => readState(c, o.schema, { invalidIndexes: true }));
  return await withClient(o, async (client) => {
    const state = await settleState(client, o, graph, await first, { invalidIndexes: true });
    const { applied, unknown } = state;
    const pending = graph.order.filter((m) => !applied.has(m.revision));
    const failed: FailedMigration[] = [...state.failures].map(([revision, f]) => {
      const m = graph.get(revision);
      return {
        revision,
        file: m?.file ?? f.file,
        direction: f.direction,
        failedAt: f.at,
        error: f.error,
        sqlstate: f.sqlstate,
        invalidIndexes: m ? indexesNamedIn(m, state.invalidIndexes) : [],
      };
    }).filter((f) => (f.direction === 'up') !== applied.has(f.revision));
    return {
      current: state.heads,
      heads: [...graph.heads],
      atHead: pending.length === 0 && unknown.length === 0,
      applied: graph.order.filter((m) => applied.has(m.revision)).map((m) => ({ revision: m.revision, file: m.file })),
      pending: pending.map((m) => ({ revision: m.revision, file: m.file })),
      failed,
      checksumProblems: checksumProblems(graph, applied, state),
      unknown,
      invalidIndexes: state.invalidIndexes,
      initialised: state.initialised,
      running: await Promise.all(state.running.map((r) => runningStatus(client, graph, r))),
    };
  }, opened);
}

/** A `running` row for `status`: in progress, or interrupted with what the next run would do about it. */
async function runningStatus(client: Queryable, graph: RevisionGraph, r: RunningRow): Promise<StatusResult['running'][number]> {
  const m = graph.get(r.revision);
  const file = m?.file ?? r.file;
  const base = { revision: r.revision, file, direction: r.direction, since: r.since, pid: r.pid, interrupted: !r.alive, statements: r.statements?.length ?? null, statementsDone: r.statementsDone };
  if (r.alive) return base;
  const statementsInDoubt = r.statements && r.statementsDone < r.statements.length ? [{ index: r.statementsDone + 1, line: r.statements[r.statementsDone]!.line, sql: r.statements[r.statementsDone]!.sql }] : [];
  const verdict = await judgeInterrupted(client, r, file ?? r.revision, r.revision, m?.checksum ?? null);
  return { ...base, statementsInDoubt, next: verdict.action === 'resume' ? `\`strata ${r.direction}\` resumes it at statement ${verdict.from + 1}: ${verdict.why}` : `${verdict.why} To go on: ${verdict.step}.` };
}

/** Options of {@link resolve}. */
export interface ResolveOptions extends RunnerOptions {
  /** The revision (id or unique prefix) whose interrupted or failed attempt to settle. */
  revision: string;
  /** `'applied'`: its changes are in place (finished by hand); `'rolled-back'`: they are not (undone by hand), so it runs again. */
  as: 'applied' | 'rolled-back';
}

/** The result of {@link resolve}. */
export interface ResolveResult {
  revision: string;
  file: string;
  direction: Direction;
  /** What was settled: an interrupted attempt (`running` row of a dead runner) or a failed one. */
  was: 'interrupted' | 'failed';
  as: 'applied' | 'rolled-back';
  /** Heads recorded after. */
  to: string[];
}

/**
 * Settle a migration whose last attempt was interrupted or failed half-way
 * outside a transaction, after a person has looked at the database (like
 * Prisma's \`migrate resolve\`). `applied`: the step is recorded as done
 * (version table and an `applied` history row with meta.resolved);
 * `rolled-back`: the attempt is marked settled, and the next run starts the
 * migration from its first statement. Refused (USAGE) when the revision's
 * last attempt is neither; LOCK_BUSY when a live runner is on it.
 */
export async function resolve(options: ResolveOptions): Promise<ResolveResult> {
  const o = resolveOptions(options);
  if (options.as !== 'applied' && options.as !== 'rolled-back') throw new StrataError('USAGE', `resolve needs as: 'applied' or 'rolled-back', not ${JSON.stringify(options.as)}.`);
  const graph = await loadGraph(o.migrationsDir);
  const m = graph.resolve(options.revision);
  return await withClient(o, async (client) => {
    const path = choosePath(client, o, o.lockMode === 'auto' ? await backendPid(client) : undefined);
    const eo: ResolvedOptions = { ...o, lockMode: path.mode };
    const t = tableNames(o.schema);
    const body = async (): Promise<ResolveResult> => {
      await client.query('BEGIN');
      try {
        if (path.mode === 'transaction') {
          const wait = o.lockWaitMs === undefined ? '0' : String(Math.max(1, o.lockWaitMs));
          await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT pg_advisory_xact_lock(${runLockKey(o.schema).toString()}::bigint);\nSET LOCAL lock_timeout = 0;`);
        }
        type Row = { id: string; outcome: string; direction: Direction; since: string; meta: Record<string, unknown> };
        let last: Row | undefined;
        try {
          last = (await client.query<Row>(
            `SELECT h.id::text, h.outcome, h.direction, to_json(h.started_at) #>> '{}' AS since, h.meta || jsonb_build_object('file', h.file, 'checksum', h.checksum, 'alive', EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = (h.meta->>'pid')::int AND to_json(a.backend_start) #>> '{}' = h.meta->>'backendStart')) AS meta
               FROM ${t.history} h WHERE h.revision = $1 ORDER BY h.id DESC LIMIT 1`,
            [m.revision],
          )).rows[0];
        } catch (err) {
          if (!(isPgDatabaseError(err) && (err.code === '42P01' || err.code === '3F000'))) throw err;
        }
        const unresolvedFailure = last?.outcome === 'failed' && last.meta.resolved === undefined;
        if (!last || (last.outcome !== 'running' && !unresolvedFailure)) {
          throw new StrataError('USAGE', `Nothing to resolve: ${m.file} (revision ${m.revision}) ${last ? `was last ${last.outcome === 'failed' ? 'failed and already resolved' : `${last.outcome} (${last.direction})`} at ${last.since}` : 'has no history here'}; only an interrupted or failed migration is resolved. \`strata status\` shows what is.`, {
            meta: { revision: m.revision, file: m.file, last: last?.outcome ?? null },
          });
        }
        if (last.outcome === 'running' && last.meta.alive === true) {
          throw new StrataError('LOCK_BUSY', `${m.file} (revision ${m.revision}) is being run right now (server pid ${String(last.meta.pid)}, since ${last.since}); wait for it to finish.`, { meta: { revision: m.revision, pid: last.meta.pid ?? null } });
        }
        const was = last.outcome === 'running' ? 'interrupted' : 'failed';
        const direction = last.direction;
        const state = await readState(client, o.schema, { full: true });
        const { applied, unknown } = graph.appliedFrom(state.heads);
        if (unknown.length > 0) throw new StrataError('MIGRATION_UNKNOWN_REVISION', `The database is at revision(s) ${unknown.join(', ')}, which no file defines; resolve cannot place ${m.revision}.`, { meta: { unknown } });
        if ((direction === 'up') === applied.has(m.revision)) {
          throw new StrataError('USAGE', `Nothing to resolve: ${m.file} (revision ${m.revision}) is already recorded as ${direction === 'up' ? 'applied' : 'reverted'}.`, { meta: { revision: m.revision } });
        }
        const note = { resolved: options.as, resolvedAt: new Date().toISOString(), was };
        if (options.as === 'applied') {
          const change = headsChange(graph, applied, m.revision, direction);
          const dml = stepDml(o.schema, change, { revision: m.revision, direction, file: m.file, message: m.message, checksum: m.checksum, meta: { mode: 'resolve', kind: m.kind, ...note, attempt: Number(last.id) } });
          await client.query(`${was === 'interrupted' ? `DELETE FROM ${t.history} WHERE id = ${quoteLiteral(last.id)}::bigint;\n` : `UPDATE ${t.history} SET meta = meta || ${quoteLiteral(JSON.stringify(note))}::jsonb WHERE id = ${quoteLiteral(last.id)}::bigint;\n`}${dml}`);
          if (direction === 'up') applied.add(m.revision);
          else applied.delete(m.revision);
        } else {
          await client.query(
            `UPDATE ${t.history} SET outcome = 'failed', finished_at = coalesce(finished_at, clock_timestamp()), error = coalesce(error, 'interrupted: the runner was gone before it finished'), meta = meta || $2::jsonb WHERE id = $1::bigint`,
            [last.id, JSON.stringify(note)],
          );
        }
        await client.query('COMMIT');
        await refreshSummary(client, o);
        return { revision: m.revision, file: m.file, direction, was, as: options.as, to: graph.headsOf(applied) };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    return path.mode === 'session' ? await withRunLock(client, eo, body) : await body();
  });
}

/** History rows, newest first. */
export async function history(options: HistoryOptions): Promise<HistoryEntry[]> {
  const o = resolveOptions(options);
  return await withClient(o, async (client) => await readHistory(client, o.schema, options.limit));
}

/**
 * Record `revision` as current without running any migration (baseline an
 * existing database, or accept edited files). The heads on the same line as
 * the revision are replaced by it; with `purge`, the version table is emptied
 * first. Every revision applied afterwards whose file checksum differs from
 * the recorded one gets its new checksum recorded.
 */
export async function stamp(options: StampOptions): Promise<StampResult> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  return await withClient(o, async (client) => {
    // lockMode 'auto': one round trip tells a direct connection from a pooler (pooler.ts).
    const path = choosePath(client, o, o.lockMode === 'auto' ? await backendPid(client) : undefined);
    const eo: ResolvedOptions = { ...o, lockMode: path.mode };
    const body = async (): Promise<StampResult> => {
      if (path.auto && !path.direct) announce(path, o, await beginReadingPid(client));
      else await client.query('BEGIN');
      try {
        if (path.mode === 'transaction') {
          const wait = o.lockWaitMs === undefined ? '0' : String(Math.max(1, o.lockWaitMs));
          await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT pg_advisory_xact_lock(${runLockKey(o.schema).toString()}::bigint);\nSET LOCAL lock_timeout = 0;`);
        }
        const result = await stampOnClient(client, { graph, schema: o.schema, revision: options.revision, purge: !!options.purge });
        await client.query('COMMIT');
        await refreshSummary(client, o);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    return path.mode === 'session' ? await withRunLock(client, eo, body) : await body();
  });
}

/**
 * The psql-runnable script of an upgrade or downgrade: BEGIN/COMMIT per
 * migration with SET LOCAL timeouts and the version/history DML, preceded by
 * the creation of Strata's tables. With `from`, no connection is made.
 */
export async function offlineScript(options: OfflineScriptOptions): Promise<string> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  const target = options.target ?? (options.direction === 'up' ? 'head' : '-1');
  if (options.direction === 'up' && target.trim() === 'head' && graph.heads.length > 1) throw multipleHeadsError(graph);
  let fromHeads: string[];
  if (options.from !== undefined) {
    const f = options.from.trim();
    fromHeads = f === '' || f === 'base' ? [] : f.split(',').map((r) => graph.resolve(r.trim()).revision);
  } else {
    if (!options.url) throw new StrataError('USAGE', 'An offline script needs either `from` (the revision the database is at) or a database URL to read it from.');
    fromHeads = await withClient(o, async (client) => {
      const state = await settleState(client, o, graph, await readState(client, o.schema));
      verifyChecksums(graph, appliedOrThrow(state, o), state);
      return state.heads;
    });
  }
  const applied = graph.appliedFrom(fromHeads).applied;
  const migrations = options.direction === 'up' ? planUpgrade(graph, applied, target) : planDowngrade(graph, applied, target);
  const steps = await prepareSteps(migrations, options.direction);
  // The script runs nothing here: no consent is asked; the data loss is listed (onDataLoss, and the script's header).
  const findings = dataLossFindings(steps);
  options.onDataLoss?.(findings);
  return await offlineScriptFor(steps, {
    dataLoss: findings, graph, applied, schema: o.schema, lockTimeout: o.lockTimeout, statementTimeout: o.statementTimeout, fromHeads, target });
}

/**
 * The start-up check: one query tells whether the database is at the
 * files' head(s). Reads migration headers only; never parses SQL. Takes an
 * open client (no connection cost) or a URL.
 */
export async function isAtHead(clientOrUrl: Queryable | string, options: IsAtHeadOptions): Promise<IsAtHeadResult> {
  const graph = await loadGraph(options.migrationsDir);
  const schema = options.schema ?? 'strata';
  const check = async (client: Queryable): Promise<IsAtHeadResult> => {
    // The heads alone: whether anything is pending needs no checksum.
    const heads = await readHeads(client, schema);
    const { applied, unknown } = graph.appliedFrom(heads);
    const pending = graph.order.filter((m) => !applied.has(m.revision)).map((m) => m.revision);
    return { atHead: pending.length === 0 && unknown.length === 0, pending, current: heads };
  };
  if (typeof clientOrUrl !== 'string') return await check(clientOrUrl);
  return await withConnection({ url: clientOrUrl, applicationName: options.applicationName ?? 'strata' }, check);
}
