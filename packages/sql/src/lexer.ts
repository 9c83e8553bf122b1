import { LineCursor } from './position.js';

/**
 * The one statement splitter every command uses. It lexes a script the way
 * PostgreSQL's scanner does (and psql, which splits a file client-side before
 * sending it): whitespace, `--` and nested `/* *\/` comments, `'...'` with
 * `''`, `E'...'` with backslash escapes (and plain strings too while
 * `standard_conforming_strings` is off), `"identifiers"`, `U&'...'`, dollar
 * quotes with any tag, parentheses, and the `BEGIN ATOMIC ... END` bodies of
 * SQL-standard functions, whose semicolons do not end the statement. psql
 * meta-commands (`\i`, `\set`, `\echo ... \quit`) are reported, never sent.
 *
 * It never builds a parse tree, so it runs in time and memory proportional to
 * the input and never fails: an unterminated string or comment simply runs to
 * the end, where the parser then reports the error. The corpus test checks its
 * boundaries against libpg_query's own `stmt_location`/`stmt_len` on every
 * script Debian's PostgreSQL packages install.
 */

/** One statement as the splitter sees it (JS string offsets into the script). */
export interface SplitStatement {
  /** Offset of its first token (leading whitespace and comments excluded). */
  start: number;
  /** Just past its last token (trailing whitespace and comments excluded). */
  end: number;
  /** Offset of the `;` that ends it, or where it stops without one (end of input, a meta-command). */
  terminator: number;
  /** 1-based line of `start` in the script. */
  line: number;
  /** 1-based column of `start` (code points). */
  column: number;
  /**
   * Offsets of plain string literals that use backslash escapes because
   * `standard_conforming_strings` was off where they stand: the parser, which
   * always has it on, must see them as `E'...'`.
   */
  backslashStrings?: number[];
}

/** A psql meta-command (`\i file`, `\set x 1`, `\echo ...`): reported, never executed. */
export interface MetaCommand {
  /** Offset of the backslash. */
  start: number;
  /** End of the command's line (before the newline) or of its `\\` separator. */
  end: number;
  /** 1-based line. */
  line: number;
  /** The command word with its backslash, e.g. `\echo`. */
  command: string;
  /** The whole text, e.g. `\i schema.sql`. */
  text: string;
}

export interface SplitOptions {
  /** The session's `standard_conforming_strings` at the start of the script (default on, as since PostgreSQL 9.1). */
  standardConformingStrings?: boolean;
}

const enum C {
  TAB = 9,
  LF = 10,
  VT = 11,
  FF = 12,
  CR = 13,
  SPACE = 32,
  DQUOTE = 34,
  DOLLAR = 36,
  AMP = 38,
  QUOTE = 39,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  DASH = 45,
  SLASH = 47,
  SEMI = 59,
  BACKSLASH = 92,
  BOM = 0xfeff,
}

function isSpace(c: number): boolean {
  return c === C.SPACE || c === C.LF || c === C.TAB || c === C.CR || c === C.FF || c === C.VT;
}

/** scan.l's ident_start: a letter, `_`, or any non-ASCII character. */
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}

/** scan.l's ident_cont: ident_start, digits and `$`. */
function isIdentCont(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === C.DOLLAR;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** What started the current statement's first few words: enough to know `CREATE [OR REPLACE] FUNCTION|PROCEDURE`. */
const enum Head {
  None,
  Create,
  CreateOr,
  CreateOrReplace,
  Routine,
  Other,
}

// SET / RESET standard_conforming_strings, which the splitter follows.
const SET_SCS = /^set\s+(?:session\s+|local\s+)?standard_conforming_strings\s*(?:=|\s+to\b)\s*'?([a-z0-9]+)'?\s*$/i;
const RESET_SCS = /^reset\s+(?:standard_conforming_strings|all)\s*$/i;

/**
 * Splits a script into statements, one at a time (`next()`), so a caller can
 * parse and send a big file statement by statement. Meta-commands met on the
 * way are pushed to `metaCommands`.
 */
export class StatementSplitter {
  readonly metaCommands: MetaCommand[] = [];
  #pos: number;
  readonly #lines: LineCursor;
  #scs: boolean;
  readonly #src: string;

  constructor(source: string, options: SplitOptions = {}) {
    this.#src = source;
    this.#lines = new LineCursor(source);
    this.#scs = options.standardConformingStrings ?? true;
    this.#pos = source.charCodeAt(0) === C.BOM ? 1 : 0;
  }

  /** Whether `standard_conforming_strings` is on after what has been split so far (a `SET` in the script changes it). */
  get standardConformingStrings(): boolean {
    return this.#scs;
  }

  /** The next statement, or `null` at the end of the script. Empty statements (`;;`, comments alone) are skipped. */
  next(): SplitStatement | null {
    const s = this.#src;
    const n = s.length;
    let i = this.#pos;
    let start = -1;
    let end = -1;
    let parens = 0;
    let atomic = 0;
    let head: Head = Head.None;
    let words = 0;
    /** The previous word was BEGIN, at parenthesis depth 0, in a routine. */
    let afterBegin = false;
    let backslashStrings: number[] | undefined;
    const token = (from: number, to: number) => {
      if (start < 0) start = from;
      end = to;
    };
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === C.DASH && s.charCodeAt(i + 1) === C.DASH) {
        i = this.#lineEnd(i);
        continue;
      }
      if (c === C.SLASH && s.charCodeAt(i + 1) === C.STAR) {
        i = this.#blockCommentEnd(i);
        continue;
      }
      if (c === C.SEMI && parens === 0 && atomic === 0) {
        this.#pos = i + 1;
        if (start < 0) {
          // An empty statement: nothing but whitespace and comments before `;`.
          i++;
          continue;
        }
        return this.#finish(start, end, i, backslashStrings, head);
      }
      if (c === C.BACKSLASH) {
        // A psql meta-command runs to the end of its line (or to a `\\` separator).
        if (start >= 0) {
          this.#pos = i;
          return this.#finish(start, end, i, backslashStrings, head);
        }
        i = this.#meta(i);
        continue;
      }
      const from = i;
      if (c === C.QUOTE) {
        if (!this.#scs) {
          const close = this.#quoted(i + 1, true);
          if (s.slice(i, close).includes('\\')) (backslashStrings ??= []).push(i);
          i = close;
        } else i = this.#quoted(i + 1, false);
        token(from, i);
        afterBegin = false;
        continue;
      }
      if (c === C.DQUOTE) {
        i = this.#quoted(i + 1, false, C.DQUOTE);
        token(from, i);
        afterBegin = false;
        continue;
      }
      if (c === C.DOLLAR) {
        const next = s.charCodeAt(i + 1);
        if (isDigit(next)) {
          i += 2;
          while (i < n && isDigit(s.charCodeAt(i))) i++;
        } else {
          const tagEnd = this.#dollarTagEnd(i);
          if (tagEnd > 0) {
            const close = s.indexOf(s.slice(i, tagEnd), tagEnd);
            i = close === -1 ? n : close + (tagEnd - i);
          } else i++;
        }
        token(from, i);
        afterBegin = false;
        continue;
      }
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < n && isIdentCont(s.charCodeAt(j))) j++;
        const len = j - i;
        const q = s.charCodeAt(j);
        if (len === 1 && q === C.QUOTE) {
          // E'...' takes backslash escapes; B'', X'', N'' are plain strings.
          const e = c === 101 || c === 69;
          if (e || c === 98 || c === 66 || c === 120 || c === 88 || c === 110 || c === 78) {
            i = this.#quoted(j + 1, e || (!this.#scs && (c === 110 || c === 78)));
            token(from, i);
            afterBegin = false;
            continue;
          }
        }
        if (len === 1 && (c === 117 || c === 85) && q === C.AMP) {
          const q2 = s.charCodeAt(j + 1);
          if (q2 === C.QUOTE || q2 === C.DQUOTE) {
            i = this.#quoted(j + 2, false, q2);
            token(from, i);
            afterBegin = false;
            continue;
          }
        }
        i = j;
        token(from, i);
        // Words that matter: the statement's head, and BEGIN ATOMIC / CASE / END inside a routine.
        if (parens === 0) {
          const w = len <= 9 ? s.slice(from, j).toLowerCase() : '';
          if (words < 4) head = nextHead(head, w, words);
          if (head === Head.Routine) {
            if (afterBegin && w === 'atomic') atomic++;
            else if (atomic > 0 && w === 'case') atomic++;
            else if (atomic > 0 && w === 'end') atomic--;
            afterBegin = w === 'begin';
          }
          words++;
        }
        continue;
      }
      if (isDigit(c)) {
        i++;
        while (i < n) {
          const d = s.charCodeAt(i);
          if (isIdentCont(d) && d !== C.DOLLAR) i++;
          else if (d === 46 /* . */ && s.charCodeAt(i + 1) !== 46) i++;
          else break;
        }
        token(from, i);
        afterBegin = false;
        continue;
      }
      if (c === C.LPAREN) parens++;
      else if (c === C.RPAREN && parens > 0) parens--;
      i++;
      token(from, i);
      afterBegin = false;
    }
    this.#pos = n;
    if (start < 0) return null;
    return this.#finish(start, end, n, backslashStrings, head);
  }

  #finish(start: number, end: number, terminator: number, backslashStrings: number[] | undefined, head: Head): SplitStatement {
    const at = this.#lines.at(start);
    const st: SplitStatement = { start, end, terminator, line: at.line, column: at.column };
    if (backslashStrings) st.backslashStrings = backslashStrings;
    if (head === Head.Other) this.#followSettings(start, end);
    return st;
  }

  /** `SET standard_conforming_strings = off` (or RESET) changes how the rest of the script is lexed. */
  #followSettings(start: number, end: number): void {
    if (end - start > 200) return;
    const text = this.#src.slice(start, end);
    const m = SET_SCS.exec(text) ?? RESET_SCS.exec(text);
    if (!m) return;
    const v = (m[1] ?? 'on').toLowerCase();
    if (v === 'off' || v === 'false' || v === '0' || v === 'no') this.#scs = false;
    else if (v === 'on' || v === 'true' || v === '1' || v === 'yes' || v === 'default') this.#scs = true;
  }

  /** Where the line that `i` is on ends (its newline, `\n` or `\r`, is whitespace). */
  #lineEnd(i: number): number {
    const s = this.#src;
    const n = s.length;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === C.LF || c === C.CR) return i;
    }
    return n;
  }

  /** Just past a (nested) block comment starting at `i`, or the end of the script. */
  #blockCommentEnd(i: number): number {
    const s = this.#src;
    const n = s.length;
    let depth = 1;
    for (i += 2; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === C.STAR && s.charCodeAt(i + 1) === C.SLASH) {
        i++;
        if (--depth === 0) return i + 1;
      } else if (c === C.SLASH && s.charCodeAt(i + 1) === C.STAR) {
        i++;
        depth++;
      }
    }
    return n;
  }

  /**
   * Just past the closing quote of a literal whose body starts at `i`: a doubled
   * quote is one character; with `backslash`, `\x` is one too. Two literals
   * separated by whitespace that holds a newline are one (SQL's continuation),
   * which matters only when the second one holds backslash escapes.
   */
  #quoted(i: number, backslash: boolean, quote: number = C.QUOTE): number {
    const s = this.#src;
    const n = s.length;
    const q = quote === C.QUOTE ? "'" : '"';
    for (;;) {
      let close: number;
      if (backslash) {
        close = i;
        while (close < n) {
          const c = s.charCodeAt(close);
          if (c === C.BACKSLASH) close += 2;
          else if (c === quote) break;
          else close++;
        }
        if (close >= n) return n;
      } else {
        close = s.indexOf(q, i);
        if (close === -1) return n;
      }
      if (s.charCodeAt(close + 1) === quote) {
        i = close + 2;
        continue;
      }
      if (backslash && quote === C.QUOTE) {
        // 'abc'<whitespace with a newline>'def' continues the literal.
        let j = close + 1;
        let newline = false;
        while (j < n && isSpace(s.charCodeAt(j))) {
          if (s.charCodeAt(j) === C.LF || s.charCodeAt(j) === C.CR) newline = true;
          j++;
        }
        if (newline && s.charCodeAt(j) === C.QUOTE) {
          i = j + 1;
          continue;
        }
      }
      return close + 1;
    }
  }

  /** End of a `$tag$` delimiter starting at `i` (just past its second `$`), or 0 when `$` does not start one. */
  #dollarTagEnd(i: number): number {
    const s = this.#src;
    let j = i + 1;
    if (s.charCodeAt(j) === C.DOLLAR) return j + 1;
    if (!isIdentStart(s.charCodeAt(j))) return 0;
    j++;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === C.DOLLAR) return j + 1;
      if (!isIdentStart(c) && !isDigit(c)) return 0;
      j++;
    }
    return 0;
  }

  /** Record the meta-command(s) starting at `i`; returns where SQL resumes. */
  #meta(i: number): number {
    const s = this.#src;
    const eol = this.#lineEnd(i);
    const sepInLine = s.slice(i + 1, eol).indexOf('\\\\');
    const sep = sepInLine === -1 ? -1 : i + 1 + sepInLine;
    const stop = sep === -1 ? eol : sep;
    const text = s.slice(i, stop).trimEnd();
    const word = /^\\[^\s\\]*/.exec(text)?.[0] ?? '\\';
    this.metaCommands.push({ start: i, end: i + text.length, line: this.#lines.at(i).line, command: word, text });
    return stop === sep ? sep + 2 : eol;
  }
}

function nextHead(head: Head, word: string, index: number): Head {
  switch (index) {
    case 0:
      return word === 'create' ? Head.Create : Head.Other;
    case 1:
      if (head !== Head.Create) return head;
      if (word === 'function' || word === 'procedure') return Head.Routine;
      return word === 'or' ? Head.CreateOr : Head.Other;
    case 2:
      if (head !== Head.CreateOr) return head;
      return word === 'replace' ? Head.CreateOrReplace : Head.Other;
    default:
      if (head !== Head.CreateOrReplace) return head;
      return word === 'function' || word === 'procedure' ? Head.Routine : Head.Other;
  }
}

/** Every statement and meta-command of a script. */
export function splitStatements(source: string, options: SplitOptions = {}): { statements: SplitStatement[]; metaCommands: MetaCommand[] } {
  const splitter = new StatementSplitter(source, options);
  const statements: SplitStatement[] = [];
  for (let st = splitter.next(); st; st = splitter.next()) statements.push(st);
  return { statements, metaCommands: splitter.metaCommands };
}
