import type { SyntaxNode } from '@lezer/common';

/** A Python value as far as it is known statically. */
export type PyVal =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list'; items: PyVal[] }
  | { kind: 'dict'; entries: [PyVal, PyVal][] }
  /** A dotted name, e.g. `sa.Integer`, `postgresql.JSONB`. */
  | { kind: 'name'; name: string }
  /** A call of a dotted name with its arguments. */
  | { kind: 'call'; name: string; args: PyVal[]; kwargs: Record<string, PyVal> }
  | { kind: 'unknown'; text: string };

const SKIP = new Set(['(', ')', '[', ']', '{', '}', ',', ':', 'Comment']);

/** The children of a node without punctuation. */
export function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!SKIP.has(c.name) && !c.type.isError) out.push(c);
  return out;
}

/** Decode a Python string literal (prefixes r, b, u; single, double and triple quotes; the usual escapes). */
export function decodeString(raw: string): string {
  const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(raw);
  if (!m) return raw;
  const prefix = m[1]!.toLowerCase();
  const q = m[2]!;
  let body = raw.slice(m[0].length);
  if (body.endsWith(q)) body = body.slice(0, -q.length);
  if (prefix.includes('r')) return body;
  return body.replace(/\\(\n|\\|'|"|a|b|f|n|r|t|v|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[0-7]{1,3}|.)/g, (_w, e: string) => {
    switch (e[0]) {
      case '\n':
        return '';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'x':
      case 'u':
        return e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : `\\${e}`;
      default:
        if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return e === '\\' || e === "'" || e === '"' ? e : `\\${e}`;
    }
  });
}

/** Evaluate an expression node as far as is known statically; `names` are module-level constants. */
export function evalPy(text: string, node: SyntaxNode, names: ReadonlyMap<string, PyVal> = new Map()): PyVal {
  const src = text.slice(node.from, node.to);
  switch (node.name) {
    case 'String':
      return { kind: 'str', value: decodeString(src) };
    case 'ContinuedString': {
      return {
        kind: 'str',
        value: kids(node)
          .map((k) => decodeString(text.slice(k.from, k.to)))
          .join(''),
      };
    }
    case 'FormatString':
      return { kind: 'unknown', text: src };
    case 'Number':
      return { kind: 'num', value: src };
    case 'Boolean':
      return { kind: 'bool', value: src === 'True' };
    case 'None':
      return { kind: 'none' };
    case 'UnaryExpression': {
      const v = kids(node).at(-1);
      const e = v ? evalPy(text, v, names) : undefined;
      return e?.kind === 'num' && src.trim().startsWith('-') ? { kind: 'num', value: `-${e.value}` } : { kind: 'unknown', text: src };
    }
    case 'ParenthesizedExpression': {
      const k = kids(node);
      return k.length === 1 ? evalPy(text, k[0]!, names) : { kind: 'unknown', text: src };
    }
    case 'TupleExpression':
    case 'ArrayExpression':
      return { kind: 'list', items: kids(node).map((k) => evalPy(text, k, names)) };
    case 'DictionaryExpression': {
      const k = kids(node);
      const entries: [PyVal, PyVal][] = [];
      for (let i = 0; i + 1 < k.length; i += 2) entries.push([evalPy(text, k[i]!, names), evalPy(text, k[i + 1]!, names)]);
      return { kind: 'dict', entries };
    }
    case 'VariableName':
      return names.get(src) ?? { kind: 'name', name: src };
    case 'MemberExpression': {
      const d = dotted(text, node);
      return d ? { kind: 'name', name: d } : { kind: 'unknown', text: src };
    }
    case 'BinaryExpression': {
      const k = kids(node);
      const op = k.find((c) => c.name === 'ArithOp');
      if (k.length === 3 && op && text.slice(op.from, op.to) === '+') {
        const a = evalPy(text, k[0]!, names);
        const b = evalPy(text, k[2]!, names);
        if (a.kind === 'str' && b.kind === 'str') return { kind: 'str', value: a.value + b.value };
      }
      return { kind: 'unknown', text: src };
    }
    case 'CallExpression': {
      const k = kids(node);
      const callee = k[0];
      const argList = k.find((c) => c.name === 'ArgList');
      const name = callee ? dotted(text, callee) : undefined;
      if (!name || !argList) return { kind: 'unknown', text: src };
      const args: PyVal[] = [];
      const kwargs: Record<string, PyVal> = {};
      const a = kids(argList);
      for (let i = 0; i < a.length; i++) {
        const c = a[i]!;
        if (c.name === 'VariableName' && a[i + 1]?.name === 'AssignOp') {
          kwargs[text.slice(c.from, c.to)] = a[i + 2] ? evalPy(text, a[i + 2]!, names) : { kind: 'unknown', text: '' };
          i += 2;
        } else if (c.name === '*' || c.name === '**' || text.slice(c.from, c.to) === '*' || text.slice(c.from, c.to) === '**') {
          args.push({ kind: 'unknown', text: `*${a[i + 1] ? text.slice(a[i + 1]!.from, a[i + 1]!.to) : ''}` });
          i += 1;
        } else args.push(evalPy(text, c, names));
      }
      return { kind: 'call', name, args, kwargs };
    }
    default:
      return { kind: 'unknown', text: src };
  }
}

/** `a.b.c` of a VariableName / MemberExpression chain. */
export function dotted(text: string, node: SyntaxNode): string | undefined {
  if (node.name === 'VariableName') return text.slice(node.from, node.to);
  if (node.name === 'MemberExpression') {
    const k = kids(node).filter((c) => c.name !== '.');
    if (k.length !== 2 || k[1]!.name !== 'PropertyName') return undefined;
    const left = dotted(text, k[0]!);
    return left ? `${left}.${text.slice(k[1]!.from, k[1]!.to)}` : undefined;
  }
  return undefined;
}

/** A string value, or undefined. */
export const str = (v: PyVal | undefined): string | undefined => (v?.kind === 'str' ? v.value : undefined);
