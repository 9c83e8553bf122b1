import type { Logger, StrataError } from '@pg-strata/core';

/** Options shared by every runner function that talks to the database. Frozen once resolved. */
export interface RunnerOptions {
  /** libpq-style connection string. Never printed: messages use `describeConnection(url)`. */
  url: string;
  /** Folder holding the migration files (`NNNN_slug.sql` / `NNNN_slug.ts`). */
  migrationsDir: string;
  /** Schema of Strata's own tables (`strata_version`, `strata_history`). Default `'strata'`. */
  schema?: string;
  /** `lock_timeout` set with `SET LOCAL` for each migration (a header may override it). Default `'10s'`. */
  lockTimeout?: string;
  /** `statement_timeout` set with `SET LOCAL` for each migration (a header may override it). Default `'0'` (none). */
  statementTimeout?: string;
  /**
   * How long to wait for the run lock, in ms. Default `undefined`: wait without limit.
   * `0` fails at once; the error names the holder's pid and application_name.
   */
  lockWaitMs?: number;
  /**
   * `'auto'` (default): `'session'` when the connection is known to reach PostgreSQL
   * directly, `'transaction'` when a pooler (PgBouncer, ...) stands in between; see
   * the README's "Locking". Refused through a statement pooler (POOLER_UNSUPPORTED).
   * `'session'`: one session-level advisory lock held for the whole run.
   * `'transaction'`: for PgBouncer transaction pooling; every migration's transaction takes
   * `pg_advisory_xact_lock` and re-checks that the migration is still pending.
   * A mode other than `'auto'` is used as given, without looking at the connection.
   */
  lockMode?: LockModeOption;
  /** Run statements the parser marks as losing data (DROP TABLE, DROP COLUMN, ...). Default `false`. */
  allowDataLoss?: boolean;
  /** `application_name` of the connection (shown in pg_stat_activity and lock errors). Default `'strata'`. */
  applicationName?: string;
  /** Receives progress and diagnostics. Default: silent. */
  logger?: Logger;
  /** Receives one event per step (started/applied/failed/skipped) and lock waits. Default: none. */
  onEvent?: (event: RunnerEvent) => void;
  /** Asks a running upgrade/downgrade to stop (a signal): see {@link StopRequest}. */
  stop?: StopRequest;
}

/**
 * A request to stop a run, set by the caller (the CLI on SIGINT/SIGTERM),
 * read by the runner between migrations. Once `reason` is set nothing more
 * is started; a transactional migration in flight is cancelled (PostgreSQL's
 * cancel request) and so rolled back, a non-transactional one is finished
 * (cancelled too once `force` is set: the statement in flight fails, the
 * ones before it stay). The result says `interrupted` and lists what did not run.
 */
export interface StopRequest {
  reason?: 'SIGINT' | 'SIGTERM';
  force?: boolean;
  /** The runner's hook: the caller calls it after setting `reason` or `force`. */
  changed?: () => void;
}

/** The `lockMode` option: the mode to use, or `'auto'` to choose it from the connection. */
export type LockModeOption = 'auto' | 'session' | 'transaction';

/** A progress event. */
export type RunnerEvent =
  | { type: 'lock-mode'; mode: 'session' | 'transaction'; pooler: boolean; reason: string }
  | { type: 'lock-waiting'; key: string; holder: { pid: number; applicationName: string } | null }
  | { type: 'lock-acquired'; key: string; waitedMs: number }
  | { type: 'migration-started'; revision: string; file: string; direction: Direction }
  | { type: 'migration-applied'; revision: string; file: string; direction: Direction; durationMs: number }
  | { type: 'migration-failed'; revision: string; file: string; direction: Direction; durationMs: number; error: StrataError }
  | { type: 'migration-skipped'; revision: string; file: string; direction: Direction; reason: string };

/** `'up'` applies, `'down'` reverts. */
export type Direction = 'up' | 'down';

/** A migration file as read from disk (headers only; the body is parsed when it is about to run). */
export interface MigrationFile {
  /** Revision id from the header. */
  readonly revision: string;
  /** Parent revision ids (`[]` for the root; two or more for a merge revision). */
  readonly parents: readonly string[];
  /** Message from the header, or `''`. */
  readonly message: string;
  /** File name relative to the migrations folder (`0003_add_email.sql`). */
  readonly file: string;
  /** Absolute path. */
  readonly path: string;
  /** `'sql'` or `'ts'`. */
  readonly kind: 'sql' | 'ts';
  /** `false` when the header says `transactional: false`; `undefined` when not stated (auto-detected for SQL). */
  readonly transactional: boolean | undefined;
  /** Header override of `lock_timeout`, if any. */
  readonly lockTimeout: string | undefined;
  /** Header override of `statement_timeout`, if any. */
  readonly statementTimeout: string | undefined;
  /**
   * The migration's own acknowledgement of the data its `up` loses
   * (`-- data-loss: <reason>` / `export const dataLoss = '<reason>'`): consent
   * for this migration's up alone, as `allowDataLoss` is for a whole run.
   */
  readonly dataLoss: string | undefined;
  /** File contents exactly as written (CRLF kept), decoded from UTF-8 or the encoding its header declares. */
  readonly source: string;
  /** sha256 (hex) of the file's bytes, computed on first use. */
  readonly checksum: string;
  /** Whether a recorded checksum is this file's (also accepts the CRLF-normalised checksum earlier versions recorded). */
  matchesChecksum(recorded: string): boolean;
  /** The NNNN prefix as a number (ordering hint for people and ties), or `NaN`. */
  readonly number: number;
}

/** Every migration file of a folder. */
export interface MigrationSet {
  readonly dir: string;
  /** In file-name order. */
  readonly migrations: readonly MigrationFile[];
}

/** Outcome of one step of a run. */
export interface StepResult {
  revision: string;
  file: string;
  direction: Direction;
  /** `'planned'` only appears in dry runs. */
  status: 'applied' | 'failed' | 'skipped' | 'planned';
  durationMs: number;
  /** Why it was skipped (another runner applied it first, ...). */
  reason?: string;
  /** Dry runs: the `lock_timeout` and `statement_timeout` the real run would set for it (its header's, else the run's). */
  lockTimeout?: string;
  statementTimeout?: string;
  error?: { code: string; message: string; meta: Record<string, unknown> };
}

/** The result of `upgrade` / `downgrade`. Per-migration failures are reported here, not thrown. */
export interface RunResult {
  direction: Direction;
  /** Heads recorded in the database before the run. */
  from: string[];
  /** Heads recorded in the database after the run (for a dry run: where it would leave them). */
  to: string[];
  steps: StepResult[];
  /** `true` when no step failed. */
  ok: boolean;
  /** Whether this was a dry run (nothing executed). */
  dryRun: boolean;
  /** The first failure, if any. */
  error?: StrataError;
  /**
   * Dry runs: the statements that lose data, each with the migration's own
   * acknowledgement (`acknowledged`, its reason) if any. A dry run asks for no
   * consent; it lists them.
   */
  dataLoss?: DataLossFinding[];
  /** Set when a signal stopped the run (the step in flight finished or was rolled back; nothing after it ran). */
  interrupted?: 'SIGINT' | 'SIGTERM';
  /** With `interrupted`: the planned steps that did not run (the rolled-back one included). */
  notRun?: { revision: string; file: string }[];
}

/** A statement that loses data, where it is, and whether its migration acknowledges it. */
export interface DataLossFinding {
  file: string;
  revision: string;
  line: number;
  column: number;
  message: string;
  /** The migration's `data-loss` reason, when it covers this statement. */
  acknowledged?: string;
}

/** An applied migration whose file changed since it was applied. */
export interface ChecksumProblem {
  revision: string;
  file: string;
  recorded: string;
  actual: string;
}

/** A migration whose latest attempt failed. */
export interface FailedMigration {
  revision: string;
  file: string | null;
  direction: Direction;
  failedAt: string;
  error: string;
  sqlstate: string | null;
  /** Indexes left INVALID (by a failed CREATE INDEX CONCURRENTLY), as `schema.name`. */
  invalidIndexes: string[];
}

/** The result of `status`. */
export interface StatusResult {
  /** Heads recorded in the database (the version table). */
  current: string[];
  /** Heads of the migration files. */
  heads: string[];
  /** Whether the database is at the files' head(s) with nothing pending. */
  atHead: boolean;
  /** Applied revisions in execution order. */
  applied: { revision: string; file: string }[];
  /** Pending revisions in execution order. */
  pending: { revision: string; file: string }[];
  failed: FailedMigration[];
  checksumProblems: ChecksumProblem[];
  /** Revisions recorded in the database that no file defines. */
  unknown: string[];
  /** Every INVALID index in the database, as `schema.name`. */
  invalidIndexes: string[];
  /** Whether Strata's tables exist yet. */
  initialised: boolean;
  /**
   * Non-transactional migrations recorded as running: in progress (by a live
   * session), or `interrupted` (its runner is gone). For an interrupted one:
   * how many of its statements completed, the statement that may have run,
   * and what the next run does about it (`next`: resumes, or the step to take).
   */
  running: {
    revision: string;
    file: string | null;
    direction: Direction;
    since: string;
    pid: number | null;
    interrupted: boolean;
    statements: number | null;
    statementsDone: number;
    statementsInDoubt?: { index: number; line: number; sql: string }[];
    next?: string;
  }[];
}

/** One row of the history table. */
export interface HistoryEntry {
  id: number;
  revision: string;
  direction: Direction;
  /** `running`: a non-transactional migration under way (or interrupted), deleted when it settles. */
  outcome: 'applied' | 'failed' | 'stamped' | 'unstamped' | 'running';
  file: string | null;
  message: string | null;
  checksum: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  appliedBy: string;
  toolVersion: string;
  error: string | null;
  meta: Record<string, unknown>;
}

/** The result of `stamp`. */
export interface StampResult {
  from: string[];
  to: string[];
  /** Revisions whose checksum was (re-)recorded because the file differs from what was recorded. */
  checksumsRecorded: string[];
}
