// String resolution for Python scripts: literals, f-strings, concatenation, format calls, names bound earlier,
// and what a catalogue query or an inspector call returns.
import type { SyntaxNode } from '@lezer/common';
import { decodeEscapes, decodePythonLiteral, literalParts, pythonRepr } from './python-strings.js';
import { asStr, concat, dedent, joinPath, percentFormat, strFormat, synth, unknown, type Str, type Val } from './python-values.js';
import { catalogOfInspector, catalogOfSql, type CatalogVal, type ParamOf } from './python-catalog.js';
import { children } from './python-nodes.js';
import { TEXT_WRAPPERS, type Ctx, type Scope, src, warn, parseArgs, calleeName, isSqlCall } from './python-context.js';

function evalLiteral(ctx: Ctx, node: SyntaxNode): Str {
  const raw = src(ctx, node);
  const lit = decodePythonLiteral(raw);
  const from = node.from + lit.contentStart;
  const to = node.from + lit.contentEnd;
  if (!lit.terminated) {
    warn(ctx, node.from, 'unterminated string literal');
    return { kind: 'str', text: lit.value, dynamic: true, reasons: ['unterminated string literal'], from, to, exact: false };
  }
  return { kind: 'str', text: lit.value, dynamic: false, reasons: [], from, to, exact: lit.verbatim };
}

function evalFString(ctx: Ctx, node: SyntaxNode, scope: Scope): Str {
  const raw = src(ctx, node);
  const parts = literalParts(raw);
  const isRaw = parts.prefix.includes('r');
  const from = node.from + parts.contentStart;
  const to = node.from + parts.contentEnd;
  if (!parts.terminated) warn(ctx, node.from, 'unterminated string literal');
  let text = '';
  let dynamic = !parts.terminated;
  const reasons: string[] = parts.terminated ? [] : ['unterminated string literal'];
  let verbatim = true;
  const literal = (a: number, b: number) => {
    const chunk = ctx.text.slice(a, b);
    let v = chunk.replaceAll('{{', '{').replaceAll('}}', '}');
    if (!isRaw) v = decodeEscapes(v, false);
    if (v !== chunk) verbatim = false;
    text += v;
  };
  let pos = from;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'FormatReplacement') continue;
    literal(pos, c.from);
    pos = c.to;
    verbatim = false;
    const inner = children(c).filter((k) => k.name !== 'FormatSpec' && k.name !== 'FormatConversion' && k.name !== '=');
    const conv = children(c).find((k) => k.name === 'FormatConversion');
    const written = src(ctx, c);
    const expr = inner[0];
    const v = expr ? evalExpr(ctx, expr, scope) : unknown('empty placeholder');
    if (v.kind === 'str' && !v.dynamic) {
      text += conv && src(ctx, conv) === '!r' ? pythonRepr(v.text) : v.text;
    } else {
      text += written;
      dynamic = true;
      reasons.push(v.kind === 'unknown' ? `placeholder ${written}: ${v.reason}` : `placeholder ${written} is not a constant string`);
    }
  }
  literal(pos, to);
  return { kind: 'str', text, dynamic, reasons, from, to, exact: verbatim && !dynamic };
}

export function evalExpr(ctx: Ctx, node: SyntaxNode, scope: Scope): Val {
  switch (node.name) {
    case 'String':
      return evalLiteral(ctx, node);
    case 'FormatString':
      return evalFString(ctx, node, scope);
    case 'ContinuedString': {
      let acc: Str | null = null;
      for (const c of children(node)) {
        const v = c.name === 'FormatString' ? evalFString(ctx, c, scope) : evalLiteral(ctx, c);
        acc = acc ? concat(acc, v) : v;
      }
      return acc ? { ...acc, exact: false } : synth('');
    }
    case 'Number':
      return synth(src(ctx, node));
    case 'Boolean':
      return synth(src(ctx, node));
    case 'None':
      return { ...synth('None'), none: true };
    case 'VariableName': {
      const name = src(ctx, node);
      const v = scope.env.get(name);
      return v ?? unknown(`\`${name}\` is not bound to a constant in this file`);
    }
    case 'ParenthesizedExpression': {
      const inner = children(node);
      return inner.length === 1 ? evalExpr(ctx, inner[0]!, scope) : unknown('not a constant');
    }
    case 'ArrayExpression':
    case 'TupleExpression':
    case 'SetExpression': {
      const items = children(node);
      if (items.some((i) => i.name === 'for' || i.name.endsWith('Comprehension'))) return unknown('a comprehension');
      return { kind: 'list', items: items.map((i) => evalExpr(ctx, i, scope)) };
    }
    case 'DictionaryExpression': {
      const kids = children(node);
      const entries = new Map<string, Val>();
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const k = evalExpr(ctx, kids[i]!, scope);
        if (k.kind !== 'str' || k.dynamic) return unknown('a dictionary with non-constant keys');
        entries.set(k.text, evalExpr(ctx, kids[i + 1]!, scope));
      }
      return { kind: 'dict', entries };
    }
    case 'BinaryExpression': {
      const kids = children(node);
      if (kids.length !== 3) return unknown('not a constant');
      const [l, op, r] = kids as [SyntaxNode, SyntaxNode, SyntaxNode];
      const opText = src(ctx, op);
      const left = evalExpr(ctx, l, scope);
      if (opText === '+') {
        const right = evalExpr(ctx, r, scope);
        if (left.kind === 'str' || right.kind === 'str') return concat(asStr(left, src(ctx, l)), asStr(right, src(ctx, r)));
        return unknown(`${src(ctx, node)} is not a constant string`);
      }
      if (opText === '%' && left.kind === 'str') return percentFormat(left, evalExpr(ctx, r, scope), src(ctx, r));
      if (opText === '/' && left.kind === 'file') {
        const right = evalExpr(ctx, r, scope);
        if (right.kind === 'str' && !right.dynamic) return { kind: 'file', path: joinPath(left.path, right.text) };
      }
      return unknown(`${src(ctx, node)} is not a constant string`);
    }
    case 'CallExpression':
      return evalCall(ctx, node, scope);
    case 'ArrayComprehensionExpression':
    case 'SetComprehensionExpression':
    case 'DictionaryComprehensionExpression': {
      // [r[0] for r in cur.fetchall()]: a listing stays one
      const kids = children(node);
      const inAt = kids.findIndex((k) => k.name === 'in');
      const it = inAt >= 0 ? kids[inAt + 1] : undefined;
      const v = it ? evalExpr(ctx, it, scope) : undefined;
      return v?.kind === 'catalog' && v.list ? v : unknown('a comprehension');
    }
    case 'MemberExpression': {
      // row[0] of an existence query's answer is the answer
      const recv = node.firstChild;
      const v = recv && node.getChild('[') ? evalExpr(ctx, recv, scope) : undefined;
      return v?.kind === 'catalog' && v.check ? v : unknown(`\`${src(ctx, node).slice(0, 40)}\` is computed at run time`);
    }
    case 'AwaitExpression': {
      const inner = children(node).filter((k) => k.name !== 'await');
      return inner.length === 1 ? evalExpr(ctx, inner[0]!, scope) : unknown('not a constant');
    }
    default:
      return unknown(`\`${src(ctx, node).slice(0, 40)}\` is computed at run time`);
  }
}

function evalCall(ctx: Ctx, node: SyntaxNode, scope: Scope): Val {
  const callee = node.firstChild!;
  // Calling a string literal is never valid Python: it is how the parser recovers
  // from an unterminated string, which swallowed what follows it.
  if (callee.name === 'String' || callee.name === 'ContinuedString' || callee.name === 'FormatString') return evalExpr(ctx, callee, scope);
  const argList = node.getChild('ArgList');
  const args = parseArgs(ctx, argList);
  const { full, last } = calleeName(ctx, callee);
  if (TEXT_WRAPPERS.has(last) && args.positional[0]) {
    const v = evalExpr(ctx, args.positional[0], scope);
    if (v.kind === 'str') return { ...v, textCall: node.from };
    return v;
  }
  // psycopg2.sql composition: sql.SQL("... {} ...").format(sql.Identifier(t), sql.Literal(v))
  if ((last === 'SQL' || last === 'Identifier' || last === 'Literal') && (callee.name === 'VariableName' || /(^|\.)sql\.\w+$/.test(full))) {
    const parts = args.positional.map((a) => evalExpr(ctx, a, scope));
    if (args.star || parts.length === 0 || parts.some((p) => p.kind !== 'str' || p.dynamic)) {
      return unknown(`\`${full}(...)\` has a run-time argument`);
    }
    const texts = parts.map((p) => (p as Str).text);
    if (last === 'SQL') return parts[0]!;
    if (last === 'Identifier') return synth(texts.map((t) => `"${t.replaceAll('"', '""')}"`).join('.'));
    return synth(`'${texts[0]!.replaceAll("'", "''")}'`);
  }
  if (callee.name === 'MemberExpression') {
    const receiver = callee.firstChild!;
    const method = last;
    if (method === 'format') {
      const fmt = evalExpr(ctx, receiver, scope);
      if (fmt.kind !== 'str') return unknown(`${full}: the format string is not a constant`);
      if (args.star) return { ...fmt, dynamic: true, reasons: [...fmt.reasons, '.format(*args) is not constant'], exact: false };
      const kw = new Map<string, Val>();
      for (const [k, v] of parseArgs(ctx, argList).keywords) kw.set(k, evalExpr(ctx, v, scope));
      return strFormat(
        fmt,
        args.positional.map((a) => evalExpr(ctx, a, scope)),
        kw,
      );
    }
    if (method === 'join' && args.positional.length === 1) {
      const sep = evalExpr(ctx, receiver, scope);
      const list = evalExpr(ctx, args.positional[0]!, scope);
      if (sep.kind === 'str' && list.kind === 'list') {
        let acc: Str | null = null;
        for (const item of list.items) {
          const s = asStr(item, '…');
          acc = acc ? concat(concat(acc, { ...sep, from: null, to: null }), s) : s;
        }
        return acc ? { ...acc, exact: false } : synth('');
      }
      return unknown(`${full}(...) is not constant`);
    }
    // SQLAlchemy text(...).bindparams(...)/.columns(...), psycopg2 Composed.as_string(conn): same SQL
    if (['bindparams', 'columns', 'execution_options', 'as_string'].includes(method)) {
      return evalExpr(ctx, receiver, scope);
    }
    if (['strip', 'lstrip', 'rstrip', 'upper', 'lower'].includes(method) && args.positional.length === 0) {
      const v = evalExpr(ctx, receiver, scope);
      if (v.kind !== 'str') return v;
      const t =
        method === 'strip'
          ? v.text.trim()
          : method === 'lstrip'
            ? v.text.trimStart()
            : method === 'rstrip'
              ? v.text.trimEnd()
              : method === 'upper'
                ? v.text.toUpperCase()
                : v.text.toLowerCase();
      // strip() keeps offsets valid only from a shifted start; mapping becomes approximate.
      return { ...v, text: t, exact: false };
    }
  }
  // open('x.sql').read(), Path('x.sql').read_text(), os.path.join(DIR, 'x.sql'): an include, like psql -f
  if (
    (full === 'open' || full === 'io.open' || full === 'Path' || full === 'pathlib.Path' || full === 'codecs.open') &&
    args.positional[0]
  ) {
    const p = evalExpr(ctx, args.positional[0], scope);
    if (p.kind === 'str' && !p.dynamic) return { kind: 'file', path: p.text };
    if (p.kind === 'file') return p;
    return unknown(`\`${full}(...)\` opens a path computed at run time`);
  }
  if ((full === 'os.path.join' || full === 'path.join' || full === 'posixpath.join') && args.positional.length > 0) {
    const parts = args.positional.map((a) => evalExpr(ctx, a, scope));
    if (parts.every((x) => x.kind === 'str' && !x.dynamic)) return synth(parts.map((x) => (x as Str).text).reduce(joinPath));
    return unknown(`\`${full}(...)\` has a run-time part`);
  }
  if (callee.name === 'MemberExpression' && (last === 'read' || last === 'read_text' || last === 'read_bytes')) {
    const f = evalExpr(ctx, callee.firstChild!, scope);
    if (f.kind === 'file') return { kind: 'contents', path: f.path };
    if (f.kind === 'unknown') return unknown(`\`${full}()\` reads a file: ${f.reason}`);
  }
  if ((full === 'dedent' || full === 'textwrap.dedent' || full === 'str') && args.positional.length === 1) {
    const v = evalExpr(ctx, args.positional[0]!, scope);
    if (v.kind !== 'str' || full === 'str') return v;
    return { ...v, text: dedent(v.text), exact: false };
  }
  const cat = catalogOfCall(ctx, node, scope, full, last, args);
  if (cat) return cat;
  return unknown(`\`${full}(...)\` is computed at run time`);
}

/** Result rows of a catalogue query (`cur.fetchall()` after one, `conn.execute(text(...))`), an inspector's listing. */
const FETCH_METHODS = new Set([
  'fetchall',
  'fetchone',
  'fetchmany',
  'scalar',
  'scalar_one',
  'scalar_one_or_none',
  'first',
  'one',
  'one_or_none',
  'all',
  'scalars',
  'mappings',
  'fetchval',
  'fetchrow',
  'fetch',
]);

const INSPECTOR_METHODS = new Set([
  'get_columns',
  'get_table_names',
  'get_indexes',
  'get_unique_constraints',
  'get_foreign_keys',
  'get_check_constraints',
  'has_table',
  'has_index',
]);

/** A call's constant query parameters: a tuple/list by position, a dict by name. */
export function paramOf(ctx: Ctx, node: SyntaxNode | undefined, scope: Scope): ParamOf {
  const v = node ? evalExpr(ctx, node, scope) : undefined;
  const known = (x: Val | undefined) => (x?.kind === 'str' && !x.dynamic && !x.none ? x.text : undefined);
  return ({ index, name }) => {
    if (v?.kind === 'list' && index !== undefined) return known(v.items[index]);
    if (v?.kind === 'str' && index === 0) return known(v);
    if (v?.kind === 'dict' && name !== undefined) return known(v.entries.get(name));
    return undefined;
  };
}

function catalogOfCall(
  ctx: Ctx,
  node: SyntaxNode,
  scope: Scope,
  full: string,
  last: string,
  args: ReturnType<typeof parseArgs>,
): CatalogVal | undefined {
  const callee = node.firstChild!;
  if (['set', 'list', 'sorted', 'frozenset', 'tuple', 'bool', 'dict'].includes(full)) {
    // set(cols), set(r[0] for r in cur.fetchall())
    const kids = children(node.getChild('ArgList') ?? node);
    const inAt = kids.findIndex((k) => k.name === 'in');
    const it =
      kids.some((k) => k.name === 'for') && inAt >= 0 ? kids[inAt + 1] : args.positional.length === 1 ? args.positional[0] : undefined;
    const v = it ? evalExpr(ctx, it, scope) : undefined;
    return v?.kind === 'catalog' ? v : undefined;
  }
  if (callee.name !== 'MemberExpression') return undefined;
  const recv = callee.firstChild!;
  if (FETCH_METHODS.has(last) && args.positional[0]) {
    // asyncpg: await conn.fetchval("SELECT 1 FROM information_schema.columns WHERE table_name = $1 ...", 'users')
    const q = evalExpr(ctx, args.positional[0], scope);
    if (q.kind !== 'str' || q.dynamic) return undefined;
    return catalogOfSql(q.text, ({ index }) => {
      const a = index === undefined ? undefined : args.positional[index + 1];
      const v = a ? evalExpr(ctx, a, scope) : undefined;
      return v?.kind === 'str' && !v.dynamic && !v.none ? v.text : undefined;
    });
  }
  if (FETCH_METHODS.has(last)) {
    const known = ctx.lastCatalog.get(src(ctx, recv).replace(/\s+/g, ''));
    if (known) return known;
    const v =
      recv.name === 'VariableName' || recv.name === 'CallExpression' || recv.name === 'MemberExpression'
        ? evalExpr(ctx, recv, scope)
        : undefined;
    return v?.kind === 'catalog' ? v : undefined;
  }
  const site = isSqlCall(ctx, node);
  if (site?.kind === 'exec' && !site.wrapper) {
    const first = args.positional[site.argIndex ?? 0];
    const v = first ? evalExpr(ctx, first, scope) : undefined;
    const p = args.positional[(site.argIndex ?? 0) + 1];
    return v?.kind === 'str' && !v.dynamic ? catalogOfSql(v.text, paramOf(ctx, p, scope)) : undefined;
  }
  if (!INSPECTOR_METHODS.has(last)) return undefined;
  const consts = args.positional.map((a) => {
    const v = evalExpr(ctx, a, scope);
    return v.kind === 'str' && !v.dynamic ? v.text : undefined;
  });
  return catalogOfInspector(last, consts);
}

// ---------- SQL calls ----------
