// Stays whole: every guard form (helper body, column list, inspector, fetch answer, try/except) ends in the same parameter binding and SqlGuard builder here; split per form, each would need both.
// Guard detection for Python scripts (issue 18 point 2, issue 21's split of python-extract.ts):
// which existence check a condition, a helper function or a try/except amounts to.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import type { SqlGuard } from './types.js';

/** The existence checks a guard can be recognised as. */
export type CheckKind = 'column_exists' | 'table_exists' | 'index_exists' | 'constraint_exists';
type Role = 'table' | 'column' | 'index' | 'constraint';

/**
 * What a query or an inspector call returns, as far as guards care: a list of
 * a table's columns (`SELECT column_name FROM information_schema.columns WHERE
 * table_name = 'users'`, `inspector.get_columns('users')`), of tables or
 * indexes; or the answer of one existence check (`SELECT 1 FROM
 * information_schema.columns WHERE table_name = 'users' AND column_name = 'email'`).
 */
export interface CatalogVal {
  readonly kind: 'catalog';
  /** A listing: what it lists, and of which table. */
  readonly list?: { readonly what: 'columns' | 'tables' | 'indexes' | 'constraints'; readonly table?: string };
  /** One check, true when the object exists. */
  readonly check?: SqlGuard;
  /** A catalogue answer that names no one object (`indexname LIKE '%_pkey'`): a condition on it is not understood. */
  readonly vague?: true;
}

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

export const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',', ':', 'Comment']);

/** Children of a node without punctuation, comments and error nodes. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!PUNCT.has(c.name) && !c.type.isError) out.push(c);
  return out;
}

/** Positional arguments of a call (`star`: a `*args`/`**kw` makes positions unknown), and its keyword arguments. */
export function callArgs(text: string, argList: SyntaxNode | null): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; star: boolean } {
  const out = { positional: [] as SyntaxNode[], keywords: new Map<string, SyntaxNode>(), star: false };
  if (!argList) return out;
  let group: SyntaxNode[] = [];
  const flush = () => {
    if (group.length === 1) out.positional.push(group[0]!);
    else if (group.length === 3 && group[1]!.name === 'AssignOp' && group[0]!.name === 'VariableName') out.keywords.set(text.slice(group[0]!.from, group[0]!.to), group[2]!);
    else if (group.length > 0) out.star = true;
    group = [];
  };
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === 'Comment' || c.type.isError) continue;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return out;
}

const src = (text: string, n: SyntaxNode) => text.slice(n.from, n.to);
const lastName = (text: string, callee: SyntaxNode) => (callee.name === 'MemberExpression' && callee.lastChild ? src(text, callee.lastChild) : src(text, callee).replace(/\s+/g, ''));

// ---------- reading a catalogue query ----------

/** Where a compared value comes from in a query's text. */
type Slot = { type: 'pos'; index: number } | { type: 'named'; name: string } | { type: 'fstr'; expr: string } | { type: 'const'; value: string };

const ROLE_COLUMNS: Record<string, Role | 'relname'> = {
  table_name: 'table',
  tablename: 'table',
  relname: 'relname',
  column_name: 'column',
  attname: 'column',
  indexname: 'index',
  indexrelname: 'index',
  constraint_name: 'constraint',
  conname: 'constraint',
};

/** The check a query makes, by the catalogue it reads: the most specific wins (a pg_attribute query joins pg_class). */
function catalogueKind(sql: string): CheckKind | undefined {
  const s = sql.toLowerCase();
  if (/information_schema\s*\.\s*columns\b|\bpg_attribute\b/.test(s)) return 'column_exists';
  if (/\bpg_indexes\b|\bpg_index\b|relkind\s*(=\s*'i'|in\s*\(\s*'i')/.test(s)) return 'index_exists';
  if (/information_schema\s*\.\s*(table_constraints|key_column_usage|constraint_column_usage)\b|\bpg_constraint\b/.test(s)) return 'constraint_exists';
  if (/information_schema\s*\.\s*tables\b|\bpg_tables\b|\bpg_class\b|\bto_regclass\s*\(/.test(s)) return 'table_exists';
  return undefined;
}

const PLACEHOLDER = String.raw`(%s|%\((\w+)\)s|:(?!:)(\w+)|\$(\d+)|\?|'?\{([^{}]*)\}'?|'((?:[^']|'')*)')`;

function slotOf(sql: string, at: number, m: RegExpExecArray, base: number): Slot {
  if (m[base] === '%s' || m[base] === '?') {
    const before = sql.slice(0, at);
    return { type: 'pos', index: (before.match(/%s|\?/g) ?? []).length };
  }
  if (m[base + 1] !== undefined) return { type: 'named', name: m[base + 1]! };
  if (m[base + 2] !== undefined) return { type: 'named', name: m[base + 2]! };
  if (m[base + 3] !== undefined) return { type: 'pos', index: Number(m[base + 3]) - 1 };
  if (m[base + 4] !== undefined) return { type: 'fstr', expr: m[base + 4]!.trim() };
  return { type: 'const', value: m[base + 5]!.replaceAll("''", "'") };
}

/** The check a query makes and where its names come from; undefined when it reads no catalogue. */
function readQuery(sql: string): { kind: CheckKind; slots: Partial<Record<Role, Slot>>; vague: boolean } | undefined {
  const kind = catalogueKind(sql);
  if (!kind) return undefined;
  const slots: Partial<Record<Role, Slot>> = {};
  let vague = false;
  const cmp = new RegExp(String.raw`\b(?:\w+\.)?(table_name|tablename|relname|column_name|attname|indexname|indexrelname|constraint_name|conname)\s*(?:=|\blike\b|\bilike\b)\s*(?:lower\s*\(\s*)?${PLACEHOLDER}`, 'gi');
  for (let m = cmp.exec(sql); m; m = cmp.exec(sql)) {
    let role = ROLE_COLUMNS[m[1]!.toLowerCase()]!;
    if (role === 'relname') role = kind === 'index_exists' ? 'index' : 'table';
    const slot = slotOf(sql, m.index + m[0].length - m[2]!.length, m, 2);
    // LIKE '%_pkey' is a pattern, not a name
    if (/\blike\b/i.test(m[0]) && (slot.type !== 'const' || /[%_]/.test(slot.value))) {
      vague = true;
      continue;
    }
    if (slots[role] === undefined) slots[role] = slot;
  }
  // to_regclass('users'), 'users'::regclass, attrelid = %s::regclass
  const reg = new RegExp(String.raw`\bto_regclass\s*\(\s*${PLACEHOLDER}|${PLACEHOLDER}\s*::\s*regclass`, 'gi');
  for (let m = reg.exec(sql); m; m = reg.exec(sql)) {
    const base = m[1] !== undefined ? 1 : 7;
    const role: Role = kind === 'index_exists' && slots.index === undefined ? 'index' : 'table';
    if (slots[role] === undefined) slots[role] = slotOf(sql, m.index + m[0].indexOf(m[base]!), m, base);
  }
  return { kind, slots, vague };
}

const GUARD_ROLES: Record<CheckKind, { need: Role; args: Role[] }> = {
  column_exists: { need: 'column', args: ['table', 'column'] },
  table_exists: { need: 'table', args: ['table'] },
  index_exists: { need: 'index', args: ['index'] },
  constraint_exists: { need: 'constraint', args: ['table', 'constraint'] },
};

/** A guard from a check's names; undefined when the name it needs is missing. */
function guardFrom(kind: CheckKind, names: Partial<Record<Role, string>>, negated: boolean): SqlGuard | undefined {
  const { need, args } = GUARD_ROLES[kind];
  if (names[need] === undefined) return undefined;
  return { kind, negated, args: args.filter((r) => names[r] !== undefined).map((r) => unqualified(names[r]!)) };
}

/** `public.users` → `users`: effects name tables without their schema. */
function unqualified(name: string): string {
  return name.replace(/^"?public"?\./, '').replace(/^"(.*)"$/, '$1');
}

/** A query's parameter by position (0-based) or by name, when the call gives it as a constant. */
export type ParamOf = (slot: { readonly index?: number; readonly name?: string }) => string | undefined;

/**
 * What an executed query returns when its names are all constants (in its
 * text, or as constant parameters of the call): one existence check, or a
 * listing (columns of a table, tables, a table's indexes).
 */
export function catalogOfSql(sql: string, param: ParamOf = () => undefined): CatalogVal | undefined {
  const q = readQuery(sql);
  if (!q) return undefined;
  if (q.vague) return { kind: 'catalog', vague: true };
  const names: Partial<Record<Role, string>> = {};
  for (const [role, slot] of Object.entries(q.slots) as [Role, Slot][]) {
    const v = slot.type === 'const' ? slot.value : slot.type === 'pos' ? param({ index: slot.index }) : slot.type === 'named' ? param({ name: slot.name }) : undefined;
    if (v === undefined) return undefined;
    names[role] = v;
  }
  const check = guardFrom(q.kind, names, false);
  if (check) return { kind: 'catalog', check };
  const what = q.kind === 'column_exists' ? 'columns' : q.kind === 'table_exists' ? 'tables' : q.kind === 'index_exists' ? 'indexes' : 'constraints';
  if (what === 'columns' && names.table === undefined) return undefined;
  return { kind: 'catalog', list: { what, ...(names.table !== undefined ? { table: unqualified(names.table) } : {}) } };
}

/** SQLAlchemy Inspector calls: `get_columns('users')`, `get_table_names()`, `get_indexes('users')`, `has_table('users')`. */
export function catalogOfInspector(method: string, args: (string | undefined)[]): CatalogVal | undefined {
  const t = args[0];
  if (method === 'get_columns' && t !== undefined) return { kind: 'catalog', list: { what: 'columns', table: unqualified(t) } };
  if (method === 'get_table_names') return { kind: 'catalog', list: { what: 'tables' } };
  if (method === 'get_indexes' && t !== undefined) return { kind: 'catalog', list: { what: 'indexes', table: unqualified(t) } };
  if ((method === 'get_unique_constraints' || method === 'get_foreign_keys' || method === 'get_check_constraints') && t !== undefined) return { kind: 'catalog', list: { what: 'constraints', table: unqualified(t) } };
  if (method === 'has_table' && t !== undefined) return { kind: 'catalog', check: { kind: 'table_exists', negated: false, args: [unqualified(t)] } };
  if (method === 'has_index' && args[1] !== undefined) return { kind: 'catalog', check: { kind: 'index_exists', negated: false, args: [args[1]] } };
  return undefined;
}

// ---------- helper functions, read from their bodies ----------

type Source = { param: string } | { value: string };

/** A helper function that checks existence, read from its body. */
interface HelperCheck {
  readonly kind: CheckKind;
  readonly roles: Partial<Record<Role, Source>>;
  /** The helper answers "missing" (`return cur.fetchone() is None`). */
  readonly inverted: boolean;
}

interface HelperDef {
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

function walk(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
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
    if (depth < 4 && n.name === 'VariableName' && !paramNames.has(src(t, n)) && locals.has(src(t, n))) return deref(locals.get(src(t, n))!, depth + 1);
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
    const inspector = catalogOfInspector(method, args.positional.map(() => 'x'));
    if (inspector && callee.name === 'MemberExpression') {
      runsSql = true;
      const arg = (i: number) => sourceOf(args.positional[i]);
      if (inspector.check?.kind === 'table_exists') check = { kind: 'table_exists', roles: { ...(arg(0) ? { table: arg(0)! } : {}) }, inverted: false };
      else if (inspector.check?.kind === 'index_exists') check = { kind: 'index_exists', roles: { ...(arg(1) ? { index: arg(1)! } : {}) }, inverted: false };
      else if (inspector.list) {
        // `column in [c['name'] for c in inspect(engine).get_columns(table)]`
        const kind: CheckKind = inspector.list.what === 'columns' ? 'column_exists' : inspector.list.what === 'tables' ? 'table_exists' : inspector.list.what === 'indexes' ? 'index_exists' : 'constraint_exists';
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
    const positional = tuple && (tuple.name === 'TupleExpression' || tuple.name === 'ArrayExpression' || tuple.name === 'ParenthesizedExpression') ? children(tuple) : rest;
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
    const e = src(text, n).replace(/^return\b/, '').trim();
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

/**
 * The guard a condition amounts to, possibly under `not`:
 * - a call of a helper whose body is a catalogue check (its name does not
 *   matter), arguments mapped to its parameters by position and keyword;
 * - an SQLAlchemy inspector `has_table('x')`;
 * - `'email' not in cols` where `cols` lists a table's columns (or tables, indexes);
 * - the answer of an existence query (`if not cur.fetchone():` after one);
 * - by name only, when no body can be read: `column_exists`, `index_exists`,
 *   `table_exists`, any other `*exists` / `has_*` as an opaque `if`.
 * An opaque `if` names the condition and sends the statement to a person when
 * production lacks what it creates. Undefined: not a guard.
 */
export function guardOfCondition(book: GuardBook, host: GuardHost, cond: SyntaxNode): SqlGuard | undefined {
  const t = host.text;
  let negated = false;
  let node = cond;
  for (;;) {
    if (node.name === 'UnaryExpression' && node.firstChild && src(t, node.firstChild) === 'not') {
      negated = !negated;
      node = node.lastChild!;
    } else if (node.name === 'ParenthesizedExpression' && children(node).length === 1) node = children(node)[0]!;
    else break;
  }
  const flip = (g: SqlGuard | undefined): SqlGuard | undefined => (g && negated ? { ...g, negated: !g.negated } : g);
  if (node.name === 'BinaryExpression') {
    const k = children(node);
    const inAt = k.findIndex((x) => x.name === 'in');
    if (inAt > 0 && k.length === inAt + 2) {
      const not = k[inAt - 1]?.name === 'not';
      const right = host.catalog(k[inAt + 1]!);
      if (!right?.list) return undefined;
      const item = host.constant(k[0]!);
      const g = item === undefined ? undefined : listGuard(right.list, item, not);
      return flip(g ?? { kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ')] });
    }
    // `cur.fetchone() is None`, `count == 0`, `exists is not None`
    const op = k.length === 3 ? src(t, k[1]!) : k.length === 4 ? `${src(t, k[1]!)} ${src(t, k[2]!)}` : '';
    const right = k.at(-1);
    const c = host.catalog(k[0]!);
    if (c?.check && right) {
      const r = src(t, right);
      if ((op === 'is' && r === 'None') || (op === '==' && (r === '0' || r === 'False')) || (op === 'is not' && r !== 'None')) return flip({ ...c.check, negated: !c.check.negated });
      if ((op === 'is not' && r === 'None') || (op === '>' && r === '0') || (op === '!=' && r === '0') || (op === '==' && r === 'True') || (op === '>=' && r === '1')) return flip(c.check);
      return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ')] });
    }
    if (c) return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ').slice(0, 80)] });
    return undefined;
  }
  const c = host.catalog(node);
  if (c?.check) return flip(c.check);
  // `if not rows:` over a listing, or an answer that names no one object
  if (c) return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ').slice(0, 80)] });
  if (node.name !== 'CallExpression') return undefined;
  const callee = node.firstChild!;
  const last = lastName(t, callee);
  const args = callArgs(t, node.getChild('ArgList'));
  const consts = () => args.positional.map((a) => host.constant(a)).filter((v): v is string => v !== undefined);
  const helper = book.lookup(t, callee);
  if (helper?.check) return flip(fromHelper(host, helper, helper.check, args) ?? { kind: 'if', negated: false, args: [last, ...consts()] });
  if (helper?.check === null) return flip({ kind: 'if', negated: false, args: [last, ...consts()] });
  if (!/exists?$|^has_/i.test(last)) return undefined;
  // os.path.exists(f), Path(f).exists(), sql_file.exists(): a file, not the database
  if (callee.name === 'MemberExpression' && /^(os\.path|os|path|posixpath|pathlib\.Path|Path\(.*\)|\w*(file|path|dir)\w*)$/is.test(src(t, callee.firstChild!).replace(/\s+/g, ''))) return undefined;
  const kind = last === 'column_exists' || last === 'index_exists' || last === 'table_exists' ? last : 'if';
  return flip({ kind, negated: false, args: kind === 'if' ? [last, ...consts()] : consts() });
}

function listGuard(list: NonNullable<CatalogVal['list']>, item: string, not: boolean): SqlGuard | undefined {
  switch (list.what) {
    case 'columns':
      return { kind: 'column_exists', negated: not, args: list.table !== undefined ? [list.table, item] : [item] };
    case 'tables':
      return { kind: 'table_exists', negated: not, args: [unqualified(item)] };
    case 'indexes':
      return { kind: 'index_exists', negated: not, args: [item] };
    case 'constraints':
      return { kind: 'constraint_exists', negated: not, args: list.table !== undefined ? [list.table, item] : [item] };
  }
}

/** Map a call's arguments to the helper's parameters and read the names it checks. */
function fromHelper(host: GuardHost, h: HelperDef, check: HelperCheck, args: ReturnType<typeof callArgs>): SqlGuard | undefined {
  if (args.star) return undefined;
  const byParam = new Map<string, string | undefined>();
  h.params.forEach((p, i) => {
    const a = args.positional[i] ?? args.keywords.get(p.name);
    byParam.set(p.name, a ? host.constant(a) : p.default);
  });
  const names: Partial<Record<Role, string>> = {};
  for (const [role, s] of Object.entries(check.roles) as [Role, Source][]) {
    const v = 'value' in s ? s.value : byParam.get(s.param);
    if (v === undefined) return undefined;
    names[role] = v;
  }
  return guardFrom(check.kind, names, check.inverted);
}

// ---------- try / except ----------

/** Exception types that a failing CREATE/ADD/DROP raises: catching one and going on makes an existence guard. */
const SWALLOWED = /^(Exception|BaseException|(\w+\.)*(Error|DatabaseError|ProgrammingError|OperationalError|DBAPIError|SQLAlchemyError|IntegrityError|PostgresError|Duplicate\w*|\w*AlreadyExists\w*|UndefinedColumn|UndefinedTable|UndefinedObject|InFailedSqlTransaction))$/;

/**
 * `try: cur.execute("ALTER TABLE ... ADD COLUMN ...") except DuplicateColumn: pass`:
 * the statement runs only where its object does not exist yet (for a DROP:
 * only where it does). Recognised when the except clause catches such an
 * error without re-raising it. The kind is `exception`; which object it guards
 * is read from the statement's own effects.
 */
export function exceptionGuard(text: string, tryStmt: SyntaxNode): SqlGuard | undefined {
  const kids = children(tryStmt);
  for (let i = 0; i < kids.length; i++) {
    if (kids[i]!.name !== 'except') continue;
    let j = i + 1;
    const types: string[] = [];
    if (kids[j] && kids[j]!.name !== 'Body') {
      const e = kids[j]!;
      const items = e.name === 'TupleExpression' || e.name === 'ParenthesizedExpression' ? children(e) : [e];
      // except (A, B), except A | B
      for (const it of items) if (it.name !== 'as') types.push(...src(text, it).replace(/[\s()]+/g, '').split('|').filter(Boolean));
      j++;
    }
    while (kids[j] && kids[j]!.name !== 'Body') j++;
    const body = kids[j];
    if (!body) continue;
    let raises = false;
    walk(body, (n) => {
      if (n.name === 'RaiseStatement' || (n.name === 'CallExpression' && /^(sys\.)?exit$/.test(src(text, n.firstChild!)))) raises = true;
    });
    if (raises) continue;
    const caught = types.length === 0 ? ['(bare except)'] : types.filter((ty) => SWALLOWED.test(ty));
    if (caught.length > 0) return { kind: 'exception', negated: true, args: caught };
  }
  return undefined;
}
