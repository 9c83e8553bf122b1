import { locationOf, offsetOfCodePoint, shiftLocation } from '@pg-strata/sql';
/** Consecutive transactional SQL steps in one round trip, each still its own transaction. */
import { isPgDatabaseError, quoteLiteral } from '@pg-strata/core';
import { countedQuery, CHUNK_CHARS } from './counted-query.js';
import { headsChange } from './planner.js';
import type { PreparedStep } from './prepare.js';
import type { StepResult } from './types.js';
import { batchPrefixSql, executeStepDml, stepDml, STEP_RETURNING, tableNames, type StepRecord } from './version-table.js';
import { recordOf, timeouts, type ExecContext } from './step-context.js';
import { settleFailure } from './step-failure.js';

/**
 * Whether a step may share a round trip with its neighbours: a transactional
 * SQL migration under the session lock. (In transaction lock mode each step
 * re-reads the heads under its own lock first; TypeScript migrations need
 * round trips of their own; non-transactional ones run statement by statement.)
 */
export function batchable(step: PreparedStep, ctx: ExecContext): boolean {
  return (
    ctx.lockMode === 'session' &&
    step.transactional &&
    step.sql !== undefined &&
    step.sql.section.text.length <= CHUNK_CHARS &&
    step.sql.statements.cutsAfter.size === 0
  );
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
      if (row && typeof row[STEP_RETURNING.revision] === 'string')
        durations.set(row[STEP_RETURNING.revision] as string, Number(row[STEP_RETURNING.durationMs] ?? 0));
    }
    return segments.map((s, i) => done(s, i, durations.get(s.step.migration.revision) ?? 0));
  }

  await ctx.client.query('ROLLBACK').catch(() => {});
  // Where the message stopped, by the statements PostgreSQL completed ...
  let byCount = 0;
  for (let seen = 0; byCount < segments.length && seen + segments[byCount]!.statements <= r.completed; byCount++)
    seen += segments[byCount]!.statements;
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
    const at = offsetOfCodePoint(text, pos - 1) - seg.bodyStart;
    if (at >= 0 && at < body.length) location = shiftLocation(locationOf(body, at), sqlText.section.line, 1);
  }
  const before = segments.slice(0, failedAt).reduce((n, s) => n + s.statements, 0);
  const idx = r.completed - before - 2;
  const failed = failedAt === byCount ? sqlText.statements.at(idx) : undefined;
  const statementIndex = failed ? idx : undefined;
  if (!location && failed) location = { line: failed.range.line, column: failed.range.column };
  if (failedAt > 0) ctx.emit({ type: 'migration-started', ...baseOf(seg) });
  const durationMs = Math.max(0, Date.now() - started - attributed);
  out.push(
    await settleFailure(
      step,
      { error: r.error, location, statementIndex, rolledBack: true },
      seg.record,
      new Date(Date.now() - durationMs),
      durationMs,
      ctx,
    ),
  );
  return out;
}

/** After a failed batch: how many of its steps committed (in order), and their recorded durations. */
async function committedSegments(
  segments: readonly Segment[],
  ctx: ExecContext,
): Promise<{ count: number; durations: Map<string, number> }> {
  const t = tableNames(ctx.schema);
  const revisions = segments.map((s) => quoteLiteral(s.step.migration.revision)).join(', ');
  const rows = (
    await ctx.client.query<{ k: string; r: string; d: number | null }>(
      `SELECT 'h' AS k, revision AS r, NULL::int AS d FROM ${t.version}
       UNION ALL
       SELECT 'd', revision, duration_ms FROM (SELECT DISTINCT ON (revision) revision, ` +
        `duration_ms, outcome FROM ${t.history} WHERE revision IN (${revisions}) ORDER BY revision, id ` +
        `DESC) l WHERE outcome = 'applied'`,
    )
  ).rows;
  const { applied } = ctx.graph.appliedFrom(rows.filter((x) => x.k === 'h').map((x) => x.r));
  let count = 0;
  while (count < segments.length && (segments[count]!.step.direction === 'up') === applied.has(segments[count]!.step.migration.revision))
    count++;
  return { count, durations: new Map(rows.filter((x) => x.k === 'd').map((x) => [x.r, x.d ?? 0])) };
}
