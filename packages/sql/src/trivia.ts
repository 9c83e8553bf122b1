// Whitespace and comments between statements.

/**
 * Skip whitespace and comments from `from`. Only ever called at a statement
 * boundary the parser found, where nothing but whitespace and comments can
 * precede the first token, so no string or identifier can be mistaken here.
 */
export function skipLeadingTrivia(source: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
      i++;
    } else if (c === 45 && source.charCodeAt(i + 1) === 45) {
      const nl = source.indexOf('\n', i);
      i = nl === -1 || nl > to ? to : nl + 1;
    } else if (c === 47 && source.charCodeAt(i + 1) === 42) {
      // PostgreSQL block comments nest.
      let depth = 1;
      i += 2;
      while (i < to && depth > 0) {
        if (source.charCodeAt(i) === 47 && source.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (source.charCodeAt(i) === 42 && source.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/** SQL whitespace (space, tab, newlines, form feed, vertical tab). */
export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}
