/** A decoded Python string literal. */
export interface PythonLiteral {
  /** The literal's value (bytes decoded as Latin-1, which keeps every byte). */
  readonly value: string;
  /** Lower-cased prefix letters (`r`, `b`, `f`, `u`, `rb`, ...). */
  readonly prefix: string;
  /** Offset of the first content character, relative to the literal's start. */
  readonly contentStart: number;
  /** Offset just past the last content character, relative to the literal's start. */
  readonly contentEnd: number;
  /** True when the value equals the raw content character for character. */
  readonly verbatim: boolean;
  /** False when the closing quote is missing. */
  readonly terminated: boolean;
}

/** Split a literal's source into prefix, quote and content bounds. */
export function literalParts(raw: string): {
  prefix: string;
  quote: string;
  contentStart: number;
  contentEnd: number;
  terminated: boolean;
} {
  let p = 0;
  while (p < raw.length && /[rRbBuUfF]/.test(raw[p]!)) p++;
  const prefix = raw.slice(0, p).toLowerCase();
  const q = raw[p] ?? '"';
  const triple = raw.startsWith(q.repeat(3), p);
  const quote = triple ? q.repeat(3) : q;
  const contentStart = p + quote.length;
  const closes =
    raw.length >= contentStart + quote.length &&
    raw.endsWith(quote) &&
    !escapedAt(raw, raw.length - quote.length, contentStart, prefix.includes('r'));
  return { prefix, quote, contentStart, contentEnd: closes ? raw.length - quote.length : raw.length, terminated: closes };
}

// Is the character at `at` preceded by an odd number of backslashes (inside the content)?
function escapedAt(raw: string, at: number, min: number, isRaw: boolean): boolean {
  let k = 0;
  for (let i = at - 1; i >= min && raw[i] === '\\'; i--) k++;
  // In raw strings a backslash still keeps the quote from closing the literal.
  void isRaw;
  return k % 2 === 1;
}

const SIMPLE: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Decode Python escape sequences of a non-raw literal's content. Unknown
 * escapes are kept as written, as Python does. `bytes` stops at `\x`/octal
 * (no `\u`, `\N`).
 */
export function decodeEscapes(content: string, bytes: boolean): string {
  let out = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c !== '\\' || i + 1 >= content.length) {
      out += c;
      continue;
    }
    const e = content[i + 1]!;
    if (e === '\n') {
      i++;
      continue;
    }
    if (e === '\r') {
      i += content[i + 2] === '\n' ? 2 : 1;
      continue;
    }
    if (e in SIMPLE) {
      out += SIMPLE[e];
      i++;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(content.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length;
      continue;
    }
    if (e === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(content.slice(i + 2));
      if (m) {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 3;
        continue;
      }
    }
    if (!bytes && (e === 'u' || e === 'U')) {
      const len = e === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{${len}}`).exec(content.slice(i + 2));
      if (m) {
        out += String.fromCodePoint(parseInt(m[0], 16));
        i += 1 + len;
        continue;
      }
    }
    // \N{NAME} and unknown escapes stay as written.
    out += c;
  }
  return out;
}

/** Decode a whole (non-f) string literal token, e.g. `r"""x"""` or `b'\x00'`. */
export function decodePythonLiteral(raw: string): PythonLiteral {
  const parts = literalParts(raw);
  const content = raw.slice(parts.contentStart, parts.contentEnd);
  const isRaw = parts.prefix.includes('r');
  const value = isRaw ? content : decodeEscapes(content, parts.prefix.includes('b'));
  return {
    value,
    prefix: parts.prefix,
    contentStart: parts.contentStart,
    contentEnd: parts.contentEnd,
    verbatim: value === content,
    terminated: parts.terminated,
  };
}

/** Python's `repr()` of a str, enough for `%r` and `{!r}` of constants. */
export function pythonRepr(value: string): string {
  const q = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out + q;
}
