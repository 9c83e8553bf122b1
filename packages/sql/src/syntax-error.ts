import { StrataError } from '@strata/core';
import { codeFrame } from './code-frame.js';
import { rawParse, rawScan } from './parser.js';
import { ByteOffsetMap, LineIndex, offsetOfCodePoint, shiftLocation } from './position.js';
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
  let offset = knownCursor(source, parserMessage, cursorPosition)
    ? offsetOfCodePoint(source, cursorPosition ?? 0)
    : failingStatementOffset(source);
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

/**
 * For an error without a position, the start of the first statement that
 * fails on its own. Statements are cut at the scanner's `;` tokens (never one
 * inside a string, comment or dollar quote); 0 if that finds nothing.
 */
function failingStatementOffset(source: string): number {
  try {
    const map = new ByteOffsetMap(source.replace(/^\uFEFF/, ' '));
    const cuts = rawScan(source.replace(/^\uFEFF/, ' '), 'parseScript')
      .tokens.filter((t) => t.text === ';')
      .map((t) => map.toOffset(t.end));
    let from = 0;
    for (const to of [...cuts, source.length]) {
      const chunk = source.slice(from, to);
      try {
        if (chunk.trim() !== '') rawParse(chunk, 'parseScript');
      } catch {
        return skipLeadingTrivia(source, from, to);
      }
      from = to;
    }
  } catch {
    // fall through: no better position than the start
  }
  return 0;
}
