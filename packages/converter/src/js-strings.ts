// Stays whole: extractJavaScript is one oxc Visitor pass whose handlers share its scope and value state (lines 84 to the end).
import { LineIndex } from '@pg-strata/sql';
import { concat as concatStr, type Str as PyStr } from './python-values.js';
import { parseSync, Visitor } from 'oxc-parser';
import { dedupeIterations } from './fragments.js';
import { rewritePlaceholders } from './sql-placeholders.js';
import type { ExtractionWarning, ParamStyle, SqlFragment } from './types.js';

/** Calls whose first argument is SQL whatever it is (pg, knex, postgres.js, Prisma). */
const STRONG_CALLS = new Set(['query', 'raw', 'unsafe', '$queryRawUnsafe', '$executeRawUnsafe', 'executeRaw', 'queryRaw']);
/** Calls that take SQL only when given a string (their name is common elsewhere: Kysely's `execute(db)`). */
const WEAK_CALLS = new Set(['sql', 'execute', 'none', 'one', 'many', 'any', 'oneOrNone', 'manyOrNone', 'multi', 'result', 'exec']);
/** Tags of SQL tagged templates. */
const SQL_TAGS = new Set(['sql', 'SQL', '$queryRaw', '$executeRaw']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

// oxc's ESTree output, typed only as far as this file reads it.
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Str extends PyStr {
  /** `$n` parameters introduced for `${expr}` in a sql tag. */
  params: number;
}
interface Unknown {
  kind: 'unknown';
  reason: string;
}
type Val = Str | Unknown;

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';

function unwrap(n: Node): Node {
  let cur = n;
  while (
    ['ParenthesizedExpression', 'TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion'].includes(cur.type)
  ) {
    cur = cur.expression as Node;
  }
  return cur;
}

function concat(a: Str, b: Str): Str {
  return { ...concatStr(a, b), params: a.params + b.params };
}

function nameOf(callee: Node): { full: string; last: string; object?: Node } | null {
  const c = unwrap(callee);
  if (c.type === 'Identifier') return { full: c.name as string, last: c.name as string };
  if (c.type === 'MemberExpression' && !c.computed && isNode(c.property)) {
    const obj = unwrap(c.object as Node);
    const objName =
      obj.type === 'Identifier'
        ? (obj.name as string)
        : obj.type === 'ThisExpression'
          ? 'this'
          : obj.type === 'MemberExpression'
            ? (nameOf(obj)?.full ?? '…')
            : '…';
    return { full: `${objName}.${c.property.name as string}`, last: c.property.name as string, object: obj };
  }
  return null;
}

/** Extract the SQL a JavaScript or TypeScript file runs (see {@link extractSql}). */
export function extractJavaScript(
  path: string,
  text: string,
  language: 'javascript' | 'typescript',
  calls: ReadonlySet<string>,
): { fragments: SqlFragment[]; warnings: ExtractionWarning[] } {
  const lines = new LineIndex(text);
  const fragments: SqlFragment[] = [];
  const warnings: ExtractionWarning[] = [];
  const filename =
    language === 'typescript' ? (/\.[cm]?tsx?$/.test(path) ? path : 'script.ts') : /\.[cm]?jsx?$/.test(path) ? path : 'script.js';
  let result: ReturnType<typeof parseSync>;
  try {
    result = parseSync(filename, text, {
      sourceType: 'unambiguous',
      lang: language === 'typescript' ? (filename.endsWith('x') ? 'tsx' : 'ts') : filename.endsWith('x') ? 'jsx' : 'js',
    } as never);
  } catch (err) {
    warnings.push({ message: `JavaScript parser failed: ${(err as Error).message}`, line: 1, column: 1 });
    return { fragments, warnings };
  }
  for (const e of result.errors) {
    const label = (e.labels as { start: number }[] | undefined)?.[0];
    warnings.push({
      message: `${language === 'typescript' ? 'TypeScript' : 'JavaScript'} syntax error: ${e.message}`,
      ...lines.locate(label?.start ?? 0),
    });
  }
  const program = result.program as unknown as Node;
  if (result.errors.length && (program.body as unknown[]).length === 0) {
    // The parser gives up on lexical errors (an unterminated string): keep the file visible.
    const label = (result.errors[0]!.labels as { start: number; end: number }[] | undefined)?.[0];
    fragments.push({
      sql: null,
      dynamic: true,
      reason: `the file does not parse: ${result.errors[0]!.message}`,
      loc: lines.range(label?.start ?? 0, label?.end ?? 0),
      mapping: 'approximate',
      via: 'unparsed',
    });
    return { fragments, warnings };
  }

  // Names declared once with an initialiser and never reassigned are constants.
  const decls = new Map<string, Node | null>();
  const paramNames = new Set<string>();
  const reassigned = new Set<string>();
  // One pass of oxc's visitor: declarations, functions, calls, loops and the SQL sites, evaluated once it is done
  // (a site's value may use a constant declared after it).
  const fns: { name: string; fn: Node }[] = [];
  const callNodes: Node[] = [];
  const templateExprs = new Set<Node>();
  const openLoops: Node[] = [];
  const sites: { n: Node; inTemplate: boolean; loops: Node[] }[] = [];
  const enclosing = (n: Node) =>
    openLoops.filter((l) => {
      const body = loopOf(l)!.body;
      return n.start >= body.start && n.end <= body.end;
    });
  const enterLoop = (n: Node) => {
    if (loopOf(n)) openLoops.push(n);
  };
  const leaveLoop = (n: Node) => {
    if (openLoops[openLoops.length - 1] === n) openLoops.pop();
  };
  const addFunction = (name: string, fn: Node) => fns.push({ name, fn });
  const visitor = new Visitor({
    VariableDeclarator(d) {
      const n = d as unknown as Node;
      if (isNode(n.id) && n.id.type === 'Identifier') {
        const name = n.id.name as string;
        decls.set(name, decls.has(name) ? null : ((n.init as Node | null) ?? null));
        if (isNode(n.init) && FUNCTIONS.has(unwrap(n.init).type)) addFunction(name, unwrap(n.init));
      }
    },
    AssignmentExpression(a) {
      if (a.left.type === 'Identifier') reassigned.add(a.left.name);
    },
    UpdateExpression(u) {
      if (u.argument.type === 'Identifier') reassigned.add(u.argument.name);
    },
    FunctionDeclaration(f) {
      addParams(f as unknown as Node);
      if (f.id) addFunction(f.id.name, f as unknown as Node);
    },
    FunctionExpression: (f) => addParams(f as unknown as Node),
    ArrowFunctionExpression: (f) => addParams(f as unknown as Node),
    MethodDefinition: (m) => addMethod(m as unknown as Node),
    Property: (m) => addMethod(m as unknown as Node),
    TemplateLiteral(t) {
      for (const e of t.expressions) templateExprs.add(e as unknown as Node);
    },
    TaggedTemplateExpression(t) {
      const n = t as unknown as Node;
      sites.push({ n, inTemplate: templateExprs.has(n), loops: enclosing(n) });
    },
    CallExpression(c) {
      const n = c as unknown as Node;
      callNodes.push(n);
      if (loopOf(n)) enterLoop(n);
      else sites.push({ n, inTemplate: templateExprs.has(n), loops: enclosing(n) });
    },
    'CallExpression:exit': (c) => leaveLoop(c as unknown as Node),
    ForOfStatement: (f) => enterLoop(f as unknown as Node),
    'ForOfStatement:exit': (f) => leaveLoop(f as unknown as Node),
  });
  const addParams = (fn: Node) => {
    for (const p of (fn.params as Node[]) ?? []) if (p.type === 'Identifier') paramNames.add(p.name as string);
  };
  const addMethod = (n: Node) => {
    if (isNode(n.key) && n.key.type === 'Identifier' && isNode(n.value) && FUNCTIONS.has(n.value.type))
      addFunction(n.key.name as string, n.value);
  };
  const resolving = new Set<string>();
  // Loop variables bound to one value while walking a loop body (null: a run-time value).
  const loopBindings = new Map<string, string | null>();
  let iteration: Record<string, string> | undefined;

  const evalNode = (raw: Node, inTag = false): Val => {
    const n = unwrap(raw);
    switch (n.type) {
      case 'Literal': {
        if (typeof n.value !== 'string')
          return n.value === null || typeof n.value === 'object'
            ? { kind: 'unknown', reason: 'not a string' }
            : str(String(n.value), null, null, false);
        const rawText = n.raw as string;
        const content = rawText.slice(1, -1);
        return {
          kind: 'str',
          text: n.value,
          dynamic: false,
          reasons: [],
          from: n.start + 1,
          to: n.end - 1,
          exact: content === n.value,
          params: 0,
        };
      }
      case 'TemplateLiteral':
        return template(n, inTag ? 'tag' : 'plain');
      case 'Identifier': {
        const name = n.name as string;
        if (loopBindings.has(name)) {
          const bound = loopBindings.get(name);
          return typeof bound === 'string'
            ? str(bound, null, null, false)
            : { kind: 'unknown', reason: `loop variable \`${name}\` iterates over a run-time value` };
        }
        const init = decls.get(name);
        if (init === undefined)
          return {
            kind: 'unknown',
            reason: paramNames.has(name) ? `\`${name}\` is a function parameter` : `\`${name}\` is not declared in this file`,
          };
        if (init === null) return { kind: 'unknown', reason: `\`${name}\` is declared more than once` };
        if (reassigned.has(name)) return { kind: 'unknown', reason: `\`${name}\` is reassigned` };
        if (resolving.has(name)) return { kind: 'unknown', reason: `\`${name}\` refers to itself` };
        resolving.add(name);
        try {
          return evalNode(init);
        } finally {
          resolving.delete(name);
        }
      }
      case 'BinaryExpression': {
        if (n.operator !== '+') return { kind: 'unknown', reason: 'not a constant string' };
        const l = evalNode(n.left as Node);
        const r = evalNode(n.right as Node);
        if (l.kind === 'str' && r.kind === 'str') return concat(l, r);
        const bad = l.kind === 'unknown' ? l : (r as Unknown);
        if (l.kind === 'str' || r.kind === 'str') {
          const written = (side: Val, node: Node) =>
            side.kind === 'str'
              ? side
              : { ...str(text.slice(node.start, node.end), null, null, false), dynamic: true, reasons: [bad.reason] };
          return concat(written(l, n.left as Node), written(r, n.right as Node));
        }
        return bad;
      }
      case 'TaggedTemplateExpression': {
        const tag = nameOf(n.tag as Node);
        if (tag?.full === 'String.raw') {
          const q = n.quasi as Node;
          const quasis = q.quasis as Node[];
          if ((q.expressions as Node[]).length === 0)
            return { ...str((quasis[0]!.value as { raw: string }).raw, q.start + 1, q.end - 1, true) };
        }
        if (tag && SQL_TAGS.has(tag.last)) return template(n.quasi as Node, 'tag');
        return { kind: 'unknown', reason: 'a tagged template' };
      }
      case 'CallExpression': {
        const callee = nameOf(n.callee as Node);
        const args = n.arguments as Node[];
        if (callee?.last === 'trim' && callee.object && args.length === 0) {
          const v = evalNode(callee.object);
          return v.kind === 'str' ? { ...v, text: v.text.trim(), exact: false } : v;
        }
        if (callee?.last === 'join' && callee.object && unwrap(callee.object).type === 'ArrayExpression') {
          const sep = args[0] ? evalNode(args[0]) : str(',', null, null, false);
          const items = (unwrap(callee.object).elements as (Node | null)[]).map((e) => (e ? evalNode(e) : str('', null, null, false)));
          if (sep.kind !== 'str') return sep;
          let acc: Str | null = null;
          for (const it of items) {
            if (it.kind !== 'str') return it;
            acc = acc ? concat(concat(acc, { ...sep, from: null, to: null }), it) : it;
          }
          return acc ? { ...acc, exact: false } : str('', null, null, false);
        }
        return { kind: 'unknown', reason: `\`${text.slice(n.start, Math.min(n.end, n.start + 40))}\` is computed at run time` };
      }
      default:
        return { kind: 'unknown', reason: `\`${text.slice(n.start, Math.min(n.end, n.start + 40))}\` is computed at run time` };
    }
  };

  // A sql tagged template, directly or through a constant bound to one.
  const sqlTagOf = (n: Node): Node | null => {
    if (n.type === 'TaggedTemplateExpression') {
      const t = nameOf(n.tag as Node);
      return t !== null && SQL_TAGS.has(t.last) ? n : null;
    }
    if (n.type === 'Identifier') {
      const init = decls.get(n.name as string);
      return init && !reassigned.has(n.name as string) ? sqlTagOf(unwrap(init)) : null;
    }
    return null;
  };

  const str = (t: string, from: number | null, to: number | null, exact: boolean): Str => ({
    kind: 'str',
    text: t,
    dynamic: false,
    reasons: [],
    from,
    to,
    exact,
    params: 0,
  });

  // In a sql tag, ${expr} is a parameter unless it is sql.raw/lit/table/ref/id or a nested sql tag.
  const template = (tpl: Node, mode: 'plain' | 'tag'): Str => {
    const quasis = tpl.quasis as Node[];
    const exprs = tpl.expressions as Node[];
    let acc: Str | null = null;
    let params = 0;
    // A piece's text starts at its element, or just after it where the element spans the backtick, `${` or `}` (TS-ESTree).
    const shift = quasis[0]!.start === tpl.start ? 1 : 0;
    quasis.forEach((q, i) => {
      const value = q.value as { raw: string; cooked: string | null };
      const contentStart = q.start + shift;
      const piece: Str =
        value.cooked === null
          ? {
              ...str(value.raw, contentStart, contentStart + value.raw.length, false),
              dynamic: true,
              reasons: ['invalid escape in template'],
            }
          : str(value.cooked, contentStart, contentStart + value.raw.length, value.cooked === value.raw);
      acc = acc ? concat(acc, piece) : piece;
      const e = exprs[i];
      if (!e) return;
      const written = `\${${text.slice(e.start, e.end)}}`;
      let part: Str;
      if (mode === 'tag') {
        const inner = unwrap(e);
        const call = inner.type === 'CallExpression' ? nameOf(inner.callee as Node) : null;
        const helper = call && /^(sql\.)?(raw|lit|literal|table|ref|id|identifier|unsafe)$/.test(call.full) ? call.last : null;
        if (helper) {
          const arg = (inner.arguments as Node[])[0];
          const v = arg ? evalNode(arg) : ({ kind: 'unknown', reason: 'no argument' } as Unknown);
          if (v.kind === 'str' && !v.dynamic) {
            const quoted =
              helper === 'lit' || helper === 'literal'
                ? `'${v.text.replaceAll("'", "''")}'`
                : helper === 'raw' || helper === 'unsafe'
                  ? v.text
                  : v.text
                      .split('.')
                      .map((p) => `"${p.replaceAll('"', '""')}"`)
                      .join('.');
            part = { ...str(quoted, null, null, false) };
          } else
            part = {
              ...str(written, null, null, false),
              dynamic: true,
              reasons: [`${written}: ${v.kind === 'unknown' ? v.reason : 'not constant'}`],
            };
        } else if (sqlTagOf(inner)) {
          const nested = template(sqlTagOf(inner)!.quasi as Node, 'tag');
          params += nested.params;
          part = { ...nested, from: null, to: null, exact: false, params: 0 };
        } else {
          params++;
          part = str(`$${params}`, null, null, false);
        }
      } else {
        const v = evalNode(e);
        part =
          v.kind === 'str' && !v.dynamic
            ? { ...v, from: null, to: null, exact: false }
            : {
                ...str(written, null, null, false),
                dynamic: true,
                reasons: [`${written}: ${v.kind === 'unknown' ? v.reason : 'not constant'}`],
              };
      }
      acc = concat(acc, part);
    });
    const out = acc ?? str('', tpl.start + 1, tpl.start + 1, true);
    return { ...out, exact: out.exact && exprs.length === 0, params };
  };

  // Constant bind values: client.query(sql, [1, 'a']) -> [['1', 'a']]; undefined unless all are constants.
  const valuesOf = (arg: Node | undefined): (string | null)[][] | undefined => {
    if (!arg) return undefined;
    const a = unwrap(arg);
    if (a.type !== 'ArrayExpression') return undefined;
    const row: (string | null)[] = [];
    for (const e of a.elements as (Node | null)[]) {
      if (!e) return undefined;
      const u = unwrap(e);
      if (u.type === 'Literal' && u.value === null) {
        row.push(null);
        continue;
      }
      const v = evalNode(u);
      if (v.kind !== 'str' || v.dynamic) return undefined;
      row.push(v.text);
    }
    return [row];
  };

  const push = (v: Val, via: string, site: Node, anchor: Node, paramStyle: ParamStyle | null, values?: (string | null)[][]) => {
    if (v.kind === 'unknown') {
      fragments.push({
        sql: null,
        dynamic: true,
        reason: v.reason,
        loc: lines.range(anchor.start, anchor.end),
        mapping: 'approximate',
        via,
        ...(iteration ? { iteration } : {}),
      });
      return;
    }
    let sql = v.text;
    let exact = v.exact;
    let style: ParamStyle | undefined;
    let count = 0;
    if (v.params > 0) {
      style = 'template';
      count = v.params;
    } else if (paramStyle) {
      const r = rewritePlaceholders(sql, paramStyle);
      if (r.found) {
        style = paramStyle;
        count = r.count;
        sql = r.sql;
        if (r.changed) exact = false;
      }
    }
    const from = v.from ?? anchor.start;
    const to = exact ? from + v.text.length : (v.to ?? anchor.end);
    const inSite = from >= site.start && from <= site.end;
    fragments.push({
      sql,
      dynamic: v.dynamic,
      ...(v.dynamic ? { reason: [...new Set(v.reasons)].join('; ') } : {}),
      loc: lines.range(from, to),
      mapping: exact ? 'exact' : 'approximate',
      ...(inSite ? {} : { callLoc: lines.locate(site.start) }),
      via,
      ...(style ? { params: true as const, paramStyle: style, paramCount: count } : {}),
      ...(style && values ? { paramValues: values } : {}),
      ...(iteration ? { iteration } : {}),
    });
  };

  const stringish = (arg: Node): boolean => {
    const a = unwrap(arg);
    if (a.type === 'Literal') return typeof a.value === 'string';
    if (a.type === 'TemplateLiteral' || a.type === 'BinaryExpression') return true;
    if (a.type === 'Identifier') return evalNode(a).kind === 'str';
    return false;
  };

  // Functions that hand a parameter to an SQL call: `async function run(sql) { await client.query(sql) }`.
  const wrappers = new Map<string, { index: number; param: string; from: number; to: number; calls: number }>();
  const findWrappers = (): void => {
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const { name, fn } of fns) {
        if (wrappers.has(name)) continue;
        const params = ((fn.params as Node[]) ?? []).map((p) => (p.type === 'Identifier' ? (p.name as string) : null));
        let found: string | null = null;
        const body = fn.body as Node;
        for (const n of callNodes) {
          if (found) break;
          if (n.start < body.start || n.end > body.end) continue;
          const c = nameOf(n.callee as Node);
          if (!c) continue;
          const w = wrappers.get(c.last);
          const isSql = STRONG_CALLS.has(c.last) || WEAK_CALLS.has(c.last) || calls.has(c.full) || calls.has(c.last) || w !== undefined;
          const a = (n.arguments as Node[])[w ? w.index : 0];
          if (isSql && a && unwrap(a).type === 'Identifier' && params.includes(unwrap(a).name as string)) found = unwrap(a).name as string;
        }
        if (found) {
          wrappers.set(name, { index: params.indexOf(found), param: found, from: fn.start, to: fn.end, calls: 0 });
          changed = true;
        }
      }
      if (!changed) break;
    }
  };

  const site = (n: Node, inTemplate: boolean): void => {
    if (n.type === 'TaggedTemplateExpression') {
      const tag = nameOf(n.tag as Node);
      // a sql tag nested in another one's ${} is part of the outer fragment
      if (tag && SQL_TAGS.has(tag.last) && !inTemplate) {
        push(template(n.quasi as Node, 'tag'), tag.full, n, n.quasi as Node, null);
      }
      return;
    }
    if (n.type !== 'CallExpression') return;
    // sql.raw(...) inside a sql tag's ${} is part of the tag's fragment
    if (inTemplate) return;
    const callee = nameOf(n.callee as Node);
    if (!callee) return;
    const args = n.arguments as Node[];
    const wrapper = wrappers.get(callee.last);
    if (wrapper && !(n.start >= wrapper.from && n.end <= wrapper.to)) {
      wrapper.calls++;
      const a = args[wrapper.index];
      if (!a || a.type === 'SpreadElement') return;
      push(evalNode(a), callee.full, n, unwrap(a), 'dollar', valuesOf(args[wrapper.index + 1]));
      return;
    }
    const first = args[0];
    const extra = calls.has(callee.full) || calls.has(callee.last);
    const strong = STRONG_CALLS.has(callee.last) || extra;
    const weak = WEAK_CALLS.has(callee.last);
    if (!strong && !weak) return;
    if (!first || first.type === 'SpreadElement') return;
    const arg = unwrap(first);
    if (sqlTagOf(arg)) return; // the tag is extracted on its own
    if (callee.object && ['TaggedTemplateExpression', 'CallExpression'].includes(callee.object.type) && !stringish(arg)) return;
    let sqlNode: Node | undefined = arg;
    if (arg.type === 'ObjectExpression') {
      // client.query({ text: '...', values: [...] })
      const prop = (arg.properties as Node[]).find(
        (p) =>
          p.type === 'Property' &&
          isNode(p.key) &&
          ((p.key.name as string) === 'text' || (p.key.value as string) === 'text' || (p.key.name as string) === 'sql'),
      );
      sqlNode = prop ? (prop.value as Node) : undefined;
      if (!sqlNode) return;
    } else if (!strong && !stringish(arg)) return;
    else if (
      ['ArrowFunctionExpression', 'FunctionExpression', 'ArrayExpression', 'Literal'].includes(arg.type) &&
      !(arg.type === 'Literal' && typeof arg.value === 'string')
    )
      return;
    const style: ParamStyle = callee.last === 'raw' && args.length > 1 ? 'question' : 'dollar';
    const valuesNode =
      arg.type === 'ObjectExpression'
        ? ((arg.properties as Node[]).find((p) => p.type === 'Property' && isNode(p.key) && p.key.name === 'values')?.value as
            | Node
            | undefined)
        : args[1];
    push(evalNode(sqlNode), callee.full, n, sqlNode, style, valuesOf(valuesNode));
  };

  // `for (const t of ['a', 'b'])` and `['a', 'b'].forEach((t) => ...)`: the body once per value.
  const loopOf = (n: Node): { name: string; iterable: Node; body: Node } | null => {
    if (n.type === 'ForOfStatement') {
      const left = n.left as Node;
      const id = left.type === 'VariableDeclaration' ? ((left.declarations as Node[])[0]?.id as Node | undefined) : left;
      if (id?.type === 'Identifier') return { name: id.name as string, iterable: n.right as Node, body: n.body as Node };
    }
    if (n.type === 'CallExpression') {
      const callee = nameOf(n.callee as Node);
      const cb = (n.arguments as Node[])[0];
      const param =
        cb && (cb.type === 'ArrowFunctionExpression' || cb.type === 'FunctionExpression') ? (cb.params as Node[])[0] : undefined;
      if (callee?.object && (callee.last === 'forEach' || callee.last === 'map') && param?.type === 'Identifier') {
        return { name: param.name as string, iterable: callee.object, body: cb!.body as Node };
      }
    }
    return null;
  };
  // A site inside loops: evaluated once per value of each loop it is in (outermost first).
  const unrolled = (loops: Node[], k: number, run: () => void): void => {
    if (k === loops.length) return run();
    const loop = loopOf(loops[k]!)!;
    let list = unwrap(loop.iterable);
    if (list.type === 'Identifier') {
      const init = decls.get(list.name as string);
      if (init && !reassigned.has(list.name as string)) list = unwrap(init);
    }
    const values = list.type === 'ArrayExpression' ? (list.elements as (Node | null)[]).map((e) => (e ? evalNode(e) : null)) : null;
    const saved = new Map(loopBindings);
    const savedIteration = iteration;
    if (values && values.length > 0 && values.length <= 1000 && values.every((v) => v?.kind === 'str' && !v.dynamic)) {
      for (const v of values as Str[]) {
        loopBindings.set(loop.name, v.text);
        iteration = { ...(savedIteration ?? {}), [loop.name]: v.text };
        unrolled(loops, k + 1, run);
      }
    } else {
      loopBindings.set(loop.name, null);
      unrolled(loops, k + 1, run);
    }
    loopBindings.clear();
    for (const [key, v] of saved) loopBindings.set(key, v);
    iteration = savedIteration;
  };
  visitor.visit(result.program);
  findWrappers();
  for (const { n, inTemplate, loops } of sites) unrolled(loops, 0, () => site(n, inTemplate));
  // Inside a wrapper called from this file the SQL is a parameter: its callers hold it.
  for (const w of wrappers.values()) {
    if (w.calls === 0) continue;
    const wFrom = lines.locate(w.from);
    const wTo = lines.locate(w.to);
    const inside = (f: SqlFragment) => {
      const p = f.callLoc ?? f.loc;
      return (
        (p.line > wFrom.line || (p.line === wFrom.line && p.column >= wFrom.column)) &&
        (p.line < wTo.line || (p.line === wTo.line && p.column <= wTo.column))
      );
    };
    for (let i = fragments.length - 1; i >= 0; i--) {
      const f = fragments[i]!;
      if (f.sql === null && f.dynamic && inside(f) && f.reason === `\`${w.param}\` is a function parameter`) fragments.splice(i, 1);
    }
  }

  const at = (f: SqlFragment) => f.callLoc ?? f.loc;
  const out = dedupeIterations(fragments).sort((a, b) => at(a).line - at(b).line || at(a).column - at(b).column);
  return { fragments: out, warnings };
}
