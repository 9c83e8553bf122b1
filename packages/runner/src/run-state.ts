/** The database state a command reads, checked against the files: applied set, checksums, earlier failures, interrupted claims. */
import { StrataError, describeConnection, type Queryable } from '@pg-strata/core';
import type { ResolvedOptions } from './options.js';
import type { PreparedStep } from './prepare.js';
import type { RevisionGraph } from './revision-graph.js';
import { runLockKey } from './run-lock.js';
import type { ChecksumProblem, MigrationFile } from './types.js';
import { appliedDigestOf, readState, refreshSummarySql, type DbState } from './version-table.js';
import { claimedStatements, interruptedError, judgeInterrupted } from './interrupted.js';

/** A database state with the applied set its heads imply (RevisionGraph.appliedFrom). */
export interface SettledState extends DbState {
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
export async function settleState(
  client: Queryable,
  o: ResolvedOptions,
  graph: RevisionGraph,
  state: DbState,
  options: { invalidIndexes?: boolean } = {},
): Promise<SettledState> {
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
export async function refreshSummary(client: Queryable, o: ResolvedOptions): Promise<void> {
  await client.query(refreshSummarySql(o.schema, runLockKey(o.schema))).catch((err: unknown) => {
    o.logger.debug('summary not written', { error: err instanceof Error ? err.message : String(err) });
  });
}

export function appliedOrThrow(state: SettledState, o: ResolvedOptions): Set<string> {
  const { applied, unknown } = state;
  if (unknown.length > 0) {
    throw new StrataError(
      'MIGRATION_UNKNOWN_REVISION',
      `The database ${describeConnection(o.url)} is at revision${unknown.length === 1 ? '' : 's'} ` +
        `${unknown.join(', ')}, which no file in ${o.migrationsDir} defines. Restore the missing ` +
        `migration file(s), or record where the database really is with \`strata stamp <revision> ` +
        `--purge\`.`,
      { meta: { unknown } },
    );
  }
  return applied;
}

/** Applied migrations whose file no longer matches the checksum recorded when it was applied. */
export function checksumProblems(graph: RevisionGraph, applied: ReadonlySet<string>, state: DbState): ChecksumProblem[] {
  const out: ChecksumProblem[] = [];
  for (const m of graph.order) {
    if (!applied.has(m.revision)) continue;
    const recorded = state.checksums.get(m.revision);
    if (recorded && !m.matchesChecksum(recorded)) out.push({ revision: m.revision, file: m.file, recorded, actual: m.checksum });
  }
  return out;
}

export function verifyChecksums(graph: RevisionGraph, applied: ReadonlySet<string>, state: DbState): void {
  const problems = checksumProblems(graph, applied, state);
  if (problems.length === 0) return;
  // Stamping any current head keeps the others and re-records every differing checksum;
  // 'heads' could mark pending migrations as applied.
  const stampTo = state.heads[0] ?? 'base';
  const list = problems.map((p) => `  ${p.file} (revision ${p.revision}): recorded ${p.recorded}, file now ${p.actual}`).join('\n');
  throw new StrataError(
    'CHECKSUM_MISMATCH',
    `${problems.length === 1 ? 'An applied migration was' : `${problems.length} applied migrations were`}` +
      ` edited after being applied:\n${list}\nNothing was run. Restore the file` +
      `${problems.length === 1 ? '' : 's'} as applied (e.g. from version control), and put the change ` +
      `in a new migration. If the edit only touched comments or formatting, or the database already ` +
      `matches the new text, accept it with \`strata stamp ${stampTo}\`, which records the checksums ` +
      `of the files as they are now.`,
    { meta: { problems, files: problems.map((p) => p.file) } },
  );
}

/** A pending step that failed last time outside a transaction and left INVALID indexes must be cleaned up first. */
export function checkPreviousFailures(steps: readonly PreparedStep[], state: DbState, invalid: string[]): void {
  for (const s of steps) {
    const f = state.failures.get(s.migration.revision);
    if (!f || s.transactional || f.direction !== s.direction) continue;
    const mine = indexesNamedIn(s.migration, invalid);
    if (mine.length === 0) continue;
    throw new StrataError(
      'PREVIOUS_FAILURE',
      `${s.migration.file} (revision ${s.migration.revision}) failed on the previous run (${f.at}): ` +
        `${f.error.split('\n')[0]}\nIt runs outside a transaction, and it left INVALID index` +
        `${mine.length === 1 ? '' : 'es'} ${mine.join(', ')}. Drop ${mine.length === 1 ? 'it' : 'them'} ` +
        `(DROP INDEX CONCURRENTLY ${mine[0]}), fix the cause, then run \`strata up\` again.`,
      { meta: { file: s.migration.file, revision: s.migration.revision, invalidIndexes: mine, previousError: f.error } },
    );
  }
}

/** INVALID indexes a migration's text names; all of them when it names none (a generated name). */
export function indexesNamedIn(m: MigrationFile, invalid: readonly string[]): string[] {
  const named = invalid.filter((qualified) => {
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    return new RegExp(`(^|[^A-Za-z0-9_$])"?${name.replace(/[$]/g, '\\$')}"?([^A-Za-z0-9_$]|$)`).test(m.source);
  });
  return named;
}

/**
 * The interrupted claims (a `running` row whose session is gone) of the
 * steps about to run: each is judged (interrupted.ts); one that needs a
 * person stops the run before anything executes (MIGRATION_INTERRUPTED),
 * the others are resumed at the statement the judgement names.
 */
export async function judgeRunning(
  client: Queryable,
  state: DbState,
  steps: readonly PreparedStep[],
): Promise<Map<string, { id: string; from: number; why: string }>> {
  const resume = new Map<string, { id: string; from: number; why: string }>();
  for (const row of state.running) {
    if (row.alive) continue;
    const step = steps.find((s) => s.migration.revision === row.revision && s.direction === row.direction);
    if (!step) continue;
    const m = step.migration;
    // A claim by an older Strata recorded no statements: with one statement, it is the one in doubt.
    const known =
      row.statements === null && step.sql?.statements.length === 1
        ? { ...row, statements: claimedStatements(step.sql.statements), statementsDone: 0 }
        : row;
    const verdict = await judgeInterrupted(client, known, m.file, m.revision, m.checksum);
    if (verdict.action === 'refuse') throw interruptedError(row, m.file, m.revision, verdict);
    resume.set(m.revision, { id: row.id, from: verdict.from, why: verdict.why });
  }
  return resume;
}
