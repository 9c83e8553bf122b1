/**
 * A small POSIX shell lexer: words with their quoting, expansions and
 * positions, operators, redirections and here-documents. Enough to find what a
 * script hands to `psql`; not an interpreter (no globbing, no word splitting of
 * expansion results, no aliases).
 */

/** Literal text of a word, with the file offset of its first character. */
export interface LiteralSegment {
  readonly kind: 'text';
  readonly text: string;
  readonly start: number;
  /** File offset just past the segment's last source character. */
  readonly end: number;
  /** True when `text` is the source between `start` and `start + text.length` exactly. */
  readonly verbatim: boolean;
}

/** A `$NAME`, `${...}`, `$(...)`, `` `...` `` or `$((...))` expansion, as written. */
export interface ExpansionSegment {
  readonly kind: 'expansion';
  /** The expansion as written, e.g. `${TABLE}`. */
  readonly raw: string;
  /** The variable name for `$NAME` / `${NAME}` / `${NAME:-x}`; undefined for command substitutions. */
  readonly name?: string;
  /** For `${NAME:-word}` / `${NAME-word}`: the default word (literal only). */
  readonly fallback?: string;
  readonly start: number;
  /** Inside double quotes (no field splitting). */
  readonly quoted: boolean;
}

export type Segment = LiteralSegment | ExpansionSegment;

/** A shell word. */
export interface ShellWord {
  readonly kind: 'word';
  readonly segments: readonly Segment[];
  readonly start: number;
  readonly end: number;
  /** The word as written. */
  readonly raw: string;
  /** Some quoting was involved (so `EOF` vs `'EOF'` can be told apart). */
  readonly quoted: boolean;
  /** A quote in it is not closed before the end of the file. */
  readonly unterminated?: true;
}

/** A here-document body, attached to its `<<` redirection. */
export interface HereDoc {
  readonly delimiter: string;
  /** `<<-`: leading tabs stripped. */
  readonly stripTabs: boolean;
  /** Quoted delimiter: no expansion in the body. */
  readonly literal: boolean;
  readonly segments: readonly Segment[];
  /** Offset of the body's first character. */
  readonly start: number;
  readonly terminated: boolean;
}

/** A redirection: `< file`, `> file`, `2>&1`, `<<EOF`, `<<< word`. */
export interface ShellRedirect {
  readonly kind: 'redirect';
  readonly op: string;
  readonly fd?: number;
  readonly target?: ShellWord;
  readonly heredoc?: HereDoc;
  readonly start: number;
}

/** An operator: `;`, `&`, `&&`, `||`, `|`, `;;`, `(`, `)`, or a newline. */
export interface ShellOperator {
  readonly kind: 'op';
  readonly op: string;
  readonly start: number;
}

export type ShellToken = ShellWord | ShellRedirect | ShellOperator;

/** The result of {@link lexShell}. */
export interface ShellLex {
  readonly tokens: ShellToken[];
  readonly problems: { readonly message: string; readonly offset: number }[];
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const ANSI: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Split a shell script into tokens. Never throws: problems are reported with their offsets. */
export function lexShell(src: string): ShellLex {
  const tokens: ShellToken[] = [];
  const problems: { message: string; offset: number }[] = [];
  const pendingHeredocs: { index: number; delimiter: string; stripTabs: boolean; literal: boolean; start: number }[] = [];
  let i = 0;
  const n = src.length;

  // Find the end of a balanced $( ... ) / ${ ... } / $(( ... )) starting at `open` (the char after $).
  const skipBalanced = (from: number, openCh: string, closeCh: string): number => {
    let depth = 0;
    let j = from;
    while (j < n) {
      const c = src[j]!;
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === "'" && openCh === '(') {
        const e = src.indexOf("'", j + 1);
        j = e === -1 ? n : e + 1;
        continue;
      }
      if (c === '"') {
        j = skipDouble(j + 1);
        continue;
      }
      if (c === openCh) depth++;
      else if (c === closeCh) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    problems.push({ message: `unterminated ${openCh === '(' ? '$(' : '${'}`, offset: from - 1 });
    return n;
  };
  const skipDouble = (from: number): number => {
    let j = from;
    while (j < n && src[j] !== '"') {
      if (src[j] === '\\') j++;
      else if (src[j] === '$' && (src[j + 1] === '(' || src[j + 1] === '{')) {
        j = skipBalanced(j + 1, src[j + 1]!, src[j + 1] === '(' ? ')' : '}');
        continue;
      }
      j++;
    }
    return j + 1;
  };

  /** Read a `$...` expansion at `j` (src[j] === '$'); returns segment and new offset, or null if `$` is literal. */
  const readDollar = (j: number, quoted: boolean): { seg: ExpansionSegment; next: number } | null => {
    const c = src[j + 1];
    if (c === undefined) return null;
    if (c === '{') {
      const end = skipBalanced(j + 1, '{', '}');
      const raw = src.slice(j, end);
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?\}$/s.exec(raw);
      const fallback = m && (m[2] === ':-' || m[2] === '-' || m[2] === ':=' || m[2] === '=') && !/[$`"'\\]/.test(m[3] ?? '') ? m[3] : undefined;
      return { seg: { kind: 'expansion', raw, ...(m ? { name: m[1]! } : {}), ...(fallback !== undefined ? { fallback } : {}), start: j, quoted }, next: end };
    }
    if (c === '(') {
      const end = skipBalanced(j + 1, '(', ')');
      return { seg: { kind: 'expansion', raw: src.slice(j, end), start: j, quoted }, next: end };
    }
    if (NAME_START.test(c)) {
      let k = j + 1;
      while (k < n && NAME_PART.test(src[k]!)) k++;
      return { seg: { kind: 'expansion', raw: src.slice(j, k), name: src.slice(j + 1, k), start: j, quoted }, next: k };
    }
    if (/[0-9@*#?$!-]/.test(c)) return { seg: { kind: 'expansion', raw: src.slice(j, j + 2), start: j, quoted }, next: j + 2 };
    return null;
  };

  const readBackquote = (j: number, quoted: boolean): { seg: ExpansionSegment; next: number } => {
    let k = j + 1;
    while (k < n && src[k] !== '`') k += src[k] === '\\' ? 2 : 1;
    if (k >= n) problems.push({ message: 'unterminated backquote', offset: j });
    const end = Math.min(k + 1, n);
    return { seg: { kind: 'expansion', raw: src.slice(j, end), start: j, quoted }, next: end };
  };

  const readWord = (start: number): ShellWord => {
    const segments: Segment[] = [];
    let quoted = false;
    let unterminated = false;
    let buf = '';
    let bufStart = -1;
    let bufEnd = -1;
    let bufVerbatim = true;
    const push = (ch: string, at: number, verbatim: boolean) => {
      if (bufStart === -1) bufStart = at;
      // a segment is verbatim only if it is contiguous in the source and unescaped
      if (!verbatim || bufStart + buf.length !== at) bufVerbatim = false;
      buf += ch;
      bufEnd = at + 1;
    };
    const flush = () => {
      if (bufStart !== -1) segments.push({ kind: 'text', text: buf, start: bufStart, end: bufEnd, verbatim: bufVerbatim });
      buf = '';
      bufStart = -1;
      bufVerbatim = true;
    };
    let j = start;
    while (j < n) {
      const c = src[j]!;
      if (META.has(c)) break;
      if (c === '\\') {
        if (src[j + 1] === '\n') {
          j += 2;
          continue;
        }
        if (j + 1 < n) push(src[j + 1]!, j + 1, false);
        j += 2;
        continue;
      }
      if (c === "'") {
        quoted = true;
        const e = src.indexOf("'", j + 1);
        const stop = e === -1 ? n : e;
        if (e === -1) {
          problems.push({ message: 'unterminated single quote', offset: j });
          unterminated = true;
        }
        flush();
        segments.push({ kind: 'text', text: src.slice(j + 1, stop), start: j + 1, end: stop, verbatim: true });
        j = stop + 1;
        continue;
      }
      if (c === '$' && src[j + 1] === "'") {
        quoted = true;
        flush();
        let k = j + 2;
        let text = '';
        let verbatim = true;
        while (k < n && src[k] !== "'") {
          if (src[k] === '\\' && k + 1 < n) {
            verbatim = false;
            const e = src[k + 1]!;
            if (e in ANSI) {
              text += ANSI[e];
              k += 2;
            } else if (e === 'x') {
              const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(k + 2));
              text += m ? String.fromCharCode(parseInt(m[0], 16)) : '\\x';
              k += 2 + (m ? m[0].length : 0);
            } else if (/[0-7]/.test(e)) {
              const m = /^[0-7]{1,3}/.exec(src.slice(k + 1))!;
              text += String.fromCharCode(parseInt(m[0], 8));
              k += 1 + m[0].length;
            } else if (e === 'u' || e === 'U') {
              const m = new RegExp(`^[0-9a-fA-F]{1,${e === 'u' ? 4 : 8}}`).exec(src.slice(k + 2));
              text += m ? String.fromCodePoint(parseInt(m[0], 16)) : `\\${e}`;
              k += 2 + (m ? m[0].length : 0);
            } else {
              text += `\\${e}`;
              k += 2;
            }
          } else text += src[k++];
        }
        if (k >= n) {
          problems.push({ message: "unterminated $'...' quote", offset: j });
          unterminated = true;
        }
        segments.push({ kind: 'text', text, start: j + 2, end: Math.min(k, n), verbatim });
        j = k + 1;
        continue;
      }
      if (c === '"') {
        quoted = true;
        flush();
        let k = j + 1;
        let terminated = false;
        while (k < n) {
          const d = src[k]!;
          if (d === '"') {
            terminated = true;
            break;
          }
          if (d === '\\' && k + 1 < n) {
            const e = src[k + 1]!;
            if (e === '\n') {
              k += 2;
              bufVerbatim = false;
              continue;
            }
            if (e === '$' || e === '`' || e === '"' || e === '\\') {
              push(e, k + 1, false);
              k += 2;
              continue;
            }
            push(d, k, true);
            k++;
            continue;
          }
          if (d === '$') {
            const x = readDollar(k, true);
            if (x) {
              flush();
              segments.push(x.seg);
              k = x.next;
              continue;
            }
          }
          if (d === '`') {
            flush();
            const x = readBackquote(k, true);
            segments.push(x.seg);
            k = x.next;
            continue;
          }
          push(d, k, true);
          k++;
        }
        if (!terminated) {
          problems.push({ message: 'unterminated double quote', offset: j });
          unterminated = true;
        }
        if (bufStart === -1 && !segments.some((s) => s.start > j)) segments.push({ kind: 'text', text: '', start: j + 1, end: j + 1, verbatim: true });
        flush();
        j = k + 1;
        continue;
      }
      if (c === '$') {
        const x = readDollar(j, false);
        if (x) {
          flush();
          segments.push(x.seg);
          j = x.next;
          continue;
        }
      }
      if (c === '`') {
        flush();
        const x = readBackquote(j, false);
        segments.push(x.seg);
        j = x.next;
        continue;
      }
      push(c, j, true);
      j++;
    }
    flush();
    const end = Math.min(j, n);
    return { kind: 'word', segments, start, end, raw: src.slice(start, end), quoted, ...(unterminated ? { unterminated: true as const } : {}) };
  };

  const wordText = (w: ShellWord) => w.segments.map((s) => (s.kind === 'text' ? s.text : s.raw)).join('');

  const readHeredocBodies = (from: number): number => {
    let j = from;
    for (const h of pendingHeredocs.splice(0)) {
      const segments: Segment[] = [];
      const bodyStart = j;
      let terminated = false;
      while (j < n) {
        const eol = src.indexOf('\n', j);
        const lineEnd = eol === -1 ? n : eol;
        let lineStart = j;
        if (h.stripTabs) while (lineStart < lineEnd && src[lineStart] === '\t') lineStart++;
        if (src.slice(lineStart, lineEnd).replace(/\r$/, '') === h.delimiter) {
          j = eol === -1 ? n : eol + 1;
          terminated = true;
          break;
        }
        const lineWithNl = src.slice(lineStart, eol === -1 ? n : eol + 1);
        if (h.literal) segments.push({ kind: 'text', text: lineWithNl, start: lineStart, end: lineStart + lineWithNl.length, verbatim: true });
        else segments.push(...expandHereLine(lineStart, eol === -1 ? n : eol + 1));
        j = eol === -1 ? n : eol + 1;
      }
      if (!terminated) problems.push({ message: `here-document not terminated by ${h.delimiter}`, offset: h.start });
      const merged = mergeText(segments);
      const tok = tokens[h.index] as ShellRedirect;
      tokens[h.index] = {
        ...tok,
        heredoc: { delimiter: h.delimiter, stripTabs: h.stripTabs, literal: h.literal, segments: merged, start: bodyStart, terminated },
      };
    }
    return j;
  };

  // In an unquoted here-document, $ and ` expand and \ escapes only $ ` \ and newline.
  const expandHereLine = (a: number, b: number): Segment[] => {
    const out: Segment[] = [];
    let buf = '';
    let bufStart = -1;
    let verbatim = true;
    let k = a;
    const flush = () => {
      if (bufStart !== -1) out.push({ kind: 'text', text: buf, start: bufStart, end: k, verbatim });
      buf = '';
      bufStart = -1;
      verbatim = true;
    };
    while (k < b) {
      const c = src[k]!;
      if (c === '\\' && k + 1 < b && /[$`\\\n]/.test(src[k + 1]!)) {
        if (bufStart === -1) bufStart = k;
        verbatim = false;
        if (src[k + 1] !== '\n') buf += src[k + 1];
        k += 2;
        continue;
      }
      if (c === '$') {
        const x = readDollar(k, true);
        if (x) {
          flush();
          out.push(x.seg);
          k = x.next;
          continue;
        }
      }
      if (c === '`') {
        flush();
        const x = readBackquote(k, true);
        out.push(x.seg);
        k = x.next;
        continue;
      }
      if (bufStart === -1) bufStart = k;
      buf += c;
      k++;
    }
    flush();
    return out;
  };

  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      const e = src.indexOf('\n', i);
      i = e === -1 ? n : e;
      continue;
    }
    if (c === '\n') {
      tokens.push({ kind: 'op', op: '\n', start: i });
      i = pendingHeredocs.length ? readHeredocBodies(i + 1) : i + 1;
      continue;
    }
    // redirections, with an optional file descriptor number glued in front
    const redir = /^(\d*)(<<<|<<-|<<|<&|>&|>>|&>>|&>|<>|>\||<|>)/.exec(src.slice(i, i + 8));
    if (redir) {
      const op = redir[2]!;
      const start = i;
      i += redir[0].length;
      if ((op === '>&' || op === '<&') && /[0-9-]/.test(src[i] ?? '')) {
        let k = i;
        while (k < n && /[0-9-]/.test(src[k]!)) k++;
        tokens.push({ kind: 'redirect', op, ...(redir[1] ? { fd: Number(redir[1]) } : {}), start });
        i = k;
        continue;
      }
      while (src[i] === ' ' || src[i] === '\t') i++;
      const target = i < n && !META.has(src[i]!) ? readWord(i) : undefined;
      if (target) i = target.end;
      const tok: ShellRedirect = { kind: 'redirect', op, ...(redir[1] ? { fd: Number(redir[1]) } : {}), ...(target ? { target } : {}), start };
      tokens.push(tok);
      if ((op === '<<' || op === '<<-') && target) {
        pendingHeredocs.push({ index: tokens.length - 1, delimiter: wordText(target), stripTabs: op === '<<-', literal: target.quoted, start });
      }
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === ';;') {
      tokens.push({ kind: 'op', op: two, start: i });
      i += 2;
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      tokens.push({ kind: 'op', op: c, start: i });
      i++;
      continue;
    }
    const w = readWord(i);
    if (w.end === i) {
      i++; // cannot happen for non-meta characters; guard against loops
      continue;
    }
    tokens.push(w);
    i = w.end;
  }
  if (pendingHeredocs.length) readHeredocBodies(n);
  return { tokens, problems };
}

function mergeText(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (s.kind === 'text' && last?.kind === 'text') {
      const contiguous = last.verbatim && s.verbatim && last.start + last.text.length === s.start;
      out[out.length - 1] = { kind: 'text', text: last.text + s.text, start: last.start, end: s.end, verbatim: contiguous };
    } else out.push(s);
  }
  return out;
}
