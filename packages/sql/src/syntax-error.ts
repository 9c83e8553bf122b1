import { StrataError } from '@pg-strata/core';
import { codeFrame } from './code-frame.js';
import { locationOf, offsetOfCodePoint, shiftLocation } from './position.js';
import { skipLeadingTrivia } from './trivia.js';

/** Where a parse error points, in the section and in its file. */
export interface SyntaxErrorPosition {
  /** JS offset into the parsed source. */
  offset: number;
  line: number;
  column: number;
}

/**
 * Build the `SQL_SYNTAX` error for a libpg-query failure on `source`.
 * `cursorPosition` is libpg-query's 0-based cursor (its wrapper already
 * subtracted one from PostgreSQL's 1-based one). Unlike statement locations,
 * which are UTF-8 byte offsets, PostgreSQL's scanner reports error positions
 * in characters (scanner_errposition counts with pg_mbstrlen_with_len), so
 * this is a code-point index: into `within.text` when the parser saw only one
 * statement (which starts at `within.start` in `source`), else into `source`.
 */
export function syntaxError(
  source: string,
  parserMessage: string,
  cursorPosition: number | undefined,
  options: {
    file?: string | undefined;
    startLine?: number | undefined;
    startColumn?: number | undefined;
    cause?: unknown;
    within?: { start: number; text: string };
  },
): StrataError {
  const parsed = options.within?.text ?? source;
  const base = options.within?.start ?? 0;
  let offset = knownCursor(parsed, parserMessage, cursorPosition)
    ? base + offsetOfCodePoint(parsed, cursorPosition ?? 0)
    : base + leadingTrivia(parsed);
  // "at end of input" points past the last byte; past a trailing newline that is
  // an empty line nobody wrote. Point just after the last character written.
  if (/at end of input/.test(parserMessage)) {
    while (offset > base && /\s/.test(source.charAt(offset - 1))) offset--;
  }
  return errorAt(source, offset, parserMessage, { ...options, meta: { parserMessage } });
}

/** A psql meta-command where Strata expects SQL: it is not sent, so it must not be silently dropped either. */
export function metaCommandError(
  source: string,
  meta: { start: number; command: string; text: string },
  options: { file?: string | undefined; startLine?: number | undefined; startColumn?: number | undefined },
): StrataError {
  const message =
    `${meta.command} is a psql meta-command, not SQL: Strata sends SQL to the server and runs no ` +
    `psql commands. Remove the line` +
    `${
      meta.command === '\\i' || meta.command === '\\ir' || meta.command === '\\include'
        ? " and put the included file's statements in the migration"
        : ''
    }.`;
  return errorAt(source, meta.start, message, { ...options, meta: { metaCommand: meta.text } });
}

function errorAt(
  source: string,
  offset: number,
  message: string,
  options: {
    file?: string | undefined;
    startLine?: number | undefined;
    startColumn?: number | undefined;
    cause?: unknown;
    meta: Record<string, unknown>;
  },
): StrataError {
  const startLine = options.startLine ?? 1;
  const startColumn = options.startColumn ?? 1;
  const local = locationOf(source, offset);
  const at = shiftLocation(local, startLine, startColumn);
  const file = options.file;
  const where = `${file ?? '<input>'}:${at.line}:${at.column}`;
  const frame = codeFrame(source, local.line, local.column, { firstLine: startLine });
  return new StrataError('SQL_SYNTAX', `${where}: ${message}\n${frame}`, {
    meta: { ...(file === undefined ? {} : { file }), line: at.line, column: at.column, offset, ...options.meta },
    cause: options.cause,
  });
}

/**
 * libpg-query turns PostgreSQL's 1-based cursor into a 0-based one and maps
 * "no position" (0) to 0 as well, so 0 is ambiguous. It is the first character
 * when the message quotes the token found there; otherwise (e.g. "WITH TIES
 * cannot be specified without ORDER BY clause") the position is unknown.
 */
function knownCursor(source: string, message: string, cursor: number | undefined): boolean {
  if (cursor === undefined) return false;
  if (cursor > 0) return true;
  const near = /at or near "([\s\S]*)"$/.exec(message);
  return near !== null && source.replace(/^\uFEFF/, ' ').startsWith(near[1] ?? '');
}

/** Where the first token of `text` starts (its leading whitespace and comments skipped). */
function leadingTrivia(text: string): number {
  return skipLeadingTrivia(text, 0, text.length);
}
