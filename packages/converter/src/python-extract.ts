// Stays whole: the statement walk and call detection thread one scope model (env, guard, iteration) through every visitor; string values live in python-values.ts, guards in python-guards.ts.
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { dedupeIterations } from './fragments.js';
import { LineIndex } from './line-index.js';
import { decodeEscapes, decodePythonLiteral, literalParts, pythonRepr } from './python-strings.js';
import { rewritePlaceholders } from './sql-placeholders.js';
import { asStr, concat, dedent, joinPath, percentFormat, strFormat, synth, unknown, type Env, type Str, type Val } from './python-values.js';
import { callArgs, catalogOfInspector, catalogOfSql, children, exceptionGuard, GuardBook, guardOfCondition, PUNCT, type CatalogVal, type GuardHost, type ParamOf } from './python-guards.js';
import type { ExtractionWarning, ParamStyle, SqlFragment, SqlGuard } from './types.js';

/** Methods that run the SQL given as first argument (DB-API, SQLAlchemy, Alembic `op.execute`). */
const SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'exec_driver_sql', 'copy_expert']);
/** Wrappers whose first argument is SQL text (SQLAlchemy). */
const TEXT_WRAPPERS = new Set(['text', 'DDL']);
/** Keyword names under which DB-API/SQLAlchemy calls take their parameters. */
const PARAM_KEYWORDS = new Set(['params', 'parameters', 'vars', 'args', 'parameters_list']);

interface Ctx {
  readonly text: string;
  readonly lines: LineIndex;
  readonly fragments: SqlFragment[];
  readonly warnings: ExtractionWarning[];
  readonly calls: ReadonlySet<string>;
  /** Functions of this file that pass one of their parameters to an SQL call (`def run_sql(cur, sql): cur.execute(sql)`). */
  readonly wrappers: Map<string, Wrapper>;
  /** text() values bound to names, not yet executed: emitted at the end. */
  readonly pendingText: Map<number, { value: Val; node: SyntaxNode; scope?: Scope }>;
  readonly warned: Set<number>;
  /** Module-level single-assignment constants (set before the walk). */
  globals?: Env;
  /** The helpers conditions can call (set before the walk). */
  guards?: GuardBook;
  /** What the last catalogue query run through a cursor returns (`cur` → the columns of users). */
  readonly lastCatalog: Map<string, CatalogVal>;
}

interface Scope {
  env: Env;
  readonly guard: SqlGuard | undefined;
  readonly iteration: Readonly<Record<string, string>> | undefined;
}

function src(ctx: Ctx, node: SyntaxNode): string {
  return ctx.text.slice(node.from, node.to);
}

function warn(ctx: Ctx, offset: number, message: string): void {
  if (ctx.warned.has(offset)) return;
  ctx.warned.add(offset);
  ctx.warnings.push({ message, ...ctx.lines.position(offset) });
}

// ---------- expressions ----------

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

/** A call's positional and keyword arguments: the guards module's parser, one for both. */
const parseArgs = (ctx: Ctx, argList: SyntaxNode | null) => callArgs(ctx.text, argList);

function calleeName(ctx: Ctx, callee: SyntaxNode): { full: string; last: string } {
  const full = src(ctx, callee).replace(/\s+/g, '');
  const last = callee.name === 'MemberExpression' ? (callee.lastChild ? src(ctx, callee.lastChild) : full) : full;
  return { full, last };
}

function evalExpr(ctx: Ctx, node: SyntaxNode, scope: Scope): Val {
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
        method === 'strip' ? v.text.trim() : method === 'lstrip' ? v.text.trimStart() : method === 'rstrip' ? v.text.trimEnd() : method === 'upper' ? v.text.toUpperCase() : v.text.toLowerCase();
      // strip() keeps offsets valid only from a shifted start; mapping becomes approximate.
      return { ...v, text: t, exact: false };
    }
  }
  // open('x.sql').read(), Path('x.sql').read_text(), os.path.join(DIR, 'x.sql'): an include, like psql -f
  if ((full === 'open' || full === 'io.open' || full === 'Path' || full === 'pathlib.Path' || full === 'codecs.open') && args.positional[0]) {
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
const FETCH_METHODS = new Set(['fetchall', 'fetchone', 'fetchmany', 'scalar', 'scalar_one', 'scalar_one_or_none', 'first', 'one', 'one_or_none', 'all', 'scalars', 'mappings', 'fetchval', 'fetchrow', 'fetch']);

const INSPECTOR_METHODS = new Set(['get_columns', 'get_table_names', 'get_indexes', 'get_unique_constraints', 'get_foreign_keys', 'get_check_constraints', 'has_table', 'has_index']);

/** A call's constant query parameters: a tuple/list by position, a dict by name. */
function paramOf(ctx: Ctx, node: SyntaxNode | undefined, scope: Scope): ParamOf {
  const v = node ? evalExpr(ctx, node, scope) : undefined;
  const known = (x: Val | undefined) => (x?.kind === 'str' && !x.dynamic && !x.none ? x.text : undefined);
  return ({ index, name }) => {
    if (v?.kind === 'list' && index !== undefined) return known(v.items[index]);
    if (v?.kind === 'str' && index === 0) return known(v);
    if (v?.kind === 'dict' && name !== undefined) return known(v.entries.get(name));
    return undefined;
  };
}

function catalogOfCall(ctx: Ctx, node: SyntaxNode, scope: Scope, full: string, last: string, args: ReturnType<typeof parseArgs>): CatalogVal | undefined {
  const callee = node.firstChild!;
  if (['set', 'list', 'sorted', 'frozenset', 'tuple', 'bool', 'dict'].includes(full)) {
    // set(cols), set(r[0] for r in cur.fetchall())
    const kids = children(node.getChild('ArgList') ?? node);
    const inAt = kids.findIndex((k) => k.name === 'in');
    const it = kids.some((k) => k.name === 'for') && inAt >= 0 ? kids[inAt + 1] : args.positional.length === 1 ? args.positional[0] : undefined;
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
    const v = recv.name === 'VariableName' || recv.name === 'CallExpression' || recv.name === 'MemberExpression' ? evalExpr(ctx, recv, scope) : undefined;
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

interface Wrapper {
  /** Index of the SQL parameter among the positional arguments of a call. */
  readonly index: number;
  readonly param: string;
  /** Defined with `self`/`cls` first: called as `obj.name(...)`. */
  readonly method: boolean;
  readonly from: number;
  readonly to: number;
  calls: number;
}

interface SqlCallSite {
  via: string;
  kind: 'exec' | 'text';
  /** Which positional argument (and keyword) holds the SQL; default the first. */
  argIndex?: number;
  argName?: string;
  wrapper?: Wrapper;
}

function isSqlCall(ctx: Ctx, node: SyntaxNode): SqlCallSite | null {
  if (node.name !== 'CallExpression') return null;
  const callee = node.firstChild;
  if (!callee) return null;
  const { full, last } = calleeName(ctx, callee);
  const w = ctx.wrappers.get(last);
  if (w && (callee.name === 'VariableName') === !w.method && !(node.from >= w.from && node.to <= w.to)) {
    return { via: full, kind: 'exec', argIndex: w.index, argName: w.param, wrapper: w };
  }
  if (callee.name === 'MemberExpression' && SQL_METHODS.has(last)) return { via: full, kind: 'exec' };
  if (ctx.calls.has(full) || ctx.calls.has(last)) return { via: full, kind: 'exec' };
  if (TEXT_WRAPPERS.has(last) && (callee.name === 'VariableName' || /^(sa|sqlalchemy|sql|sqlalchemy\.sql)\.(text|DDL)$/.test(full))) return { via: 'text()', kind: 'text' };
  return null;
}

/**
 * Constant parameter rows of a DB-API call: `execute(sql, (a, b))` gives one row,
 * `executemany(sql, [(a, b), ...])` one per row; undefined unless every value is known.
 */
function paramRows(v: Val, many: boolean): (string | null)[][] | undefined {
  const rowOf = (r: Val): (string | null)[] | undefined => {
    const items = r.kind === 'list' ? r.items : r.kind === 'str' ? [r] : null;
    if (!items) return undefined;
    const out: (string | null)[] = [];
    for (const it of items) {
      if (it.kind !== 'str' || it.dynamic) return undefined;
      out.push(it.none ? null : it.text);
    }
    return out;
  };
  if (!many) {
    const row = rowOf(v);
    return row ? [row] : undefined;
  }
  if (v.kind !== 'list' || v.items.length > 10_000) return undefined;
  const rows: (string | null)[][] = [];
  for (const r of v.items) {
    const row = rowOf(r);
    if (!row) return undefined;
    rows.push(row);
  }
  return rows;
}

function emit(ctx: Ctx, node: SyntaxNode, via: string, v: Val, scope: Scope, hasParams: boolean, argNode: SyntaxNode | undefined, values?: (string | null)[][]): void {
  const callPos = ctx.lines.position(node.from);
  const anchor = argNode ?? node;
  if (v.kind === 'contents') {
    ctx.fragments.push({
      sql: null,
      dynamic: false,
      loc: ctx.lines.range(anchor.from, anchor.to),
      mapping: 'approximate',
      via,
      includes: v.path,
      ...(scope.guard ? { guard: scope.guard } : {}),
      ...(scope.iteration ? { iteration: scope.iteration } : {}),
    });
    return;
  }
  if (v.kind !== 'str' || v.opaque) {
    const reason = v.kind === 'unknown' ? v.reason : v.kind === 'str' ? v.reasons.join('; ') : 'the SQL argument is not a string';
    ctx.fragments.push({
      sql: null,
      dynamic: true,
      reason: argNode ? reason : 'called without an SQL argument',
      loc: ctx.lines.range(anchor.from, anchor.to),
      mapping: 'approximate',
      via,
      ...(scope.guard ? { guard: scope.guard } : {}),
      ...(scope.iteration ? { iteration: scope.iteration } : {}),
    });
    return;
  }
  if (v.textCall !== undefined) ctx.pendingText.delete(v.textCall);
  let sql = v.text;
  let exact = v.exact;
  let style: ParamStyle | undefined;
  let count = 0;
  if (v.textCall !== undefined) {
    const r = rewritePlaceholders(sql, 'named');
    if (r.found) {
      style = 'named';
      sql = r.sql;
      count = r.count;
      if (r.changed) exact = false;
    }
  } else if (hasParams) {
    const r = rewritePlaceholders(sql, 'pyformat');
    if (r.found) {
      style = 'pyformat';
      count = r.count;
    }
    if (r.sql !== sql) {
      sql = r.sql;
      if (r.changed) exact = false;
    }
  }
  const from = v.from ?? anchor.from;
  const to = v.to ?? anchor.to;
  const loc = ctx.lines.range(from, exact ? from + v.text.length : to);
  const inCall = from >= node.from && from <= node.to;
  ctx.fragments.push({
    sql,
    dynamic: v.dynamic,
    ...(v.dynamic ? { reason: [...new Set(v.reasons)].join('; ') } : {}),
    loc,
    mapping: exact ? 'exact' : 'approximate',
    ...(inCall ? {} : { callLoc: callPos }),
    via,
    ...(scope.guard ? { guard: scope.guard } : {}),
    ...(style ? { params: true as const, paramStyle: style, paramCount: count } : {}),
    ...(style && values ? { paramValues: values } : {}),
    ...(scope.iteration ? { iteration: scope.iteration } : {}),
  });
}

function handleSqlCall(ctx: Ctx, node: SyntaxNode, scope: Scope, site: SqlCallSite): void {
  const { kind, via } = site;
  const argList = node.getChild('ArgList');
  const args = parseArgs(ctx, argList);
  const kw = args.keywords;
  const index = site.argIndex ?? 0;
  if (site.wrapper) site.wrapper.calls++;
  const first = args.positional[index] ?? (site.argName ? kw.get(site.argName) : undefined) ?? kw.get('sql') ?? kw.get('statement') ?? kw.get('query');
  if (kind === 'text') {
    // Reported at the end unless an execute consumes it first (text(...).bindparams(...) bound to a name).
    const v = first ? evalExpr(ctx, first, scope) : unknown('text() without an argument');
    ctx.pendingText.set(node.from, { value: v.kind === 'str' ? { ...v, textCall: node.from } : v, node, scope });
    return;
  }
  const hasParams = args.positional.length > index + 1 || [...kw.keys()].some((k) => PARAM_KEYWORDS.has(k)) || via.endsWith('executemany');
  const v = first ? evalExpr(ctx, first, scope) : unknown('no SQL argument');
  const paramNode = args.positional[index + 1] ?? kw.get('params') ?? kw.get('parameters') ?? kw.get('vars') ?? kw.get('args');
  const values = paramNode && !site.wrapper ? paramRows(evalExpr(ctx, paramNode, scope), via.endsWith('executemany')) : undefined;
  emit(ctx, node, via, v, scope, hasParams, first, values);
  const callee = node.firstChild!;
  if (callee.name === 'MemberExpression' && !site.wrapper) {
    const recv = src(ctx, callee.firstChild!).replace(/\s+/g, '');
    const cat = v.kind === 'str' && !v.dynamic ? catalogOfSql(v.text, paramOf(ctx, paramNode, scope)) : undefined;
    if (cat) ctx.lastCatalog.set(recv, cat);
    else ctx.lastCatalog.delete(recv);
  }
  // Arguments after the SQL may hold more calls (rare), the callee may be a chain.
  for (const a of args.positional) if (a !== first) scanCalls(ctx, a, scope);
}

/** Find SQL calls anywhere inside an expression or simple statement. */
function scanCalls(ctx: Ctx, node: SyntaxNode, scope: Scope): void {
  const hit = isSqlCall(ctx, node);
  if (hit) {
    handleSqlCall(ctx, node, scope, hit);
    scanCalls(ctx, node.firstChild!, scope);
    return;
  }
  if (node.name === 'Body' || node.name === 'FunctionDefinition' || node.name === 'ClassDefinition' || node.name === 'LambdaExpression') {
    if (node.name === 'LambdaExpression') for (const c of children(node)) scanCalls(ctx, c, scope);
    return;
  }
  for (let c = node.firstChild; c; c = c.nextSibling) scanCalls(ctx, c, scope);
}

// ---------- statements ----------

/** The guard a condition amounts to (see {@link guardOfCondition}). */
function guardOf(ctx: Ctx, cond: SyntaxNode, scope: Scope): SqlGuard | undefined {
  return ctx.guards ? guardOfCondition(ctx.guards, hostOf(ctx, scope), cond) : undefined;
}

/** Guard detection's view of the extractor, in one scope. */
function hostOf(ctx: Ctx, scope: Scope): GuardHost {
  return {
    text: ctx.text,
    constant: (n) => {
      const v = evalExpr(ctx, n, scope);
      return v.kind === 'str' && !v.dynamic && !v.none ? v.text : undefined;
    },
    sqlText: (n) => {
      const v = evalExpr(ctx, n, scope);
      return v.kind === 'str' ? v.text : undefined;
    },
    catalog: (n) => {
      const v = evalExpr(ctx, n, scope);
      return v.kind === 'catalog' ? v : undefined;
    },
  };
}

/** A quiet context over another file (a sibling module), for reading its helpers. */
function moduleHost(text: string): GuardHost {
  const tree = parser.parse(text);
  const ctx: Ctx = { text, lines: new LineIndex(text), fragments: [], warnings: [], calls: new Set(), wrappers: new Map(), pendingText: new Map(), warned: new Set(), lastCatalog: new Map() };
  ctx.globals = collectGlobals(ctx, children(tree.topNode));
  return hostOf(ctx, { env: new Map(ctx.globals), guard: undefined, iteration: undefined });
}

/** SQL calls in a try body, and whether one sits in a loop (a failure there skips the rest). */
function sqlCallsIn(ctx: Ctx, body: SyntaxNode): { count: number; looped: boolean } {
  let count = 0;
  let looped = false;
  const visit = (n: SyntaxNode, inLoop: boolean) => {
    if (n.name === 'FunctionDefinition' || n.name === 'ClassDefinition') return;
    if (isSqlCall(ctx, n)?.kind === 'exec') {
      count++;
      if (inLoop) looped = true;
    }
    const loop = inLoop || n.name === 'ForStatement' || n.name === 'WhileStatement';
    for (let c = n.firstChild; c; c = c.nextSibling) visit(c, loop);
  };
  visit(body, false);
  return { count, looped };
}

function negate(g: SqlGuard): SqlGuard {
  return { ...g, negated: !g.negated };
}

function isExit(ctx: Ctx, body: SyntaxNode): boolean {
  const stmts = children(body);
  if (stmts.length !== 1) return false;
  const s = stmts[0]!;
  if (s.name === 'ReturnStatement' || s.name === 'ContinueStatement' || s.name === 'RaiseStatement') return true;
  return s.name === 'ExpressionStatement' && /^(sys\.)?exit\(/.test(src(ctx, s));
}

function bindTarget(ctx: Ctx, target: SyntaxNode, value: Val, env: Env): void {
  if (target.name === 'VariableName') {
    env.set(src(ctx, target), value);
    return;
  }
  if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
    const names = children(target);
    names.forEach((n, i) => bindTarget(ctx, n, value.kind === 'list' ? (value.items[i] ?? unknown('unpacking')) : unknown(`unpacked from ${value.kind === 'unknown' ? 'a run-time value' : 'a non-sequence'}`), env));
  }
}

function assignedNames(ctx: Ctx, block: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const visit = (n: SyntaxNode) => {
    if (n.name === 'FunctionDefinition' || n.name === 'ClassDefinition') return;
    if (n.name === 'AssignStatement' || n.name === 'UpdateStatement') {
      for (const c of children(n)) {
        if (c.name === 'AssignOp' || c.name === 'UpdateOp') break;
        if (c.name === 'VariableName') names.add(src(ctx, c));
      }
    }
    if (n.name === 'ForStatement' || n.name === 'WithStatement') {
      for (const c of children(n)) if (c.name === 'VariableName') names.add(src(ctx, c));
    }
    for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
  };
  visit(block);
  return names;
}

function walkBlock(ctx: Ctx, stmts: SyntaxNode[], scope: Scope): void {
  let guard = scope.guard;
  for (const stmt of stmts) {
    const s: Scope = { env: scope.env, guard, iteration: scope.iteration };
    walkStatement(ctx, stmt, s);
    // `if column_exists(...): return` guards what follows in the block.
    if (stmt.name === 'IfStatement') {
      const kids = children(stmt);
      const body = kids[2];
      if (kids.length === 3 && body?.name === 'Body' && isExit(ctx, body)) {
        const g = guardOf(ctx, kids[1]!, s);
        if (g) guard = negate(g);
      }
    }
  }
}

function bodyStatements(body: SyntaxNode): SyntaxNode[] {
  return children(body);
}

function mergeBranches(base: Env, branches: Env[], names: Set<string>): void {
  for (const name of names) {
    const vals = branches.map((e) => e.get(name));
    const first = vals[0];
    const same = first !== undefined && vals.every((v) => v !== undefined && JSON.stringify(v) === JSON.stringify(first));
    base.set(name, same ? first : unknown(`\`${name}\` is assigned differently in different branches`));
  }
}

function walkStatement(ctx: Ctx, stmt: SyntaxNode, scope: Scope): void {
  switch (stmt.name) {
    case 'AssignStatement': {
      const kids = children(stmt);
      const ops = kids.map((k, i) => (k.name === 'AssignOp' ? i : -1)).filter((i) => i >= 0);
      const valueNode = kids[kids.length - 1]!;
      const hit = isSqlCall(ctx, valueNode);
      let v = evalExpr(ctx, valueNode, scope);
      // exists = column_exists(cur, 'users', 'email'): the name holds the check's answer
      if (v.kind === 'unknown' && (valueNode.name === 'CallExpression' || valueNode.name === 'UnaryExpression' || valueNode.name === 'AwaitExpression')) {
        const g = guardOf(ctx, valueNode.name === 'AwaitExpression' ? (valueNode.lastChild ?? valueNode) : valueNode, scope);
        if (g && g.kind !== 'if') v = { kind: 'catalog', check: g };
      }
      if (hit?.kind === 'text' && v.kind === 'str') ctx.pendingText.set(valueNode.from, { value: { ...v, textCall: valueNode.from }, node: valueNode });
      else scanCalls(ctx, valueNode, scope);
      const bound: Val =
        hit?.kind === 'text' && v.kind === 'str'
          ? { ...v, textCall: valueNode.from }
          : v.kind === 'unknown' && ops.length === 1 && kids[0]?.name === 'VariableName'
            ? unknown(`\`${src(ctx, kids[0])}\` is assigned at line ${ctx.lines.position(stmt.from).line} from \`${src(ctx, valueNode).slice(0, 40)}\`, not a constant`)
            : v;
      let start = 0;
      for (const op of ops) {
        const targets = kids.slice(start, op).filter((k) => k.name !== 'TypeDef');
        if (targets.length === 1) bindTarget(ctx, targets[0]!, bound, scope.env);
        else targets.forEach((t, i) => bindTarget(ctx, t, bound.kind === 'list' ? (bound.items[i] ?? unknown('unpacking')) : unknown('unpacked at run time'), scope.env));
        start = op + 1;
        for (const t of targets) if (t.name !== 'VariableName') scanCalls(ctx, t, scope);
      }
      return;
    }
    case 'UpdateStatement': {
      // x += "..."
      const kids = children(stmt);
      const target = kids[0];
      const value = kids[kids.length - 1];
      if (target?.name === 'VariableName' && value && kids[1] && src(ctx, kids[1]) === '+=') {
        const name = src(ctx, target);
        const cur = scope.env.get(name);
        const add = evalExpr(ctx, value, scope);
        scope.env.set(name, cur && (cur.kind === 'str' || add.kind === 'str') ? concat(asStr(cur, name), asStr(add, src(ctx, value))) : unknown(`\`${name}\` is built at run time`));
      } else if (target?.name === 'VariableName') scope.env.set(src(ctx, target), unknown(`\`${src(ctx, target)}\` is updated at run time`));
      if (value) scanCalls(ctx, value, scope);
      return;
    }
    case 'ForStatement': {
      const kids = children(stmt);
      const inIdx = kids.findIndex((k) => k.name === 'in');
      const targets = kids.slice(1, inIdx);
      const iterNode = kids[inIdx + 1];
      const bodies = kids.filter((k) => k.name === 'Body');
      const body = bodies[0];
      if (!iterNode || !body) return;
      scanCalls(ctx, iterNode, scope);
      const iter = evalExpr(ctx, iterNode, scope);
      const target: SyntaxNode | undefined = targets.length === 1 ? targets[0] : undefined;
      const loopNames = targets.filter((t) => t.name === 'VariableName').map((t) => src(ctx, t));
      const assigned = assignedNames(ctx, body);
      if (iter.kind === 'list' && iter.items.length > 0 && iter.items.length <= 1000) {
        const envs: Env[] = [];
        for (const item of iter.items) {
          const env = new Map(scope.env);
          if (target) bindTarget(ctx, target, item, env);
          else targets.filter((t) => t.name === 'VariableName').forEach((t, i) => env.set(src(ctx, t), item.kind === 'list' ? (item.items[i] ?? unknown('unpacking')) : unknown('unpacking')));
          const iteration: Record<string, string> = { ...(scope.iteration ?? {}) };
          for (const n of loopNames.length ? loopNames : target ? [...assignedNamesOfTarget(ctx, target)] : []) {
            const b = env.get(n);
            if (b?.kind === 'str' && !b.dynamic) iteration[n] = b.text;
          }
          walkBlock(ctx, bodyStatements(body), { env, guard: scope.guard, iteration: Object.keys(iteration).length ? iteration : scope.iteration });
          envs.push(env);
        }
        mergeBranches(scope.env, [scope.env, ...envs], assigned);
      } else {
        const env = new Map(scope.env);
        const why = iter.kind === 'unknown' ? iter.reason : 'not a constant list';
        for (const n of target ? [...assignedNamesOfTarget(ctx, target)] : loopNames) env.set(n, unknown(`loop variable \`${n}\` iterates over ${iterNode ? `\`${src(ctx, iterNode).slice(0, 60)}\`` : 'a value'} (${why})`));
        walkBlock(ctx, bodyStatements(body), { env, guard: scope.guard, iteration: scope.iteration });
        for (const n of assigned) scope.env.set(n, unknown(`\`${n}\` is assigned in a loop`));
      }
      if (bodies[1]) walkBlock(ctx, bodyStatements(bodies[1]), scope);
      return;
    }
    case 'IfStatement': {
      const kids = children(stmt);
      const branches: Env[] = [];
      const names = new Set<string>();
      let i = 0;
      let prevGuard: SqlGuard | undefined;
      let sawElse = false;
      while (i < kids.length) {
        const k = kids[i]!;
        if (k.name === 'if' || k.name === 'elif') {
          const cond = kids[i + 1];
          const body = kids[i + 2];
          if (!cond || body?.name !== 'Body') {
            // a truncated if: look for calls in what is there
            for (const rest of kids.slice(i + 1)) scanCalls(ctx, rest, scope);
            break;
          }
          scanCalls(ctx, cond, scope);
          const g = guardOf(ctx, cond, scope);
          const env = new Map(scope.env);
          walkBlock(ctx, bodyStatements(body), { env, guard: g ?? scope.guard, iteration: scope.iteration });
          for (const n of assignedNames(ctx, body)) names.add(n);
          branches.push(env);
          prevGuard = k.name === 'if' ? g : undefined;
          i += 3;
        } else if (k.name === 'else') {
          const body = kids[i + 1];
          if (body?.name !== 'Body') break;
          const env = new Map(scope.env);
          walkBlock(ctx, bodyStatements(body), { env, guard: prevGuard ? negate(prevGuard) : scope.guard, iteration: scope.iteration });
          for (const n of assignedNames(ctx, body)) names.add(n);
          branches.push(env);
          sawElse = true;
          i += 2;
        } else i++;
      }
      if (!sawElse) branches.push(new Map(scope.env));
      mergeBranches(scope.env, branches, names);
      return;
    }
    case 'FunctionDefinition': {
      const env = new Map(globalsFor(ctx, scope));
      const params = stmt.getChild('ParamList');
      if (params) {
        for (const p of children(params)) if (p.name === 'VariableName') env.set(src(ctx, p), unknown(`\`${src(ctx, p)}\` is a parameter of \`${fnName(ctx, stmt)}\``));
      }
      const body = stmt.getChild('Body');
      if (body) walkBlock(ctx, bodyStatements(body), { env, guard: undefined, iteration: undefined });
      return;
    }
    case 'ClassDefinition': {
      const body = stmt.getChild('Body');
      if (body) walkBlock(ctx, bodyStatements(body), { env: new Map(scope.env), guard: undefined, iteration: undefined });
      return;
    }
    case 'DecoratedStatement': {
      for (const c of children(stmt)) if (c.name !== 'Decorator') walkStatement(ctx, c, scope);
      return;
    }
    default: {
      // try: <one SQL statement> except <its failure>: pass — an existence guard on what it creates
      const tryBody = stmt.name === 'TryStatement' ? stmt.getChild('Body') : null;
      let tryGuard: SqlGuard | undefined;
      if (tryBody) {
        const calls = sqlCallsIn(ctx, tryBody);
        if (calls.count === 1 && !calls.looped) tryGuard = exceptionGuard(ctx.text, stmt);
      }
      for (const c of children(stmt)) {
        if (c.name === 'Body') {
          const names = assignedNames(ctx, c);
          walkBlock(ctx, bodyStatements(c), c.from === tryBody?.from && tryGuard ? { env: scope.env, guard: tryGuard, iteration: scope.iteration } : scope);
          if (stmt.name === 'WhileStatement' || stmt.name === 'TryStatement') for (const n of names) if (!scope.env.has(n)) scope.env.set(n, unknown(`\`${n}\` is assigned at run time`));
        } else if (c.name === 'VariableName' && stmt.name === 'WithStatement') {
          // `with open('x.sql') as f:` binds f to the file; anything else is a run-time value
          const asNode = c.prevSibling;
          const item = asNode?.name === 'as' ? asNode.prevSibling : null;
          const bound = item && !PUNCT.has(item.name) ? evalExpr(ctx, item, scope) : null;
          scope.env.set(
            src(ctx, c),
            bound?.kind === 'file'
              ? bound
              : unknown(`\`${src(ctx, c)}\` is bound by \`with ${item ? src(ctx, item).slice(0, 50) : '…'}\`${bound?.kind === 'unknown' ? `: ${bound.reason}` : ''}`),
          );
        } else scanCalls(ctx, c, scope);
      }
    }
  }
}

function assignedNamesOfTarget(ctx: Ctx, target: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const visit = (n: SyntaxNode) => {
    if (n.name === 'VariableName') out.add(src(ctx, n));
    for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
  };
  visit(target);
  return out;
}

function fnName(ctx: Ctx, fn: SyntaxNode): string {
  const n = fn.getChild('VariableName');
  return n ? src(ctx, n) : 'function';
}

// Module-level names assigned exactly once to a constant: visible inside functions
// whatever the order (Python resolves globals when the function runs).
function globalsFor(ctx: Ctx, scope: Scope): Env {
  const g = ctx.globals;
  if (!g) return scope.env;
  const merged = new Map(g);
  for (const [k, v] of scope.env) if (!merged.has(k)) merged.set(k, v);
  return merged;
}

function collectGlobals(ctx: Ctx, top: SyntaxNode[]): Env {
  const counts = new Map<string, number>();
  const countIn = (stmts: SyntaxNode[]) => {
    for (const s of stmts) {
      if (s.name === 'FunctionDefinition' || s.name === 'ClassDefinition' || s.name === 'DecoratedStatement') continue;
      for (const n of assignedNames(ctx, s)) counts.set(n, (counts.get(n) ?? 0) + (s.name === 'AssignStatement' ? 1 : 2));
    }
  };
  countIn(top);
  const env: Env = new Map();
  const scope: Scope = { env, guard: undefined, iteration: undefined };
  const quiet: Ctx = { ...ctx, fragments: [], warnings: [], pendingText: new Map(), warned: new Set(ctx.warned), lastCatalog: new Map() };
  for (const s of top) {
    if (s.name !== 'AssignStatement') continue;
    const kids = children(s);
    if (kids.length !== 3 || kids[0]!.name !== 'VariableName') continue;
    const name = src(ctx, kids[0]!);
    if (counts.get(name) !== 1) continue;
    const v = evalExpr(quiet, kids[2]!, scope);
    const hit = isSqlCall(ctx, kids[2]!);
    env.set(name, hit?.kind === 'text' && v.kind === 'str' ? { ...v, textCall: kids[2]!.from } : v);
  }
  return env;
}

/** Extract the SQL a Python file runs (see {@link extractSql}). */
export function extractPython(
  text: string,
  calls: ReadonlySet<string>,
  where: { readonly root?: string; readonly path?: string } = {},
): { fragments: SqlFragment[]; warnings: ExtractionWarning[] } {
  const tree = parser.parse(text);
  const ctx: Ctx = { text, lines: new LineIndex(text), fragments: [], warnings: [], calls, wrappers: new Map(), pendingText: new Map(), warned: new Set(), lastCatalog: new Map() };
  // lezer recovers from syntax errors; report where, and go on with what it built.
  // One warning per top-level statement that holds errors.
  let errors = 0;
  for (let stmt = tree.topNode.firstChild; stmt && errors < 20; stmt = stmt.nextSibling) {
    let first: number | null = null;
    stmt.toTree().iterate({
      enter: (n) => {
        if (first === null && n.type.isError) first = stmt!.from + n.from;
        return first === null;
      },
    });
    if (stmt.type.isError) first = stmt.from;
    if (first !== null) {
      errors++;
      ctx.warnings.push({ message: 'Python syntax error: the parser recovered and extraction went on', ...ctx.lines.position(first) });
    }
  }
  const top = children(tree.topNode);
  findWrappers(ctx, tree.topNode);
  ctx.globals = collectGlobals(ctx, top);
  ctx.guards = new GuardBook(hostOf({ ...ctx, fragments: [], warnings: [], pendingText: new Map(), warned: new Set(ctx.warned), lastCatalog: new Map() }, { env: new Map(ctx.globals), guard: undefined, iteration: undefined }), tree.topNode, where, moduleHost);
  walkBlock(ctx, top, { env: new Map(), guard: undefined, iteration: undefined });
  // Inside a wrapper called from this file the SQL is a parameter: its callers hold it.
  for (const w of ctx.wrappers.values()) {
    if (w.calls === 0) continue;
    const inside = (f: SqlFragment) => {
      const off = offsetOf(ctx, f.callLoc ?? f.loc);
      return off >= w.from && off <= w.to;
    };
    for (let i = ctx.fragments.length - 1; i >= 0; i--) {
      const f = ctx.fragments[i]!;
      if (f.sql === null && f.dynamic && inside(f) && f.reason?.includes(`\`${w.param}\` is a parameter of`)) ctx.fragments.splice(i, 1);
    }
  }
  for (const { value, node, scope } of ctx.pendingText.values()) {
    const arg = node.getChild('ArgList')?.firstChild?.nextSibling ?? undefined;
    emit(ctx, node, 'text()', value, { env: new Map(), guard: scope?.guard, iteration: scope?.iteration }, false, arg);
  }
  // What the entry point never calls does not run: a downgrade() beside the upgrade() that __main__ calls.
  const dead = unreachableFunctions(ctx, top);
  if (dead.length > 0) {
    for (let i = ctx.fragments.length - 1; i >= 0; i--) {
      const off = offsetOf(ctx, ctx.fragments[i]!.callLoc ?? ctx.fragments[i]!.loc);
      if (dead.some((d) => off >= d.from && off <= d.to)) ctx.fragments.splice(i, 1);
    }
  }
  const at = (f: SqlFragment) => f.callLoc ?? f.loc;
  const fragments = dedupeIterations(ctx.fragments).sort((a, b) => at(a).line - at(b).line || at(a).column - at(b).column);
  ctx.warnings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { fragments, warnings: ctx.warnings };
}


function offsetOf(ctx: Ctx, pos: { line: number; column: number }): number {
  let line = 1;
  let i = 0;
  while (line < pos.line && i < ctx.text.length) {
    const nl = ctx.text.indexOf('\n', i);
    if (nl === -1) break;
    i = nl + 1;
    line++;
  }
  return i + pos.column - 1;
}

/**
 * Find functions that hand one of their parameters to an SQL call, directly or
 * through `text(param)` or another such function, to a fixpoint.
 */
function findWrappers(ctx: Ctx, root: SyntaxNode): void {
  const defs: SyntaxNode[] = [];
  const collect = (n: SyntaxNode) => {
    if (n.name === 'FunctionDefinition') defs.push(n);
    for (let c = n.firstChild; c; c = c.nextSibling) collect(c);
  };
  collect(root);
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const def of defs) {
      const nameNode = def.getChild('VariableName');
      const body = def.getChild('Body');
      const paramList = def.getChild('ParamList');
      if (!nameNode || !body || !paramList) continue;
      const name = src(ctx, nameNode);
      if (ctx.wrappers.has(name)) continue;
      const params = children(paramList)
        .filter((p) => p.name === 'VariableName' && !(p.prevSibling && ['*', '**', 'AssignOp'].includes(p.prevSibling.name)))
        .map((p) => src(ctx, p));
      const method = params[0] === 'self' || params[0] === 'cls';
      let found: string | null = null;
      const visit = (n: SyntaxNode) => {
        if (found) return;
        if (n.name === 'FunctionDefinition' || n.name === 'ClassDefinition') return;
        const site = isSqlCall(ctx, n);
        if (site && site.kind === 'exec') {
          const args = parseArgs(ctx, n.getChild('ArgList'));
          let arg = args.positional[site.argIndex ?? 0];
          if (arg?.name === 'CallExpression' && isSqlCall(ctx, arg)?.kind === 'text') arg = parseArgs(ctx, arg.getChild('ArgList')).positional[0];
          if (arg?.name === 'VariableName' && params.includes(src(ctx, arg))) found = src(ctx, arg);
        }
        for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
      };
      for (let c = body.firstChild; c; c = c.nextSibling) visit(c);
      if (found) {
        const idx = params.indexOf(found) - (method ? 1 : 0);
        // a method named like cursor.execute must take the SQL first, or every .execute(...) would be misread
        if (SQL_METHODS.has(name) && idx !== 0) continue;
        ctx.wrappers.set(name, { index: idx, param: found, method, from: def.from, to: def.to, calls: 0 });
        changed = true;
      }
    }
    if (!changed) break;
  }
}

/**
 * Module-level functions a script with an `if __name__ == "__main__":` entry
 * point never reaches: not named (called, passed, awaited) from module-level
 * code, nor from a function that is. Decorated functions (a route, a CLI
 * command) and methods are reached by their framework and always count.
 * Without an entry point the file may be imported: every function counts.
 */
function unreachableFunctions(ctx: Ctx, top: SyntaxNode[]): { from: number; to: number }[] {
  const isMain = (n: SyntaxNode) => n.name === 'IfStatement' && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(src(ctx, n).split('\n')[0] ?? '');
  if (!top.some(isMain)) return [];
  const defs = new Map<string, SyntaxNode>();
  for (const n of top) if (n.name === 'FunctionDefinition') {
    const name = n.getChild('VariableName');
    if (name) defs.set(src(ctx, name), n);
  }
  const names = (n: SyntaxNode, out: Set<string>) => {
    if (n.name === 'VariableName' || n.name === 'PropertyName') out.add(src(ctx, n));
    for (let c = n.firstChild; c; c = c.nextSibling) names(c, out);
  };
  const reached = new Set<string>();
  const queue: string[] = [];
  const visit = (n: SyntaxNode) => {
    const found = new Set<string>();
    names(n, found);
    for (const f of found) if (defs.has(f) && !reached.has(f)) {
      reached.add(f);
      queue.push(f);
    }
  };
  for (const n of top) if (n.name !== 'FunctionDefinition') visit(n);
  while (queue.length > 0) {
    const def = defs.get(queue.pop()!)!;
    const body = def.getChild('Body');
    if (body) visit(body);
  }
  return [...defs].filter(([name]) => !reached.has(name)).map(([, d]) => ({ from: d.from, to: d.to }));
}
