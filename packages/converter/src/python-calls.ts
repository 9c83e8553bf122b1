// SQL calls in Python scripts: their arguments and parameters, the fragments they emit, and this file's wrapper functions.
import type { SyntaxNode } from '@lezer/common';
import { rewritePlaceholders } from './sql-placeholders.js';
import { unknown, type Val } from './python-values.js';
import { catalogOfSql } from './python-catalog.js';
import { children } from './python-nodes.js';
import type { ParamStyle } from './types.js';
import { SQL_METHODS, type Ctx, type Scope, src, parseArgs, type SqlCallSite, isSqlCall } from './python-context.js';
import { evalExpr, paramOf } from './python-eval.js';

/** Keyword names under which DB-API/SQLAlchemy calls take their parameters. */
const PARAM_KEYWORDS = new Set(['params', 'parameters', 'vars', 'args', 'parameters_list']);

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

export function emit(
  ctx: Ctx,
  node: SyntaxNode,
  via: string,
  v: Val,
  scope: Scope,
  hasParams: boolean,
  argNode: SyntaxNode | undefined,
  values?: (string | null)[][],
): void {
  const callPos = ctx.lines.locate(node.from);
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
  const first =
    args.positional[index] ?? (site.argName ? kw.get(site.argName) : undefined) ?? kw.get('sql') ?? kw.get('statement') ?? kw.get('query');
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
export function scanCalls(ctx: Ctx, node: SyntaxNode, scope: Scope): void {
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

/** SQL calls in a try body, and whether one sits in a loop (a failure there skips the rest). */
export function sqlCallsIn(ctx: Ctx, body: SyntaxNode): { count: number; looped: boolean } {
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

/**
 * Find functions that hand one of their parameters to an SQL call, directly or
 * through `text(param)` or another such function, to a fixpoint.
 */
export function findWrappers(ctx: Ctx, root: SyntaxNode): void {
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
          if (arg?.name === 'CallExpression' && isSqlCall(ctx, arg)?.kind === 'text')
            arg = parseArgs(ctx, arg.getChild('ArgList')).positional[0];
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
