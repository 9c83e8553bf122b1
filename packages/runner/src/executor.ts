// Stays whole: one step's execution, its batching and its failure bookkeeping share the same counted-query and recording helpers, and a failure's position needs all three.
import { hostname, userInfo } from 'node:os';
import pg from 'pg';
import { StrataError, isPgDatabaseError, isStrataError, quoteLiteral, type Logger } from '@pg-strata/core';
import { headsChange } from './planner.js';
import type { PreparedStep } from './prepare.js';
import type { RevisionGraph } from './revision-graph.js';
import { poolerError } from './pooler.js';
import { sqlModule, type StatementList } from './sql-parser.js';
import type { Direction, RunnerEvent, StepResult } from './types.js';
import { batchPrefixSql, executeStepDml, invalidIndexes, recordFailure, runningRow, stepDml, STEP_RETURNING, tableNames, TOOL_VERSION, type DbState, type StepRecord } from './version-table.js';
import { claimedStatements, interruptedError, judgeInterrupted } from './interrupted.js';

/** Kysely is loaded only when a TypeScript migration runs (importing it costs more than a no-op run). */
async function kyselyFor(client: pg.Client, inTransaction: boolean, seen: { sql?: string }) {
  const { kyselyOnClient } = await import('./kysely-driver.js');
  return kyselyOnClient(client, { inTransaction, onQuery: (sql) => void (seen.sql = sql) });
}

/** Everything a run's steps share. */
export interface ExecContext {
  client: pg.Client;
  schema: string;
  graph: RevisionGraph;
  /** The applied set, kept current as steps run. */
  applied: Set<string>;
  lockTimeout: string;
  statementTimeout: string;
  lockMode: 'session' | 'transaction';
  lockKey: bigint;
  /** Transaction mode: how long each migration's transaction waits for the lock (ms; undefined = no limit). */
  lockWaitMs: number | undefined;
  failures: DbState['failures'];
  /** The session has the prepared step DML ({@link prepareStepDml}); batches EXECUTE it. */
  preparedDml?: boolean;
  logger: Logger;
  emit: (event: RunnerEvent) => void;
  /** Interrupted migrations judged resumable before the run: the claim to replace and the statement to start at. */
  resume?: Map<string, { id: string; from: number; why: string }>;
  /** A signal asked the run to stop: 'finish' the step in flight, or 'cancel' it. */
  stopRequested?: () => 'finish' | 'cancel' | undefined;
}

/**
 * A pg Query that counts the statements of a multi-statement simple query
 * that completed, so a failure can be pinned to the statement that raised
 * it even when PostgreSQL sends no position (constraint violations, ...).
 */
class CountingQuery extends pg.Query {
  completed = 0;
  handleCommandComplete(msg: unknown, connection: unknown): void {
    this.completed++;
    (pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }).handleCommandComplete.call(this, msg, connection);
  }
}

async function countedQuery(client: pg.Client, text: string): Promise<{ ok: true; results: pg.QueryResult[] } | { ok: false; error: unknown; completed: number }> {
  return await new Promise((resolve) => {
    const q = new CountingQuery(text, (err: Error | undefined, res: unknown) => {
      if (err) resolve({ ok: false, error: err, completed: q.completed });
      else resolve({ ok: true, results: (Array.isArray(res) ? res : [res]) as pg.QueryResult[] });
    });
    client.query(q as unknown as pg.QueryConfig).catch?.(() => {});
  });
}

/** PostgreSQL's `position` counts characters (code points); JS strings index UTF-16 units. */
function codePointOffsetToIndex(text: string, codePoints: number): number {
  let i = 0;
  let n = 0;
  while (i < text.length && n < codePoints) {
    const c = text.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    n++;
  }
  return i;
}

function lineColumnIn(text: string, index: number, startLine: number, startColumn: number): { line: number; column: number } {
  let line = startLine;
  let lastNl = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lastNl = i;
  }
  const column = lastNl === -1 ? startColumn + index : index - lastNl;
  return { line, column };
}

let osUser: string | null | undefined;
/** The operating-system user running Strata (history `meta.osUser`; `applied_by` is the database role). */
function osUserName(): string | null {
  if (osUser === undefined) {
    try {
      osUser = userInfo().username;
    } catch {
      osUser = null; // no passwd entry (some containers)
    }
  }
  return osUser;
}

function recordOf(step: PreparedStep, mode: string): StepRecord {
  const m = step.migration;
  return { revision: m.revision, direction: step.direction, file: m.file, message: m.message, checksum: m.checksum, meta: { mode, kind: m.kind, transactional: step.transactional, host: hostname(), osUser: osUserName(), clientPid: process.pid } };
}

function timeouts(step: PreparedStep, ctx: ExecContext): { lock: string; statement: string } {
  return { lock: step.migration.lockTimeout ?? ctx.lockTimeout, statement: step.migration.statementTimeout ?? ctx.statementTimeout };
}

/** The SET LOCAL lines of a migration's transaction. */
export function setLocalSql(lock: string, statement: string): string {
  return `SET LOCAL lock_timeout = ${quoteLiteral(lock)};\nSET LOCAL statement_timeout = ${quoteLiteral(statement)};\n`;
}

interface Failure {
  error: unknown;
  /** Where in the file, when known. */
  location?: { line: number; column: number } | undefined;
  /** Index of the failing statement in the section, when known. */
  statementIndex?: number | undefined;
  rolledBack: boolean;
  /** SQL migrations: statements that completed before the failure (outside a transaction they stay). */
  statementsDone?: number;
  /** TypeScript migrations: the query Kysely was running when it failed. */
  sql?: string | undefined;
}

async function failureError(step: PreparedStep, f: Failure, ctx: ExecContext): Promise<StrataError> {
  const m = step.migration;
  const err = f.error;
  if (isStrataError(err) && err.code !== 'DB_QUERY') return err;
  const pooled = poolerError(err); // a statement pooler refused the lock's transaction (a forced lock mode)
  if (pooled) return pooled;
  const pgErr = isPgDatabaseError(err) ? err : undefined;
  const reason = (err as Error)?.message ?? String(err);
  const where = f.location ? `${m.file}:${f.location.line}:${f.location.column}` : m.file;
  const lines = [`${where}: ${step.direction === 'up' ? 'applying' : 'reverting'} revision ${m.revision} failed: ${reason}${pgErr?.code ? ` (SQLSTATE ${pgErr.code})` : ''}`];
  if (pgErr?.detail) lines.push(`DETAIL: ${pgErr.detail}`);
  if (pgErr?.hint) lines.push(`HINT: ${pgErr.hint}`);
  if (pgErr?.code === '23505' && /^strata_(history_applied_once|version_pkey)$/.test(pgErr.constraint ?? '')) {
    lines.push(`Strata's tables already record this step: another runner ${step.direction === 'up' ? 'applied' : 'reverted'} ${m.file} at the same time (a lock that did not hold, e.g. a session lock forced through a transaction pooler).${f.rolledBack ? ' This copy was rolled back.' : ''}`);
  }
  if (f.sql) lines.push(`While running: ${f.sql.length > 300 ? `${f.sql.slice(0, 300)}...` : f.sql}`);
  if (f.location && m.kind === 'sql') {
    try {
      const sql = await sqlModule();
      lines.push(sql.codeFrame(m.source, f.location.line, f.location.column, { file: m.file }));
    } catch {
      // the frame is a nicety; the position is already in the first line
    }
  }
  let invalid: string[] = [];
  if (f.rolledBack) {
    lines.push(`The migration was rolled back: none of it is applied${ctx.applied.size > 0 ? '; migrations before it stay applied' : ''}.`);
  } else {
    invalid = await invalidIndexes(ctx.client).catch(() => []);
    lines.push(m.kind === 'sql' ? `It ran outside a transaction: ${f.statementsDone ?? 0} statement(s) before the failing one stay applied.` : 'It ran outside a transaction: whatever it ran before the failure stays applied.');
    if (invalid.length > 0) lines.push(`INVALID index${invalid.length === 1 ? '' : 'es'} left behind: ${invalid.join(', ')}. Drop ${invalid.length === 1 ? 'it' : 'them'} (DROP INDEX CONCURRENTLY ...) before re-running.`);
  }
  const previous = ctx.failures.get(m.revision);
  if (previous) lines.push(`It also failed on the previous attempt (${previous.at}): ${previous.error.split('\n')[0]}`);
  return new StrataError('MIGRATION_FAILED', lines.join('\n'), {
    cause: err,
    meta: {
      file: m.file,
      revision: m.revision,
      direction: step.direction,
      line: f.location?.line ?? null,
      column: f.location?.column ?? null,
      statementIndex: f.statementIndex ?? null,
      sqlstate: pgErr?.code ?? null,
      detail: pgErr?.detail ?? null,
      hint: pgErr?.hint ?? null,
      rolledBack: f.rolledBack,
      invalidIndexes: invalid,
    },
  });
}

/** Transaction mode: inside a fresh transaction, take the xact lock and re-read the heads. */
async function lockAndRecheck(step: PreparedStep, ctx: ExecContext): Promise<'pending' | 'done'> {
  const t = tableNames(ctx.schema);
  const wait = ctx.lockWaitMs === undefined ? '0' : String(Math.max(1, ctx.lockWaitMs));
  let res: pg.QueryResult<{ revision: string }>[];
  try {
    res = (await ctx.client.query(
      `BEGIN;\nSET LOCAL lock_timeout = ${quoteLiteral(wait)};\nSELECT pg_advisory_xact_lock(${ctx.lockKey.toString()}::bigint);\nSELECT revision FROM ${t.version};`,
    )) as unknown as pg.QueryResult<{ revision: string }>[];
  } catch (err) {
    await ctx.client.query('ROLLBACK').catch(() => {});
    if (isPgDatabaseError(err) && err.code === '55P03') {
      throw new StrataError('LOCK_TIMEOUT', `Could not take the migration lock (transaction mode, advisory lock ${ctx.lockKey}) within ${ctx.lockWaitMs} ms before ${step.migration.file}; another runner holds it. Nothing of ${step.migration.file} ran.`, {
        meta: { file: step.migration.file, revision: step.migration.revision },
        cause: err,
      });
    }
    throw err;
  }
  const heads = res[res.length - 1]!.rows.map((r) => r.revision);
  const { applied, unknown } = ctx.graph.appliedFrom(heads);
  if (unknown.length > 0) {
    await ctx.client.query('ROLLBACK');
    throw new StrataError('MIGRATION_UNKNOWN_REVISION', `Another runner recorded revision(s) ${unknown.join(', ')} that no migration file here defines; this runner's files are out of date.`, { meta: { unknown } });
  }
  ctx.applied.clear();
  for (const r of applied) ctx.applied.add(r);
  const rev = step.migration.revision;
  const isApplied = applied.has(rev);
  return (step.direction === 'up') !== isApplied ? 'pending' : 'done';
}

/**
 * A migration body longer than this is sent in pieces of about this size, cut
 * between statements, inside its one transaction: a 50 MB migration is never
 * copied whole into one query message (which would hold the text three times).
 */
const CHUNK_CHARS = 1 << 20;

/**
 * {@link countedQuery} for a big body (or one that changes how the server lexes): the prefix (BEGIN, settings), the body
 * in pieces cut after a statement, then the suffix (bookkeeping, COMMIT), each
 * its own message on the same transaction. On failure says which piece
 * (`text`, at `textStart` in the body) and how many statements completed
 * before it (`before`, counting the prefix's as `completed` does).
 */
async function chunkedQuery(
  client: pg.Client,
  prefix: string,
  statements: StatementList,
  suffix: string,
): Promise<{ ok: true } | { ok: false; error: unknown; completed: number; text: string; textStart: number; before: number }> {
  const pre = await countedQuery(client, prefix);
  if (!pre.ok) return { ok: false, error: pre.error, completed: pre.completed, text: prefix, textStart: -prefix.length, before: pre.completed + 1 };
  const body = statements.source;
  let from = 0;
  let first = 0;
  for (let i = 0; i < statements.length; ) {
    // Extend the piece statement by statement until it is big enough; its text runs to the last one's end.
    let j = i;
    let end = statements.at(j)!.range.end;
    while (j + 1 < statements.length && end - from < CHUNK_CHARS && !statements.cutsAfter.has(j)) end = statements.at(++j)!.range.end;
    const text = body.slice(from, end);
    const r = await countedQuery(client, text);
    if (!r.ok) return { ok: false, error: r.error, completed: first + r.completed, text, textStart: from, before: 0 };
    first += j - i + 1;
    from = end;
    i = j + 1;
  }
  const rest = body.slice(from) + suffix;
  const post = await countedQuery(client, rest);
  if (!post.ok) return { ok: false, error: post.error, completed: first + post.completed, text: rest, textStart: from, before: 0 };
  return { ok: true };
}

/** Run one prepared step online and record it. Never throws for a failure of the migration itself. */
export async function executeStep(step: PreparedStep, ctx: ExecContext): Promise<StepResult> {
  const m = step.migration;
  const started = Date.now();
  const startedAt = new Date(started);
  const base = { revision: m.revision, file: m.file, direction: step.direction };
  ctx.emit({ type: 'migration-started', ...base });
  ctx.logger.info(`${step.direction === 'up' ? 'applying' : 'reverting'} ${m.file}`, { revision: m.revision });
  const t = timeouts(step, ctx);
  const record = recordOf(step, ctx.lockMode);
  let failure: Failure | undefined;

  try {
    if (step.transactional) {
      let prefix: string;
      if (ctx.lockMode === 'transaction') {
        if ((await lockAndRecheck(step, ctx)) === 'done') {
          await ctx.client.query('ROLLBACK');
          const reason = `already ${step.direction === 'up' ? 'applied' : 'reverted'} by another runner`;
          ctx.emit({ type: 'migration-skipped', ...base, reason });
          return { ...base, status: 'skipped', durationMs: Date.now() - started, reason };
        }
        prefix = setLocalSql(t.lock, t.statement);
      } else {
        prefix = `BEGIN;\n${setLocalSql(t.lock, t.statement)}`;
      }
      const prefixStatements = ctx.lockMode === 'transaction' ? 2 : 3;
      const change = headsChange(ctx.graph, ctx.applied, m.revision, step.direction);
      const suffix = `\n;\n${stepDml(ctx.schema, change, record)}\nCOMMIT;`;
      if (step.sql) {
        const body = step.sql.section.text;
        const statements = step.sql.statements;
        const r = body.length > CHUNK_CHARS || statements.cutsAfter.size > 0 ? await chunkedQuery(ctx.client, prefix, statements, suffix) : await countedQuery(ctx.client, prefix + body + suffix).then((q) => ({ ...q, text: prefix + body + suffix, textStart: -prefix.length, before: prefixStatements }));
        if (!r.ok) {
          await ctx.client.query('ROLLBACK').catch(() => {});
          const idx = r.completed - r.before;
          let location: { line: number; column: number } | undefined;
          const pos = isPgDatabaseError(r.error) && r.error.position ? Number(r.error.position) : NaN;
          if (!Number.isNaN(pos)) {
            const at = codePointOffsetToIndex(r.text, pos - 1) + r.textStart;
            if (at >= 0 && at < body.length) location = lineColumnIn(body, at, step.sql.section.line, 1);
          }
          const failed = statements.at(idx);
          if (!location && failed) location = { line: failed.range.line, column: failed.range.column };
          failure = { error: r.error, location, statementIndex: failed ? idx : undefined, rolledBack: true };
        }
      } else {
        await ctx.client.query(prefix);
        const seen: { sql?: string } = {};
        try {
          await step.ts!(await kyselyFor(ctx.client, true, seen));
          delete seen.sql;
          await ctx.client.query(suffix);
        } catch (err) {
          await ctx.client.query('ROLLBACK').catch(() => {});
          failure = { error: err, rolledBack: true, sql: seen.sql };
        }
      }
      if (!failure) {
        if (step.direction === 'up') ctx.applied.add(m.revision);
        else ctx.applied.delete(m.revision);
      }
    } else {
      failure = await executeNonTransactional(step, ctx, t, record, startedAt);
      if (failure?.error === SKIPPED) {
        const reason = `already ${step.direction === 'up' ? 'applied' : 'reverted'} by another runner`;
        ctx.emit({ type: 'migration-skipped', ...base, reason });
        return { ...base, status: 'skipped', durationMs: Date.now() - started, reason };
      }
    }
  } catch (err) {
    // A failure of Strata's own statements (lock timeout in transaction mode, lost connection).
    await ctx.client.query('ROLLBACK').catch(() => {});
    failure = { error: err, rolledBack: step.transactional };
  }

  const durationMs = Date.now() - started;
  if (!failure) {
    ctx.emit({ type: 'migration-applied', ...base, durationMs });
    return { ...base, status: 'applied', durationMs };
  }
  return await settleFailure(step, failure, record, startedAt, durationMs, ctx);
}

/** Explain a failed step, record it in the history (after the rollback) and report it. */
async function settleFailure(step: PreparedStep, failure: Failure, record: StepRecord, startedAt: Date, durationMs: number, ctx: ExecContext): Promise<StepResult> {
  const m = step.migration;
  const base = { revision: m.revision, file: m.file, direction: step.direction };
  // Cancelled because a signal asked the run to stop: rolled back, so simply not applied (no failure to record).
  if (failure.rolledBack && ctx.stopRequested?.() !== undefined && isPgDatabaseError(failure.error) && failure.error.code === '57014') {
    const reason = 'rolled back: the run was interrupted by a signal';
    ctx.emit({ type: 'migration-skipped', ...base, reason });
    return { ...base, status: 'skipped', durationMs, reason };
  }
  const error = await failureError(step, failure, ctx);
  // Not getting the lock is not a failure of the migration: nothing of it ran.
  if (error.code !== 'LOCK_TIMEOUT' && error.code !== 'LOCK_BUSY') await recordFailure(ctx.client, ctx.schema, { ...record, meta: { ...record.meta, ...pick(error.meta, ['sqlstate', 'line', 'column', 'statementIndex', 'invalidIndexes']) } }, startedAt, error.message).catch((e: unknown) => {
    ctx.logger.warn('could not record the failure in the history table', { error: String(e) });
  });
  ctx.logger.error(error.message, { revision: m.revision });
  ctx.emit({ type: 'migration-failed', ...base, durationMs, error });
  return { ...base, status: 'failed', durationMs, error: { code: error.code, message: error.message, meta: error.meta } };
}

/**
 * Whether a step may share a round trip with its neighbours: a transactional
 * SQL migration under the session lock. (In transaction lock mode each step
 * re-reads the heads under its own lock first; TypeScript migrations need
 * round trips of their own; non-transactional ones run statement by statement.)
 */
export function batchable(step: PreparedStep, ctx: ExecContext): boolean {
  return ctx.lockMode === 'session' && step.transactional && step.sql !== undefined && step.sql.section.text.length <= CHUNK_CHARS && step.sql.statements.cutsAfter.size === 0;
}

/** One step's part of a batch. */
interface Segment {
  step: PreparedStep;
  record: StepRecord;
  /** Offset of the migration's own SQL in the batch text. */
  bodyStart: number;
  /** Statements PostgreSQL completes for the segment: BEGIN, the settings, the body, the DML, COMMIT. */
  statements: number;
}

/**
 * Run consecutive {@link batchable} steps in one round trip: one simple-query
 * message holding, per step, its own transaction (BEGIN, transaction-local
 * timeouts, the migration, its version and history rows, COMMIT). Each
 * migration still commits on its own. PostgreSQL skips the rest of a message
 * after the first error, so nothing after a failing migration runs, whether
 * it failed in a statement or at COMMIT (deferred constraints); which steps
 * committed is then read back from the version table rather than inferred
 * (from the count of completed statements only when that read fails).
 * Durations are the server's (the history row's duration_ms). Events of a
 * batch are emitted as its result arrives: `migration-started` of the first
 * step before it is sent, the others' just before their outcome.
 */
export async function executeBatch(steps: readonly PreparedStep[], ctx: ExecContext): Promise<StepResult[]> {
  const started = Date.now();
  const projected = new Set(ctx.applied);
  const segments: Segment[] = [];
  // pg_stat_activity shows a message's first kilobyte: name the batch up front.
  const files = steps.map((s) => s.migration.file);
  let text = steps.length === 1 ? '' : `-- strata: ${files.length} migrations, ${files[0]} .. ${files[files.length - 1]}\n`;
  for (const step of steps) {
    const m = step.migration;
    const t = timeouts(step, ctx);
    const record = recordOf(step, ctx.lockMode);
    const change = headsChange(ctx.graph, projected, m.revision, step.direction);
    if (step.direction === 'up') projected.add(m.revision);
    else projected.delete(m.revision);
    const prefix = batchPrefixSql(t.lock, t.statement);
    if (segments.length > 0) text += '\n';
    const bodyStart = text.length + prefix.length;
    const dml = ctx.preparedDml ? executeStepDml(change, record) : stepDml(ctx.schema, change, record, undefined, { returning: true });
    text += `${prefix}${step.sql!.section.text}\n;\n${dml}\nCOMMIT;`;
    const dmlStatements = ctx.preparedDml ? 1 : (change.remove.length > 0 ? 1 : 0) + (change.add.length > 0 ? 1 : 0) + 1;
    segments.push({ step, record, bodyStart, statements: 2 + step.sql!.statements.length + dmlStatements + 1 });
    ctx.logger.info(`${step.direction === 'up' ? 'applying' : 'reverting'} ${m.file}`, { revision: m.revision, batch: steps.length });
  }
  const baseOf = (s: Segment) => ({ revision: s.step.migration.revision, file: s.step.migration.file, direction: s.step.direction });
  ctx.emit({ type: 'migration-started', ...baseOf(segments[0]!) });
  const done = (s: Segment, index: number, durationMs: number): StepResult => {
    if (s.step.direction === 'up') ctx.applied.add(s.step.migration.revision);
    else ctx.applied.delete(s.step.migration.revision);
    if (index > 0) ctx.emit({ type: 'migration-started', ...baseOf(s) });
    ctx.emit({ type: 'migration-applied', ...baseOf(s), durationMs });
    return { ...baseOf(s), status: 'applied', durationMs };
  };

  const r = await countedQuery(ctx.client, text);
  if (r.ok) {
    const durations = new Map<string, number>();
    for (const res of r.results) {
      const row = res.rows?.[0] as Record<string, unknown> | undefined;
      if (row && typeof row[STEP_RETURNING.revision] === 'string') durations.set(row[STEP_RETURNING.revision] as string, Number(row[STEP_RETURNING.durationMs] ?? 0));
    }
    return segments.map((s, i) => done(s, i, durations.get(s.step.migration.revision) ?? 0));
  }

  await ctx.client.query('ROLLBACK').catch(() => {});
  // Where the message stopped, by the statements PostgreSQL completed ...
  let byCount = 0;
  for (let seen = 0; byCount < segments.length && seen + segments[byCount]!.statements <= r.completed; byCount++) seen += segments[byCount]!.statements;
  // ... and, authoritatively, by what the version table now records.
  const committed = await committedSegments(segments, ctx).catch(() => undefined);
  const failedAt = committed?.count ?? byCount;
  const out: StepResult[] = [];
  let attributed = 0;
  for (let i = 0; i < failedAt && i < segments.length; i++) {
    const d = committed?.durations.get(segments[i]!.step.migration.revision) ?? 0;
    attributed += d;
    out.push(done(segments[i]!, i, d));
  }
  const seg = segments[failedAt];
  if (!seg) return out; // everything committed; the error came after the last COMMIT (a lost connection)
  const step = seg.step;
  const sqlText = step.sql!;
  const body = sqlText.section.text;
  let location: { line: number; column: number } | undefined;
  const pos = isPgDatabaseError(r.error) && r.error.position ? Number(r.error.position) : NaN;
  if (!Number.isNaN(pos)) {
    const at = codePointOffsetToIndex(text, pos - 1) - seg.bodyStart;
    if (at >= 0 && at < body.length) location = lineColumnIn(body, at, sqlText.section.line, 1);
  }
  const before = segments.slice(0, failedAt).reduce((n, s) => n + s.statements, 0);
  const idx = r.completed - before - 2;
  const failed = failedAt === byCount ? sqlText.statements.at(idx) : undefined;
  const statementIndex = failed ? idx : undefined;
  if (!location && failed) location = { line: failed.range.line, column: failed.range.column };
  if (failedAt > 0) ctx.emit({ type: 'migration-started', ...baseOf(seg) });
  const durationMs = Math.max(0, Date.now() - started - attributed);
  out.push(await settleFailure(step, { error: r.error, location, statementIndex, rolledBack: true }, seg.record, new Date(Date.now() - durationMs), durationMs, ctx));
  return out;
}

/** After a failed batch: how many of its steps committed (in order), and their recorded durations. */
async function committedSegments(segments: readonly Segment[], ctx: ExecContext): Promise<{ count: number; durations: Map<string, number> }> {
  const t = tableNames(ctx.schema);
  const revisions = segments.map((s) => quoteLiteral(s.step.migration.revision)).join(', ');
  const rows = (
    await ctx.client.query<{ k: string; r: string; d: number | null }>(
      `SELECT 'h' AS k, revision AS r, NULL::int AS d FROM ${t.version}
       UNION ALL
       SELECT 'd', revision, duration_ms FROM (SELECT DISTINCT ON (revision) revision, duration_ms, outcome FROM ${t.history} WHERE revision IN (${revisions}) ORDER BY revision, id DESC) l WHERE outcome = 'applied'`,
    )
  ).rows;
  const { applied } = ctx.graph.appliedFrom(rows.filter((x) => x.k === 'h').map((x) => x.r));
  let count = 0;
  while (count < segments.length && (segments[count]!.step.direction === 'up') === applied.has(segments[count]!.step.migration.revision)) count++;
  return { count, durations: new Map(rows.filter((x) => x.k === 'd').map((x) => [x.r, x.d ?? 0])) };
}

const SKIPPED = Symbol('skipped');

function pick(meta: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => meta[k] !== undefined && meta[k] !== null).map((k) => [k, meta[k]]));
}

/**
 * Statements PostgreSQL refuses inside a transaction block run one at a time
 * in autocommit. Before the first, the migration is recorded as `running` in
 * the history (its claim, in every lock mode), with its statements; after
 * each, the count of completed statements is written to that row; after the
 * last, one transaction deletes the claim and records the step. A runner
 * killed anywhere in between leaves the claim, which `status` shows as
 * interrupted and the next run judges (interrupted.ts). Session timeouts are
 * set with plain SET (SET LOCAL means nothing outside a transaction) and
 * reset after. A resumed migration (ctx.resume) starts at the statement the
 * judgement named.
 */
async function executeNonTransactional(step: PreparedStep, ctx: ExecContext, t: { lock: string; statement: string }, record: StepRecord, startedAt: Date): Promise<Failure | undefined> {
  const m = step.migration;
  const client = ctx.client;
  const history = tableNames(ctx.schema).history;
  const resume = ctx.resume?.get(m.revision);
  const from = resume?.from ?? 0;
  const claimMeta = { ...record.meta, statements: step.sql ? claimedStatements(step.sql.statements) : null, statementsDone: from, ...(resume ? { resumedFrom: from, interruptedClaim: resume.id } : {}) };
  let claim: string;
  if (ctx.lockMode === 'transaction') {
    const claimed = await claimStep(step, ctx, { ...record, meta: claimMeta }, startedAt);
    if (claimed === 'done') return { error: SKIPPED, rolledBack: false };
    claim = claimed;
  } else {
    // The session lock is held: no other runner is on it; an interrupted claim judged resumable is replaced.
    claim = (await client.query<{ id: string }>(`WITH gone AS (DELETE FROM ${history} WHERE id = $9::bigint AND outcome = 'running') ${insertClaimSql(history)}`, [...claimParams({ ...record, meta: claimMeta }, startedAt), resume?.id ?? null])).rows[0]!.id;
  }
  if (resume) ctx.logger.warn(`resuming ${m.file} at statement ${from + 1} of ${step.sql?.statements.length ?? '?'}: ${resume.why}`, { revision: m.revision });
  const releaseClaim = async () => {
    await client.query(`DELETE FROM ${history} WHERE id = $1`, [claim]).catch(() => {});
  };
  await client.query(`SET lock_timeout = ${quoteLiteral(t.lock)};\nSET statement_timeout = ${quoteLiteral(t.statement)};`);
  let done = from;
  try {
    if (step.sql) {
      const statements = [...step.sql.statements];
      for (let i = from; i < statements.length; i++) {
        const s = statements[i]!;
        if (ctx.stopRequested?.() === 'cancel') {
          await releaseClaim();
          return { error: new StrataError('MIGRATION_FAILED', 'interrupted by a signal before this statement'), statementIndex: done, rolledBack: false, statementsDone: done };
        }
        try {
          await client.query(s.text);
        } catch (err) {
          let location = { line: s.range.line, column: s.range.column };
          const pos = isPgDatabaseError(err) && err.position ? Number(err.position) : NaN;
          if (!Number.isNaN(pos)) location = lineColumnIn(s.text, codePointOffsetToIndex(s.text, pos - 1), s.range.line, s.range.column);
          await releaseClaim();
          return { error: err, location, statementIndex: done, rolledBack: false, statementsDone: done };
        }
        done++;
        // Progress: a later run knows this statement completed.
        await client.query(`UPDATE ${history} SET meta = jsonb_set(meta, '{statementsDone}', to_jsonb($2::int)) WHERE id = $1`, [claim, done]);
      }
    } else {
      const seen: { sql?: string } = {};
      try {
        await step.ts!(await kyselyFor(client, false, seen));
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        await releaseClaim();
        return { error: err, rolledBack: false, sql: seen.sql };
      }
    }
  } finally {
    await client.query('RESET lock_timeout;\nRESET statement_timeout;').catch(() => {});
  }
  if (ctx.lockMode === 'transaction') {
    await lockAndRecheck(step, ctx);
  } else {
    await client.query('BEGIN');
  }
  const change = headsChange(ctx.graph, ctx.applied, m.revision, step.direction);
  const finalRecord = resume ? { ...record, meta: { ...record.meta, resumedFrom: from } } : record;
  try {
    await client.query(`DELETE FROM ${history} WHERE id = ${quoteLiteral(claim)}::bigint;\n${stepDml(ctx.schema, change, finalRecord, startedAt.toISOString())}\nCOMMIT;`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    await releaseClaim();
    return { error: err, rolledBack: false, statementsDone: done };
  }
  if (step.direction === 'up') ctx.applied.add(m.revision);
  else ctx.applied.delete(m.revision);
  return undefined;
}

/** INSERT of a claim ($1-$8, see claimParams), with the session's pid and backend start, returning its id. */
function insertClaimSql(history: string): string {
  return `INSERT INTO ${history} (revision, direction, outcome, file, message, checksum, started_at, tool_version, meta)
       SELECT $1, $2, 'running', $3, $4, $5, $6, $7, $8::jsonb || jsonb_build_object('pid', pg_backend_pid(), 'backendStart', (SELECT to_json(backend_start) #>> '{}' FROM pg_stat_activity WHERE pid = pg_backend_pid()))
       RETURNING id::text`;
}

function claimParams(record: StepRecord, startedAt: Date): unknown[] {
  return [record.revision, record.direction, record.file, record.message, record.checksum, startedAt.toISOString(), TOOL_VERSION, JSON.stringify(record.meta)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Transaction lock mode has no lock spanning the statements of a
 * non-transactional migration, so the claim is taken under the xact lock:
 * a `running` history row is inserted unless the migration is done or
 * another live runner holds a claim (then we poll until it is settled). A
 * claim whose backend (pid + backend_start) is gone was interrupted: it is
 * replaced only when this run judged it resumable (ctx.resume), otherwise
 * the run stops with what to do. Returns the claim's row id, or 'done'.
 */
async function claimStep(step: PreparedStep, ctx: ExecContext, record: StepRecord, startedAt: Date): Promise<string | 'done'> {
  const t = tableNames(ctx.schema);
  const deadline = ctx.lockWaitMs === undefined ? Infinity : Date.now() + ctx.lockWaitMs;
  for (;;) {
    if ((await lockAndRecheck(step, ctx)) === 'done') {
      await ctx.client.query('COMMIT');
      return 'done';
    }
    const last = await ctx.client.query<{ id: string; outcome: string; alive: boolean; since: string; direction: string; meta: Record<string, unknown> }>(
      `SELECT h.id::text, h.outcome, h.direction, to_json(h.started_at) #>> '{}' AS since, h.meta || jsonb_build_object('file', h.file, 'checksum', h.checksum) AS meta,
              EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = (h.meta->>'pid')::int AND to_json(a.backend_start) #>> '{}' = h.meta->>'backendStart') AS alive
         FROM ${t.history} h WHERE h.revision = $1 ORDER BY h.id DESC LIMIT 1`,
      [record.revision],
    );
    const row = last.rows[0];
    if (row?.outcome === 'running' && row.alive) {
      await ctx.client.query('COMMIT');
      if (Date.now() >= deadline) {
        throw new StrataError('LOCK_TIMEOUT', `${step.migration.file} (revision ${record.revision}) is being run by another runner (claimed at ${row.since}); gave up after ${ctx.lockWaitMs} ms.`, { meta: { file: step.migration.file, revision: record.revision } });
      }
      await sleep(200);
      continue;
    }
    if (row?.outcome === 'running') {
      if (ctx.resume?.get(record.revision)?.id !== row.id) {
        // Interrupted after this run judged the state (another runner died on it meanwhile): judge it again.
        await ctx.client.query('ROLLBACK');
        const running = runningRow(row.id, record.revision, row.direction as Direction, row.since, row.meta);
        const verdict = await judgeInterrupted(ctx.client, running, step.migration.file, record.revision, step.migration.checksum);
        if (verdict.action === 'refuse') throw interruptedError(running, step.migration.file, record.revision, verdict);
        (ctx.resume ??= new Map()).set(record.revision, { id: row.id, from: verdict.from, why: verdict.why });
        record = { ...record, meta: { ...record.meta, statementsDone: verdict.from, resumedFrom: verdict.from, interruptedClaim: row.id } };
        continue;
      }
      await ctx.client.query(`DELETE FROM ${t.history} WHERE id = $1`, [row.id]);
    }
    const ins = await ctx.client.query<{ id: string }>(insertClaimSql(t.history), claimParams(record, startedAt));
    await ctx.client.query('COMMIT');
    return ins.rows[0]!.id;
  }
}
