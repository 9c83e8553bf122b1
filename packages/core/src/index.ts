export {
  StrataError,
  isStrataError,
  isPgDatabaseError,
  ExitCode,
  exitCodeFor,
  isBug,
  type StrataErrorCode,
  type ErrorMeta,
  type SourceLocation,
  type PgErrorFields,
} from './errors.js';
export { quoteIdent, quoteLiteral } from './quote.js';
export { escapeRegExp } from './regexp.js';
export { silentLogger, memoryLogger, type Logger, type LogFields, type LogRecord } from './logger.js';
export { redactUrls, redactSecret, describeConnection } from './redact.js';
export {
  connect,
  openConnection,
  closeConnection,
  withConnection,
  withAdvisoryLock,
  describeLockHolder,
  parseConnectionUrl,
  toConnectionError,
  type Queryable,
  type ConnectOptions,
  type OpeningConnection,
  type AdvisoryLockOptions,
} from './connection.js';
