// Catalogue queries in Python scripts: what an information_schema / pg_catalog query or an inspector call reads,
// and the existence check it amounts to.
import type { SqlGuard } from './types.js';

/** The existence checks a guard can be recognised as. */
export type CheckKind = 'column_exists' | 'table_exists' | 'index_exists' | 'constraint_exists';
export type Role = 'table' | 'column' | 'index' | 'constraint';

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

/** Where a compared value comes from in a query's text. */
export type Slot =
  | { type: 'pos'; index: number }
  | { type: 'named'; name: string }
  | { type: 'fstr'; expr: string }
  | { type: 'const'; value: string };

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
  if (/information_schema\s*\.\s*(table_constraints|key_column_usage|constraint_column_usage)\b|\bpg_constraint\b/.test(s))
    return 'constraint_exists';
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
export function readQuery(sql: string): { kind: CheckKind; slots: Partial<Record<Role, Slot>>; vague: boolean } | undefined {
  const kind = catalogueKind(sql);
  if (!kind) return undefined;
  const slots: Partial<Record<Role, Slot>> = {};
  let vague = false;
  const names = ['table_name', 'tablename', 'relname', 'column_name', 'attname', 'indexname', 'indexrelname', 'constraint_name', 'conname'];
  const cmp = new RegExp(String.raw`\b(?:\w+\.)?(${names.join('|')})\s*(?:=|\blike\b|\bilike\b)\s*(?:lower\s*\(\s*)?${PLACEHOLDER}`, 'gi');
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

export const GUARD_ROLES: Record<CheckKind, { need: Role; args: Role[] }> = {
  column_exists: { need: 'column', args: ['table', 'column'] },
  table_exists: { need: 'table', args: ['table'] },
  index_exists: { need: 'index', args: ['index'] },
  constraint_exists: { need: 'constraint', args: ['table', 'constraint'] },
};

/** A guard from a check's names; undefined when the name it needs is missing. */
export function guardFrom(kind: CheckKind, names: Partial<Record<Role, string>>, negated: boolean): SqlGuard | undefined {
  const { need, args } = GUARD_ROLES[kind];
  if (names[need] === undefined) return undefined;
  return { kind, negated, args: args.filter((r) => names[r] !== undefined).map((r) => unqualified(names[r]!)) };
}

/** `public.users` → `users`: effects name tables without their schema. */
export function unqualified(name: string): string {
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
    const v =
      slot.type === 'const'
        ? slot.value
        : slot.type === 'pos'
          ? param({ index: slot.index })
          : slot.type === 'named'
            ? param({ name: slot.name })
            : undefined;
    if (v === undefined) return undefined;
    names[role] = v;
  }
  const check = guardFrom(q.kind, names, false);
  if (check) return { kind: 'catalog', check };
  const what =
    q.kind === 'column_exists' ? 'columns' : q.kind === 'table_exists' ? 'tables' : q.kind === 'index_exists' ? 'indexes' : 'constraints';
  if (what === 'columns' && names.table === undefined) return undefined;
  return { kind: 'catalog', list: { what, ...(names.table !== undefined ? { table: unqualified(names.table) } : {}) } };
}

/** SQLAlchemy Inspector calls: `get_columns('users')`, `get_table_names()`, `get_indexes('users')`, `has_table('users')`. */
export function catalogOfInspector(method: string, args: (string | undefined)[]): CatalogVal | undefined {
  const t = args[0];
  if (method === 'get_columns' && t !== undefined) return { kind: 'catalog', list: { what: 'columns', table: unqualified(t) } };
  if (method === 'get_table_names') return { kind: 'catalog', list: { what: 'tables' } };
  if (method === 'get_indexes' && t !== undefined) return { kind: 'catalog', list: { what: 'indexes', table: unqualified(t) } };
  if ((method === 'get_unique_constraints' || method === 'get_foreign_keys' || method === 'get_check_constraints') && t !== undefined)
    return { kind: 'catalog', list: { what: 'constraints', table: unqualified(t) } };
  if (method === 'has_table' && t !== undefined)
    return { kind: 'catalog', check: { kind: 'table_exists', negated: false, args: [unqualified(t)] } };
  if (method === 'has_index' && args[1] !== undefined)
    return { kind: 'catalog', check: { kind: 'index_exists', negated: false, args: [args[1]] } };
  return undefined;
}

// ---------- helper functions, read from their bodies ----------
