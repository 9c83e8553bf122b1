/** The read-only commands: status, history and the start-up check isAtHead. */
import { withConnection, type Queryable } from '@pg-strata/core';
import { graphAndClient, loadGraph, withClient } from './connection.js';
import { resolveOptions } from './options.js';
import type { RevisionGraph } from './revision-graph.js';
import { checksumProblems, indexesNamedIn, settleState } from './run-state.js';
import type { FailedMigration, HistoryEntry, RunnerOptions, StatusResult } from './types.js';
import { readHeads, readHistory, readState } from './version-table.js';
import { judgeInterrupted, type RunningRow } from './interrupted.js';

/** Options of {@link history}. */
export interface HistoryOptions extends RunnerOptions {
  /** At most this many rows, newest first. Default: all. */
  limit?: number;
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
/** Current heads, applied, pending and failed migrations, checksum problems; two round trips at most. */
export async function status(options: RunnerOptions): Promise<StatusResult> {
  const o = resolveOptions(options);
  const { graph, client: opened, first } = await graphAndClient(o, (c) => readState(c, o.schema, { invalidIndexes: true }));
  return await withClient(
    o,
    async (client) => {
      const state = await settleState(client, o, graph, await first, { invalidIndexes: true });
      const { applied, unknown } = state;
      const pending = graph.order.filter((m) => !applied.has(m.revision));
      const failed: FailedMigration[] = [...state.failures]
        .map(([revision, f]) => {
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
        })
        .filter((f) => (f.direction === 'up') !== applied.has(f.revision));
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
    },
    opened,
  );
}

/** A `running` row for `status`: in progress, or interrupted with what the next run would do about it. */
async function runningStatus(client: Queryable, graph: RevisionGraph, r: RunningRow): Promise<StatusResult['running'][number]> {
  const m = graph.get(r.revision);
  const file = m?.file ?? r.file;
  const base = {
    revision: r.revision,
    file,
    direction: r.direction,
    since: r.since,
    pid: r.pid,
    interrupted: !r.alive,
    statements: r.statements?.length ?? null,
    statementsDone: r.statementsDone,
  };
  if (r.alive) return base;
  const statementsInDoubt =
    r.statements && r.statementsDone < r.statements.length
      ? [{ index: r.statementsDone + 1, line: r.statements[r.statementsDone]!.line, sql: r.statements[r.statementsDone]!.sql }]
      : [];
  const verdict = await judgeInterrupted(client, r, file ?? r.revision, r.revision, m?.checksum ?? null);
  return {
    ...base,
    statementsInDoubt,
    next:
      verdict.action === 'resume'
        ? `\`strata ${r.direction}\` resumes it at statement ${verdict.from + 1}: ${verdict.why}`
        : `${verdict.why} To go on: ${verdict.step}.`,
  };
}
/** History rows, newest first. */
export async function history(options: HistoryOptions): Promise<HistoryEntry[]> {
  const o = resolveOptions(options);
  return await withClient(o, async (client) => await readHistory(client, o.schema, options.limit));
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
