/** Runs: upgrade and downgrade (planning, checks, the lock, executing steps in batches, stopping on a signal), and run sessions. */
import pg from 'pg';
import { StrataError, closeConnection, isPgDatabaseError, isStrataError } from '@pg-strata/core';
import { batchable, executeBatch } from './batch.js';
import { executeStep } from './executor.js';
import type { ExecContext } from './step-context.js';
import { cancelQuery, graphAndClient, loadGraph, openClient, watchForDeadClient, withClient } from './connection.js';
import { sqlSection } from './migration-file.js';
import { sqlModule } from './sql-parser.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { planDowngrade, planUpgrade } from './planner.js';
import { checkDataLoss, dataLossFindings, prepareSteps, type PreparedStep } from './prepare.js';
import { multipleHeadsError, type RevisionGraph } from './revision-graph.js';
import { announce, choosePath } from './pooler.js';
import { ensureTables, runLockKey, withRunLock } from './run-lock.js';
import { appliedOrThrow, checkPreviousFailures, judgeRunning, refreshSummary, settleState, verifyChecksums } from './run-state.js';
import type { Direction, MigrationFile, RunnerOptions, RunResult, StepResult } from './types.js';
import { prepareStepDml, readState, type DbState } from './version-table.js';
import { closeExclusive, makeExclusive, resetExclusive, stateAfter, type ExclusiveState } from './exclusive-session.js';

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

function summarize(
  direction: Direction,
  from: string[],
  to: string[],
  steps: StepResult[],
  dryRun: boolean,
  original?: StrataError,
): RunResult {
  const failed = steps.find((s) => s.status === 'failed');
  const result: RunResult = { direction, from, to, steps, ok: !failed, dryRun };
  if (failed?.error)
    result.error = original ?? new StrataError(failed.error.code as 'MIGRATION_FAILED', failed.error.message, { meta: failed.error.meta });
  return result;
}

async function run(
  options: RunnerOptions & { target?: string; dryRun?: boolean; beforeRun?: BeforeRun },
  direction: Direction,
  session?: Session,
): Promise<RunResult> {
  const o = resolveOptions(options);
  // An exclusive session (see exclusive-session.ts) knows the state its last run left, when that run succeeded.
  const exclusive = session?.exclusive;
  const known = exclusive?.known;
  if (exclusive) exclusive.known = undefined;
  const {
    graph,
    client: opened,
    first: firstState,
    abandon,
  } = session ? sessionStart(session, o, known) : await graphAndClient(o, (c) => readState(c, o.schema));
  const target = options.target ?? (direction === 'up' ? 'head' : '-1');
  if (direction === 'up' && target.trim() === 'head' && graph.heads.length > 1) {
    abandon();
    throw multipleHeadsError(graph);
  }
  const plan = (applied: ReadonlySet<string>) =>
    direction === 'up' ? planUpgrade(graph, applied, target) : planDowngrade(graph, applied, target);
  // Parsed once per run; once per exclusive session (its files are read once).
  const prepared = exclusive?.prepared ?? new Map<string, PreparedStep>();
  const prepare = async (migrations: MigrationFile[]): Promise<PreparedStep[]> => {
    const missing = migrations.filter((m) => !prepared.has(`${direction}:${m.revision}`));
    for (const p of await prepareSteps(missing, direction)) prepared.set(`${direction}:${p.migration.revision}`, p);
    const steps = migrations.map((m) => prepared.get(`${direction}:${m.revision}`)!);
    // A dry run runs nothing, so it asks for no consent: it lists the data loss instead.
    if (!options.dryRun) checkDataLoss(steps, o.allowDataLoss);
    return steps;
  };

  let connected = false;
  return await withClient(
    o,
    async (client) => {
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
      await options.beforeRun?.(
        firstSteps.map((s) => ({ revision: s.migration.revision, file: s.migration.file, direction })),
        graph.order,
      );
      if (options.dryRun) {
        const projected = new Set(firstApplied);
        for (const m of firstPlan) direction === 'up' ? projected.add(m.revision) : projected.delete(m.revision);
        // `to` is where the run would leave the database.
        const result = summarize(
          direction,
          first.heads,
          graph.headsOf(projected),
          firstSteps.map((s) => ({
            revision: s.migration.revision,
            file: s.migration.file,
            direction,
            status: 'planned',
            durationMs: 0,
            lockTimeout: s.migration.lockTimeout ?? o.lockTimeout,
            statementTimeout: s.migration.statementTimeout ?? o.statementTimeout,
          })),
          true,
        );
        result.dataLoss = dataLossFindings(firstSteps);
        return result;
      }

      const { version: serverVersion, pid } = exclusive
        ? { version: exclusive.serverVersion, pid: exclusive.pid }
        : await watchForDeadClient(client);
      // Direct, or through a pooler (then transaction locks; see pooler.ts). `eo`: the options with the mode to use.
      const path = choosePath(client, o, pid);
      const eo: ResolvedOptions = { ...o, lockMode: path.mode };
      const execute = async (): Promise<RunResult> => {
        // An exclusive session made the tables and holds the lock since before `first` was read: nobody moved the database.
        // (Unless a migration dropped Strata's tables, which then fails: the state read after it finds them missing.)
        if (!exclusive || !first.initialised) announce(path, o, await ensureTables(client, eo, path.auto && !path.direct));
        // Re-read inside the lock: another runner may have moved the database meanwhile.
        const state = exclusive ? first : await settleState(client, o, graph, await readState(client, o.schema));
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
        // A one-step run of an exclusive session sends its rows inline: the PREPARE would cost a round trip of its own.
        if (
          anyBatchable &&
          path.direct &&
          !(exclusive && steps.length === 1) &&
          !steps.some((s) => s.sql?.statements.kinds.has('DeallocateStmt') || s.sql?.statements.kinds.has('DiscardStmt'))
        ) {
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
          while (canBatch && j < steps.length && j - i < size && batchable(steps[j]!, ctx) && bytes < MAX_BATCH_BYTES)
            bytes += steps[j++]!.sql!.section.text.length;
          const t0 = performance.now();
          const rs = await executeBatch(steps.slice(i, j), ctx);
          results.push(...rs);
          if (rs.length < j - i || rs.some((r) => r.status === 'failed')) break;
          size = performance.now() - t0 < QUICK_BATCH_MS ? Math.min(size * 2, MAX_BATCH) : Math.max(1, size >> 1);
          i = j;
        }
        inFlight = undefined;
        if (results.length > 0 && exclusive) exclusive.summaryStale = true;
        else if (results.length > 0) await refreshSummary(client, o);
        const result = summarize(direction, state.heads, graph.headsOf(ctx.applied), results, false, firstError);
        if (exclusive && result.ok && !stop?.reason) exclusive.known = stateAfter(state, result.to);
        if (stop?.reason) {
          result.interrupted = stop.reason;
          const ran = new Set(results.filter((r) => r.status === 'applied').map((r) => r.revision));
          result.notRun = steps
            .filter((s) => !ran.has(s.migration.revision))
            .map((s) => ({ revision: s.migration.revision, file: s.migration.file }));
        }
        return result;
      };
      // A stop before the first migration (waiting for the lock, reading the state): cancel the wait, run nothing.
      const stop = o.stop;
      if (stop) stop.changed = () => cancelQuery(client);
      if (stop?.reason) return stoppedBefore(direction, first.heads, firstSteps, stop.reason);
      try {
        return path.mode === 'session' && !exclusive ? await withRunLock(client, eo, execute) : await execute();
      } catch (err) {
        if (stop?.reason && isCancel(err)) return stoppedBefore(direction, first.heads, firstSteps, stop.reason);
        throw err;
      }
    },
    opened,
    session ? (exclusive ? () => resetExclusive(session.client, exclusive) : true) : false,
  ).catch(async (err: unknown) => {
    // Which migrations are pending is only known from the database. When it
    // cannot be reached, a syntax error in the files is still an input error
    // worth reporting first (exit 2): check every SQL file of this direction.
    if (!connected && isStrataError(err) && (err.code === 'DB_CONNECTION' || err.code === 'DB_AUTH'))
      await syntaxCheck(graph.order, direction);
    throw err;
  });
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

/** A run session's connection and files; `exclusive` when it holds the run lock throughout (exclusive-session.ts). */
interface Session {
  client: pg.Client;
  graph: RevisionGraph;
  exclusive?: ExclusiveState;
}

function sessionStart(session: Session, o: ResolvedOptions, known: DbState | undefined) {
  const first = known ? Promise.resolve(known) : readState(session.client, o.schema);
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
  /** Whether the session holds the run lock throughout (asked for with `exclusive`, and granted). */
  readonly exclusive: boolean;
  close(): Promise<void>;
}

/**
 * Many upgrade/downgrade runs on one connection, the files read once: what
 * `migrate test`'s stairway needs (three runs per revision), where opening a
 * connection and reading every file again cost more than the migration.
 * Each run behaves as {@link upgrade}/{@link downgrade} (lock, state read
 * inside the lock, checksums, history), and leaves the session as a new
 * connection would find it (`DISCARD ALL`). Runs must not overlap.
 *
 * `exclusive`: the caller owns the database (no other runner uses it while
 * the session is open, e.g. a scratch database it made). The session then
 * takes the run lock at opening and holds it until `close`, creates
 * Strata's tables once, and after a run that succeeded knows the state it
 * left instead of reading it; the summary is written at `close`. Runs still
 * parse, plan, check data loss and record their history rows as
 * {@link upgrade} does. When the lock is taken by someone else or the
 * connection goes through a pooler, the session is an ordinary one
 * (`exclusive` false on it).
 */
export async function openRunSession(options: RunnerOptions & { exclusive?: boolean }): Promise<RunSession> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  const client = await openClient(o);
  let session: Session;
  try {
    const exclusive = options.exclusive ? await makeExclusive(client, o) : undefined;
    session = { client, graph, ...(exclusive ? { exclusive } : {}) };
  } catch (err) {
    await closeConnection(client);
    throw err;
  }
  const { exclusive: _, ...runOptions } = options;
  return {
    graph,
    client,
    exclusive: session.exclusive !== undefined,
    upgrade: async (r = {}) => await run({ ...runOptions, ...r }, 'up', session),
    downgrade: async (r = {}) => await run({ ...runOptions, ...r }, 'down', session),
    close: async () => {
      try {
        if (session.exclusive) await closeExclusive(client, o, session.exclusive);
      } finally {
        await closeConnection(client);
      }
    },
  };
}
