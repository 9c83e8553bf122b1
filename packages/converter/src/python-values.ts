// String resolution for Python scripts (issue 21's split of python-extract.ts): the values
// the extractor tracks, and Python's string formatting over constants.
import type { CatalogVal } from './python-catalog.js';
import { pythonRepr } from './python-strings.js';

/** A statically known string, or a partly known one. */
export interface Str {
  readonly kind: 'str';
  /** Resolved text; unresolved parts as written. */
  readonly text: string;
  readonly dynamic: boolean;
  readonly reasons: readonly string[];
  /** File offsets of the first literal's content start and the last literal's content end; null when no literal is involved. */
  readonly from: number | null;
  readonly to: number | null;
  /** A single verbatim literal, untouched. */
  readonly exact: boolean;
  /** Wrapped in SQLAlchemy `text()`; `textId` identifies the wrapper call. */
  readonly textCall?: number;
  /** Nothing of it is known (a run-time value). */
  readonly opaque?: boolean;
  /** Python `None` (SQL NULL as a parameter value). */
  readonly none?: true;
}
export interface List {
  readonly kind: 'list';
  readonly items: readonly Val[];
}
export interface Dict {
  readonly kind: 'dict';
  readonly entries: ReadonlyMap<string, Val>;
}
export interface Unknown {
  readonly kind: 'unknown';
  readonly reason: string;
}
/** A file opened from a constant path (`open('x.sql')`, `Path('x.sql')`), or its contents (`.read()`). */
export interface FileVal {
  readonly kind: 'file' | 'contents';
  readonly path: string;
}
export type Val = Str | List | Dict | Unknown | FileVal | CatalogVal;

export type Env = Map<string, Val>;

export const unknown = (reason: string): Unknown => ({ kind: 'unknown', reason });
export const synth = (text: string): Str => ({ kind: 'str', text, dynamic: false, reasons: [], from: null, to: null, exact: false });

export function concat(a: Str, b: Str): Str {
  return {
    kind: 'str',
    text: a.text + b.text,
    dynamic: a.dynamic || b.dynamic,
    reasons: [...a.reasons, ...b.reasons],
    from: a.from ?? b.from,
    to: b.to ?? a.to,
    exact: false,
  };
}

/** Turn any value into a string for formatting (Python `str()` of a constant). */
export function asStr(v: Val, written: string): Str {
  if (v.kind === 'str') return v;
  if (v.kind === 'list') {
    const parts = v.items.map((x) => (x.kind === 'str' ? x : null));
    if (parts.every((p) => p !== null)) return synth(`(${parts.map((p) => pythonRepr(p!.text)).join(', ')})`);
  }
  const reason = v.kind === 'unknown' ? v.reason : `${written} is not a constant string`;
  return { kind: 'str', text: written, dynamic: true, reasons: [reason], from: null, to: null, exact: false };
}

/** Python `%` formatting with constant arguments. */
export function percentFormat(fmt: Str, arg: Val, written: string): Str {
  if (arg.kind === 'unknown') return { ...fmt, dynamic: true, reasons: [...fmt.reasons, `% ${written}: ${arg.reason}`], exact: false };
  const positional = arg.kind === 'list' ? arg.items : arg.kind === 'str' ? [arg] : [];
  const named = arg.kind === 'dict' ? arg.entries : null;
  let k = 0;
  let out = '';
  let dynamic = fmt.dynamic;
  const reasons = [...fmt.reasons];
  const s = fmt.text;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^%(\(([^)]*)\))?[-#0 +]*(\d+|\*)?(\.\d+)?([sriduoxXeEfFgGc%])/.exec(s.slice(i));
    if (!m) {
      out += c;
      continue;
    }
    i += m[0].length - 1;
    const conv = m[5]!;
    if (conv === '%') {
      out += '%';
      continue;
    }
    const v = m[2] !== undefined ? named?.get(m[2]) : positional[k++];
    if (v && v.kind === 'str' && !v.dynamic) out += conv === 'r' ? pythonRepr(v.text) : v.text;
    else {
      out += m[0];
      dynamic = true;
      reasons.push(`${m[0]} in a % format has no constant argument`);
    }
  }
  return { kind: 'str', text: out, dynamic, reasons, from: fmt.from, to: fmt.to, exact: false };
}

/** `str.format` with constant arguments. */
export function strFormat(fmt: Str, positional: Val[], keywords: Map<string, Val>): Str {
  const s = fmt.text;
  let out = '';
  let auto = 0;
  let dynamic = fmt.dynamic;
  const reasons = [...fmt.reasons];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c === '{' || c === '}') && s[i + 1] === c) {
      out += c;
      i++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    const end = s.indexOf('}', i);
    if (end === -1) {
      out += s.slice(i);
      break;
    }
    const field = s.slice(i + 1, end);
    i = end;
    const m = /^([A-Za-z_][A-Za-z0-9_]*|\d*)(![rsa])?(:.*)?$/.exec(field);
    let v: Val | undefined;
    if (m) v = m[1] === '' ? positional[auto++] : /^\d+$/.test(m[1]!) ? positional[Number(m[1])] : keywords.get(m[1]!);
    if (v && v.kind === 'str' && !v.dynamic) out += m?.[2] === '!r' ? pythonRepr(v.text) : v.text;
    else {
      out += `{${field}}`;
      dynamic = true;
      reasons.push(`{${field}} in .format() has no constant argument`);
    }
  }
  return { kind: 'str', text: out, dynamic, reasons, from: fmt.from, to: fmt.to, exact: false };
}

export function dedent(s: string): string {
  const lines = s.split('\n');
  let common: string | null = null;
  for (const l of lines) {
    if (!l.trim()) continue;
    const ws = /^[ \t]*/.exec(l)![0];
    if (common === null || !ws.startsWith(common)) {
      let k = 0;
      const base: string = common ?? ws;
      while (k < base.length && k < ws.length && base[k] === ws[k]) k++;
      common = base.slice(0, k);
    }
  }
  const cut = common?.length ?? 0;
  return lines.map((l) => (l.trim() ? l.slice(cut) : l.replace(/^[ \t]+$/, ''))).join('\n');
}

export function joinPath(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  return a.endsWith('/') || a === '' ? a + b : `${a}/${b}`;
}
