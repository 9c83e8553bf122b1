import { StrataError, type Queryable } from '@pg-strata/core';
import type { Direction } from './types.js';

/**
 * A non-transactional migration is recorded as `running` in the history
 * before its first statement (in every lock mode), with the list of its
 * statements, and the count of completed statements is written after each
 * one. Its bookkeeping transaction deletes that row and records the step. A
 * `running` row whose session is gone is therefore an interrupted migration:
 * statements before `statementsDone` ran, the one at `statementsDone` may have
 * run (it was in flight, or done but not yet counted), the rest did not.
 */

/** One statement of a claimed migration, as its `running` row records it. */
export interface ClaimedStatement {
  line: number;
  sql: string;
}

/** The statements' part of a `running` row's meta (statements are cut at this many characters). */
const STATEMENT_CHARS = 2000;

export function claimedStatements(statements: Iterable<{ text: string; range: { line: number } }>): ClaimedStatement[] {
  return [...statements].map((s) => ({
    line: s.range.line,
    sql: s.text.length > STATEMENT_CHARS ? `${s.text.slice(0, STATEMENT_CHARS)}...` : s.text,
  }));
}

/** A `running` history row as readState returns it. */
export interface RunningRow {
  id: string;
  revision: string;
  direction: Direction;
  since: string;
  pid: number | null;
  /** Whether the session that wrote it is still connected (pid and backend start match). */
  alive: boolean;
  checksum: string | null;
  file: string | null;
  /** Statements of the migration (SQL), when recorded. */
  statements: ClaimedStatement[] | null;
  /** How many of them completed. */
  statementsDone: number;
}

/** What to do about an interrupted migration. */
export type Verdict = { action: 'resume'; from: number; why: string } | { action: 'refuse'; step: string; why: string };

const strip = (sql: string) => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
const CREATE_INDEX_RE = new RegExp(
  /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?/.source +
    /((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)\s+ON\b/.source,
  'i',
);
const DROP_INDEX_RE = new RegExp(
  /^\s*DROP\s+INDEX\s+(CONCURRENTLY\s+)?(IF\s+EXISTS\s+)?/.source +
    /((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)\s*/.source +
    /(?:CASCADE|RESTRICT)?\s*;?\s*$/.source,
  'i',
);
const IDEMPOTENT_RE = /\bIF\s+(?:NOT\s+)?EXISTS\b|\bCREATE\s+OR\s+REPLACE\b/i;

/** `pg_index` state of an index named as in SQL (schema-qualified or on the search path). */
async function indexState(client: Queryable, name: string): Promise<'valid' | 'invalid' | 'absent'> {
  const r = await client.query<{ v: boolean | null }>(
    `SELECT (SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)) AS v, to_regclass($1) IS NOT NULL AS e`,
    [name],
  );
  const row = r.rows[0] as { v: boolean | null; e?: boolean } | undefined;
  if (!row || row.v === null) return 'absent';
  return row.v ? 'valid' : 'invalid';
}

/** The statement in words for a message: its line and first line of text. */
export function describeStatement(file: string, s: ClaimedStatement, index: number): string {
  const first = strip(s.sql).trim().replace(/\s+/g, ' ');
  return `statement ${index + 1} (${file}:${s.line}: ${first.length > 120 ? `${first.slice(0, 120)}...` : first})`;
}

/**
 * Whether an interrupted migration can be resumed safely, and from which
 * statement; otherwise the one step a person has to take. Decided from the
 * database: an index the statement in doubt creates or drops is looked up
 * (valid: it ran; INVALID: it must be dropped first; absent: it did not
 * run); a statement written to be re-run (IF [NOT] EXISTS, CREATE OR
 * REPLACE) is re-run; anything else is for a person to judge.
 */
export async function judgeInterrupted(
  client: Queryable,
  row: RunningRow,
  file: string,
  revision: string,
  checksumNow: string | null,
): Promise<Verdict> {
  const resolveHint = (did: string) =>
    `check what ${did} ran, then either finish it by hand and record it with \`strata resolve ` +
    `${revision} --applied\`, or undo what ran and run \`strata resolve ${revision} --rolled-back\` ` +
    `(then \`strata up\` runs it again from its first statement)`;
  if (row.statements === null)
    return {
      action: 'refuse',
      step: resolveHint('it'),
      why: 'Its statements were not recorded (a TypeScript migration, or one claimed by an older Strata).',
    };
  if (checksumNow !== null && row.checksum !== null && row.checksum !== checksumNow) {
    return { action: 'refuse', step: resolveHint('the file as it was then'), why: 'Its file was edited since the interrupted attempt.' };
  }
  const n = row.statements.length;
  const done = Math.min(row.statementsDone, n);
  if (done >= n) return { action: 'resume', from: n, why: `all ${n} statement(s) completed; only its bookkeeping was missing` };
  const s = row.statements[done]!;
  const what = describeStatement(file, s, done);
  const text = strip(s.sql);
  const create = CREATE_INDEX_RE.exec(text);
  if (create) {
    const name = create[3]!.replace(/\s+/g, '');
    const state = await indexState(client, name);
    if (state === 'valid') return { action: 'resume', from: done + 1, why: `${what} had completed (index ${name} is valid)` };
    if (state === 'absent') return { action: 'resume', from: done, why: `${what} had not run (no index ${name})` };
    return {
      action: 'refuse',
      step:
        `drop the INVALID index it left: DROP INDEX CONCURRENTLY IF EXISTS ${name}; then run \`strata ` +
        `up\` again, which builds it anew and carries on`,
      why: `${what} was interrupted while building index ${name}, which PostgreSQL left INVALID.`,
    };
  }
  const drop = DROP_INDEX_RE.exec(text);
  if (drop && !drop[3]!.includes(',')) {
    const name = drop[3]!.replace(/\s+/g, '');
    const state = await indexState(client, name);
    if (state === 'absent') return { action: 'resume', from: done + 1, why: `${what} had completed (no index ${name})` };
    return { action: 'resume', from: done, why: `${what} had not completed (index ${name} is still there)` };
  }
  if (IDEMPOTENT_RE.test(text))
    return { action: 'resume', from: done, why: `${what} may have run, and is written to be re-run (IF [NOT] EXISTS / OR REPLACE)` };
  return {
    action: 'refuse',
    step: resolveHint(`statement ${done + 1}`),
    why: `${what} may or may not have run, and re-running it is not known to be safe.`,
  };
}

/** The error `up`/`down` refuse with when an interrupted migration needs a person. */
export function interruptedError(
  row: RunningRow,
  file: string,
  revision: string,
  verdict: Extract<Verdict, { action: 'refuse' }>,
): StrataError {
  const n = row.statements?.length;
  const done = Math.min(row.statementsDone, n ?? 0);
  const completed =
    done === 0
      ? 'None of its statements is known to have completed'
      : `Statement${done === 1 ? '' : 's'} 1${done > 1 ? `-${done}` : ''} completed`;
  const rest =
    n === undefined || done >= n
      ? ''
      : `; statement ${done + 1} may have run; ${done + 1 < n ? `statements ${done + 2}-${n} did not run` : 'it is the last one'}`;
  const progress = n === undefined ? 'Which of its statements ran is not known.' : `${completed}${rest}.`;
  return new StrataError(
    'MIGRATION_INTERRUPTED',
    `${file} (revision ${revision}) was interrupted: it runs outside a transaction, and the runner ` +
      `that started it at ${row.since}${row.pid !== null ? ` (server pid ${row.pid})` : ''} is gone. ` +
      `${progress} ${verdict.why}\nNothing was run. To go on: ${verdict.step}.`,
    { meta: { file, revision, direction: row.direction, statementsDone: done, statements: n ?? null, step: verdict.step } },
  );
}
