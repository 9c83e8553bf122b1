import type * as t from '@pgsql/types';
import { commandTag } from './command-tag.js';
import { dataLossOf } from './data-loss.js';
import { nameParts, objectName, rangeVarName } from './names.js';
import type { DataLossReason, LockMode } from './types.js';

/** Everything {@link classify} tells about one statement. */
export interface Classification {
  kind: string;
  tag: string;
  transactional: boolean;
  enumValueAdded: boolean;
  transactionControl: boolean;
  isDdl: boolean;
  isDml: boolean;
  dataLoss: DataLossReason[];
  lock: LockMode | null;
  targets: string[];
}

/** The node name of a statement node (`{ CreateStmt: {...} }` -> `CreateStmt`). */
export function nodeKind(node: t.Node): string {
  for (const key in node) return key;
  return '';
}

function bodyOf(node: t.Node, kind: string): unknown {
  return (node as unknown as Record<string, unknown>)[kind] ?? {};
}

function defElems(list: t.Node[] | undefined): t.DefElem[] {
  const out: t.DefElem[] = [];
  for (const n of list ?? []) if ('DefElem' in n) out.push(n.DefElem);
  return out;
}

/** Whether a DefElem option is set: present with no argument, or with a true-ish one. */
function optionOn(list: t.Node[] | undefined, name: string): boolean | undefined {
  const el = defElems(list).find((d) => d.defname === name);
  if (el === undefined) return undefined;
  const arg = el.arg;
  if (arg === undefined) return true;
  if ('Boolean' in arg) return arg.Boolean.boolval === true;
  if ('A_Const' in arg) {
    const c = arg.A_Const;
    if (c.boolval !== undefined) return c.boolval.boolval === true;
    if (c.ival !== undefined) return (c.ival.ival ?? 0) !== 0;
    if (c.sval !== undefined) return !/^(false|off|no|0)$/i.test(c.sval.sval ?? '');
  }
  if ('String' in arg) return !/^(false|off|no|0)$/i.test(arg.String.sval ?? '');
  if ('Integer' in arg) return (arg.Integer.ival ?? 0) !== 0;
  return true;
}

/*
 * Statements PostgreSQL refuses inside a transaction block
 * (PreventInTransactionBlock callers in PostgreSQL 17).
 */
function isTransactional(kind: string, body: unknown): boolean {
  switch (kind) {
    case 'IndexStmt':
      return (body as t.IndexStmt).concurrent !== true;
    case 'DropStmt':
      return (body as t.DropStmt).concurrent !== true;
    case 'ReindexStmt': {
      const s = body as t.ReindexStmt;
      // REINDEX SCHEMA/SYSTEM/DATABASE commit per table, like CONCURRENTLY.
      if (s.kind === 'REINDEX_OBJECT_SCHEMA' || s.kind === 'REINDEX_OBJECT_SYSTEM' || s.kind === 'REINDEX_OBJECT_DATABASE') return false;
      return optionOn(s.params, 'concurrently') !== true;
    }
    case 'VacuumStmt':
      return (body as t.VacuumStmt).is_vacuumcmd !== true; // plain ANALYZE is fine
    case 'ClusterStmt':
      // CLUSTER without a table processes every previously clustered table, one transaction each.
      return (body as t.ClusterStmt).relation !== undefined;
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'AlterSystemStmt':
    case 'DropSubscriptionStmt': // when the subscription has a replication slot; unknowable, so assume it has
      return false;
    case 'AlterDatabaseStmt':
      return optionOn((body as t.AlterDatabaseStmt).options, 'tablespace') === undefined;
    case 'DiscardStmt':
      return ((body as t.DiscardStmt).target ?? 'DISCARD_ALL') !== 'DISCARD_ALL';
    case 'TransactionStmt': {
      const k = (body as t.TransactionStmt).kind;
      return k !== 'TRANS_STMT_COMMIT_PREPARED' && k !== 'TRANS_STMT_ROLLBACK_PREPARED';
    }
    case 'AlterTableStmt':
      // ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+).
      return !alterCmds(body as t.AlterTableStmt).some(
        (c) =>
          c.subtype === 'AT_DetachPartition' && c.def !== undefined && 'PartitionCmd' in c.def && c.def.PartitionCmd.concurrent === true,
      );
    case 'CreateSubscriptionStmt': {
      // create_slot defaults to true, and connect = false implies create_slot = false.
      const opts = (body as t.CreateSubscriptionStmt).options;
      return optionOn(opts, 'create_slot') === false || optionOn(opts, 'connect') === false;
    }
    case 'AlterSubscriptionStmt': {
      const s = body as t.AlterSubscriptionStmt;
      if (s.kind === 'ALTER_SUBSCRIPTION_REFRESH') return false;
      if (
        s.kind === 'ALTER_SUBSCRIPTION_ADD_PUBLICATION' ||
        s.kind === 'ALTER_SUBSCRIPTION_DROP_PUBLICATION' ||
        s.kind === 'ALTER_SUBSCRIPTION_SET_PUBLICATION'
      ) {
        return optionOn(s.options, 'refresh') === false;
      }
      return true;
    }
    default:
      return true;
  }
}

function alterCmds(s: t.AlterTableStmt): t.AlterTableCmd[] {
  const out: t.AlterTableCmd[] = [];
  for (const n of s.cmds ?? []) if ('AlterTableCmd' in n) out.push(n.AlterTableCmd);
  return out;
}

/*
 * DDL and DML as PostgreSQL's log_statement classes them (GetCommandLogLevel):
 * `ddl` is CREATE/ALTER/DROP/GRANT/COMMENT..., `mod` adds the statements that
 * change rows. Everything else (SELECT, SET, DO, VACUUM, REINDEX, LOCK,
 * transaction control...) is neither.
 */
const NOT_DDL: ReadonlySet<string> = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'TruncateStmt',
  'CopyStmt',
  'TransactionStmt',
  'DeclareCursorStmt',
  'ClosePortalStmt',
  'FetchStmt',
  'PrepareStmt',
  'ExecuteStmt',
  'DeallocateStmt',
  'DoStmt',
  'NotifyStmt',
  'ListenStmt',
  'UnlistenStmt',
  'LoadStmt',
  'CallStmt',
  'VacuumStmt',
  'ExplainStmt',
  'VariableSetStmt',
  'VariableShowStmt',
  'DiscardStmt',
  'LockStmt',
  'ConstraintsSetStmt',
  'CheckPointStmt',
  'ReindexStmt',
  'PLAssignStmt',
  'ReturnStmt',
]);
const DML_KINDS: ReadonlySet<string> = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function isDdl(kind: string, body: unknown): boolean {
  if (kind === 'SelectStmt') return (body as t.SelectStmt).intoClause !== undefined;
  return !NOT_DDL.has(kind);
}

function isDml(kind: string, body: unknown, ctes: t.Node[]): boolean {
  if (DML_KINDS.has(kind) || kind === 'TruncateStmt') return true;
  if (kind === 'CopyStmt') return (body as t.CopyStmt).is_from === true;
  if (kind === 'ExplainStmt') {
    const s = body as t.ExplainStmt;
    if (optionOn(s.options, 'analyze') === true && s.query !== undefined) {
      const k = nodeKind(s.query);
      return isDml(k, bodyOf(s.query, k), []);
    }
    return false;
  }
  // A SELECT whose WITH holds an INSERT/UPDATE/DELETE changes rows too.
  return ctes.some((q) => DML_KINDS.has(nodeKind(q)));
}

/** The statements of the WITH clause of a SELECT/INSERT/UPDATE/DELETE/MERGE. */
function cteQueries(kind: string, body: unknown): t.Node[] {
  if (kind !== 'SelectStmt' && !DML_KINDS.has(kind)) return [];
  const w = (body as { withClause?: t.WithClause }).withClause;
  const out: t.Node[] = [];
  for (const c of w?.ctes ?? [])
    if ('CommonTableExpr' in c && c.CommonTableExpr.ctequery !== undefined) out.push(c.CommonTableExpr.ctequery);
  return out;
}

const LOCK_ORDER: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

function stronger(a: LockMode | null, b: LockMode | null): LockMode | null {
  if (a === null) return b;
  if (b === null) return a;
  return LOCK_ORDER.indexOf(a) >= LOCK_ORDER.indexOf(b) ? a : b;
}

// Storage parameters whose change takes only SHARE UPDATE EXCLUSIVE (reloptions.c).
const LIGHT_RELOPTIONS = new RegExp(
  `^(${[
    'fillfactor',
    'toast_tuple_target',
    'parallel_workers',
    'vacuum_index_cleanup',
    'vacuum_truncate',
    'log_autovacuum_min_duration',
    String.raw`autovacuum_.*`,
    String.raw`toast\..*`,
  ].join('|')})$`,
);

function relOptionsLock(def: t.Node | undefined): LockMode {
  if (def === undefined || !('List' in def)) return 'ACCESS EXCLUSIVE';
  const names = defElems(def.List.items).map((d) =>
    d.defnamespace !== undefined ? `${d.defnamespace}.${d.defname ?? ''}` : (d.defname ?? ''),
  );
  return names.length > 0 && names.every((n) => LIGHT_RELOPTIONS.test(n)) ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
}

/* ALTER TABLE lock levels per sub-command (AlterTableGetLockLevel); default ACCESS EXCLUSIVE. */
function alterCmdLock(cmd: t.AlterTableCmd): LockMode {
  switch (cmd.subtype) {
    case 'AT_ValidateConstraint':
    case 'AT_SetStatistics':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_DetachPartitionFinalize':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'AT_DetachPartition':
      return cmd.def !== undefined && 'PartitionCmd' in cmd.def && cmd.def.PartitionCmd.concurrent === true
        ? 'SHARE UPDATE EXCLUSIVE'
        : 'ACCESS EXCLUSIVE';
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
      return relOptionsLock(cmd.def);
    case 'AT_AttachPartition':
      // SHARE UPDATE EXCLUSIVE on the parent, but ACCESS EXCLUSIVE on the table
      // being attached (and on a default partition); the strongest is reported.
      return 'ACCESS EXCLUSIVE';
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_EnableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrig':
    case 'AT_DisableTrigAll':
    case 'AT_DisableTrigUser':
      return 'SHARE ROW EXCLUSIVE';
    case 'AT_AddConstraint':
      // A foreign key takes SHARE ROW EXCLUSIVE on both tables; other constraints ACCESS EXCLUSIVE.
      return cmd.def !== undefined && 'Constraint' in cmd.def && cmd.def.Constraint.contype === 'CONSTR_FOREIGN'
        ? 'SHARE ROW EXCLUSIVE'
        : 'ACCESS EXCLUSIVE';
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

const RELATION_OBJECTS: ReadonlySet<string> = new Set([
  'OBJECT_TABLE',
  'OBJECT_INDEX',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
]);
// Objects that hang off a table: DROP/RENAME of them locks the table.
const TABLE_CHILD_OBJECTS: ReadonlySet<string> = new Set(['OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);

const LOCK_STMT_MODES: readonly (LockMode | null)[] = [null, ...LOCK_ORDER];

function hasForeignKey(s: t.CreateStmt): boolean {
  const isFk = (n: t.Node): boolean => 'Constraint' in n && n.Constraint.contype === 'CONSTR_FOREIGN';
  for (const el of s.tableElts ?? []) {
    if (isFk(el)) return true;
    if ('ColumnDef' in el && (el.ColumnDef.constraints ?? []).some(isFk)) return true;
  }
  return (s.constraints ?? []).some(isFk);
}

/** The strongest table-level lock a statement takes, where known statically. */
function lockOf(kind: string, body: unknown, targets: string[]): LockMode | null {
  switch (kind) {
    case 'SelectStmt': {
      const s = body as t.SelectStmt;
      if (targets.length === 0) return null;
      return (s.lockingClause?.length ?? 0) > 0 ? 'ROW SHARE' : 'ACCESS SHARE';
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return 'ROW EXCLUSIVE';
    case 'CopyStmt':
      return (body as t.CopyStmt).is_from === true ? 'ROW EXCLUSIVE' : 'ACCESS SHARE';
    case 'IndexStmt':
      return (body as t.IndexStmt).concurrent === true ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE';
    case 'DropStmt': {
      const s = body as t.DropStmt;
      if (s.concurrent === true) return 'SHARE UPDATE EXCLUSIVE';
      const type = s.removeType ?? '';
      return RELATION_OBJECTS.has(type) || TABLE_CHILD_OBJECTS.has(type) ? 'ACCESS EXCLUSIVE' : null;
    }
    case 'TruncateStmt':
    case 'ClusterStmt':
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
    case 'RuleStmt':
      return 'ACCESS EXCLUSIVE';
    case 'AlterTableStmt': {
      let lock: LockMode | null = null;
      for (const c of alterCmds(body as t.AlterTableStmt)) lock = stronger(lock, alterCmdLock(c));
      return lock ?? 'ACCESS EXCLUSIVE';
    }
    case 'RenameStmt': {
      const s = body as t.RenameStmt;
      // Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
      if (s.renameType === 'OBJECT_INDEX') return 'SHARE UPDATE EXCLUSIVE';
      const type = s.renameType ?? '';
      return RELATION_OBJECTS.has(type) || TABLE_CHILD_OBJECTS.has(type) || type === 'OBJECT_COLUMN' || type === 'OBJECT_TABCONSTRAINT'
        ? 'ACCESS EXCLUSIVE'
        : null;
    }
    case 'AlterObjectSchemaStmt':
      return (body as t.AlterObjectSchemaStmt).relation !== undefined ? 'ACCESS EXCLUSIVE' : null;
    case 'VacuumStmt': {
      const s = body as t.VacuumStmt;
      return s.is_vacuumcmd === true && optionOn(s.options, 'full') === true ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE';
    }
    case 'ReindexStmt':
      return optionOn((body as t.ReindexStmt).params, 'concurrently') === true ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'RefreshMatViewStmt':
      return (body as t.RefreshMatViewStmt).concurrent === true ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'LockStmt':
      return LOCK_STMT_MODES[(body as t.LockStmt).mode ?? 8] ?? 'ACCESS EXCLUSIVE';
    case 'CreateTrigStmt':
      return 'SHARE ROW EXCLUSIVE';
    case 'CreateStatsStmt':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'CommentStmt': {
      const type = (body as t.CommentStmt).objtype ?? '';
      return RELATION_OBJECTS.has(type) || type === 'OBJECT_COLUMN' ? 'SHARE UPDATE EXCLUSIVE' : null;
    }
    case 'CreateStmt': {
      const s = body as t.CreateStmt;
      // PARTITION OF locks the parent ACCESS EXCLUSIVE; INHERITS takes SHARE UPDATE EXCLUSIVE;
      // a REFERENCES clause takes SHARE ROW EXCLUSIVE on the referenced table.
      let lock: LockMode | null = null;
      if (s.partbound !== undefined) lock = 'ACCESS EXCLUSIVE';
      else if ((s.inhRelations?.length ?? 0) > 0) lock = 'SHARE UPDATE EXCLUSIVE';
      if (hasForeignKey(s)) lock = stronger(lock, 'SHARE ROW EXCLUSIVE');
      return lock;
    }
    default:
      return null;
  }
}

/** Relations a statement touches, qualified as written, in order, without duplicates. */
function targetsOf(kind: string, body: unknown): string[] {
  const found: string[] = [];
  const cteNames = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    // RangeVar is the only raw-parse-tree node with `relname`; it appears both
    // wrapped ({ RangeVar: {...} }) and bare (CreateStmt.relation).
    if (typeof obj['relname'] === 'string') {
      const rv = obj as t.RangeVar;
      if (rv.schemaname === undefined && cteNames.has(rv.relname ?? '')) return;
      found.push(rangeVarName(rv));
      return;
    }
    if (typeof obj['ctename'] === 'string') cteNames.add(obj['ctename']);
    for (const key in obj) visit(obj[key]);
  };
  if (kind === 'DropStmt') {
    const s = body as t.DropStmt;
    const type = s.removeType ?? '';
    for (const o of s.objects ?? []) {
      if (RELATION_OBJECTS.has(type)) found.push(objectName(o));
      else if (TABLE_CHILD_OBJECTS.has(type) && 'List' in o) found.push(nameParts(o.List.items).slice(0, -1).join('.'));
    }
  } else if (kind === 'CommentStmt') {
    const s = body as t.CommentStmt;
    const type = s.objtype ?? '';
    if (s.object !== undefined && 'List' in s.object) {
      const parts = nameParts(s.object.List.items);
      if (RELATION_OBJECTS.has(type)) found.push(parts.join('.'));
      else if (type === 'OBJECT_COLUMN') found.push(parts.slice(0, -1).join('.'));
    }
  } else {
    // Collect CTE names first so `WITH x AS (...) SELECT ... FROM x` does not report x.
    const w = (body as { withClause?: t.WithClause }).withClause;
    for (const c of w?.ctes ?? [])
      if ('CommonTableExpr' in c && c.CommonTableExpr.ctename !== undefined) cteNames.add(c.CommonTableExpr.ctename);
    visit(body);
  }
  return [...new Set(found.filter((n) => n !== ''))];
}

/** Classify one statement node: tag, transactionality, data loss, lock, targets. */
export function classify(node: t.Node): Classification {
  const kind = nodeKind(node);
  const body = bodyOf(node, kind);
  const ctes = cteQueries(kind, body);
  const targets = targetsOf(kind, body);
  const dataLoss = dataLossOf(kind, body);
  for (const q of ctes) {
    const k = nodeKind(q);
    dataLoss.push(...dataLossOf(k, bodyOf(q, k)));
  }
  const enumValueAdded =
    kind === 'AlterEnumStmt' && (body as t.AlterEnumStmt).newVal !== undefined && (body as t.AlterEnumStmt).oldVal === undefined;
  return {
    kind,
    tag: commandTag(kind, body),
    transactional: isTransactional(kind, body),
    enumValueAdded,
    transactionControl: kind === 'TransactionStmt',
    isDdl: isDdl(kind, body),
    isDml: isDml(kind, body, ctes),
    dataLoss,
    lock: lockOf(kind, body, targets),
    targets,
  };
}
