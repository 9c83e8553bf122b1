import { StrataError } from '@strata/core';
import { codeFrame } from './code-frame.js';
import { LineIndex, offsetOfCodePoint, shiftLocation } from './position.js';

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
 * this is a code-point index.
 */
export function syntaxError(
  source: string,
  parserMessage: string,
  cursorPosition: number | undefined,
  options: { file?: string | undefined; startLine?: number | undefined; startColumn?: number | undefined; cause?: unknown },
): StrataError {
  const startLine = options.startLine ?? 1;
  const startColumn = options.startColumn ?? 1;
  let offset = offsetOfCodePoint(source, cursorPosition ?? 0);
  // "at end of input" points past the last byte; past a trailing newline that is
  // an empty line nobody wrote. Point just after the last character written.
  if (/at end of input/.test(parserMessage)) {
    while (offset > 0 && /\s/.test(source.charAt(offset - 1))) offset--;
  }
  const index = new LineIndex(source);
  const local = index.locate(offset);
  const at = shiftLocation(local, startLine, startColumn);
  const file = options.file;
  const where = `${file ?? '<input>'}:${at.line}:${at.column}`;
  const frame = codeFrame(source, local.line, local.column, { firstLine: startLine });
  const message = `${where}: ${parserMessage}\n${frame}`;
  return new StrataError('SQL_SYNTAX', message, {
    meta: { ...(file === undefined ? {} : { file }), line: at.line, column: at.column, offset, parserMessage },
    cause: options.cause,
  });
}
