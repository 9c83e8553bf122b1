import { LineIndex } from './position.js';

/** Options of {@link codeFrame}. */
export interface CodeFrameOptions {
  /** Printed as a ` --> file:line:column` header line. Default: no header. */
  file?: string;
  /**
   * The line number, in its file, of the first line of `source`, when `source`
   * is a section of a larger file. Only the gutter changes. Default 1.
   */
  firstLine?: number;
  /**
   * The column, in its file, of the first character of `source` (only affects
   * the header's column for positions on the first line). Default 1.
   */
  firstColumn?: number;
}

// Lines longer than this are cut to a window around the column, so a 10 kB
// one-line INSERT does not flood the terminal.
const MAX_WIDTH = 120;
const HALF = 60;

/**
 * A compiler-style excerpt: the line at `line` (1-based, within `source`) with a
 * line-number gutter and a `^` under `column` (1-based, counted in code points).
 *
 * ```
 *  --> migrations/0002_x.sql:3:10
 *   3 | SELECT * FORM t;
 *     |          ^
 * ```
 */
export function codeFrame(source: string, line: number, column: number, options: CodeFrameOptions = {}): string {
  const index = new LineIndex(source);
  const ln = Math.max(1, Math.min(line, index.lineCount));
  const chars = Array.from(index.lineText(ln));
  let col = Math.max(1, Math.min(column, chars.length + 1));
  let shown = chars;
  let prefix = '';
  let suffix = '';
  if (chars.length > MAX_WIDTH) {
    const from = Math.max(0, Math.min(col - 1 - HALF, chars.length - MAX_WIDTH));
    shown = chars.slice(from, from + MAX_WIDTH);
    if (from > 0) prefix = '...';
    if (from + MAX_WIDTH < chars.length) suffix = '...';
    col = col - from + prefix.length;
  }
  const firstLine = options.firstLine ?? 1;
  const number = String(ln + firstLine - 1);
  const gutter = ' '.repeat(number.length);
  const text = prefix + shown.join('') + suffix;
  // Keep tabs in the padding so the caret lines up however wide a tab is drawn.
  const pad = Array.from(prefix + shown.join(''))
    .slice(0, col - 1)
    .map((c) => (c === '\t' ? '\t' : ' '))
    .join('');
  const out: string[] = [];
  if (options.file !== undefined) {
    const headerColumn = ln === 1 ? column + (options.firstColumn ?? 1) - 1 : column;
    out.push(`${gutter}--> ${options.file}:${ln + firstLine - 1}:${headerColumn}`);
  }
  out.push(`${number} | ${text}`.trimEnd(), `${gutter} | ${pad}^`);
  return out.join('\n');
}
