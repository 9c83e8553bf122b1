import type * as ast from '@pgsql/types';
import type { SqlStatement } from '@pg-strata/sql';
import { columnType, formatType, isSerial, mayKeepTable, typeChangeKeepsTable } from './column-types.js';
import type { SchemaState } from './schema-state.js';
import type { RuleId } from './types.js';

/** Everything the statement rules need to know about the section being linted. */
export interface SectionContext {
  direction: 'up' | 'down' | 'script';
  /** How the runner will run the section: in one transaction, outside one, or refused as a mix. */
  transaction: 'yes' | 'no' | 'mixed';
  /** The header says `transactional: true` explicitly. */
  forcedTransactional: boolean;
  /** Tables created earlier in this section (new: no rows, nobody uses them yet). */
  created: Set<string>;
  /** Columns (`table.column`) added earlier in this section. */
  added: Set<string>;
  /** For a down section: what the up section created, so reverting it loses nothing that existed before. */
  upCreated?: { tables: ReadonlySet<string>; columns: ReadonlySet<string> };
  /** The chain's state; written only while reading up sections. */
  state: SchemaState;
  record: boolean;
  /** Emit a finding at the statement's position. */
  emit(rule: RuleId, stmt: SqlStatement, message: string, hint: string): void;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** A parse-tree node (`{ IndexStmt: {...} }`, one key of libpg-query's tagged union) read by whichever key it has. */
type NodeFields = Partial<UnionToIntersection<ast.Node>>;
const fields = (node: ast.Node | undefined): NodeFields => (node ?? {}) as NodeFields;

/** `users`, or `app.users` outside `public`: the key tables are tracked by. */
export function tableKey(rel: ast.RangeVar | undefined): string {
  if (!rel?.relname) return '';
  return rel.schemaname && rel.schemaname !== 'public' ? `${rel.schemaname}.${rel.relname}` : rel.relname;
}

function keyOfWritten(name: string): string {
  return name.startsWith('public.') ? name.slice(7) : name;
}

// Functions whose value differs per row (provolatile = 'v'). A DEFAULT calling
// one cannot be stored once in the catalogue (the PostgreSQL 11 fast path), so
// ADD COLUMN rewrites the table. now()/CURRENT_TIMESTAMP are STABLE: fine.
// User-defined functions are not known and not reported.
const VOLATILE = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'gen_random_bytes',
  'txid_current',
  'pg_current_xact_id',
]);

function volatileCall(expr: unknown): string | null {
  if (expr === null || typeof expr !== 'object') return null;
  if (Array.isArray(expr)) {
    for (const e of expr) {
      const f = volatileCall(e);
      if (f) return f;
    }
    return null;
  }
  const o = expr as NodeFields;
  if (o.FuncCall) {
    const names = o.FuncCall.funcname ?? [];
    const name = String(fields(names[names.length - 1]).String?.sval ?? '');
    if (VOLATILE.has(name)) return name;
  }
  for (const v of Object.values(o)) {
    const f = volatileCall(v);
    if (f) return f;
  }
  return null;
}

/** Columns a CHECK expression proves NOT NULL: `c IS NOT NULL`, and conjunctions of those. */
function notNullColumns(node: ast.Node | undefined): string[] {
  if (!node) return [];
  const expr = fields(node);
  if (expr.NullTest && expr.NullTest.nulltesttype === 'IS_NOT_NULL') {
    const parts = fields(expr.NullTest.arg).ColumnRef?.fields ?? [];
    const col = fields(parts[parts.length - 1]).String?.sval;
    return parts.length === 1 && col ? [String(col)] : [];
  }
  if (expr.BoolExpr && expr.BoolExpr.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).flatMap(notNullColumns);
  return [];
}

const NOT_VALID_HINT =
  'Add the constraint with NOT VALID (new and updated rows are checked at once), then VALIDATE ' +
  'CONSTRAINT in a later migration: validation takes only a SHARE UPDATE EXCLUSIVE lock, which ' +
  'lets reads and writes through.';
const NEW_COLUMN_HINT =
  'Add a new column of the new type, backfill it in batches, switch the application to it, then ' +
  'drop the old one. Only widenings convert in place: varchar(n) to a longer varchar or to text, ' +
  'numeric(p,s) to a larger precision, a larger timestamp or interval precision.';

/** Run the statement rules on one statement, then record what it built. */
export function checkStatement(s: SqlStatement, ctx: SectionContext): void {
  const node = fields(s.ast);
  if (s.transactionControl) {
    ctx.emit(
      'transaction-nesting',
      s,
      `${s.tag} inside a migration: Strata already runs each migration in its own transaction, so ` +
        `this ends or nests it (the runner refuses it)`,
      "Remove the transaction control; to run statements one at a time, mark the migration '-- transactional: false'.",
    );
  }
  if (!s.transactional && ctx.transaction !== 'no') {
    const label = /\bconcurrently\b/i.test(s.text) && !/\bconcurrently\b/i.test(s.tag) ? `${s.tag} CONCURRENTLY` : s.tag;
    const why = ctx.forcedTransactional ? "its header says 'transactional: true'" : 'it also has statements that need a transaction';
    ctx.emit(
      'concurrently-in-transaction',
      s,
      `${label} cannot run inside a transaction block, but this migration runs in one (${why})`,
      "Move it to a migration of its own with the header '-- transactional: false'.",
    );
  }
  dataLossRules(s, ctx);

  if (node.IndexStmt) indexStmt(s, node.IndexStmt, ctx);
  else if (node.AlterTableStmt) alterTable(s, node.AlterTableStmt, ctx);
  else if (node.CreateStmt) createTable(node.CreateStmt, ctx);
  else if (node.CreateTableAsStmt) {
    const t = tableKey(node.CreateTableAsStmt.into?.rel);
    if (t) ctx.created.add(t);
  } else if (node.RenameStmt) rename(s, node.RenameStmt, ctx);
  else if (node.DropStmt && node.DropStmt.removeType === 'OBJECT_TABLE' && ctx.record) {
    for (const o of node.DropStmt.objects ?? []) {
      const parts = (fields(o).List?.items ?? []).map((i) => String(fields(i).String?.sval ?? ''));
      ctx.state.dropTable(keyOfWritten(parts.join('.')));
    }
  }
}

function isNew(table: string, ctx: SectionContext): boolean {
  return ctx.created.has(table);
}

function dataLossRules(s: SqlStatement, ctx: SectionContext): void {
  for (const d of s.dataLoss) {
    const object = keyOfWritten(d.object ?? '');
    const table = d.code === 'drop_column' || d.code === 'alter_column_type' ? object.slice(0, object.lastIndexOf('.')) : object;
    if (ctx.direction === 'down') {
      const up = ctx.upCreated;
      if (!['drop_table', 'drop_column', 'truncate', 'delete_without_where', 'update_without_where', 'alter_column_type'].includes(d.code))
        continue;
      if ((up && (up.tables.has(table) || up.columns.has(object))) || isNew(table, ctx) || ctx.added.has(object)) continue;
      ctx.emit(
        'down-loses-data',
        s,
        `reverting loses data that existed before the migration ran: ${d.message}`,
        'Make the down undo only what the up did. If the up itself destroys data, a revert cannot bring ' +
          'it back: say so in a comment and keep a backup.',
      );
      continue;
    }
    if (isNew(table, ctx) || ctx.added.has(object)) continue;
    switch (d.code) {
      case 'drop_table':
        ctx.emit(
          'drop-table',
          s,
          `DROP TABLE ${d.object} loses all its rows, and the application still running during the deploy fails on queries that use it`,
          'Stop using the table in one release, then drop it in a later migration once nothing reads it, after taking a backup.',
        );
        break;
      case 'drop_column':
        ctx.emit(
          'drop-column',
          s,
          `DROP COLUMN ${d.object} loses the column's data, and the application still running during the ` +
            `deploy fails on queries that name it`,
          'Stop using the column in one release (remove it from the models too), then drop it in a later migration once nothing reads it.',
        );
        break;
      case 'truncate':
        ctx.emit(
          'truncate',
          s,
          `TRUNCATE ${d.object} deletes every row, under an ACCESS EXCLUSIVE lock`,
          'If only some rows must go, DELETE them with a WHERE clause in batches; if the table is ' +
            'obsolete, drop it in a later release once nothing uses it.',
        );
        break;
      case 'delete_without_where':
        ctx.emit(
          'delete-without-where',
          s,
          `DELETE FROM ${d.object} without WHERE deletes every row and keeps them all locked until the migration commits`,
          'Add a WHERE clause; delete large sets in batches in a data migration of their own.',
        );
        break;
      case 'update_without_where':
        ctx.emit(
          'update-without-where',
          s,
          `UPDATE ${d.object} without WHERE rewrites every row and keeps them all locked until the migration commits`,
          'Add a WHERE clause; backfill large tables in batches in a data migration of their own, so each transaction stays short.',
        );
        break;
      default:
        break;
    }
  }
}

function indexStmt(s: SqlStatement, n: ast.IndexStmt, ctx: SectionContext): void {
  const table = tableKey(n.relation);
  if (n.concurrent || isNew(table, ctx)) return;
  const what = `CREATE ${n.unique ? 'UNIQUE ' : ''}INDEX${n.idxname ? ` ${n.idxname}` : ''}`;
  ctx.emit(
    'create-index-non-concurrently',
    s,
    `${what} on ${table} without CONCURRENTLY blocks writes to ${table} (SHARE lock) for the whole index build`,
    "Use CREATE INDEX CONCURRENTLY, in a migration of its own with the header '-- transactional: " +
      "false' (CONCURRENTLY cannot run in a transaction).",
  );
}

function createTable(n: ast.CreateStmt, ctx: SectionContext): void {
  const table = tableKey(n.relation);
  if (!table) return;
  ctx.created.add(table);
  if (!ctx.record) return;
  ctx.state.dropTable(table);
  for (const elt of (n.tableElts ?? []).map(fields)) {
    if (elt.ColumnDef) {
      const col = String(elt.ColumnDef.colname);
      const t = columnType(elt.ColumnDef.typeName);
      if (t) ctx.state.setType(table, col, t);
      for (const c of (elt.ColumnDef.constraints ?? []).map(fields)) {
        if (c.Constraint?.contype === 'CONSTR_CHECK' && !c.Constraint.skip_validation)
          for (const nc of notNullColumns(c.Constraint.raw_expr)) ctx.state.addNotNullCheck(table, nc);
      }
    } else if (elt.Constraint?.contype === 'CONSTR_CHECK' && !elt.Constraint.skip_validation) {
      for (const nc of notNullColumns(elt.Constraint.raw_expr)) ctx.state.addNotNullCheck(table, nc);
    }
  }
}

function rename(s: SqlStatement, n: ast.RenameStmt, ctx: SectionContext): void {
  const table = tableKey(n.relation);
  if (n.renameType === 'OBJECT_TABLE') {
    const to = n.relation?.schemaname && n.relation.schemaname !== 'public' ? `${n.relation.schemaname}.${n.newname}` : String(n.newname);
    if (!isNew(table, ctx)) {
      ctx.emit(
        'rename-table',
        s,
        `RENAME ${table} TO ${n.newname} breaks the application still running during the deploy: it queries ${table}`,
        `Rename in steps: deploy code that works with both names (for instance a view ${n.newname} over ` +
          `${table}), then rename and drop the view in a later migration.`,
      );
    } else {
      ctx.created.add(to);
    }
    if (ctx.record) ctx.state.renameTable(table, to);
  } else if (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_TABLE') {
    if (!isNew(table, ctx) && !ctx.added.has(`${table}.${n.subname}`)) {
      ctx.emit(
        'rename-column',
        s,
        `RENAME COLUMN ${table}.${n.subname} TO ${n.newname} breaks the application still running ` +
          `during the deploy: it queries ${n.subname}`,
        `Expand and contract: add ${n.newname}, write both columns and backfill, switch reads to ` +
          `${n.newname}, then drop ${n.subname} in a later migration.`,
      );
    }
    if (ctx.added.delete(`${table}.${n.subname}`)) ctx.added.add(`${table}.${n.newname}`);
    if (ctx.record) ctx.state.renameColumn(table, String(n.subname), String(n.newname));
  }
}

function alterTable(s: SqlStatement, n: ast.AlterTableStmt, ctx: SectionContext): void {
  if (n.objtype !== 'OBJECT_TABLE') return;
  const table = tableKey(n.relation);
  const fresh = isNew(table, ctx);
  for (const item of n.cmds ?? []) {
    const cmd = fields(item).AlterTableCmd;
    if (!cmd) continue;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        addColumn(s, table, fresh, fields(cmd.def).ColumnDef, ctx);
        break;
      case 'AT_AlterColumnType':
        alterType(s, table, fresh, String(cmd.name), fields(cmd.def).ColumnDef, ctx);
        break;
      case 'AT_SetNotNull': {
        const col = String(cmd.name);
        if (!fresh && !ctx.added.has(`${table}.${col}`) && !ctx.state.hasNotNullCheck(table, col)) {
          ctx.emit(
            'set-not-null-without-check',
            s,
            `ALTER COLUMN ${col} SET NOT NULL scans all of ${table} under an ACCESS EXCLUSIVE lock (reads ` +
              `and writes wait) to look for NULLs`,
            `In an earlier migration, ADD CONSTRAINT ${table.replace(/.*\./, '')}_${col}_not_null CHECK (` +
              `${col} IS NOT NULL) NOT VALID and VALIDATE it; SET NOT NULL then uses the validated check ` +
              `instead of scanning (PostgreSQL 12+), and the check can be dropped afterwards.`,
          );
        }
        break;
      }
      case 'AT_AddConstraint':
        addConstraint(s, table, fresh, fields(cmd.def).Constraint, ctx);
        break;
      case 'AT_ValidateConstraint': {
        const key = `${table}\u0000${cmd.name}`;
        const cols = ctx.state.pendingChecks.get(key);
        if (cols && ctx.record) {
          for (const c of cols) ctx.state.addNotNullCheck(table, c);
          ctx.state.pendingChecks.delete(key);
        }
        break;
      }
      case 'AT_DropColumn':
        if (ctx.record) ctx.state.dropColumn(table, String(cmd.name));
        ctx.added.delete(`${table}.${cmd.name}`);
        break;
      default:
        break;
    }
  }
}

function addColumn(s: SqlStatement, table: string, fresh: boolean, def: ast.ColumnDef | undefined, ctx: SectionContext): void {
  if (!def) return;
  const col = String(def.colname);
  const t = columnType(def.typeName);
  if (ctx.record && t) ctx.state.setType(table, col, t);
  const constraints = (def.constraints ?? []).map((c) => fields(c).Constraint).filter((c): c is ast.Constraint => Boolean(c));
  const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
  const identity = constraints.some((c) => c.contype === 'CONSTR_IDENTITY');
  const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
  const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
  const serial = isSerial(def.typeName);
  for (const c of constraints) {
    if (c.contype === 'CONSTR_CHECK' && !c.skip_validation && ctx.record)
      for (const nc of notNullColumns(c.raw_expr)) ctx.state.addNotNullCheck(table, nc);
  }
  if (!fresh) {
    const rewrite = `rewrites ${table} under an ACCESS EXCLUSIVE lock (reads and writes wait)`;
    const seqHint =
      'Add the column nullable without a default, attach the sequence for new rows (ALTER COLUMN ... ' +
      'SET DEFAULT nextval(...)), and backfill existing rows in batches.';
    if (generated) {
      ctx.emit(
        'volatile-default',
        s,
        `ADD COLUMN ${col} GENERATED ALWAYS AS (...) STORED ${rewrite} to compute the value of every existing row`,
        'Add a plain nullable column, keep it up to date with a trigger, and backfill existing rows in batches.',
      );
    } else if (identity) {
      ctx.emit(
        'volatile-default',
        s,
        `ADD COLUMN ${col} GENERATED AS IDENTITY ${rewrite}: every existing row gets its own value from the sequence`,
        seqHint,
      );
    } else if (serial) {
      ctx.emit(
        'volatile-default',
        s,
        `ADD COLUMN ${col} ${String(fields((def.typeName?.names ?? []).at(-1)).String?.sval)} ${rewrite}` +
          `: its default nextval() is volatile, so every existing row gets its own value`,
        seqHint,
      );
    } else if (dflt) {
      const fn = volatileCall(dflt.raw_expr);
      if (fn) {
        ctx.emit(
          'volatile-default',
          s,
          `ADD COLUMN ${col} with DEFAULT ${fn}() ${rewrite}: ${fn}() is volatile, so every existing row gets its own value`,
          `Add the column without a default, then ALTER COLUMN ${col} SET DEFAULT ${fn}() for new rows ` +
            `(no rewrite), and backfill existing rows in batches.`,
        );
      }
    } else if (notNull) {
      ctx.emit(
        'add-column-not-null-without-default',
        s,
        `ADD COLUMN ${col}${t ? ` ${formatType(t)}` : ''} NOT NULL without a DEFAULT fails on ${table} ` +
          `as soon as it has a row (the existing rows would be NULL)`,
        `Add it with a constant DEFAULT (no rewrite since PostgreSQL 11); or add it nullable, backfill ` +
          `it in batches, then add CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL.`,
      );
    }
    for (const c of constraints) {
      if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
        ctx.emit(
          'create-index-non-concurrently',
          s,
          `ADD COLUMN ${col} ${c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} builds an index ` +
            `on ${table} without CONCURRENTLY, under an ACCESS EXCLUSIVE lock (reads and writes wait)`,
          "Add the column plain, build the index with CREATE UNIQUE INDEX CONCURRENTLY (in a '-- " +
            "transactional: false' migration), then ADD CONSTRAINT ... UNIQUE USING INDEX.",
        );
      }
    }
  }
  ctx.added.add(`${table}.${col}`);
}

function alterType(s: SqlStatement, table: string, fresh: boolean, col: string, def: ast.ColumnDef | undefined, ctx: SectionContext): void {
  const to = columnType(def?.typeName);
  if (!to) return;
  const from = ctx.state.typeOf(table, col);
  if (ctx.record) ctx.state.setType(table, col, to);
  if (fresh) return;
  const lock = `rewrites ${table} and its indexes under an ACCESS EXCLUSIVE lock (reads and writes wait for the whole rewrite)`;
  if (def?.raw_default) {
    ctx.emit('alter-column-type-rewrite', s, `ALTER COLUMN ${col} TYPE ${formatType(to)} USING ... ${lock}`, NEW_COLUMN_HINT);
  } else if (from) {
    if (!typeChangeKeepsTable(from, to))
      ctx.emit(
        'alter-column-type-rewrite',
        s,
        `ALTER COLUMN ${col} TYPE ${formatType(to)} (from ${formatType(from)}) ${lock}`,
        NEW_COLUMN_HINT,
      );
  } else if (!mayKeepTable(to)) {
    ctx.emit(
      'alter-column-type-rewrite',
      s,
      `ALTER COLUMN ${col} TYPE ${formatType(to)} ${lock}: no other type converts to ${formatType(to)} in place`,
      NEW_COLUMN_HINT,
    );
  }
}

function addConstraint(s: SqlStatement, table: string, fresh: boolean, c: ast.Constraint | undefined, ctx: SectionContext): void {
  if (!c) return;
  const named = c.conname ? `CONSTRAINT ${c.conname} ` : '';
  if (c.contype === 'CONSTR_CHECK') {
    const cols = notNullColumns(c.raw_expr);
    if (c.skip_validation) {
      if (ctx.record && cols.length) {
        const name = c.conname ? String(c.conname) : `${table.replace(/.*\./, '')}_${cols[0]}_check`;
        ctx.state.pendingChecks.set(`${table}\u0000${name}`, cols);
      }
    } else {
      if (ctx.record) for (const nc of cols) ctx.state.addNotNullCheck(table, nc);
      if (!fresh)
        ctx.emit(
          'add-check-without-not-valid',
          s,
          `ADD ${named}CHECK on ${table} checks every existing row while holding an ACCESS EXCLUSIVE lock (reads and writes wait)`,
          NOT_VALID_HINT,
        );
    }
  } else if (c.contype === 'CONSTR_FOREIGN') {
    if (!c.skip_validation && !fresh) {
      const ref = tableKey(c.pktable);
      ctx.emit(
        'add-foreign-key-without-not-valid',
        s,
        `ADD ${named}FOREIGN KEY on ${table} checks every existing row while holding SHARE ROW ` +
          `EXCLUSIVE locks on ${table} and ${ref} (writes to both wait)`,
        NOT_VALID_HINT,
      );
    }
  } else if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname && !fresh) {
    const kind = c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
    ctx.emit(
      'create-index-non-concurrently',
      s,
      `ADD ${named}${kind} on ${table} builds its index without CONCURRENTLY, under an ACCESS EXCLUSIVE lock (reads and writes wait)`,
      `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (in a '-- transactional: false' ` +
        `migration), then ADD ${named}${kind} USING INDEX.`,
    );
  }
}
