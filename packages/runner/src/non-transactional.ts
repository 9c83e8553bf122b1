import { locationOf, offsetOfCodePoint, shiftLocation } from '@pg-strata/sql';
/** Migrations run outside a transaction: statement by statement, under a `running` claim in the history that records their progress. */
import { StrataError, isPgDatabaseError, quoteLiteral } from '@pg-strata/core';
import { headsChange } from './planner.js';
import type { PreparedStep } from './prepare.js';
import type { Direction } from './types.js';
import { runningRow, stepDml, stepRecordParams, tableNames, type StepRecord } from './version-table.js';
import { claimedStatements, interruptedError, judgeInterrupted } from './interrupted.js';
import { kyselyFor, lockAndRecheck, SKIPPED, type ExecContext, type Failure } from './step-context.js';

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
export async function executeNonTransactional(
  step: PreparedStep,
  ctx: ExecContext,
  t: { lock: string; statement: string },
  record: StepRecord,
  startedAt: Date,
): Promise<Failure | undefined> {
  const m = step.migration;
  const client = ctx.client;
  const history = tableNames(ctx.schema).history;
  const resume = ctx.resume?.get(m.revision);
  const from = resume?.from ?? 0;
  const claimMeta = {
    ...record.meta,
    statements: step.sql ? claimedStatements(step.sql.statements) : null,
    statementsDone: from,
    ...(resume ? { resumedFrom: from, interruptedClaim: resume.id } : {}),
  };
  let claim: string;
  if (ctx.lockMode === 'transaction') {
    const claimed = await claimStep(step, ctx, { ...record, meta: claimMeta }, startedAt);
    if (claimed === 'done') return { error: SKIPPED, rolledBack: false };
    claim = claimed;
  } else {
    // The session lock is held: no other runner is on it; an interrupted claim judged resumable is replaced.
    claim = (
      await client.query<{ id: string }>(
        `WITH gone AS (DELETE FROM ${history} WHERE id = $9::bigint AND outcome = 'running') ${insertClaimSql(history)}`,
        [...claimParams({ ...record, meta: claimMeta }, startedAt), resume?.id ?? null],
      )
    ).rows[0]!.id;
  }
  if (resume)
    ctx.logger.warn(`resuming ${m.file} at statement ${from + 1} of ${step.sql?.statements.length ?? '?'}: ${resume.why}`, {
      revision: m.revision,
    });
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
          return {
            error: new StrataError('MIGRATION_FAILED', 'interrupted by a signal before this statement'),
            statementIndex: done,
            rolledBack: false,
            statementsDone: done,
          };
        }
        try {
          await client.query(s.text);
        } catch (err) {
          let location = { line: s.range.line, column: s.range.column };
          const pos = isPgDatabaseError(err) && err.position ? Number(err.position) : NaN;
          if (!Number.isNaN(pos))
            location = shiftLocation(locationOf(s.text, offsetOfCodePoint(s.text, pos - 1)), s.range.line, s.range.column);
          await releaseClaim();
          return { error: err, location, statementIndex: done, rolledBack: false, statementsDone: done };
        }
        done++;
        // Progress: a later run knows this statement completed.
        await client.query(`UPDATE ${history} SET meta = jsonb_set(meta, '{statementsDone}', to_jsonb($2::int)) WHERE id = $1`, [
          claim,
          done,
        ]);
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
    await client.query(
      `DELETE FROM ${history} WHERE id = ${quoteLiteral(claim)}::bigint;\n` +
        `${stepDml(ctx.schema, change, finalRecord, startedAt.toISOString())}\nCOMMIT;`,
    );
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
  return (
    `INSERT INTO ${history} (revision, direction, outcome, file, message, checksum, started_at, tool_version, meta)
       SELECT $1, $2, 'running', $3, $4, $5, $6, $7, $8::jsonb || jsonb_build_object('pid', ` +
    `pg_backend_pid(), 'backendStart', (SELECT to_json(backend_start) #>> '{}' FROM pg_stat_activity ` +
    `WHERE pid = pg_backend_pid()))
       RETURNING id::text`
  );
}

function claimParams(record: StepRecord, startedAt: Date): unknown[] {
  return [...stepRecordParams(record, startedAt), JSON.stringify(record.meta)];
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
    const last = await ctx.client.query<{
      id: string;
      outcome: string;
      alive: boolean;
      since: string;
      direction: string;
      meta: Record<string, unknown>;
    }>(
      `SELECT h.id::text, h.outcome, h.direction, to_json(h.started_at) #>> '{}' AS since, h.meta || ` +
        `jsonb_build_object('file', h.file, 'checksum', h.checksum) AS meta,
              EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = (h.meta->>'pid')::int AND ` +
        `to_json(a.backend_start) #>> '{}' = h.meta->>'backendStart') AS alive
         FROM ${t.history} h WHERE h.revision = $1 ORDER BY h.id DESC LIMIT 1`,
      [record.revision],
    );
    const row = last.rows[0];
    if (row?.outcome === 'running' && row.alive) {
      await ctx.client.query('COMMIT');
      if (Date.now() >= deadline) {
        throw new StrataError(
          'LOCK_TIMEOUT',
          `${step.migration.file} (revision ${record.revision}) is being run by another runner (claimed ` +
            `at ${row.since}); gave up after ${ctx.lockWaitMs} ms.`,
          { meta: { file: step.migration.file, revision: record.revision } },
        );
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
