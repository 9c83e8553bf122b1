import { LineIndex } from '@pg-strata/sql';
// Python scripts (issue 18): the statement walk (scopes, branches, loops, functions, guards of `if` blocks) and extractPython.
// Strings are resolved in python-eval.ts, SQL calls found and emitted in python-calls.ts, guards read in python-guards.ts.
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { dedupeIterations } from './fragments.js';
import { asStr, concat, unknown, type Env, type Val } from './python-values.js';
import { children, PUNCT } from './python-nodes.js';
import { exceptionGuard, guardOfCondition } from './python-guards.js';
import { GuardBook, type GuardHost } from './python-helpers.js';
import type { ExtractionWarning, SqlFragment, SqlGuard } from './types.js';
import { type Ctx, type Scope, src, isSqlCall } from './python-context.js';
import { emit, scanCalls, sqlCallsIn, findWrappers } from './python-calls.js';
import { evalExpr } from './python-eval.js';

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

/** A fresh extraction context over `text`, looking for calls of `calls`. */
function newContext(text: string, calls: ReadonlySet<string>): Ctx {
  return {
    text,
    lines: new LineIndex(text),
    fragments: [],
    warnings: [],
    calls,
    wrappers: new Map(),
    pendingText: new Map(),
    warned: new Set(),
    lastCatalog: new Map(),
  };
}

/** A quiet context over another file (a sibling module), for reading its helpers. */
function moduleHost(text: string): GuardHost {
  const tree = parser.parse(text);
  const ctx = newContext(text, new Set());
  ctx.globals = collectGlobals(ctx, children(tree.topNode));
  return hostOf(ctx, { env: new Map(ctx.globals), guard: undefined, iteration: undefined });
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
    names.forEach((n, i) =>
      bindTarget(
        ctx,
        n,
        value.kind === 'list'
          ? (value.items[i] ?? unknown('unpacking'))
          : unknown(`unpacked from ${value.kind === 'unknown' ? 'a run-time value' : 'a non-sequence'}`),
        env,
      ),
    );
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
      if (
        v.kind === 'unknown' &&
        (valueNode.name === 'CallExpression' || valueNode.name === 'UnaryExpression' || valueNode.name === 'AwaitExpression')
      ) {
        const g = guardOf(ctx, valueNode.name === 'AwaitExpression' ? (valueNode.lastChild ?? valueNode) : valueNode, scope);
        if (g && g.kind !== 'if') v = { kind: 'catalog', check: g };
      }
      if (hit?.kind === 'text' && v.kind === 'str')
        ctx.pendingText.set(valueNode.from, { value: { ...v, textCall: valueNode.from }, node: valueNode });
      else scanCalls(ctx, valueNode, scope);
      const bound: Val =
        hit?.kind === 'text' && v.kind === 'str'
          ? { ...v, textCall: valueNode.from }
          : v.kind === 'unknown' && ops.length === 1 && kids[0]?.name === 'VariableName'
            ? unknown(
                `\`${src(ctx, kids[0])}\` is assigned at line ${ctx.lines.locate(stmt.from).line} from \`` +
                  `${src(ctx, valueNode).slice(0, 40)}\`, not a constant`,
              )
            : v;
      let start = 0;
      for (const op of ops) {
        const targets = kids.slice(start, op).filter((k) => k.name !== 'TypeDef');
        if (targets.length === 1) bindTarget(ctx, targets[0]!, bound, scope.env);
        else
          targets.forEach((t, i) =>
            bindTarget(
              ctx,
              t,
              bound.kind === 'list' ? (bound.items[i] ?? unknown('unpacking')) : unknown('unpacked at run time'),
              scope.env,
            ),
          );
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
        scope.env.set(
          name,
          cur && (cur.kind === 'str' || add.kind === 'str')
            ? concat(asStr(cur, name), asStr(add, src(ctx, value)))
            : unknown(`\`${name}\` is built at run time`),
        );
      } else if (target?.name === 'VariableName')
        scope.env.set(src(ctx, target), unknown(`\`${src(ctx, target)}\` is updated at run time`));
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
          else
            targets
              .filter((t) => t.name === 'VariableName')
              .forEach((t, i) =>
                env.set(src(ctx, t), item.kind === 'list' ? (item.items[i] ?? unknown('unpacking')) : unknown('unpacking')),
              );
          const iteration: Record<string, string> = { ...(scope.iteration ?? {}) };
          for (const n of loopNames.length ? loopNames : target ? [...assignedNamesOfTarget(ctx, target)] : []) {
            const b = env.get(n);
            if (b?.kind === 'str' && !b.dynamic) iteration[n] = b.text;
          }
          walkBlock(ctx, bodyStatements(body), {
            env,
            guard: scope.guard,
            iteration: Object.keys(iteration).length ? iteration : scope.iteration,
          });
          envs.push(env);
        }
        mergeBranches(scope.env, [scope.env, ...envs], assigned);
      } else {
        const env = new Map(scope.env);
        const why = iter.kind === 'unknown' ? iter.reason : 'not a constant list';
        for (const n of target ? [...assignedNamesOfTarget(ctx, target)] : loopNames)
          env.set(
            n,
            unknown(`loop variable \`${n}\` iterates over ${iterNode ? `\`${src(ctx, iterNode).slice(0, 60)}\`` : 'a value'} (${why})`),
          );
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
        for (const p of children(params))
          if (p.name === 'VariableName') env.set(src(ctx, p), unknown(`\`${src(ctx, p)}\` is a parameter of \`${fnName(ctx, stmt)}\``));
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
          walkBlock(
            ctx,
            bodyStatements(c),
            c.from === tryBody?.from && tryGuard ? { env: scope.env, guard: tryGuard, iteration: scope.iteration } : scope,
          );
          if (stmt.name === 'WhileStatement' || stmt.name === 'TryStatement')
            for (const n of names) if (!scope.env.has(n)) scope.env.set(n, unknown(`\`${n}\` is assigned at run time`));
        } else if (c.name === 'VariableName' && stmt.name === 'WithStatement') {
          // `with open('x.sql') as f:` binds f to the file; anything else is a run-time value
          const asNode = c.prevSibling;
          const item = asNode?.name === 'as' ? asNode.prevSibling : null;
          const bound = item && !PUNCT.has(item.name) ? evalExpr(ctx, item, scope) : null;
          scope.env.set(
            src(ctx, c),
            bound?.kind === 'file'
              ? bound
              : unknown(
                  `\`${src(ctx, c)}\` is bound by \`with ${item ? src(ctx, item).slice(0, 50) : '…'}\`` +
                    `${bound?.kind === 'unknown' ? `: ${bound.reason}` : ''}`,
                ),
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
  const ctx = newContext(text, calls);
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
      ctx.warnings.push({ message: 'Python syntax error: the parser recovered and extraction went on', ...ctx.lines.locate(first) });
    }
  }
  const top = children(tree.topNode);
  findWrappers(ctx, tree.topNode);
  ctx.globals = collectGlobals(ctx, top);
  ctx.guards = new GuardBook(
    hostOf(
      { ...ctx, fragments: [], warnings: [], pendingText: new Map(), warned: new Set(ctx.warned), lastCatalog: new Map() },
      { env: new Map(ctx.globals), guard: undefined, iteration: undefined },
    ),
    tree.topNode,
    where,
    moduleHost,
  );
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
 * Module-level functions a script with an `if __name__ == "__main__":` entry
 * point never reaches: not named (called, passed, awaited) from module-level
 * code, nor from a function that is. Decorated functions (a route, a CLI
 * command) and methods are reached by their framework and always count.
 * Without an entry point the file may be imported: every function counts.
 */
function unreachableFunctions(ctx: Ctx, top: SyntaxNode[]): { from: number; to: number }[] {
  const isMain = (n: SyntaxNode) =>
    n.name === 'IfStatement' && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(src(ctx, n).split('\n')[0] ?? '');
  if (!top.some(isMain)) return [];
  const defs = new Map<string, SyntaxNode>();
  for (const n of top)
    if (n.name === 'FunctionDefinition') {
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
    for (const f of found)
      if (defs.has(f) && !reached.has(f)) {
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
