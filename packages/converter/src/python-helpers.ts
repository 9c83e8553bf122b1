// Helper functions as guards in Python scripts: `def column_exists(cur, table, column)` read once (in this file or an
// imported module of the estate), then recognised where a condition calls it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { type CheckKind, type Role, type CatalogVal, type Slot, readQuery, GUARD_ROLES, catalogOfInspector } from './python-catalog.js';
import { children, callArgs, src, lastName } from './python-nodes.js';

/** What guard detection needs from the extractor, evaluated in the current scope. */
export interface GuardHost {
  readonly text: string;
  /** The constant string an expression evaluates to (module constants included), else undefined. */
  constant(node: SyntaxNode): string | undefined;
  /** An expression's string as far as it is known, unresolved parts as written (`{table}`, `%s`). */
  sqlText(node: SyntaxNode): string | undefined;
  /** The catalogue value an expression evaluates to. */
  catalog(node: SyntaxNode): CatalogVal | undefined;
}

export type Source = { param: string } | { value: string };

/** A helper function that checks existence, read from its body. */
export interface HelperCheck {
  readonly kind: CheckKind;
  readonly roles: Partial<Record<Role, Source>>;
  /** The helper answers "missing" (`return cur.fetchone() is None`). */
  readonly inverted: boolean;
}

export interface HelperDef {
  readonly name: string;
  /** Parameter names without `self`/`cls`, with their constant defaults. */
  readonly params: readonly { name: string; default?: string }[];
  readonly method: boolean;
  /** `null`: its body runs SQL but no check this reads; `undefined`: it runs no SQL at all. */
  readonly check: HelperCheck | null | undefined;
}

function readParams(host: GuardHost, def: SyntaxNode): { params: { name: string; default?: string }[]; method: boolean } {
  const list = def.getChild('ParamList');
  const params: { name: string; default?: string }[] = [];
  if (list) {
    for (const p of children(list)) {
      if (p.name !== 'VariableName') continue;
      const prev = p.prevSibling;
      if (prev && (prev.name === '*' || prev.name === '**' || prev.name === 'AssignOp')) continue;
      const next = p.nextSibling;
      const dflt = next?.name === 'AssignOp' && next.nextSibling ? host.constant(next.nextSibling) : undefined;
      params.push({ name: src(host.text, p), ...(dflt !== undefined ? { default: dflt } : {}) });
    }
  }
  const method = params[0]?.name === 'self' || params[0]?.name === 'cls';
  return { params: method ? params.slice(1) : params, method };
}

export function walk(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  visit(node);
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'FunctionDefinition' && c.name !== 'ClassDefinition') walk(c, visit);
}

/** Read what a helper checks: the catalogue query it runs and which parameters feed the names. */
function readHelper(host: GuardHost, def: SyntaxNode): HelperDef | undefined {
  const nameNode = def.getChild('VariableName');
  const body = def.getChild('Body');
  if (!nameNode || !body) return undefined;
  const { params, method } = readParams(host, def);
  const paramNames = new Set(params.map((p) => p.name));
  const t = host.text;
  // simple local assignments: `sql = "..."`, `t = table_name`
  const locals = new Map<string, SyntaxNode>();
  walk(body, (n) => {
    if (n.name !== 'AssignStatement') return;
    const k = children(n);
    if (k.length === 3 && k[0]!.name === 'VariableName' && k[1]!.name === 'AssignOp') locals.set(src(t, k[0]!), k[2]!);
  });
  const deref = (n: SyntaxNode, depth = 0): SyntaxNode => {
    if (depth < 4 && n.name === 'VariableName' && !paramNames.has(src(t, n)) && locals.has(src(t, n)))
      return deref(locals.get(src(t, n))!, depth + 1);
    return n;
  };
  // named placeholders: dictionary literals and keyword arguments that give them
  const named = new Map<string, SyntaxNode>();
  walk(body, (n) => {
    if (n.name === 'DictionaryExpression') {
      const k = children(n);
      for (let i = 0; i + 1 < k.length; i += 2) {
        const key = host.constant(k[i]!);
        if (key !== undefined) named.set(key, k[i + 1]!);
      }
    } else if (n.name === 'ArgList') for (const [k, v] of callArgs(t, n).keywords) named.set(k, v);
  });
  const sourceOf = (n: SyntaxNode | undefined): Source | undefined => {
    if (!n) return undefined;
    const d = deref(n);
    const c = host.constant(d);
    if (c !== undefined) return { value: c };
    // the one parameter in it: `table`, `"public." + table`, `table.lower()`
    const found = new Set<string>();
    walk(d, (x) => {
      if (x.name === 'VariableName' && paramNames.has(src(t, x))) found.add(src(t, x));
    });
    return found.size === 1 ? { param: [...found][0]! } : undefined;
  };
  let check: HelperCheck | null | undefined;
  let runsSql = false;
  walk(body, (n) => {
    if (check || n.name !== 'CallExpression') return;
    const callee = n.firstChild!;
    const method = lastName(t, callee);
    const args = callArgs(t, n.getChild('ArgList'));
    const inspector = catalogOfInspector(
      method,
      args.positional.map(() => 'x'),
    );
    if (inspector && callee.name === 'MemberExpression') {
      runsSql = true;
      const arg = (i: number) => sourceOf(args.positional[i]);
      if (inspector.check?.kind === 'table_exists')
        check = { kind: 'table_exists', roles: { ...(arg(0) ? { table: arg(0)! } : {}) }, inverted: false };
      else if (inspector.check?.kind === 'index_exists')
        check = { kind: 'index_exists', roles: { ...(arg(1) ? { index: arg(1)! } : {}) }, inverted: false };
      else if (inspector.list) {
        // `column in [c['name'] for c in inspect(engine).get_columns(table)]`
        const kind: CheckKind =
          inspector.list.what === 'columns'
            ? 'column_exists'
            : inspector.list.what === 'tables'
              ? 'table_exists'
              : inspector.list.what === 'indexes'
                ? 'index_exists'
                : 'constraint_exists';
        const item = inItem(t, body, paramNames);
        const role = GUARD_ROLES[kind].need;
        const roles: Partial<Record<Role, Source>> = {};
        if (item) roles[role] = { param: item };
        if (kind !== 'table_exists' && arg(0)) roles.table = arg(0)!;
        check = { kind, roles, inverted: false };
      }
      return;
    }
    const first = args.positional[0] ?? args.keywords.get('sql') ?? args.keywords.get('query') ?? args.keywords.get('statement');
    if (!first) return;
    let sqlNode = deref(first);
    if (sqlNode.name === 'CallExpression' && ['text', 'SQL'].includes(lastName(t, sqlNode.firstChild!))) {
      sqlNode = deref(callArgs(t, sqlNode.getChild('ArgList')).positional[0] ?? sqlNode);
    }
    const sql = host.sqlText(sqlNode);
    if (sql === undefined) return;
    if (/^\s*(select|with|show)\b/i.test(sql)) runsSql = true;
    const q = readQuery(sql);
    if (!q || q.vague) return;
    // parameters: the rest of the call's arguments (one tuple or list, or each in turn), by position
    const rest = args.positional.slice(1);
    const tuple = rest.length === 1 ? deref(rest[0]!) : undefined;
    const positional =
      tuple && (tuple.name === 'TupleExpression' || tuple.name === 'ArrayExpression' || tuple.name === 'ParenthesizedExpression')
        ? children(tuple)
        : rest;
    const roles: Partial<Record<Role, Source>> = {};
    for (const [role, slot] of Object.entries(q.slots) as [Role, Slot][]) {
      let s: Source | undefined;
      if (slot.type === 'const') s = { value: slot.value };
      else if (slot.type === 'pos') s = sourceOf(positional[slot.index]);
      else if (slot.type === 'named') s = sourceOf(named.get(slot.name)) ?? (paramNames.has(slot.name) ? { param: slot.name } : undefined);
      else s = /^[A-Za-z_]\w*$/.test(slot.expr) && paramNames.has(slot.expr) ? { param: slot.expr } : undefined;
      if (s) roles[role] = s;
    }
    check = { kind: q.kind, roles, inverted: false };
  });
  if (check) check = { ...(check as HelperCheck), inverted: invertedReturn(t, body) };
  return { name: src(t, nameNode), params, method, check: check ?? (runsSql ? null : undefined) };
}

/** The parameter on the left of an `in` in the body (`return column in cols`). */
function inItem(text: string, body: SyntaxNode, params: ReadonlySet<string>): string | undefined {
  let found: string | undefined;
  walk(body, (n) => {
    if (found || n.name !== 'BinaryExpression') return;
    const k = children(n);
    const inAt = k.findIndex((x) => x.name === 'in');
    if (inAt > 0 && k[0]!.name === 'VariableName' && params.has(src(text, k[0]!))) found = src(text, k[0]!);
  });
  return found;
}

/** True when the helper's answer means "missing": its last non-constant return is `... is None`, `not ...`, `== 0`. */
function invertedReturn(text: string, body: SyntaxNode): boolean {
  let last: string | undefined;
  walk(body, (n) => {
    if (n.name !== 'ReturnStatement') return;
    const e = src(text, n)
      .replace(/^return\b/, '')
      .trim();
    if (e && !/^(True|False|None|\d+)$/.test(e)) last = e;
  });
  if (last === undefined) return false;
  return /^not\b|\bis\s+None\s*$|==\s*0\s*$|^len\(.*\)\s*==\s*0$/.test(last) || /\bnot\s+in\b/.test(last);
}

// ---------- the book of helpers a script can call ----------

interface ModuleHelpers {
  readonly text: string;
  readonly defs: Map<string, HelperDef>;
}

const moduleCache = new Map<string, ModuleHelpers>();

function topDefs(host: GuardHost, top: SyntaxNode): Map<string, HelperDef> {
  const defs = new Map<string, HelperDef>();
  const add = (d: SyntaxNode) => {
    const h = readHelper(host, d);
    if (h && !defs.has(h.name)) defs.set(h.name, h);
  };
  for (const n of children(top)) {
    const def = n.name === 'DecoratedStatement' ? children(n).find((c) => c.name === 'FunctionDefinition') : n;
    if (def?.name === 'FunctionDefinition') add(def);
    if (n.name === 'ClassDefinition') for (const m of children(n.getChild('Body') ?? n)) if (m.name === 'FunctionDefinition') add(m);
  }
  return defs;
}

/**
 * The helpers a script can call in its conditions: defined in it, or imported
 * from a sibling module of the estate (`from db_utils import has_column`,
 * `from .helpers import x`, `import helpers; helpers.col_exists(...)`), the
 * module found beside the script, in a folder above it, or under the estate's root.
 */
export class GuardBook {
  readonly #local: Map<string, HelperDef>;
  /** Imported names → the helper. */
  readonly #imported = new Map<string, HelperDef>();
  /** Module aliases → the module's helpers. */
  readonly #modules = new Map<string, Map<string, HelperDef>>();

  constructor(
    host: GuardHost,
    top: SyntaxNode,
    private readonly where: { readonly root?: string; readonly path?: string },
    private readonly hostFor: (text: string) => GuardHost,
  ) {
    this.#local = topDefs(host, top);
    if (where.root === undefined || where.path === undefined) return;
    walk(top, (n) => {
      if (n.name === 'ImportStatement') this.#import(host.text, n);
    });
  }

  #import(text: string, stmt: SyntaxNode): void {
    const kids = children(stmt);
    if (kids[0]?.name === 'from') {
      const importAt = kids.findIndex((k) => k.name === 'import');
      let dots = 0;
      const parts: string[] = [];
      for (const k of kids.slice(1, importAt)) {
        if (k.name === '.' && parts.length === 0) dots++;
        else if ((k.name === 'Ellipsis' || src(text, k) === '...') && parts.length === 0) dots += 3;
        else if (k.name === 'VariableName') parts.push(src(text, k));
      }
      const names = kids.slice(importAt + 1);
      for (let i = 0; i < names.length; i++) {
        const k = names[i]!;
        if (k.name === '*') {
          const mod = this.#load(dots, parts);
          for (const [name, h] of mod ?? []) this.#imported.set(name, h);
          continue;
        }
        if (k.name !== 'VariableName') continue;
        const name = src(text, k);
        let alias = name;
        if (names[i + 1]?.name === 'as' && names[i + 2]) {
          alias = src(text, names[i + 2]!);
          i += 2;
        }
        const h = this.#load(dots, parts)?.get(name);
        if (h) this.#imported.set(alias, h);
        else {
          // `from pkg import helpers`: a module
          const sub = this.#load(dots, [...parts, name]);
          if (sub) this.#modules.set(alias, sub);
        }
      }
      return;
    }
    // import a.b as c, d
    let parts: string[] = [];
    let alias: string | undefined;
    let afterAs = false;
    const flush = () => {
      if (parts.length > 0) {
        const mod = this.#load(0, parts);
        if (mod) this.#modules.set(alias ?? parts.join('.'), mod);
      }
      parts = [];
      alias = undefined;
      afterAs = false;
    };
    for (let c = stmt.firstChild; c; c = c.nextSibling) {
      if (c.name === ',') flush();
      else if (c.name === 'as') afterAs = true;
      else if (c.name === 'VariableName') {
        if (afterAs) alias = src(text, c);
        else parts.push(src(text, c));
      }
    }
    flush();
  }

  #load(dots: number, parts: string[]): Map<string, HelperDef> | undefined {
    const { root, path } = this.where;
    if (root === undefined || path === undefined || parts.length === 0) return undefined;
    const scriptDir = dirname(resolve(root, path));
    const bases: string[] = [];
    if (dots > 0) {
      let b = scriptDir;
      for (let i = 1; i < dots; i++) b = dirname(b);
      // never above the estate's root
      if (b === resolve(root) || b.startsWith(resolve(root) + '/')) bases.push(b);
    } else {
      const top = resolve(root);
      for (let b = scriptDir; ; b = dirname(b)) {
        bases.push(b);
        if (b === top || !b.startsWith(top) || dirname(b) === b) break;
      }
      if (!bases.includes(top)) bases.push(top);
    }
    for (const b of bases) {
      for (const f of [join(b, ...parts) + '.py', join(b, ...parts, '__init__.py')]) {
        if (!existsSync(f)) continue;
        let text: string;
        try {
          text = readFileSync(f, 'utf8');
        } catch {
          continue;
        }
        const cached = moduleCache.get(f);
        if (cached && cached.text === text) return cached.defs;
        const tree = parser.parse(text);
        const defs = topDefs(this.hostFor(text), tree.topNode);
        moduleCache.set(f, { text, defs });
        return defs;
      }
    }
    return undefined;
  }

  /** The helper a call's callee names: `f(...)`, `self.f(...)`, `module.f(...)`. */
  lookup(text: string, callee: SyntaxNode): HelperDef | undefined {
    if (callee.name === 'VariableName') {
      const name = src(text, callee);
      const h = this.#local.get(name) ?? this.#imported.get(name);
      return h && !h.method ? h : undefined;
    }
    if (callee.name !== 'MemberExpression' || !callee.firstChild || !callee.lastChild) return undefined;
    const recv = src(text, callee.firstChild).replace(/\s+/g, '');
    const name = src(text, callee.lastChild);
    if (recv === 'self' || recv === 'cls') {
      const h = this.#local.get(name);
      return h?.method ? h : undefined;
    }
    return this.#modules.get(recv)?.get(name);
  }
}

// ---------- conditions ----------
