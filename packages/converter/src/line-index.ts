/** Maps UTF-16 offsets of a text to 1-based line/column. */
export class LineIndex {
  readonly #starts: number[];

  constructor(text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.#starts = starts;
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** A {@link SourceRange}-shaped range for `[from, to)`. */
  range(from: number, to: number): { line: number; column: number; endLine: number; endColumn: number } {
    const a = this.position(from);
    const b = this.position(to);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}
