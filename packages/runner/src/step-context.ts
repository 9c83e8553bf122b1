/**
 * What executing a run's steps shares: the run's context, a step's history
 * record and timeouts, a failed step's outcome, the transaction-mode lock.
 */
import { hostname, userInfo } from 'node:os';
import pg from 'pg';
import { StrataError, isPgDatabaseError, quoteLiteral, type Logger } from '@pg-strata/core';
import type { PreparedStep } from './prepare.js';
import type { RevisionGraph } from './revision-graph.js';
import { xactLockSql } from './run-lock.js';
import type { RunnerEvent } from './types.js';
import { tableNames, type DbState, type StepRecord } from './version-table.js';

/** Kysely is loaded only when a TypeScript migration runs (importing it costs more than a no-op run). */
export async function kyselyFor(client: pg.Client, inTransaction: boolean, seen: { sql?: string }) {
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

export function recordOf(step: PreparedStep, mode: string): StepRecord {
  const m = step.migration;
  return {
    revision: m.revision,
    direction: step.direction,
    file: m.file,
    message: m.message,
    checksum: m.checksum,
    meta: { mode, kind: m.kind, transactional: step.transactional, host: hostname(), osUser: osUserName(), clientPid: process.pid },
  };
}

export function timeouts(step: PreparedStep, ctx: ExecContext): { lock: string; statement: string } {
  return { lock: step.migration.lockTimeout ?? ctx.lockTimeout, statement: step.migration.statementTimeout ?? ctx.statementTimeout };
}

/** The SET LOCAL lines of a migration's transaction. */
export function setLocalSql(lock: string, statement: string): string {
  return `SET LOCAL lock_timeout = ${quoteLiteral(lock)};\nSET LOCAL statement_timeout = ${quoteLiteral(statement)};\n`;
}

export interface Failure {
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

export const SKIPPED = Symbol('skipped');
/** Transaction mode: inside a fresh transaction, take the xact lock and re-read the heads. */
export async function lockAndRecheck(step: PreparedStep, ctx: ExecContext): Promise<'pending' | 'done'> {
  const t = tableNames(ctx.schema);
  let res: pg.QueryResult<{ revision: string }>[];
  try {
    res = (await ctx.client.query(
      `BEGIN;\n${xactLockSql(ctx.lockKey, ctx.lockWaitMs)}\nSELECT revision FROM ${t.version};`,
    )) as unknown as pg.QueryResult<{ revision: string }>[];
  } catch (err) {
    await ctx.client.query('ROLLBACK').catch(() => {});
    if (isPgDatabaseError(err) && err.code === '55P03') {
      throw new StrataError(
        'LOCK_TIMEOUT',
        `Could not take the migration lock (transaction mode, advisory lock ${ctx.lockKey}) within ` +
          `${ctx.lockWaitMs} ms before ${step.migration.file}; another runner holds it. Nothing of ` +
          `${step.migration.file} ran.`,
        {
          meta: { file: step.migration.file, revision: step.migration.revision },
          cause: err,
        },
      );
    }
    throw err;
  }
  const heads = res[res.length - 1]!.rows.map((r) => r.revision);
  const { applied, unknown } = ctx.graph.appliedFrom(heads);
  if (unknown.length > 0) {
    await ctx.client.query('ROLLBACK');
    throw new StrataError(
      'MIGRATION_UNKNOWN_REVISION',
      `Another runner recorded revision(s) ${unknown.join(', ')} that no migration file here defines; this runner's files are out of date.`,
      { meta: { unknown } },
    );
  }
  ctx.applied.clear();
  for (const r of applied) ctx.applied.add(r);
  const rev = step.migration.revision;
  const isApplied = applied.has(rev);
  return (step.direction === 'up') !== isApplied ? 'pending' : 'done';
}
