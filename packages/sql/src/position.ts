/**
 * Source positions. libpg-query reports UTF-8 *byte* offsets (the C parser works
 * on the encoded string); JavaScript strings are indexed in UTF-16 code units and
 * people count columns in characters. Everything public in this package speaks
 * JS string offsets and 1-based line/column, where a column counts Unicode code
 * points (an emoji is one column, as PostgreSQL's own `position` counts it).
 */

/** A 1-based line and column (column in code points). */
export interface LineColumn {
  line: number;
  column: number;
}

// The one place that knows how many UTF-8 bytes a UTF-16 code unit sequence takes.
function isAscii(source: string): boolean {
  // A regular expression test is much faster than a charCodeAt loop in V8.
  return !/[^\x00-\x7f]/.test(source);
}

/**
 * Maps UTF-8 byte offsets (as libpg-query reports them) to JS string offsets.
 * Built once per script; for ASCII-only text (the common case) it is the identity.
 */
export class ByteOffsetMap {
  readonly #ascii: boolean;
  /** byte offset -> JS offset; undefined when the source is ASCII. */
  readonly #table: Uint32Array | undefined;
  /** Total byte length of the UTF-8 encoding. */
  readonly byteLength: number;

  constructor(source: string) {
    this.#ascii = isAscii(source);
    if (this.#ascii) {
      this.#table = undefined;
      this.byteLength = source.length;
      return;
    }
    const table: number[] = [];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      let bytes: number;
      let units = 1;
      if (c < 0x80) bytes = 1;
      else if (c < 0x800) bytes = 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < source.length) {
        const d = source.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          bytes = 4;
          units = 2;
        } else bytes = 3;
      } else bytes = 3; // BMP or a lone surrogate (encoded as 3 bytes by the WASM glue)
      // Every byte of a multi-byte character maps to the character's start.
      for (let b = 0; b < bytes; b++) table.push(i);
      i += units - 1;
    }
    table.push(source.length);
    this.#table = Uint32Array.from(table);
    this.byteLength = table.length - 1;
  }

  /** The JS string offset of a UTF-8 byte offset (clamped to the source). */
  toOffset(byteOffset: number): number {
    const b = Math.max(0, Math.min(byteOffset, this.byteLength));
    return this.#table === undefined ? b : (this.#table[b] as number);
  }
}

/** Line starts of a text, for offset -> line/column look-ups by binary search. */
export class LineIndex {
  readonly #source: string;
  readonly #starts: number[];
  readonly #ascii: boolean;

  constructor(source: string) {
    this.#source = source;
    this.#ascii = isAscii(source);
    const starts = [0];
    // `\r\n` and `\n` end a line; the `\r` of CRLF belongs to the line it ends.
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
    this.#starts = starts;
  }

  /** Number of lines (a text ending in a newline has an empty last line). */
  get lineCount(): number {
    return this.#starts.length;
  }

  /** JS offset where 1-based `line` starts. */
  lineStart(line: number): number {
    return this.#starts[Math.max(0, Math.min(line - 1, this.#starts.length - 1))] as number;
  }

  /** The text of 1-based `line`, without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line < this.#starts.length ? (this.#starts[line] as number) - 1 : this.#source.length;
    let end = next;
    if (end > start && this.#source.charCodeAt(end - 1) === 13) end--; // CRLF
    return this.#source.slice(start, end);
  }

  /** 1-based line and code-point column of a JS offset (clamped to the text). */
  locate(offset: number): LineColumn {
    const at = Math.max(0, Math.min(offset, this.#source.length));
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    const start = this.#starts[lo] as number;
    const column = this.#ascii ? at - start + 1 : countCodePoints(this.#source, start, at) + 1;
    return { line: lo + 1, column };
  }

  /** The 1-based start and end (line, code-point column) of the JS offsets `[from, to)`. */
  range(from: number, to: number): { line: number; column: number; endLine: number; endColumn: number } {
    const a = this.locate(from);
    const b = this.locate(to);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** JS offset of a 1-based line and code-point column (clamped to that line). */
  offsetOf(line: number, column: number): number {
    const start = this.lineStart(line);
    const text = this.lineText(line);
    let offset = start;
    for (let col = 1; col < column && offset < start + text.length; col++) {
      const c = this.#source.charCodeAt(offset);
      offset += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return offset;
  }
}

/** Code points in `source.slice(from, to)` (a surrogate pair counts once). */
export function countCodePoints(source: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = source.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = source.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The 1-based line and column of a JS string offset in `source`. Columns count
 * code points, so `café` then an emoji then `x` puts `x` at column 6.
 */
export function locationOf(source: string, offset: number): LineColumn {
  return new LineIndex(source).locate(offset);
}

/**
 * Shift a position found inside a section of a larger file (a `-- migrate:up`
 * block starting at `startLine`, a string literal starting at `startColumn`).
 * Only positions on the section's first line move right.
 */
export function shiftLocation(at: LineColumn, startLine: number, startColumn: number): LineColumn {
  return {
    line: at.line + startLine - 1,
    column: at.line === 1 ? at.column + startColumn - 1 : at.column,
  };
}

/** The JS string offset of the `n`-th code point (0-based) of `source`, clamped to its length. */
export function offsetOfCodePoint(source: string, n: number): number {
  if (!/[\ud800-\udfff]/.test(source)) return Math.max(0, Math.min(n, source.length));
  let offset = 0;
  for (let i = 0; i < n && offset < source.length; i++) {
    const c = source.charCodeAt(offset);
    const d = source.charCodeAt(offset + 1);
    offset += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return offset;
}

/**
 * Line and code-point column of offsets visited in increasing order, in time
 * linear in the text however it is laid out (a 50 MB script on one line
 * included): each character is looked at once, and the next newline is found
 * once and remembered.
 */
export class LineCursor {
  readonly #s: string;
  #offset = 0;
  #line = 1;
  #column = 1;
  /** The first newline at or after #offset (-1: none left). */
  #nextNl: number;

  constructor(source: string) {
    this.#s = source;
    this.#nextNl = source.indexOf('\n');
  }

  /** Line and column of `offset` (not before the previous call's). */
  at(offset: number): LineColumn {
    if (offset < this.#offset) return locationOf(this.#s, offset);
    let from = this.#offset;
    while (this.#nextNl !== -1 && this.#nextNl < offset) {
      this.#line++;
      from = this.#nextNl + 1;
      this.#column = 1;
      this.#nextNl = this.#s.indexOf('\n', from);
    }
    this.#column += countCodePoints(this.#s, from, offset);
    this.#offset = offset;
    return { line: this.#line, column: this.#column };
  }
}
