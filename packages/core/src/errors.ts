/**
 * Every error Strata raises on purpose carries a stable string `code`, a
 * JSON-serialisable `meta` and, where it wraps another error, a `cause`.
 * Callers branch on `code`; people read `message`.
 */
export type StrataErrorCode =
  // usage or input (exit 2)
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'SQL_SYNTAX'
  | 'MIGRATION_FILE_INVALID'
  | 'MIGRATION_DUPLICATE_REVISION'
  | 'MIGRATION_MISSING_PARENT'
  | 'MIGRATION_CYCLE'
  | 'MIGRATION_MULTIPLE_ROOTS'
  | 'MIGRATION_MULTIPLE_HEADS'
  | 'MIGRATION_UNKNOWN_REVISION'
  | 'MIGRATION_AMBIGUOUS_REVISION'
  | 'MIGRATION_MIXED_TRANSACTIONALITY'
  | 'MIGRATION_OFFLINE_UNSUPPORTED'
  | 'CHECKSUM_MISMATCH'
  | 'DATA_LOSS_REFUSED'
  | 'PREVIOUS_FAILURE'
  | 'MIGRATION_INTERRUPTED'
  | 'MODELS_SOURCE_FAILED'
  | 'SNAPSHOT_INVALID'
  | 'CONVERT_REFUSED'
  | 'SCHEMA_NOT_AT_HEAD'
  | 'SCHEMA_MISMATCH'
  | 'POOLER_UNSUPPORTED'
  // database (exit 3)
  | 'DB_CONNECTION'
  | 'DB_AUTH'
  | 'DB_QUERY'
  | 'MIGRATION_FAILED'
  | 'LOCK_TIMEOUT'
  | 'LOCK_BUSY'
  | 'SERVER_START_FAILED'
  | 'BACKUP_FAILED'
  | 'HEALTH_CHECK_FAILED'
  | 'INTERNAL';

/** Codes that mean "the input was wrong" rather than "the database failed". */
const INPUT_CODES: ReadonlySet<StrataErrorCode> = new Set<StrataErrorCode>([
  'USAGE',
  'CONFIG_INVALID',
  'SQL_SYNTAX',
  'MIGRATION_FILE_INVALID',
  'MIGRATION_DUPLICATE_REVISION',
  'MIGRATION_MISSING_PARENT',
  'MIGRATION_CYCLE',
  'MIGRATION_MULTIPLE_ROOTS',
  'MIGRATION_MULTIPLE_HEADS',
  'MIGRATION_UNKNOWN_REVISION',
  'MIGRATION_AMBIGUOUS_REVISION',
  'MIGRATION_MIXED_TRANSACTIONALITY',
  'MIGRATION_OFFLINE_UNSUPPORTED',
  'CHECKSUM_MISMATCH',
  'DATA_LOSS_REFUSED',
  'PREVIOUS_FAILURE',
  // A non-transactional migration was interrupted: a person (or `migrate resolve`) decides.
  'MIGRATION_INTERRUPTED',
  'MODELS_SOURCE_FAILED',
  'SNAPSHOT_INVALID',
  'CONVERT_REFUSED',
  'SCHEMA_NOT_AT_HEAD',
  'SCHEMA_MISMATCH',
  // The URL leads through a pooler migrations cannot run through (statement pooling): use another URL.
  'POOLER_UNSUPPORTED',
]);

/** JSON-serialisable metadata attached to an error. */
export type ErrorMeta = Record<string, unknown>;

/** A source position, 1-based line and column. */
export interface SourceLocation {
  /** File path as the user gave it (relative where possible). */
  file?: string;
  line: number;
  column: number;
}

/** The base class of every error Strata raises deliberately. */
export class StrataError extends Error {
  /** A stable identifier callers can branch on. */
  readonly code: StrataErrorCode;
  /** Structured details (file, revision, object...), safe to serialise. */
  readonly meta: ErrorMeta;

  constructor(code: StrataErrorCode, message: string, options: { meta?: ErrorMeta; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = code;
    this.meta = options.meta ?? {};
  }

  /** Whether this is an input/usage problem (exit 2) rather than a database one (exit 3). */
  get isInputError(): boolean {
    return INPUT_CODES.has(this.code);
  }

  toJSON(): { code: StrataErrorCode; message: string; meta: ErrorMeta } {
    return { code: this.code, message: this.message, meta: this.meta };
  }
}

/** Type guard usable across package copies (checks the shape, not the prototype). */
export function isStrataError(err: unknown): err is StrataError {
  return (
    err instanceof StrataError ||
    (err instanceof Error && err.name === 'StrataError' && typeof (err as { code?: unknown }).code === 'string')
  );
}

/** The fields node-postgres' DatabaseError carries that we keep. */
export interface PgErrorFields {
  code?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  detail?: string;
  hint?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  severity?: string;
}

/** Whether `err` looks like a PostgreSQL server error from node-postgres. */
export function isPgDatabaseError(err: unknown): err is Error & PgErrorFields {
  return err instanceof Error && typeof (err as PgErrorFields).code === 'string' && typeof (err as PgErrorFields).severity === 'string';
}

/**
 * Exit codes of the CLI: 0 ok, 1 a check found something, 2 usage or input
 * error, 3 database error, 4 a bug in Strata (an error it did not expect: a
 * TypeError, an INTERNAL error), never reported as a database error.
 */
export const ExitCode = Object.freeze({ OK: 0, FOUND: 1, INPUT: 2, DATABASE: 3, BUG: 4 } as const);
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Network errors of a connection (node's errno codes): the database is unreachable, not Strata broken. */
const NETWORK_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * Whether `err` is a bug in Strata rather than bad input or a database
 * problem: an INTERNAL StrataError, or any error that is neither a
 * StrataError, a PostgreSQL error, nor a system error (errno code).
 */
export function isBug(err: unknown): boolean {
  if (isStrataError(err)) return err.code === 'INTERNAL';
  if (isPgDatabaseError(err) || isPgClientError(err)) return false;
  const code = (err as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code));
}

/** node-postgres' own errors about a lost or unusable connection (they carry no code). */
function isPgClientError(err: unknown): boolean {
  return err instanceof Error && PG_CLIENT_ERROR.test(err.message);
}
const PG_CLIENT_ERROR = new RegExp(
  `^(${[
    'Connection terminated',
    'Client has encountered a connection error',
    'Client was closed',
    'Query read timeout',
    'timeout expired',
    'Cannot use a pool after',
    'The server does not support SSL',
  ].join('|')})`,
);

/** The exit code an error maps to. */
export function exitCodeFor(err: unknown): ExitCode {
  if (isBug(err)) return ExitCode.BUG;
  if (isStrataError(err)) return err.isInputError ? ExitCode.INPUT : ExitCode.DATABASE;
  if (isPgDatabaseError(err) || isPgClientError(err)) return ExitCode.DATABASE;
  const code = (err as { code: string }).code;
  // A file that cannot be read (ENOENT, EACCES, EISDIR...) is an input error; a lost connection a database one.
  return NETWORK_ERRNO.has(code) ? ExitCode.DATABASE : ExitCode.INPUT;
}
