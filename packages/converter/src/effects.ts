// Stays whole: statement effects, their guards and DO-block inspection share one walk over the parse tree and one effect vocabulary; a split would pass the walk's state between modules.
import { isStrataError } from '@pg-strata/core';
import { deparse, inspectDoBlock, parseScript, type DataLossReason, type SqlStatement } from '@pg-strata/sql';
import { fragmentPosition } from './fragments.js';
import type { Extraction, SqlFragment, SqlGuard } from './types.js';

/** What one statement does to a named object. Names are unquoted, as PostgreSQL folds them. */
export type EffectKind =
  | 'create_table'
  | 'drop_table'
  | 'rename_table'
  | 'add_column'
  | 'drop_column'
  | 'rename_column'
  | 'alter_column_type'
  | 'set_not_null'
  | 'drop_not_null'
  | 'set_default'
  | 'drop_default'
  | 'create_index'
  | 'drop_index'
  | 'rename_index'
  | 'add_constraint'
  | 'drop_constraint'
  | 'create_object'
  | 'drop_object'
  | 'insert_rows'
  | 'update_rows'
  | 'delete_rows'
  | 'truncate'
  | 'set_comment'
  | 'grant'
  | 'other';

/** A column as a `CREATE TABLE` or `ADD COLUMN` defines it. */
export interface EffectColumn {
  readonly name: string;
  /** `format_type` spelling (`character varying(20)`, `timestamp with time zone`); `serial` is `integer`. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default as written (deparsed), or null. */
  readonly default: string | null;
}

/** One effect of a statement on a named object. */
export interface Effect {
  readonly kind: EffectKind;
  /** Schema of the object; `public` when the statement does not qualify it. */
  readonly schema: string;
  /** Table (or the relation an index/constraint/row change is on). */
  readonly table?: string;
  readonly column?: string;
  /** Column type for `add_column` / `alter_column_type`, in `format_type` spelling. */
  readonly type?: string;
  readonly default?: string | null;
  readonly notNull?: boolean;
  /** `create_table`: its columns. `insert_rows` / `update_rows`: the columns written. */
  readonly columns?: readonly EffectColumn[] | readonly string[];
  readonly index?: string;
  readonly constraint?: string;
  /** `add_constraint`: `primary key`, `unique`, `foreign key`, `check`, `exclude`. */
  readonly constraintType?: string;
  /** Key columns of an `add_constraint`. */
  readonly keyColumns?: readonly string[];
  /** True when the name was not written and is PostgreSQL's default name for it. */
  readonly derivedName?: boolean;
  /** Renames. */
  readonly from?: string;
  readonly to?: string;
  /** `create_object` / `drop_object` / `other`: what it is (`view`, `function`, `extension`, a command tag). */
  readonly objectType?: string;
  readonly name?: string;
  /** Written with `IF NOT EXISTS` / `IF EXISTS`. */
  readonly conditional?: boolean;
  /** `CREATE INDEX CONCURRENTLY` and the like. */
  readonly concurrent?: boolean;
  /** `set_comment`: the comment (null for `IS NULL`). */
  readonly comment?: string | null;
  /** `grant`: the role (`public` for PUBLIC) and the privileges, upper case (`ALL` for ALL). */
  readonly grantee?: string;
  readonly privileges?: readonly string[];
}

/** A guard a statement runs under. */
export interface StatementGuard {
  /**
   * `if_not_exists` / `if_exists`: the statement's own clause; `column_exists`,
   * `index_exists`, `table_exists`, `if`: a helper of the script (see {@link SqlGuard});
   * `plpgsql`: an IF in a DO block.
   */
  readonly kind: 'if_not_exists' | 'if_exists' | 'column_exists' | 'index_exists' | 'table_exists' | 'constraint_exists' | 'exception' | 'if' | 'plpgsql';
  readonly negated: boolean;
  /** For a recognised catalogue check: the catalogue relation then the names compared (`['pg_indexes', 'idx_x']`). */
  readonly args: readonly string[];
  /** The condition's SQL, for a PL/pgSQL guard. */
  readonly conditionSql?: string;
  /** True when the guard is an existence check of the object the statement creates or drops. */
  readonly recognised: boolean;
}

/** One statement of a script with its effects. */
export interface AnalyzedStatement {
  /** Index of the fragment it came from in the extraction. */
  readonly fragment: number;
  /** The statement's SQL text. */
  readonly sql: string;
  /** Position in the script file (1-based). */
  readonly line: number;
  readonly column: number;
  /** False when the position is only the fragment's start (the fragment was not one literal). */
  readonly exact: boolean;
  readonly tag: string;
  readonly kind: string;
  readonly transactional: boolean;
  readonly dataLoss: readonly DataLossReason[];
  readonly effects: readonly Effect[];
  readonly guards: readonly StatementGuard[];
  /** Set when the statement runs inside a DO block (the block's own text is in `doBlock`). */
  readonly doBlock?: string;
  /** The fragment's parameter rows, when constant (for data-fix checks). */
  readonly paramValues?: readonly (readonly (string | null)[])[];
  /** `$n` placeholders present. */
  readonly params?: boolean;
  /** The parse tree node (for deriving data-fix checks). */
  readonly ast: unknown;
}

/** Something that keeps a script from being classified automatically. */
export interface ScriptProblem {
  readonly kind: 'dynamic_sql' | 'syntax_error' | 'unsupported' | 'include';
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** For a syntax error: whether line/column are exact in the script. */
  readonly exact?: boolean;
}

/** Every statement of one script, its effects and its problems. */
export interface ScriptAnalysis {
  readonly path: string;
  readonly language: Extraction['language'];
  readonly statements: AnalyzedStatement[];
  readonly problems: ScriptProblem[];
  /** Files the script runs (`psql -f`, `open(...).read()`), as written. */
  readonly includes: { readonly path: string; readonly line: number; readonly column: number }[];
  /** Number of fragments extracted. */
  readonly fragmentCount: number;
}

const PG_TYPE_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallint',
  int4: 'integer',
  int: 'integer',
  integer: 'integer',
  int8: 'bigint',
  smallint: 'smallint',
  bigint: 'bigint',
  float4: 'real',
  float8: 'double precision',
  real: 'real',
  bool: 'boolean',
  boolean: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  char: '"char"',
  varbit: 'bit varying',
  bit: 'bit',
  numeric: 'numeric',
  decimal: 'numeric',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  interval: 'interval',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

type Node = Record<string, unknown>;

function str(n: unknown): string | undefined {
  return (n as { String?: { sval?: string } } | undefined)?.String?.sval;
}

function intConst(n: unknown): number | undefined {
  const c = (n as { A_Const?: { ival?: { ival?: number } } } | undefined)?.A_Const;
  if (c === undefined) return undefined;
  return c.ival?.ival ?? 0;
}

/** `format_type` spelling of a parse-tree TypeName (what the catalogue would show). */
export function formatTypeName(typeName: unknown): string {
  const t = typeName as { names?: unknown[]; typmods?: unknown[]; arrayBounds?: unknown[] };
  const names = (t.names ?? []).map(str).filter((s): s is string => s !== undefined);
  const qualified = names.length > 1 && names[0] !== 'pg_catalog' ? names.slice(0, -1).join('.') + '.' : '';
  const raw = names.at(-1) ?? '?';
  const builtIn = names.length === 1 || names[0] === 'pg_catalog';
  let base = builtIn ? (PG_TYPE_NAMES[raw] ?? raw) : raw;
  if (raw === 'char' && names[0] === 'pg_catalog') base = 'character';
  const mods = (t.typmods ?? []).map(intConst).filter((m): m is number => m !== undefined);
  let out: string;
  if (mods.length > 0 && (base === 'timestamp with time zone' || base === 'timestamp without time zone' || base === 'time with time zone' || base === 'time without time zone')) {
    const [head, ...rest] = base.split(' ');
    out = `${head}(${mods.join(',')}) ${rest.join(' ')}`;
  } else if (mods.length > 0) {
    out = `${qualified}${base}(${mods.join(',')})`;
  } else if (base === 'character' && names[0] === 'pg_catalog') {
    out = 'character(1)';
  } else {
    out = `${qualified}${base}`;
  }
  return out + '[]'.repeat((t.arrayBounds ?? []).length);
}

function isSerial(typeName: unknown): boolean {
  const names = ((typeName as { names?: unknown[] }).names ?? []).map(str);
  return names.length === 1 && /^(small|big)?serial[248]?$/.test(names[0] ?? '');
}

function rangeVar(rv: unknown): { schema: string; table: string } {
  const r = rv as { schemaname?: string; relname?: string };
  return { schema: r.schemaname ?? 'public', table: r.relname ?? '?' };
}

function safeDeparse(node: unknown): string | null {
  try {
    return deparse(node as never);
  } catch {
    return null;
  }
}

function constraintTypeOf(contype: unknown): string | undefined {
  switch (contype) {
    case 'CONSTR_PRIMARY':
      return 'primary key';
    case 'CONSTR_UNIQUE':
      return 'unique';
    case 'CONSTR_FOREIGN':
      return 'foreign key';
    case 'CONSTR_CHECK':
      return 'check';
    case 'CONSTR_EXCLUSION':
      return 'exclude';
    default:
      return undefined;
  }
}

const SUFFIX: Readonly<Record<string, string>> = { 'primary key': 'pkey', unique: 'key', 'foreign key': 'fkey', check: 'check', exclude: 'excl' };

/** PostgreSQL's default name for an unnamed constraint or index (`users_email_key`), cut to 63 bytes. */
export function defaultObjectName(table: string, columns: readonly string[], suffix: string): string {
  const cols = columns.length > 0 ? columns.join('_') : '';
  const base = suffix === 'pkey' || cols === '' ? table : `${table}_${cols}`;
  const maxBase = 63 - suffix.length - 1;
  return `${base.length > maxBase ? base.slice(0, maxBase) : base}_${suffix}`;
}

/** Column names referenced anywhere in an expression tree. */
function columnRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) columnRefs(n, out);
  } else if (node !== null && typeof node === 'object') {
    const cr = (node as Node)['ColumnRef'] as { fields?: unknown[] } | undefined;
    if (cr !== undefined) {
      const last = str(cr.fields?.at(-1));
      if (last !== undefined && !out.includes(last)) out.push(last);
      return out;
    }
    for (const v of Object.values(node as Node)) columnRefs(v, out);
  }
  return out;
}

function keyNames(list: unknown): string[] {
  return Array.isArray(list) ? list.map((k) => str(k) ?? (k as { IndexElem?: { name?: string } }).IndexElem?.name).filter((s): s is string => s !== undefined) : [];
}

function constraintEffect(schema: string, table: string, c: Node, column?: string): Effect | undefined {
  const type = constraintTypeOf(c['contype']);
  if (type === undefined) return undefined;
  let keyColumns = keyNames(c['keys']);
  if (type === 'foreign key') keyColumns = keyNames(c['fk_attrs']);
  if (type === 'check') keyColumns = columnRefs(c['raw_expr']);
  if (type === 'exclude') keyColumns = Array.isArray(c['exclusions']) ? (c['exclusions'] as unknown[]).flatMap((e) => keyNames([((e as { List?: { items?: unknown[] } }).List?.items ?? [])[0]])) : [];
  if (column !== undefined && keyColumns.length === 0) keyColumns = [column];
  const written = c['conname'] as string | undefined;
  const name = written ?? defaultObjectName(table, type === 'check' ? keyColumns.slice(0, 1) : keyColumns, SUFFIX[type] ?? 'key');
  return { kind: 'add_constraint', schema, table, constraint: name, constraintType: type, keyColumns, ...(written === undefined ? { derivedName: true } : {}) };
}

/** A column definition's effect-level description plus its inline constraints. */
function columnOf(schema: string, table: string, def: Node): { column: EffectColumn; constraints: Effect[] } {
  const typeName = def['typeName'];
  let notNull = false;
  let dflt: string | null = isSerial(typeName) ? `nextval('${table}_${String(def['colname'])}_seq'::regclass)` : null;
  const constraints: Effect[] = [];
  for (const raw of (def['constraints'] as unknown[] | undefined) ?? []) {
    const c = (raw as { Constraint?: Node }).Constraint;
    if (c === undefined) continue;
    if (c['contype'] === 'CONSTR_NOTNULL' || c['contype'] === 'CONSTR_PRIMARY') notNull = true;
    if (c['contype'] === 'CONSTR_DEFAULT') dflt = safeDeparse(c['raw_expr']);
    const e = constraintEffect(schema, table, c, String(def['colname']));
    if (e !== undefined) constraints.push(e);
  }
  if (isSerial(typeName)) notNull = true;
  return { column: { name: String(def['colname']), type: formatTypeName(typeName), notNull, default: dflt }, constraints };
}

/**
 * The effects of one top-level statement node (`{ AlterTableStmt: ... }`).
 * DML gives `insert_rows` / `update_rows` / `delete_rows`; a statement with no
 * effect on the schema or rows (SELECT, SET, VACUUM, transaction control) gives
 * none; a statement outside the modelled kinds gives one `other` effect.
 */
export function statementEffects(ast: unknown): Effect[] {
  const [kind, raw] = Object.entries(ast as Node)[0] ?? ['', {}];
  const n = raw as Node;
  switch (kind) {
    case 'CreateStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const columns: EffectColumn[] = [];
      const extra: Effect[] = [];
      for (const el of (n['tableElts'] as unknown[] | undefined) ?? []) {
        const def = (el as { ColumnDef?: Node }).ColumnDef;
        if (def !== undefined) {
          const { column, constraints } = columnOf(schema, table, def);
          columns.push(column);
          extra.push(...constraints.filter((c) => !c.derivedName));
          continue;
        }
        const con = (el as { Constraint?: Node }).Constraint;
        if (con !== undefined && con['conname'] !== undefined) {
          const e = constraintEffect(schema, table, con);
          if (e !== undefined) extra.push(e);
        }
      }
      return [{ kind: 'create_table', schema, table, columns, ...(n['if_not_exists'] === true ? { conditional: true } : {}) }, ...extra];
    }
    case 'AlterTableStmt': {
      const { schema, table } = rangeVar(n['relation']);
      if (n['objtype'] !== 'OBJECT_TABLE') return [{ kind: 'other', schema, objectType: 'ALTER ' + String(n['objtype'] ?? '').replace('OBJECT_', ''), name: table }];
      const out: Effect[] = [];
      for (const rc of (n['cmds'] as unknown[] | undefined) ?? []) {
        const c = (rc as { AlterTableCmd?: Node }).AlterTableCmd ?? {};
        const cond = c['missing_ok'] === true ? { conditional: true } : {};
        const colName = c['name'] as string | undefined;
        switch (c['subtype']) {
          case 'AT_AddColumn': {
            const def = (c['def'] as { ColumnDef?: Node }).ColumnDef ?? {};
            const { column, constraints } = columnOf(schema, table, def);
            out.push({ kind: 'add_column', schema, table, column: column.name, type: column.type, default: column.default, notNull: column.notNull, ...cond }, ...constraints);
            break;
          }
          case 'AT_DropColumn':
            out.push({ kind: 'drop_column', schema, table, column: colName ?? '?', ...cond });
            break;
          case 'AT_AlterColumnType': {
            const def = (c['def'] as { ColumnDef?: Node }).ColumnDef ?? {};
            out.push({ kind: 'alter_column_type', schema, table, column: colName ?? '?', type: formatTypeName(def['typeName']) });
            break;
          }
          case 'AT_SetNotNull':
            out.push({ kind: 'set_not_null', schema, table, column: colName ?? '?' });
            break;
          case 'AT_DropNotNull':
            out.push({ kind: 'drop_not_null', schema, table, column: colName ?? '?' });
            break;
          case 'AT_ColumnDefault':
            out.push(c['def'] === undefined ? { kind: 'drop_default', schema, table, column: colName ?? '?' } : { kind: 'set_default', schema, table, column: colName ?? '?', default: safeDeparse(c['def']) });
            break;
          case 'AT_AddConstraint': {
            const con = (c['def'] as { Constraint?: Node }).Constraint;
            const e = con === undefined ? undefined : constraintEffect(schema, table, con);
            out.push(e ?? { kind: 'other', schema, table, objectType: 'ALTER TABLE ADD CONSTRAINT', name: table });
            break;
          }
          case 'AT_DropConstraint':
            out.push({ kind: 'drop_constraint', schema, table, constraint: colName ?? '?', ...cond });
            break;
          default:
            out.push({ kind: 'other', schema, table, objectType: `ALTER TABLE ${String(c['subtype']).replace(/^AT_/, '')}`, name: table });
        }
      }
      return out;
    }
    case 'RenameStmt': {
      const rel = n['relation'] === undefined ? { schema: 'public', table: '?' } : rangeVar(n['relation']);
      const to = n['newname'] as string;
      switch (n['renameType']) {
        case 'OBJECT_COLUMN':
          return [{ kind: 'rename_column', schema: rel.schema, table: rel.table, from: n['subname'] as string, to }];
        case 'OBJECT_TABLE':
          return [{ kind: 'rename_table', schema: rel.schema, table: rel.table, from: rel.table, to }];
        case 'OBJECT_INDEX':
          return [{ kind: 'rename_index', schema: rel.schema, index: rel.table, from: rel.table, to }];
        default:
          return [{ kind: 'other', schema: rel.schema, objectType: `RENAME ${String(n['renameType']).replace('OBJECT_', '')}`, name: rel.table }];
      }
    }
    case 'IndexStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const params = (n['indexParams'] as unknown[] | undefined) ?? [];
      const cols = params.map((p) => (p as { IndexElem?: { name?: string } }).IndexElem?.name ?? 'expr');
      const written = n['idxname'] as string | undefined;
      const index = written ?? defaultObjectName(table, cols, 'idx');
      return [{
        kind: 'create_index',
        schema,
        table,
        index,
        ...(cols.every((c) => c !== 'expr') ? { keyColumns: cols } : {}),
        ...(written === undefined ? { derivedName: true } : {}),
        ...(n['if_not_exists'] === true ? { conditional: true } : {}),
        ...(n['concurrent'] === true ? { concurrent: true } : {}),
      }];
    }
    case 'DropStmt': {
      const type = String(n['removeType'] ?? '');
      const cond = n['missing_ok'] === true ? { conditional: true } : {};
      const out: Effect[] = [];
      for (const obj of (n['objects'] as unknown[] | undefined) ?? []) {
        const parts = ((obj as { List?: { items?: unknown[] } }).List?.items ?? []).map(str).filter((s): s is string => s !== undefined);
        const name = parts.at(-1) ?? '?';
        const schema = parts.length > 1 ? parts[parts.length - 2]! : 'public';
        if (type === 'OBJECT_TABLE') out.push({ kind: 'drop_table', schema, table: name, ...cond });
        else if (type === 'OBJECT_INDEX') out.push({ kind: 'drop_index', schema, index: name, ...cond, ...(n['concurrent'] === true ? { concurrent: true } : {}) });
        else out.push({ kind: 'drop_object', schema, objectType: type.replace('OBJECT_', '').toLowerCase(), name, ...cond });
      }
      if (out.length === 0) out.push({ kind: 'other', schema: 'public', objectType: `DROP ${type.replace('OBJECT_', '')}` });
      return out;
    }
    case 'InsertStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const columns = ((n['cols'] as unknown[] | undefined) ?? []).map((c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name ?? '?');
      return [{ kind: 'insert_rows', schema, table, columns }];
    }
    case 'UpdateStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const columns = ((n['targetList'] as unknown[] | undefined) ?? []).map((c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name ?? '?');
      return [{ kind: 'update_rows', schema, table, columns: [...new Set(columns)] }];
    }
    case 'DeleteStmt': {
      const { schema, table } = rangeVar(n['relation']);
      return [{ kind: 'delete_rows', schema, table }];
    }
    case 'TruncateStmt':
      return ((n['relations'] as unknown[] | undefined) ?? []).map((r) => ({ kind: 'truncate' as const, ...rangeVar((r as { RangeVar?: unknown }).RangeVar) }));
    case 'CreateExtensionStmt':
      return [{ kind: 'create_object', schema: 'public', objectType: 'extension', name: n['extname'] as string, ...(n['if_not_exists'] === true ? { conditional: true } : {}) }];
    case 'ViewStmt': {
      const { schema, table } = rangeVar(n['view']);
      return [{ kind: 'create_object', schema, objectType: 'view', name: table }];
    }
    case 'CreateTableAsStmt': {
      const into = (n['into'] as { rel?: unknown } | undefined)?.rel;
      const { schema, table } = rangeVar(into);
      return [{ kind: 'create_object', schema, objectType: n['objtype'] === 'OBJECT_MATVIEW' ? 'materialized view' : 'table as', name: table }];
    }
    case 'CreateSeqStmt': {
      const { schema, table } = rangeVar(n['sequence']);
      return [{ kind: 'create_object', schema, objectType: 'sequence', name: table, ...(n['if_not_exists'] === true ? { conditional: true } : {}) }];
    }
    case 'CreateFunctionStmt': {
      const parts = ((n['funcname'] as unknown[] | undefined) ?? []).map(str).filter((s): s is string => s !== undefined);
      return [{ kind: 'create_object', schema: parts.length > 1 ? parts[0]! : 'public', objectType: n['is_procedure'] === true ? 'procedure' : 'function', name: parts.at(-1) ?? '?' }];
    }
    case 'CreateEnumStmt': {
      const parts = ((n['typeName'] as unknown[] | undefined) ?? []).map(str).filter((s): s is string => s !== undefined);
      return [{ kind: 'create_object', schema: parts.length > 1 ? parts[0]! : 'public', objectType: 'enum', name: parts.at(-1) ?? '?' }];
    }
    case 'CreateTrigStmt': {
      const { schema, table } = rangeVar(n['relation']);
      return [{ kind: 'create_object', schema, table, objectType: 'trigger', name: n['trigname'] as string }];
    }
    case 'CommentStmt': {
      const type = String(n['objtype'] ?? '');
      const parts = (((n['object'] as { List?: { items?: unknown[] } } | undefined)?.List?.items) ?? []).map(str).filter((x): x is string => x !== undefined);
      const comment = (n['comment'] as string | undefined) ?? null;
      if (type === 'OBJECT_TABLE' && parts.length >= 1) return [{ kind: 'set_comment', schema: parts.length > 1 ? parts[0]! : 'public', table: parts.at(-1)!, comment }];
      if (type === 'OBJECT_COLUMN' && parts.length >= 2) return [{ kind: 'set_comment', schema: parts.length > 2 ? parts[0]! : 'public', table: parts.at(-2)!, column: parts.at(-1)!, comment }];
      return [{ kind: 'other', schema: 'public', objectType: `COMMENT ON ${type.replace('OBJECT_', '')}` }];
    }
    case 'GrantStmt': {
      if (n['is_grant'] !== true || n['targtype'] !== 'ACL_TARGET_OBJECT' || n['objtype'] !== 'OBJECT_TABLE') return [{ kind: 'other', schema: 'public', objectType: n['is_grant'] === true ? 'GRANT' : 'REVOKE' }];
      const privileges = ((n['privileges'] as { AccessPriv?: { priv_name?: string; cols?: unknown } }[] | undefined) ?? []).map((p) => (p.AccessPriv?.cols !== undefined ? '?' : String(p.AccessPriv?.priv_name ?? '?').toUpperCase()));
      if (privileges.includes('?')) return [{ kind: 'other', schema: 'public', objectType: 'GRANT (columns)' }];
      const grantees = ((n['grantees'] as { RoleSpec?: { roletype?: string; rolename?: string } }[] | undefined) ?? []).map((g) => (g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : g.RoleSpec?.rolename));
      if (grantees.some((g) => g === undefined)) return [{ kind: 'other', schema: 'public', objectType: 'GRANT' }];
      const out: Effect[] = [];
      for (const o of (n['objects'] as unknown[] | undefined) ?? []) {
        const { schema, table } = rangeVar((o as { RangeVar?: unknown }).RangeVar);
        for (const g of grantees) out.push({ kind: 'grant', schema, table, grantee: g!, privileges: privileges.length === 0 ? ['ALL'] : privileges });
      }
      return out;
    }
    case 'SelectStmt':
      return n['intoClause'] === undefined ? [] : [{ kind: 'other', schema: 'public', objectType: 'SELECT INTO' }];
    case 'VariableSetStmt':
    case 'VariableShowStmt':
    case 'TransactionStmt':
    case 'VacuumStmt':
    case 'ExplainStmt':
    case 'CheckPointStmt':
    case 'LockStmt':
    case 'NotifyStmt':
    case 'ListenStmt':
    case 'DiscardStmt':
      return [];
    default:
      return [{ kind: 'other', schema: 'public', objectType: kind }];
  }
}

/** Relations that existence checks read, as they are written in guards. */
const CATALOG_RELATIONS = new Set([
  'pg_indexes', 'pg_class', 'pg_constraint', 'pg_tables', 'pg_attribute', 'pg_type', 'pg_namespace', 'pg_index', 'pg_views', 'pg_proc', 'pg_trigger', 'pg_extension', 'pg_sequences',
  'information_schema.columns', 'information_schema.tables', 'information_schema.table_constraints', 'information_schema.constraint_column_usage', 'information_schema.key_column_usage', 'information_schema.views',
  'information_schema.routines', 'information_schema.sequences',
]);
const SCHEMA_COLUMNS = new Set(['schemaname', 'table_schema', 'nspname', 'constraint_schema', 'connamespace', 'relnamespace', 'routine_schema', 'sequence_schema', 'table_catalog']);

function stringConsts(where: unknown, out: string[]): void {
  if (where === null || typeof where !== 'object') return;
  const n = where as Node;
  const be = n['BoolExpr'] as { boolop?: string; args?: unknown[] } | undefined;
  if (be !== undefined) {
    if (be.boolop === 'AND_EXPR') for (const a of be.args ?? []) stringConsts(a, out);
    return;
  }
  const e = n['A_Expr'] as { kind?: string; name?: unknown[]; lexpr?: unknown; rexpr?: unknown } | undefined;
  if (e === undefined || e.kind !== 'AEXPR_OP' || str(e.name?.[0]) !== '=') return;
  const col = (x: unknown) => str(((x as { ColumnRef?: { fields?: unknown[] } }).ColumnRef?.fields ?? []).at(-1));
  const val = (x: unknown): string | undefined => {
    const c = (x as { A_Const?: { sval?: { sval?: string } } }).A_Const;
    if (c?.sval !== undefined) return c.sval.sval ?? '';
    const tc = (x as { TypeCast?: { arg?: unknown } }).TypeCast;
    return tc === undefined ? undefined : val(tc.arg);
  };
  const [c, v] = col(e.lexpr) !== undefined ? [col(e.lexpr), val(e.rexpr)] : [col(e.rexpr), val(e.lexpr)];
  if (c === undefined || v === undefined || SCHEMA_COLUMNS.has(c)) return;
  out.push(v);
}

/**
 * Recognise `EXISTS (SELECT ... FROM <catalogue> WHERE col = 'name' ...)` in a
 * PL/pgSQL condition: gives `[catalogue, names...]`, or undefined.
 */
export async function catalogueCheck(conditionSql: string): Promise<string[] | undefined> {
  let parsed;
  try {
    parsed = await parseScript(`SELECT ${conditionSql}`);
  } catch {
    return undefined;
  }
  const sel = (parsed.statements[0]?.ast as { SelectStmt?: { targetList?: { ResTarget?: { val?: Node } }[] } } | undefined)?.SelectStmt;
  const sub = sel?.targetList?.[0]?.ResTarget?.val?.['SubLink'] as { subLinkType?: string; subselect?: { SelectStmt?: Node } } | undefined;
  if (sub?.subLinkType !== 'EXISTS_SUBLINK') return undefined;
  const inner = sub.subselect?.SelectStmt;
  const from = (inner?.['fromClause'] as unknown[] | undefined) ?? [];
  if (from.length !== 1) return undefined;
  const rv = (from[0] as { RangeVar?: { schemaname?: string; relname?: string } }).RangeVar;
  if (rv === undefined) return undefined;
  const rel = rv.schemaname !== undefined && rv.schemaname !== 'pg_catalog' ? `${rv.schemaname}.${rv.relname}` : (rv.relname ?? '');
  if (!CATALOG_RELATIONS.has(rel)) return undefined;
  const names: string[] = [];
  stringConsts(inner?.['whereClause'], names);
  return names.length > 0 ? [rel, ...names] : undefined;
}

function effectNames(effects: readonly Effect[]): Set<string> {
  const names = new Set<string>();
  for (const e of effects) for (const v of [e.table, e.column, e.index, e.constraint, e.name, e.from, e.to]) if (v !== undefined) names.add(v);
  return names;
}

function helperGuard(g: SqlGuard, effects: readonly Effect[]): StatementGuard {
  if (g.kind === 'exception') {
    // try/except around one statement: it is always attempted, so it runs on production
    // exactly when production lacks its effect (a CREATE/ADD of what exists, a DROP of what
    // is gone, fails and is swallowed): judging the effect against production is the whole
    // answer, as for IF [NOT] EXISTS. Never opaque.
    const drops = effects.length > 0 && effects.every((e) => /^drop_/.test(e.kind));
    return { kind: 'exception', negated: !drops, args: g.args, recognised: true };
  }
  const names = effectNames(effects);
  const args = g.kind === 'if' ? g.args.slice(1) : g.args;
  return { kind: g.kind, negated: g.negated, args: g.args, recognised: args.length > 0 && args.every((a) => names.has(a)) };
}

function clauseGuard(effects: readonly Effect[]): StatementGuard[] {
  if (!effects.some((e) => e.conditional)) return [];
  const creates = effects.some((e) => e.conditional && /^(create|add)_/.test(e.kind));
  return [{ kind: creates ? 'if_not_exists' : 'if_exists', negated: creates, args: [], recognised: true }];
}

/**
 * Parse every fragment of an extraction with PostgreSQL's parser, look inside
 * DO blocks, and turn each statement into effects with the guards it runs
 * under. Never throws on bad SQL: a syntax error becomes a problem with its
 * `file:line:column` in the original script; unresolved SQL a `dynamic_sql`
 * problem.
 */
export async function analyzeScript(extraction: Extraction): Promise<ScriptAnalysis> {
  const statements: AnalyzedStatement[] = [];
  const problems: ScriptProblem[] = [];
  const includes: ScriptAnalysis['includes'] = [];
  for (const w of extraction.warnings) problems.push({ kind: 'unsupported', message: w.message, line: w.line, column: w.column });
  for (const [fi, f] of extraction.fragments.entries()) {
    const at = f.callLoc ?? f.loc;
    if (f.includes !== undefined) {
      includes.push({ path: f.includes, line: at.line, column: at.column });
      continue;
    }
    if (f.dynamic || f.sql === null) {
      problems.push({ kind: 'dynamic_sql', message: f.reason ?? 'the SQL is built at run time', line: at.line, column: at.column });
      continue;
    }
    await analyzeFragment(extraction.path, fi, f, statements, problems);
  }
  return { path: extraction.path, language: extraction.language, statements, problems, includes, fragmentCount: extraction.fragments.length };
}

async function analyzeFragment(path: string, fi: number, f: SqlFragment, statements: AnalyzedStatement[], problems: ScriptProblem[]): Promise<void> {
  const sql = f.sql ?? '';
  let parsed;
  try {
    parsed = await parseScript(sql, { file: path, startLine: f.loc.line, startColumn: f.loc.column });
  } catch (err) {
    if (isStrataError(err) && err.code === 'SQL_SYNTAX') {
      const meta = err.meta as { offset?: number; parserMessage?: string };
      const pos = fragmentPosition(f, meta.offset ?? 0);
      problems.push({ kind: 'syntax_error', message: meta.parserMessage ?? err.message, line: pos.line, column: pos.column, exact: pos.exact });
      return;
    }
    throw err;
  }
  const exact = f.mapping === 'exact';
  for (const st of parsed.statements) {
    const base = {
      fragment: fi,
      line: exact ? st.range.line : f.loc.line,
      column: exact ? st.range.column : f.loc.column,
      exact,
      ...(f.paramValues !== undefined ? { paramValues: f.paramValues } : {}),
      ...(f.params === true ? { params: true } : {}),
    };
    if (st.kind === 'DoStmt') {
      await analyzeDoBlock(path, st, base, f, statements, problems);
      continue;
    }
    const effects = statementEffects(st.ast);
    const guards = [...(f.guard ? [helperGuard(f.guard, effects)] : []), ...clauseGuard(effects)];
    statements.push({ ...base, sql: st.text, tag: st.tag, kind: st.kind, transactional: st.transactional, dataLoss: st.dataLoss, effects, guards, ast: st.ast });
  }
}

async function analyzeDoBlock(
  path: string,
  st: SqlStatement,
  base: { fragment: number; line: number; column: number; exact: boolean },
  f: SqlFragment,
  statements: AnalyzedStatement[],
  problems: ScriptProblem[],
): Promise<void> {
  let inspection;
  try {
    inspection = inspectDoBlock(st);
  } catch (err) {
    const message = isStrataError(err) ? err.message : String(err);
    problems.push({ kind: 'syntax_error', message: `DO block: ${message}`, line: base.line, column: base.column, exact: false });
    return;
  }
  if (inspection.dynamic) problems.push({ kind: 'dynamic_sql', message: 'the DO block runs SQL built at run time (EXECUTE of a computed string)', line: base.line, column: base.column });
  for (const inner of inspection.statements) {
    let parsed;
    try {
      parsed = await parseScript(inner.sql, { file: path });
    } catch (err) {
      const message = isStrataError(err) ? ((err.meta as { parserMessage?: string }).parserMessage ?? err.message) : String(err);
      problems.push({ kind: 'syntax_error', message: `in the DO block: ${message}`, line: inner.line ?? base.line, column: 1, exact: false });
      continue;
    }
    for (const s of parsed.statements) {
      const effects = statementEffects(s.ast);
      const guards: StatementGuard[] = [...(f.guard ? [helperGuard(f.guard, effects)] : []), ...clauseGuard(effects)];
      if (inner.guard !== undefined) {
        const check = await catalogueCheck(inner.guard.conditionSql);
        const names = effectNames(effects);
        guards.push({
          kind: check === undefined ? 'plpgsql' : 'if',
          negated: inner.guard.negated,
          args: check ?? [],
          conditionSql: inner.guard.conditionSql,
          recognised: check !== undefined && check.slice(1).some((a) => names.has(a)),
        });
      }
      statements.push({
        ...base,
        line: inner.line ?? base.line,
        column: inner.line === undefined ? base.column : 1,
        exact: false,
        sql: s.text,
        tag: s.tag,
        kind: s.kind,
        transactional: s.transactional,
        dataLoss: s.dataLoss,
        effects,
        guards,
        doBlock: st.text,
        ast: s.ast,
        ...(f.paramValues !== undefined ? { paramValues: f.paramValues } : {}),
      });
    }
  }
}
