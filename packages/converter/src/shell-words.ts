/**
 * Shell scripts read with mvdan/sh's parser (the `mvdan-sh` package; README.md, "Shell parser", says why this one),
 * turned into the flat view the extractor walks: words with their quoting, expansions and positions, operators,
 * redirections and here-documents. Enough to find what a script hands to `psql`; not an interpreter (no globbing,
 * no word splitting of expansion results, no aliases).
 */
import { createRequire } from 'node:module';
import type mvdan from 'mvdan-sh';
import type { ExpansionSegment, HereDoc, LiteralSegment, Segment, ShellLex, ShellRedirect, ShellToken, ShellWord } from './shell-tokens.js';

export type {
  ExpansionSegment,
  HereDoc,
  LiteralSegment,
  Segment,
  ShellLex,
  ShellOperator,
  ShellRedirect,
  ShellToken,
  ShellWord,
} from './shell-tokens.js';

type Problem = { message: string; offset: number };
type Pos = mvdan.Pos;
type ShNode = mvdan.Node;

let loaded: typeof mvdan.syntax | undefined;
/**
 * mvdan-sh, loaded with the first shell script: its start-up (~0.2-0.4 s of CPU: 1.5 MB of GopherJS) is paid only by
 * a conversion that has one.
 */
function shell(): typeof mvdan.syntax {
  if (loaded) return loaded;
  let lib: typeof mvdan;
  try {
    // what a CommonJS bundle (the CLI's single executable) bundles
    lib = require('mvdan-sh') as typeof mvdan;
  } catch {
    // an ES module (this package's build, the library bundle): no `require`
    lib = createRequire(import.meta.url)('mvdan-sh') as typeof mvdan;
  }
  return (loaded = lib.syntax);
}

const ANSI: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};
const QUOTE_PROBLEM: Record<string, string> = {
  '"': 'unterminated double quote',
  "'": 'unterminated single quote',
  '`': 'unterminated backquote',
};
const REDIRECT_OP = /^(<<<|<<-|<<|<&|>&|>>|&>>|&>|<>|>\||<|>)/;
const BRACED = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?\}$/s;
const SIMPLE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/** The parser's byte offsets (UTF-8) as string indexes. */
function indexOfByte(text: string): (pos: Pos) => number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return (p) => p.Offset();
  const map = new Int32Array(Buffer.byteLength(text) + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    // a lone surrogate is written as U+FFFD (3 bytes)
    for (let k = 0; k < len; k++) map[b++] = i;
    if (c >= 0x10000) i++;
  }
  map[b] = text.length;
  return (p) => map[Math.min(p.Offset(), b)]!;
}

interface ParseError {
  Text: string;
  Pos: Pos;
}
const isParseError = (e: unknown): e is ParseError => typeof e === 'object' && e !== null && typeof (e as ParseError).Text === 'string';

/**
 * Parse, completing what the end of the file leaves open: an unclosed quote or here-document is closed past the end
 * (its word runs to the end of the file, as the shell would read it); a syntax error is reported and its line blanked.
 */
function parseTolerant(src: string, problems: Problem[]): { file: mvdan.File; text: string } {
  let text = src;
  for (let attempt = 0; ; attempt++) {
    try {
      return { file: shell().NewParser().Parse(text, ''), text };
    } catch (e) {
      if (!isParseError(e) || attempt >= 64) throw e;
      const at = Math.min(indexOfByte(text)(e.Pos), src.length);
      const quote = /^reached EOF without closing quote (.)$/.exec(e.Text);
      const heredoc = /^unclosed here-document '(.*)'$/s.exec(e.Text);
      const bracket = /^reached EOF without matching \S+ with (\S+)$/.exec(e.Text);
      if (quote && text.length === src.length + attempt) {
        const message = quote[1] === "'" && src[at] === '$' ? "unterminated $'...' quote" : (QUOTE_PROBLEM[quote[1]!] ?? e.Text);
        problems.push({ message, offset: at });
        text += quote[1];
      } else if (heredoc) {
        text += `${text.endsWith('\n') ? '' : '\n'}${heredoc[1]}\n`;
      } else if (bracket) {
        problems.push({ message: `unterminated ${src.slice(at, at + 2)}`, offset: at });
        text += bracket[1];
      } else {
        problems.push({ message: `shell syntax: ${e.Text}`, offset: at });
        // blank the line (offsets stay); a line already blank: drop the rest of the file
        const a = src.lastIndexOf('\n', at - 1) + 1;
        const b = src.indexOf('\n', at) === -1 ? src.length : src.indexOf('\n', at);
        const line = text.slice(a, b);
        text = line.trim() ? text.slice(0, a) + line.replace(/[^\n]/g, ' ') + text.slice(b) : text.slice(0, a);
      }
    }
  }
}

/** Parse a shell script into its words, redirections and operators. Never throws: problems are reported with their offsets. */
export function lexShell(src: string): ShellLex {
  const problems: Problem[] = [];
  let parsed: { file: mvdan.File; text: string };
  try {
    parsed = parseTolerant(src, problems);
  } catch (e) {
    problems.push({ message: `shell syntax: ${isParseError(e) ? e.Text : String(e)}`, offset: 0 });
    return { tokens: [], problems };
  }
  const { file, text } = parsed;
  const n = src.length;
  const at = indexOfByte(text);
  const type = kindOf;
  const tokens: ShellToken[] = [];
  const heredocs: { r: mvdan.Redirect; opAt: number; token: ShellRedirect }[] = [];

  const expansion = (part: ShNode, quoted: boolean): ExpansionSegment => {
    const start = at(part.Pos());
    return expansionSegment(text.slice(start, Math.min(at(part.End()), n)), start, quoted);
  };
  const textSeg = (raw: string, start: number, decoded: string): LiteralSegment => ({
    kind: 'text',
    text: decoded,
    start,
    end: start + raw.length,
    verbatim: decoded === raw,
  });
  // Each part's Pos and End are read once: every read through mvdan-sh's wrappers costs 30-100 µs.
  const segmentsOf = (parts: readonly ShNode[]): { segments: Segment[]; quoted: boolean; start: number; end: number } => {
    const out: Segment[] = [];
    let quoted = false;
    let first = -1;
    let last = -1;
    let cursor = -1;
    for (const part of parts) {
      const kind = type(part);
      // A literal's or single-quoted string's value is its source text: its end follows from its start.
      const pStart = cursor === -1 ? at(part.Pos()) : cursor;
      const pEnd = literalEnd(part, kind, pStart) ?? at(part.End());
      cursor = pEnd;
      if (first === -1) first = pStart;
      last = pEnd;
      if (kind === 'Lit') {
        const raw = text.slice(pStart, pEnd);
        out.push(
          textSeg(
            raw,
            pStart,
            raw.replace(/\\(\n|.)/gs, (_, c: string) => (c === '\n' ? '' : c)),
          ),
        );
      } else if (kind === 'SglQuoted') {
        quoted = true;
        const dollar = (part as mvdan.SglQuoted).Dollar;
        const start = pStart + (dollar ? 2 : 1);
        const raw = text.slice(start, pEnd - 1);
        out.push(textSeg(raw, start, dollar ? ansiC(raw) : raw));
      } else if (kind === 'DblQuoted') {
        quoted = true;
        const q = part as mvdan.DblQuoted;
        const open = pStart + (q.Dollar ? 2 : 1);
        const inners = q.Parts;
        if (inners.length === 0) out.push({ kind: 'text', text: '', start: open, end: open, verbatim: true });
        let icur = open;
        for (const inner of inners) {
          if (type(inner) !== 'Lit') {
            const x = expansion(inner, true);
            out.push(x);
            icur = x.start + x.raw.length;
            continue;
          }
          const value = (inner as mvdan.Lit).Value;
          const start = text.startsWith(value, icur) ? icur : at(inner.Pos());
          const raw = text.startsWith(value, start) ? value : text.slice(start, at(inner.End()));
          icur = start + raw.length;
          out.push(
            textSeg(
              raw,
              start,
              raw.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c)),
            ),
          );
        }
      } else if (kind === 'ExtGlob') {
        const raw = text.slice(pStart, pEnd);
        out.push(textSeg(raw, pStart, raw));
      } else out.push(expansionSegment(text.slice(pStart, Math.min(pEnd, n)), pStart, false));
    }
    return { segments: out, quoted, start: first, end: last };
  };
  const literalEnd = (part: ShNode, kind: string, start: number): number | undefined => {
    if (kind === 'Lit') {
      const value = (part as mvdan.Lit).Value;
      return text.startsWith(value, start) ? start + value.length : undefined;
    }
    if (kind === 'SglQuoted') {
      const q = part as mvdan.SglQuoted;
      const open = start + (q.Dollar ? 2 : 1);
      return text.startsWith(q.Value, open) && text[open + q.Value.length] === "'" ? open + q.Value.length + 1 : undefined;
    }
    return undefined;
  };
  const wordOf = (start: number, end: number, segments: Segment[], quoted: boolean): ShellWord => ({
    kind: 'word',
    segments: segments.map((s) => (s.kind === 'text' && s.end > n ? { ...s, end: n } : s)),
    start,
    end: Math.min(end, n),
    raw: text.slice(start, Math.min(end, n)),
    quoted,
    ...(end > n ? { unterminated: true as const } : {}),
  });
  const word = (w: mvdan.Word): ShellWord => {
    const parts = w.Parts;
    if (parts.length === 0) return wordOf(at(w.Pos()), at(w.End()), [], false);
    const { segments, quoted, start, end } = segmentsOf(parts);
    return wordOf(start, end, segments, quoted);
  };
  const assignWord = (a: mvdan.Assign): ShellWord => {
    const start = at(a.Pos());
    const end = at(a.End());
    const asWritten = () => wordOf(start, end, [textSeg(text.slice(start, end), start, text.slice(start, end))], false);
    const value = a.Value;
    if (a.Naked) return value ? word(value) : asWritten();
    if (!value || a.Array) return asWritten();
    const parts = value.Parts;
    if (parts.length === 0) return asWritten();
    const v = segmentsOf(parts);
    const prefix = text.slice(start, v.start);
    const head = v.segments[0];
    const segments: Segment[] =
      head?.kind === 'text' && head.verbatim && head.start === start + prefix.length
        ? [{ ...head, text: prefix + head.text, start }, ...v.segments.slice(1)]
        : [textSeg(prefix, start, prefix), ...v.segments];
    return wordOf(start, end, segments, v.quoted);
  };
  const keyword = (name: string, pos: Pos | number) => {
    const start = typeof pos === 'number' ? pos : at(pos);
    tokens.push(plainWord(name, start));
  };
  const op = (name: string, start: number) => tokens.push({ kind: 'op', op: name, start });
  const redirect = (r: mvdan.Redirect): ShellRedirect => {
    const opAt = at(r.OpPos);
    const name = REDIRECT_OP.exec(text.slice(opAt, opAt + 3))?.[1] ?? text.slice(opAt, opAt + 1);
    const fdLit = r.N;
    const fd = fdLit ? Number(fdLit.Value) : undefined;
    const start = fdLit ? at(fdLit.Pos()) : opAt;
    const w = r.Word;
    const target = w && !((name === '>&' || name === '<&') && /^[0-9-]+$/.test(w.Lit())) ? word(w) : undefined;
    const token: ShellRedirect = {
      kind: 'redirect',
      op: name,
      ...(fd !== undefined && !Number.isNaN(fd) ? { fd } : {}),
      ...(target ? { target } : {}),
      start,
    };
    if ((name === '<<' || name === '<<-') && w) heredocs.push({ r, opAt, token });
    return token;
  };

  const list = (stmts: readonly (mvdan.Stmt | null)[]) => {
    for (const s of stmts) {
      if (!s) continue;
      stmt(s);
      // the separator as written after the statement (reading it from the text spares a field read)
      const end = at(s.End());
      const sep = /^[ \t]*(;(?!;)|&(?!&))/.exec(text.slice(end, end + 40));
      if (s.Background) op('&', text[end - 1] === '&' ? end - 1 : end);
      else if (text[end - 1] === ';') op(';', end - 1);
      else if (sep?.[1] === ';') op(';', end + sep[0].length - 1);
      else op('\n', end);
    }
  };
  const stmt = (s: mvdan.Stmt): void => {
    if (s.Negated) keyword('!', s.Pos());
    const cmd = s.Cmd as ShNode | null;
    const kind = cmd ? type(cmd) : 'none';
    const redirs = s.Redirs.flatMap((r) => (r ? [redirect(r)] : []));
    if (kind === 'none' || kind === 'CallExpr' || kind === 'DeclClause') {
      const words: ShellWord[] = [];
      if (kind === 'CallExpr') {
        const c = cmd as mvdan.CallExpr;
        for (const a of c.Assigns) if (a) words.push(assignWord(a));
        for (const w of c.Args) if (w) words.push(word(w));
      } else if (kind === 'DeclClause') {
        const d = cmd as mvdan.DeclClause;
        if (d.Variant) words.push(plainWord(d.Variant.Value, at(d.Variant.Pos())));
        for (const a of d.Args) if (a) words.push(assignWord(a));
      }
      tokens.push(...[...words, ...redirs].sort((a, b) => a.start - b.start));
      return;
    }
    compound(cmd!, kind);
    tokens.push(...redirs);
  };
  const alone = (name: string, pos: Pos) => {
    keyword(name, pos);
    op(';', at(pos));
  };
  const ifClause = (c: mvdan.IfClause, first: boolean): void => {
    alone(first ? 'if' : c.Cond.length ? 'elif' : 'else', c.Position);
    if (c.Cond.length) {
      list(c.Cond);
      alone('then', c.ThenPos);
    }
    list(c.Then);
    if (c.Else) ifClause(c.Else, false);
    if (first) alone('fi', c.FiPos);
  };
  const compound = (cmd: ShNode, kind: string): void => {
    switch (kind) {
      case 'BinaryCmd': {
        const b = cmd as mvdan.BinaryCmd;
        if (b.X) stmt(b.X);
        const opAt = at(b.OpPos);
        op(/^(\|\||&&|\|&|\|)/.exec(text.slice(opAt, opAt + 2))?.[1] ?? '|', opAt);
        if (b.Y) stmt(b.Y);
        return;
      }
      case 'ForClause': {
        const f = cmd as mvdan.ForClause;
        keyword(f.Select ? 'select' : 'for', f.ForPos);
        if (type(f.Loop) === 'WordIter') {
          const it = f.Loop as mvdan.WordIter;
          if (it.Name) keyword(it.Name.Value, it.Name.Pos());
          if (it.InPos.IsValid()) {
            keyword('in', it.InPos);
            for (const w of it.Items) if (w) tokens.push(word(w));
          }
        }
        op(';', at(f.DoPos));
        alone('do', f.DoPos);
        list(f.Do);
        keyword('done', f.DonePos);
        return;
      }
      case 'WhileClause': {
        const w = cmd as mvdan.WhileClause;
        alone(w.Until ? 'until' : 'while', w.WhilePos);
        list(w.Cond);
        alone('do', w.DoPos);
        list(w.Do);
        keyword('done', w.DonePos);
        return;
      }
      case 'IfClause':
        return ifClause(cmd as mvdan.IfClause, true);
      case 'CaseClause': {
        const c = cmd as mvdan.CaseClause;
        keyword('case', c.Case);
        if (c.Word) tokens.push(word(c.Word));
        alone('in', c.In);
        for (const item of c.Items) {
          if (!item) continue;
          list(item.Stmts);
          op(';;', at(item.OpPos));
        }
        keyword('esac', c.Esac);
        return;
      }
      case 'Block': {
        const b = cmd as mvdan.Block;
        alone('{', b.Lbrace);
        list(b.Stmts);
        keyword('}', b.Rbrace);
        return;
      }
      case 'Subshell': {
        const s = cmd as mvdan.Subshell;
        op('(', at(s.Lparen));
        list(s.Stmts);
        op(')', at(s.Rparen));
        return;
      }
      case 'FuncDecl': {
        const f = cmd as mvdan.FuncDecl;
        if (f.Body) stmt(f.Body);
        return;
      }
      case 'TimeClause':
      case 'CoprocClause': {
        const inner = (cmd as mvdan.TimeClause).Stmt;
        if (inner) stmt(inner);
        return;
      }
      default: {
        // [[ ... ]], (( ... )), let: one word as written
        const start = at(cmd.Pos());
        const raw = text.slice(start, at(cmd.End()));
        tokens.push(wordOf(start, at(cmd.End()), [textSeg(raw, start, raw)], false));
      }
    }
  };
  list(file.Stmts);
  const bodies = hereDocBodies(heredocs, text, n, at, problems);
  if (bodies.size === 0) return { tokens, problems };
  return { tokens: tokens.map((t) => (t.kind === 'redirect' && bodies.has(t) ? { ...t, heredoc: bodies.get(t)! } : t)), problems };
}

/**
 * A node's type from the fields it has: \`in\` reads no field, while each read through mvdan-sh's wrappers (and its
 * NodeType) costs 30-100 µs.
 */
function kindOf(node: ShNode): string {
  if ('ValuePos' in node) return 'Lit';
  if ('Parts' in node) return 'Left' in node ? 'DblQuoted' : 'Word';
  if ('Dollar' in node && 'Value' in node) return 'SglQuoted';
  if ('Short' in node) return 'ParamExp';
  if ('Backquotes' in node) return 'CmdSubst';
  if ('Bracket' in node) return 'ArithmExp';
  if ('Assigns' in node) return 'CallExpr';
  if ('Variant' in node) return 'DeclClause';
  if ('Loop' in node) return 'ForClause';
  if ('InPos' in node) return 'WordIter';
  if ('Until' in node) return 'WhileClause';
  if ('ThenPos' in node) return 'IfClause';
  if ('Esac' in node) return 'CaseClause';
  if ('Lbrace' in node) return 'Block';
  if ('RsrvWord' in node) return 'FuncDecl';
  if ('PosixFormat' in node) return 'TimeClause';
  if ('Coproc' in node) return 'CoprocClause';
  return shell().NodeType(node);
}

/**
 * Here-document bodies, keyed by the offset of their `<<`: each starts on the line after its operator (or after the
 * previous body of that line) and ends at its delimiter line; the parser gives the expansions in it.
 */
function hereDocBodies(
  found: { r: mvdan.Redirect; opAt: number; token: ShellRedirect }[],
  text: string,
  n: number,
  at: (p: Pos) => number,
  problems: Problem[],
): Map<ShellRedirect, HereDoc> {
  const out = new Map<ShellRedirect, HereDoc>();
  let cursor = 0;
  for (const { r, opAt, token } of [...found].sort((x, y) => x.opAt - y.opAt)) {
    const stripTabs = text.startsWith('<<-', opAt);
    const delimWord = r.Word!;
    const delimiter = unquote(delimWord, text, at);
    const quoted = delimWord.Parts.some((p) => kindOf(p) !== 'Lit');
    const literal = quoted || text.slice(at(delimWord.Pos()), at(delimWord.End())).includes('\\');
    const eol = text.indexOf('\n', at(delimWord.End()));
    const start = Math.max(cursor, eol === -1 ? text.length : eol + 1);
    // the delimiter line
    let j = start;
    let end = text.length;
    let after = text.length;
    while (j < text.length) {
      const e = text.indexOf('\n', j);
      const lineEnd = e === -1 ? text.length : e;
      let s = j;
      if (stripTabs) while (s < lineEnd && text[s] === '\t') s++;
      if (text.slice(s, lineEnd).replace(/\r$/, '') === delimiter) {
        end = j;
        after = e === -1 ? text.length : e + 1;
        break;
      }
      j = e === -1 ? text.length : e + 1;
    }
    cursor = after;
    const terminated = end < n;
    if (!terminated) problems.push({ message: `here-document not terminated by ${delimiter}`, offset: r.N ? at(r.N.Pos()) : opAt });
    const bodyEnd = Math.min(end, n);
    const hdoc = literal ? null : r.Hdoc;
    const expansions = hdoc ? hdoc.Parts.filter((p) => kindOf(p) !== 'Lit') : [];
    const segments: Segment[] = [];
    let k = start;
    for (const x of [...expansions, null]) {
      const xs = x ? at(x.Pos()) : bodyEnd;
      if (xs < k || xs > bodyEnd) continue;
      segments.push(...bodyText(text, k, xs, start, stripTabs, literal));
      if (!x) break;
      const xe = at(x.End());
      segments.push(expansionSegment(text.slice(xs, Math.min(xe, n)), xs, true));
      k = xe;
    }
    out.set(token, { delimiter, stripTabs, literal, segments: mergeText(segments), start, terminated });
  }
  return out;
}

/** The text of a here-document between `a` and `b`, line by line (leading tabs stripped for `<<-`). */
function bodyText(text: string, a: number, b: number, bodyStart: number, stripTabs: boolean, literal: boolean): Segment[] {
  const out: Segment[] = [];
  let k = a;
  while (k < b) {
    const e = text.indexOf('\n', k);
    const lineEnd = e === -1 || e >= b ? b : e + 1;
    let s = k;
    if (stripTabs && (k === bodyStart || text[k - 1] === '\n')) while (s < lineEnd && text[s] === '\t') s++;
    const raw = text.slice(s, lineEnd);
    const decoded = literal ? raw : raw.replace(/\\([$`\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
    if (raw.length) out.push({ kind: 'text', text: decoded, start: s, end: lineEnd, verbatim: decoded === raw });
    k = lineEnd;
  }
  return out;
}

/** A here-document delimiter word without its quotes. */
function unquote(w: mvdan.Word, text: string, at: (p: Pos) => number): string {
  let out = '';
  for (const p of w.Parts) {
    const kind = kindOf(p);
    if (kind === 'SglQuoted') out += (p as mvdan.SglQuoted).Value;
    else if (kind === 'DblQuoted') out += (p as mvdan.DblQuoted).Parts.map((x) => text.slice(at(x.Pos()), at(x.End()))).join('');
    else out += text.slice(at(p.Pos()), at(p.End())).replace(/\\(.)/gs, '$1');
  }
  return out;
}

/** A keyword or a name as a word. */
function plainWord(name: string, start: number): ShellWord {
  const end = start + name.length;
  return { kind: 'word', segments: [{ kind: 'text', text: name, start, end, verbatim: true }], start, end, raw: name, quoted: false };
}

/** `$NAME`, `${NAME}`, `${NAME:-word}`: the variable's name and literal default; other expansions have neither. */
function expansionSegment(raw: string, start: number, quoted: boolean): ExpansionSegment {
  const m = SIMPLE.exec(raw) ?? BRACED.exec(raw);
  const op = m?.[2];
  const fallback = (op === ':-' || op === '-' || op === ':=' || op === '=') && !/[$`"'\\]/.test(m?.[3] ?? '') ? m?.[3] : undefined;
  return { kind: 'expansion', raw, ...(m ? { name: m[1]! } : {}), ...(fallback !== undefined ? { fallback } : {}), start, quoted };
}

/** `$'...'` quoting: the escapes bash decodes. */
function ansiC(raw: string): string {
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|.)/gs, (all, e: string) => {
    if (e in ANSI) return ANSI[e]!;
    if (/^x[0-9a-fA-F]/.test(e)) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[uU][0-9a-fA-F]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return all;
  });
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
