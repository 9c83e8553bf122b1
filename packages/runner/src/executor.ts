import { locationOf, offsetOfCodePoint, shiftLocation } from '@pg-strata/sql';
/** One step online: its transaction (or, outside one, non-transactional.ts), its bookkeeping, and its failure settled. */
import { isPgDatabaseError } from '@pg-strata/core';
import { chunkedQuery, countedQuery, CHUNK_CHARS } from './counted-query.js';
import { headsChange } from './planner.js';
import type { PreparedStep } from './prepare.js';
import type { StepResult } from './types.js';
import { stepDml } from './version-table.js';
import { executeNonTransactional } from './non-transactional.js';
import { kyselyFor, lockAndRecheck, recordOf, setLocalSql, SKIPPED, timeouts, type ExecContext, type Failure } from './step-context.js';
import { settleFailure } from './step-failure.js';

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
        const r =
          body.length > CHUNK_CHARS || statements.cutsAfter.size > 0
            ? await chunkedQuery(ctx.client, prefix, statements, suffix)
            : await countedQuery(ctx.client, prefix + body + suffix).then((q) => ({
                ...q,
                text: prefix + body + suffix,
                textStart: -prefix.length,
                before: prefixStatements,
              }));
        if (!r.ok) {
          await ctx.client.query('ROLLBACK').catch(() => {});
          const idx = r.completed - r.before;
          let location: { line: number; column: number } | undefined;
          const pos = isPgDatabaseError(r.error) && r.error.position ? Number(r.error.position) : NaN;
          if (!Number.isNaN(pos)) {
            const at = offsetOfCodePoint(r.text, pos - 1) + r.textStart;
            if (at >= 0 && at < body.length) location = shiftLocation(locationOf(body, at), step.sql.section.line, 1);
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
