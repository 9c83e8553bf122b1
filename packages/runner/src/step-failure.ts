/** A failed step: its error explained (position, code frame, what stays applied), recorded in the history and reported. */
import { StrataError, isPgDatabaseError, isStrataError } from '@pg-strata/core';
import type { PreparedStep } from './prepare.js';
import { poolerError } from './pooler.js';
import { sqlModule } from './sql-parser.js';
import type { StepResult } from './types.js';
import { invalidIndexes, recordFailure, type StepRecord } from './version-table.js';
import type { ExecContext, Failure } from './step-context.js';

async function failureError(step: PreparedStep, f: Failure, ctx: ExecContext): Promise<StrataError> {
  const m = step.migration;
  const err = f.error;
  if (isStrataError(err) && err.code !== 'DB_QUERY') return err;
  const pooled = poolerError(err); // a statement pooler refused the lock's transaction (a forced lock mode)
  if (pooled) return pooled;
  const pgErr = isPgDatabaseError(err) ? err : undefined;
  const reason = (err as Error)?.message ?? String(err);
  const where = f.location ? `${m.file}:${f.location.line}:${f.location.column}` : m.file;
  const lines = [
    `${where}: ${step.direction === 'up' ? 'applying' : 'reverting'} revision ${m.revision} failed: ` +
      `${reason}${pgErr?.code ? ` (SQLSTATE ${pgErr.code})` : ''}`,
  ];
  if (pgErr?.detail) lines.push(`DETAIL: ${pgErr.detail}`);
  if (pgErr?.hint) lines.push(`HINT: ${pgErr.hint}`);
  if (pgErr?.code === '23505' && /^strata_(history_applied_once|version_pkey)$/.test(pgErr.constraint ?? '')) {
    lines.push(
      `Strata's tables already record this step: another runner ` +
        `${step.direction === 'up' ? 'applied' : 'reverted'} ${m.file} at the same time (a lock that did ` +
        `not hold, e.g. a session lock forced through a transaction pooler).` +
        `${f.rolledBack ? ' This copy was rolled back.' : ''}`,
    );
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
    lines.push(
      m.kind === 'sql'
        ? `It ran outside a transaction: ${f.statementsDone ?? 0} statement(s) before the failing one stay applied.`
        : 'It ran outside a transaction: whatever it ran before the failure stays applied.',
    );
    if (invalid.length > 0)
      lines.push(
        `INVALID index${invalid.length === 1 ? '' : 'es'} left behind: ${invalid.join(', ')}. Drop ` +
          `${invalid.length === 1 ? 'it' : 'them'} (DROP INDEX CONCURRENTLY ...) before re-running.`,
      );
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
/** Explain a failed step, record it in the history (after the rollback) and report it. */
export async function settleFailure(
  step: PreparedStep,
  failure: Failure,
  record: StepRecord,
  startedAt: Date,
  durationMs: number,
  ctx: ExecContext,
): Promise<StepResult> {
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
  if (error.code !== 'LOCK_TIMEOUT' && error.code !== 'LOCK_BUSY')
    await recordFailure(
      ctx.client,
      ctx.schema,
      { ...record, meta: { ...record.meta, ...pick(error.meta, ['sqlstate', 'line', 'column', 'statementIndex', 'invalidIndexes']) } },
      startedAt,
      error.message,
    ).catch((e: unknown) => {
      ctx.logger.warn('could not record the failure in the history table', { error: String(e) });
    });
  ctx.logger.error(error.message, { revision: m.revision });
  ctx.emit({ type: 'migration-failed', ...base, durationMs, error });
  return { ...base, status: 'failed', durationMs, error: { code: error.code, message: error.message, meta: error.meta } };
}
function pick(meta: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => meta[k] !== undefined && meta[k] !== null).map((k) => [k, meta[k]]));
}
