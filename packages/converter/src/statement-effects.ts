// What one parsed statement does: the objects it creates, alters or drops, read from libpg_query's parse tree.
import { deparse } from '@pg-strata/sql';
import type { EffectColumn, Effect } from './effect-types.js';

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

export type Node = Record<string, unknown>;

export function str(n: unknown): string | undefined {
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
  if (
    mods.length > 0 &&
    (base === 'timestamp with time zone' ||
      base === 'timestamp without time zone' ||
      base === 'time with time zone' ||
      base === 'time without time zone')
  ) {
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

const SUFFIX: Readonly<Record<string, string>> = {
  'primary key': 'pkey',
  unique: 'key',
  'foreign key': 'fkey',
  check: 'check',
  exclude: 'excl',
};

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
  return Array.isArray(list)
    ? list.map((k) => str(k) ?? (k as { IndexElem?: { name?: string } }).IndexElem?.name).filter((s): s is string => s !== undefined)
    : [];
}

function constraintEffect(schema: string, table: string, c: Node, column?: string): Effect | undefined {
  const type = constraintTypeOf(c['contype']);
  if (type === undefined) return undefined;
  let keyColumns = keyNames(c['keys']);
  if (type === 'foreign key') keyColumns = keyNames(c['fk_attrs']);
  if (type === 'check') keyColumns = columnRefs(c['raw_expr']);
  if (type === 'exclude')
    keyColumns = Array.isArray(c['exclusions'])
      ? (c['exclusions'] as unknown[]).flatMap((e) => keyNames([((e as { List?: { items?: unknown[] } }).List?.items ?? [])[0]]))
      : [];
  if (column !== undefined && keyColumns.length === 0) keyColumns = [column];
  const written = c['conname'] as string | undefined;
  const name = written ?? defaultObjectName(table, type === 'check' ? keyColumns.slice(0, 1) : keyColumns, SUFFIX[type] ?? 'key');
  return {
    kind: 'add_constraint',
    schema,
    table,
    constraint: name,
    constraintType: type,
    keyColumns,
    ...(written === undefined ? { derivedName: true } : {}),
  };
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
      if (n['objtype'] !== 'OBJECT_TABLE')
        return [{ kind: 'other', schema, objectType: 'ALTER ' + String(n['objtype'] ?? '').replace('OBJECT_', ''), name: table }];
      const out: Effect[] = [];
      for (const rc of (n['cmds'] as unknown[] | undefined) ?? []) {
        const c = (rc as { AlterTableCmd?: Node }).AlterTableCmd ?? {};
        const cond = c['missing_ok'] === true ? { conditional: true } : {};
        const colName = c['name'] as string | undefined;
        switch (c['subtype']) {
          case 'AT_AddColumn': {
            const def = (c['def'] as { ColumnDef?: Node }).ColumnDef ?? {};
            const { column, constraints } = columnOf(schema, table, def);
            out.push(
              {
                kind: 'add_column',
                schema,
                table,
                column: column.name,
                type: column.type,
                default: column.default,
                notNull: column.notNull,
                ...cond,
              },
              ...constraints,
            );
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
            out.push(
              c['def'] === undefined
                ? { kind: 'drop_default', schema, table, column: colName ?? '?' }
                : { kind: 'set_default', schema, table, column: colName ?? '?', default: safeDeparse(c['def']) },
            );
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
          return [
            { kind: 'other', schema: rel.schema, objectType: `RENAME ${String(n['renameType']).replace('OBJECT_', '')}`, name: rel.table },
          ];
      }
    }
    case 'IndexStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const params = (n['indexParams'] as unknown[] | undefined) ?? [];
      const cols = params.map((p) => (p as { IndexElem?: { name?: string } }).IndexElem?.name ?? 'expr');
      const written = n['idxname'] as string | undefined;
      const index = written ?? defaultObjectName(table, cols, 'idx');
      return [
        {
          kind: 'create_index',
          schema,
          table,
          index,
          ...(cols.every((c) => c !== 'expr') ? { keyColumns: cols } : {}),
          ...(written === undefined ? { derivedName: true } : {}),
          ...(n['if_not_exists'] === true ? { conditional: true } : {}),
          ...(n['concurrent'] === true ? { concurrent: true } : {}),
        },
      ];
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
        else if (type === 'OBJECT_INDEX')
          out.push({ kind: 'drop_index', schema, index: name, ...cond, ...(n['concurrent'] === true ? { concurrent: true } : {}) });
        else out.push({ kind: 'drop_object', schema, objectType: type.replace('OBJECT_', '').toLowerCase(), name, ...cond });
      }
      if (out.length === 0) out.push({ kind: 'other', schema: 'public', objectType: `DROP ${type.replace('OBJECT_', '')}` });
      return out;
    }
    case 'InsertStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const columns = ((n['cols'] as unknown[] | undefined) ?? []).map(
        (c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name ?? '?',
      );
      return [{ kind: 'insert_rows', schema, table, columns }];
    }
    case 'UpdateStmt': {
      const { schema, table } = rangeVar(n['relation']);
      const columns = ((n['targetList'] as unknown[] | undefined) ?? []).map(
        (c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name ?? '?',
      );
      return [{ kind: 'update_rows', schema, table, columns: [...new Set(columns)] }];
    }
    case 'DeleteStmt': {
      const { schema, table } = rangeVar(n['relation']);
      return [{ kind: 'delete_rows', schema, table }];
    }
    case 'TruncateStmt':
      return ((n['relations'] as unknown[] | undefined) ?? []).map((r) => ({
        kind: 'truncate' as const,
        ...rangeVar((r as { RangeVar?: unknown }).RangeVar),
      }));
    case 'CreateExtensionStmt':
      return [
        {
          kind: 'create_object',
          schema: 'public',
          objectType: 'extension',
          name: n['extname'] as string,
          ...(n['if_not_exists'] === true ? { conditional: true } : {}),
        },
      ];
    case 'ViewStmt': {
      const { schema, table } = rangeVar(n['view']);
      return [{ kind: 'create_object', schema, objectType: 'view', name: table }];
    }
    case 'CreateTableAsStmt': {
      const into = (n['into'] as { rel?: unknown } | undefined)?.rel;
      const { schema, table } = rangeVar(into);
      return [
        { kind: 'create_object', schema, objectType: n['objtype'] === 'OBJECT_MATVIEW' ? 'materialized view' : 'table as', name: table },
      ];
    }
    case 'CreateSeqStmt': {
      const { schema, table } = rangeVar(n['sequence']);
      return [
        {
          kind: 'create_object',
          schema,
          objectType: 'sequence',
          name: table,
          ...(n['if_not_exists'] === true ? { conditional: true } : {}),
        },
      ];
    }
    case 'CreateFunctionStmt': {
      const parts = ((n['funcname'] as unknown[] | undefined) ?? []).map(str).filter((s): s is string => s !== undefined);
      return [
        {
          kind: 'create_object',
          schema: parts.length > 1 ? parts[0]! : 'public',
          objectType: n['is_procedure'] === true ? 'procedure' : 'function',
          name: parts.at(-1) ?? '?',
        },
      ];
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
      const parts = ((n['object'] as { List?: { items?: unknown[] } } | undefined)?.List?.items ?? [])
        .map(str)
        .filter((x): x is string => x !== undefined);
      const comment = (n['comment'] as string | undefined) ?? null;
      if (type === 'OBJECT_TABLE' && parts.length >= 1)
        return [{ kind: 'set_comment', schema: parts.length > 1 ? parts[0]! : 'public', table: parts.at(-1)!, comment }];
      if (type === 'OBJECT_COLUMN' && parts.length >= 2)
        return [
          { kind: 'set_comment', schema: parts.length > 2 ? parts[0]! : 'public', table: parts.at(-2)!, column: parts.at(-1)!, comment },
        ];
      return [{ kind: 'other', schema: 'public', objectType: `COMMENT ON ${type.replace('OBJECT_', '')}` }];
    }
    case 'GrantStmt': {
      if (n['is_grant'] !== true || n['targtype'] !== 'ACL_TARGET_OBJECT' || n['objtype'] !== 'OBJECT_TABLE')
        return [{ kind: 'other', schema: 'public', objectType: n['is_grant'] === true ? 'GRANT' : 'REVOKE' }];
      const privileges = ((n['privileges'] as { AccessPriv?: { priv_name?: string; cols?: unknown } }[] | undefined) ?? []).map((p) =>
        p.AccessPriv?.cols !== undefined ? '?' : String(p.AccessPriv?.priv_name ?? '?').toUpperCase(),
      );
      if (privileges.includes('?')) return [{ kind: 'other', schema: 'public', objectType: 'GRANT (columns)' }];
      const grantees = ((n['grantees'] as { RoleSpec?: { roletype?: string; rolename?: string } }[] | undefined) ?? []).map((g) =>
        g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : g.RoleSpec?.rolename,
      );
      if (grantees.some((g) => g === undefined)) return [{ kind: 'other', schema: 'public', objectType: 'GRANT' }];
      const out: Effect[] = [];
      for (const o of (n['objects'] as unknown[] | undefined) ?? []) {
        const { schema, table } = rangeVar((o as { RangeVar?: unknown }).RangeVar);
        for (const g of grantees)
          out.push({ kind: 'grant', schema, table, grantee: g!, privileges: privileges.length === 0 ? ['ALL'] : privileges });
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
