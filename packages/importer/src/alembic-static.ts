/**
 * Alembic's op.* calls translated statically, as SQLAlchemy's PostgreSQL
 * dialect writes them (no Python needed); what it cannot translate is
 * reported and kept as a comment.
 */
import type { SyntaxNode } from '@lezer/common';
import { evalPy, kids, str, type PyVal } from './python-values.js';
import type { ReportItem } from './types.js';
import { Untranslatable, bool, createType, defaultSql, enumOf, last, lit, q, qt, typeSql } from './alembic-sql.js';

/** What the translation needs of a revision file. */
export interface RevisionSource {
  file: string;
  text: string;
  names: Map<string, PyVal>;
}

interface Column {
  name: string;
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  unique: boolean;
  index: boolean;
  default?: string;
  foreignKeys: string[];
  autoincrement?: boolean | 'auto';
  comment?: string;
  /** A native enum type create_table creates first (as SQLAlchemy does). */
  enumType?: { name: string; values: string[] };
}

function fkClause(target: string, kw: Record<string, PyVal>): { table: string; column: string; suffix: string } {
  const parts = target.split('.');
  const column = parts.pop()!;
  const table = parts.join('.');
  let suffix = '';
  if (str(kw.ondelete)) suffix += ` ON DELETE ${str(kw.ondelete)}`;
  if (str(kw.onupdate)) suffix += ` ON UPDATE ${str(kw.onupdate)}`;
  if (bool(kw.deferrable)) suffix += ' DEFERRABLE';
  if (str(kw.initially)) suffix += ` INITIALLY ${str(kw.initially)}`;
  return { table, column, suffix };
}

function column(v: PyVal): Column {
  if (v.kind !== 'call' || last(v.name) !== 'Column')
    throw new Untranslatable(`${v.kind === 'unknown' ? v.text : 'an argument'} is not an sa.Column(...)`);
  const name = str(v.args[0]);
  if (!name) throw new Untranslatable('a Column whose name is not a string literal');
  const fks: string[] = [];
  let type: string | undefined;
  let enumType: Column['enumType'];
  for (const a of v.args.slice(1)) {
    if (a.kind === 'call' && last(a.name) === 'ForeignKey') {
      const target = str(a.args[0]);
      if (!target) throw new Untranslatable('ForeignKey target is not a string');
      const f = fkClause(target, a.kwargs);
      const cname = str(a.kwargs.name);
      fks.push(`${cname ? `CONSTRAINT ${q(cname)} ` : ''}FOREIGN KEY(${q(name)}) REFERENCES ${q(f.table)} (${q(f.column)})${f.suffix}`);
    } else if (a.kind === 'call' && (last(a.name) === 'Sequence' || last(a.name) === 'Identity' || last(a.name) === 'Computed')) {
      throw new Untranslatable(`Column '${name}': ${last(a.name)}(...) is not translated statically`);
    } else {
      type = typeSql(a);
      const e = enumOf(a);
      if (e && e.native && e.create) enumType = { name: e.name, values: e.values };
    }
  }
  const k = v.kwargs;
  if (k.type_) type = typeSql(k.type_);
  if (!type) throw new Untranslatable(`Column '${name}' has no type`);
  const primaryKey = bool(k.primary_key) ?? false;
  const c: Column = {
    name,
    type,
    nullable: bool(k.nullable) ?? !primaryKey,
    primaryKey,
    unique: bool(k.unique) ?? false,
    index: bool(k.index) ?? false,
    foreignKeys: fks,
  };
  if (k.server_default && k.server_default.kind !== 'none') c.default = defaultSql(k.server_default);
  if (k.autoincrement) c.autoincrement = bool(k.autoincrement) ?? 'auto';
  if (enumType) c.enumType = enumType;
  if (k.comment && k.comment.kind !== 'none') {
    const text = str(k.comment);
    if (text === undefined) throw new Untranslatable(`Column '${name}': comment= is not a string literal`);
    c.comment = text;
  }
  for (const key of Object.keys(k)) {
    if (
      ![
        'nullable',
        'primary_key',
        'unique',
        'index',
        'server_default',
        'autoincrement',
        'type_',
        'comment',
        'default',
        'onupdate',
        'info',
        'key',
        'quote',
      ].includes(key)
    )
      throw new Untranslatable(`Column '${name}': keyword ${key}= is not translated statically`);
  }
  return c;
}

function columnDdl(c: Column, serial: boolean): string {
  let type = c.type;
  if (serial) type = type === 'BIGINT' ? 'BIGSERIAL' : type === 'SMALLINT' ? 'SMALLSERIAL' : 'SERIAL';
  return `${q(c.name)} ${type}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}${c.nullable ? '' : ' NOT NULL'}`;
}

const colList = (v: PyVal | undefined): string[] => {
  if (!v) return [];
  if (v.kind === 'str') return [v.value];
  if (v.kind === 'list') {
    return v.items.map((i) => {
      if (i.kind === 'str') return q(i.value);
      if (i.kind === 'call' && last(i.name) === 'text' && i.args[0]?.kind === 'str') return i.args[0].value;
      throw new Untranslatable('an index column that is neither a name nor text()');
    });
  }
  throw new Untranslatable('a column list that is not a literal list');
};
const names = (v: PyVal | undefined): string[] => colList(v).map((s) => s);

/** Alembic's op.f('name') and plain strings. */
function nameOf(v: PyVal | undefined): string | undefined {
  if (v?.kind === 'str') return v.value;
  if (v?.kind === 'call' && (last(v.name) === 'f' || last(v.name) === 'conv') && v.args[0]?.kind === 'str') return v.args[0].value;
  return undefined;
}

/** CREATE TABLE as SQLAlchemy's PostgreSQL dialect writes it. */
function createTable(args: PyVal[], kw: Record<string, PyVal>): string[] {
  const table = str(args[0]);
  if (!table) throw new Untranslatable('create_table with a table name that is not a string');
  const schema = str(kw.schema);
  const cols: Column[] = [];
  const constraints: string[] = [];
  let pkCols: string[] | undefined;
  let pkName: string | undefined;
  for (const a of args.slice(1)) {
    if (a.kind === 'call' && last(a.name) === 'Column') cols.push(column(a));
    else if (a.kind === 'call' && last(a.name) === 'PrimaryKeyConstraint') {
      pkCols = a.args.map((x) => str(x) ?? '?');
      pkName = nameOf(a.kwargs.name);
    } else if (a.kind === 'call' && last(a.name) === 'UniqueConstraint') {
      const n = nameOf(a.kwargs.name);
      constraints.push(`${n ? `CONSTRAINT ${q(n)} ` : ''}UNIQUE (${a.args.map((x) => q(str(x) ?? '?')).join(', ')})`);
    } else if (a.kind === 'call' && last(a.name) === 'ForeignKeyConstraint') {
      const local = names(a.args[0]);
      const remote = (a.args[1]?.kind === 'list' ? a.args[1].items : []).map((x) => str(x) ?? '?');
      const f = fkClause(remote[0] ?? '?.?', a.kwargs);
      const n = nameOf(a.kwargs.name);
      constraints.push(
        `${n ? `CONSTRAINT ${q(n)} ` : ''}FOREIGN KEY(${local.join(', ')}) REFERENCES ${q(f.table)} (` +
          `${remote.map((r) => q(r.split('.').pop()!)).join(', ')})${f.suffix}`,
      );
    } else if (a.kind === 'call' && last(a.name) === 'CheckConstraint') {
      const cond = str(a.args[0]) ?? (a.args[0]?.kind === 'call' && last(a.args[0].name) === 'text' ? str(a.args[0].args[0]) : undefined);
      if (!cond) throw new Untranslatable('CheckConstraint whose condition is not a string');
      const n = nameOf(a.kwargs.name);
      constraints.push(`${n ? `CONSTRAINT ${q(n)} ` : ''}CHECK (${cond})`);
    } else
      throw new Untranslatable(
        `create_table argument ${a.kind === 'call' ? a.name : a.kind === 'unknown' ? a.text : a.kind} is not translated statically`,
      );
  }
  for (const key of Object.keys(kw))
    if (key !== 'schema') throw new Untranslatable(`create_table keyword ${key}= is not translated statically`);
  const pk = pkCols ?? cols.filter((c) => c.primaryKey).map((c) => c.name);
  for (const c of cols) if (pk.includes(c.name)) c.nullable = false;
  // SQLAlchemy's autoincrement='auto': the table's only primary key column, of an integer type, no default and no foreign key, is SERIAL.
  const serialCol =
    pk.length === 1
      ? cols.find(
          (c) =>
            c.name === pk[0] &&
            ['INTEGER', 'BIGINT', 'SMALLINT'].includes(c.type) &&
            c.default === undefined &&
            c.foreignKeys.length === 0 &&
            c.autoincrement !== false,
        )
      : undefined;
  const lines = cols.map((c) => columnDdl(c, c === serialCol));
  if (pk.length) lines.push(`${pkName ? `CONSTRAINT ${q(pkName)} ` : ''}PRIMARY KEY (${pk.map(q).join(', ')})`);
  for (const c of cols) if (c.unique) lines.push(`UNIQUE (${q(c.name)})`);
  for (const c of cols) lines.push(...c.foreignKeys);
  lines.push(...constraints);
  const types = cols.flatMap((c) => (c.enumType ? [c.enumType] : [])).filter((e, i, all) => all.findIndex((x) => x.name === e.name) === i);
  const out = [...types.map(createType), `CREATE TABLE ${qt(table, schema)} (\n    ${lines.join(', \n    ')}\n);`];
  for (const c of cols) if (c.comment !== undefined) out.push(`COMMENT ON COLUMN ${qt(table, schema)}.${q(c.name)} IS ${lit(c.comment)};`);
  for (const c of cols)
    if (c.index)
      out.push(`CREATE INDEX ${q(`ix_${schema ? `${schema}_` : ''}${table}_${c.name}`)} ON ${qt(table, schema)} (${q(c.name)});`);
  return out;
}

function alterColumn(table: string, schema: string | undefined, col: string, kw: Record<string, PyVal>): string[] {
  const t = qt(table, schema);
  const out: string[] = [];
  for (const key of Object.keys(kw)) {
    if (
      !['nullable', 'type_', 'server_default', 'new_column_name', 'schema', 'postgresql_using', 'comment'].includes(key) &&
      !key.startsWith('existing_')
    )
      throw new Untranslatable(`alter_column keyword ${key}= is not translated statically`);
  }
  if (kw.type_)
    out.push(
      `ALTER TABLE ${t} ALTER COLUMN ${q(col)} TYPE ${typeSql(kw.type_)}` +
        `${str(kw.postgresql_using) ? ` USING ${str(kw.postgresql_using)}` : ''};`,
    );
  if (bool(kw.nullable) !== undefined) out.push(`ALTER TABLE ${t} ALTER COLUMN ${q(col)} ${bool(kw.nullable) ? 'DROP' : 'SET'} NOT NULL;`);
  if (kw.server_default) {
    if (kw.server_default.kind === 'none' || (kw.server_default.kind === 'bool' && !kw.server_default.value))
      out.push(`ALTER TABLE ${t} ALTER COLUMN ${q(col)} DROP DEFAULT;`);
    else out.push(`ALTER TABLE ${t} ALTER COLUMN ${q(col)} SET DEFAULT ${defaultSql(kw.server_default)};`);
  }
  if (kw.comment) throw new Untranslatable('alter_column comment= is not translated statically');
  if (str(kw.new_column_name)) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(col)} TO ${q(str(kw.new_column_name)!)};`);
  return out;
}

function executeSql(v: PyVal | undefined): string {
  if (v?.kind === 'str') return v.value.trim().replace(/;?\s*$/, ';');
  if (v?.kind === 'call' && last(v.name) === 'text' && v.args[0]?.kind === 'str' && v.args.length === 1)
    return v.args[0].value.trim().replace(/;?\s*$/, ';');
  throw new Untranslatable(
    `op.execute of ${v?.kind === 'unknown' ? v.text : v?.kind === 'call' ? `${v.name}(...)` : 'a value'} that is not a constant SQL string`,
  );
}

/** One op.* (or batch_op.*) call as SQL; `batch` gives the table (and schema) of a batch_alter_table block. */
function opSql(method: string, args: PyVal[], kw: Record<string, PyVal>, batch?: { table: string; schema?: string }): string[] {
  const a = batch ? [{ kind: 'str', value: batch.table } as PyVal, ...args] : args;
  const schema = batch?.schema ?? str(kw.schema);
  const tableArg = (i: number) => {
    const t = str(a[i]);
    if (!t) throw new Untranslatable(`${method}: table name is not a string literal`);
    return t;
  };
  switch (method) {
    case 'create_table':
      return createTable(args, kw);
    case 'drop_table':
      return [`DROP TABLE ${qt(tableArg(0), str(kw.schema))};`];
    case 'rename_table':
      return [`ALTER TABLE ${qt(tableArg(0), schema)} RENAME TO ${q(str(a[1]) ?? '?')};`];
    case 'add_column': {
      const c = column(a[1]!);
      const t = qt(tableArg(0), schema);
      const out = [`ALTER TABLE ${t} ADD COLUMN ${columnDdl(c, false)}${c.unique ? ' UNIQUE' : ''};`];
      for (const fk of c.foreignKeys) out.push(`ALTER TABLE ${t} ADD ${fk};`);
      if (c.comment !== undefined) out.push(`COMMENT ON COLUMN ${t}.${q(c.name)} IS ${lit(c.comment)};`);
      return out;
    }
    case 'drop_column':
      return [`ALTER TABLE ${qt(tableArg(0), schema)} DROP COLUMN ${q(str(a[1]) ?? '?')};`];
    case 'alter_column':
      return alterColumn(tableArg(0), schema, str(a[1]) ?? '?', kw);
    case 'create_index': {
      // op.create_index(name, table, cols) / batch_op.create_index(name, cols)
      const name = nameOf(args[0]);
      const table = batch ? batch.table : str(args[1]);
      const cols = batch ? args[1] : args[2];
      if (!name || !table) throw new Untranslatable('create_index: name or table is not a string literal');
      const where = kw.postgresql_where;
      const whereSql = where ? (where.kind === 'call' && last(where.name) === 'text' ? str(where.args[0]) : str(where)) : undefined;
      if (where && !whereSql) throw new Untranslatable('create_index postgresql_where= that is not text()');
      const using = str(kw.postgresql_using);
      return [
        `CREATE ${bool(kw.unique) ? 'UNIQUE ' : ''}INDEX ` +
          `${bool(kw.postgresql_concurrently) ? 'CONCURRENTLY ' : ''}` +
          `${bool(kw.if_not_exists) ? 'IF NOT EXISTS ' : ''}${q(name)} ON ${qt(table, schema)}` +
          `${using ? ` USING ${using}` : ''} (${colList(cols).join(', ')})` +
          `${whereSql ? ` WHERE ${whereSql}` : ''};`,
      ];
    }
    case 'drop_index': {
      const name = nameOf(args[0]);
      if (!name) throw new Untranslatable('drop_index: name is not a string literal');
      return [
        `DROP INDEX ${bool(kw.postgresql_concurrently) ? 'CONCURRENTLY ' : ''}` +
          `${bool(kw.if_exists) ? 'IF EXISTS ' : ''}${schema ? `${q(schema)}.` : ''}${q(name)};`,
      ];
    }
    case 'create_foreign_key': {
      // op.create_foreign_key(name, source, referent, local_cols, remote_cols) / batch: (name, referent, local, remote)
      const name = nameOf(args[0]);
      const source = batch ? batch.table : str(args[1]);
      const rest = batch ? args.slice(1) : args.slice(2);
      const referent = str(rest[0]);
      if (!source || !referent) throw new Untranslatable('create_foreign_key: tables are not string literals');
      const f = fkClause(`${referent}.x`, kw);
      return [
        `ALTER TABLE ${qt(source, schema)} ADD ${name ? `CONSTRAINT ${q(name)} ` : ''}FOREIGN KEY(` +
          `${colList(rest[1]).join(', ')}) REFERENCES ${qt(referent, str(kw.referent_schema))} (` +
          `${colList(rest[2]).join(', ')})${f.suffix};`,
      ];
    }
    case 'create_unique_constraint':
    case 'create_primary_key': {
      const name = nameOf(args[0]);
      const table = batch ? batch.table : str(args[1]);
      const cols = batch ? args[1] : args[2];
      if (!table) throw new Untranslatable(`${method}: table is not a string literal`);
      return [
        `ALTER TABLE ${qt(table, schema)} ADD ${name ? `CONSTRAINT ${q(name)} ` : ''}` +
          `${method === 'create_primary_key' ? 'PRIMARY KEY' : 'UNIQUE'} (${colList(cols).join(', ')});`,
      ];
    }
    case 'create_check_constraint': {
      const name = nameOf(args[0]);
      const table = batch ? batch.table : str(args[1]);
      const cond = batch ? args[1] : args[2];
      const c = str(cond) ?? (cond?.kind === 'call' && last(cond.name) === 'text' ? str(cond.args[0]) : undefined);
      if (!table || !c) throw new Untranslatable('create_check_constraint: table or condition is not a string literal');
      return [`ALTER TABLE ${qt(table, schema)} ADD ${name ? `CONSTRAINT ${q(name)} ` : ''}CHECK (${c});`];
    }
    case 'drop_constraint': {
      const name = nameOf(args[0]);
      const table = batch ? batch.table : str(args[1]);
      if (!name || !table) throw new Untranslatable('drop_constraint: name or table is not a string literal');
      return [`ALTER TABLE ${qt(table, schema)} DROP CONSTRAINT ${q(name)};`];
    }
    case 'execute':
      return [executeSql(args[0])];
    case 'create_table_comment': {
      const c = str(batch ? args[0] : a[1]);
      if (c === undefined) throw new Untranslatable('create_table_comment: the comment is not a string literal');
      return [`COMMENT ON TABLE ${qt(tableArg(0), schema)} IS ${lit(c)};`];
    }
    case 'drop_table_comment':
      return [`COMMENT ON TABLE ${qt(tableArg(0), schema)} IS NULL;`];
    default:
      throw new Untranslatable(`op.${method} is not translated statically`);
  }
}

/** `sa.Enum(..., name='kind').create(op.get_bind())` / `.drop(...)`: CREATE TYPE / DROP TYPE, as SQLAlchemy runs them. */
function enumTypeOp(f: RevisionSource, call: SyntaxNode): string | undefined {
  const callee = kids(call)[0];
  if (callee?.name !== 'MemberExpression') return undefined;
  const parts = kids(callee).filter((c) => c.name !== '.');
  const method = parts[1] ? f.text.slice(parts[1].from, parts[1].to) : '';
  if (parts[0]?.name !== 'CallExpression' || (method !== 'create' && method !== 'drop')) return undefined;
  const target = evalPy(f.text, parts[0], f.names);
  if (target.kind !== 'call' || !['Enum', 'ENUM'].includes(last(target.name))) return undefined;
  const name = str(target.kwargs.name);
  if (!name) return undefined;
  if (method === 'drop') return `DROP TYPE ${q(name)};`;
  const e = enumOf(target);
  return e ? createType(e) : undefined;
}

/** The SQL of an upgrade()/downgrade() body, statement by statement; what cannot be translated is reported and left as a comment. */
export function translateBody(f: RevisionSource, body: SyntaxNode, report: ReportItem[]): string {
  const out: string[] = [];
  const line = (n: SyntaxNode) => f.text.slice(0, n.from).split('\n').length;
  const fail = (n: SyntaxNode, why: string) => {
    report.push({
      file: f.file,
      line: line(n),
      kind: 'untranslated',
      severity: 'error',
      message: `${why}: not carried over (write its SQL into the revision by hand, or import with Alembic's offline mode).`,
    });
    const code = f.text
      .slice(n.from, n.to)
      .split('\n')
      .map((l) => `-- ${l}`)
      .join('\n');
    out.push(`-- (import) not translated (${why}):\n${code}`);
  };
  const stmt = (n: SyntaxNode, batch?: { table: string; schema?: string; alias: string }) => {
    if (n.name === 'PassStatement' || n.name === 'Comment') return;
    if (n.name === 'ExpressionStatement' && n.firstChild?.name === 'String') return; // a docstring
    if (n.name === 'ExpressionStatement' && n.firstChild?.name === 'CallExpression') {
      const typeOp = enumTypeOp(f, n.firstChild);
      if (typeOp) return void out.push(typeOp);
      const call = evalPy(f.text, n.firstChild, f.names);
      if (call.kind !== 'call') return fail(n, 'a call that cannot be read');
      const dot = call.name.lastIndexOf('.');
      const owner = call.name.slice(0, dot);
      const method = call.name.slice(dot + 1);
      if (owner !== 'op' && owner !== batch?.alias) return fail(n, `${call.name}(...) is not an op.* call`);
      try {
        out.push(...opSql(method, call.args, call.kwargs, owner === 'op' ? undefined : batch));
      } catch (e) {
        if (e instanceof Untranslatable) return fail(n, e.message);
        throw e;
      }
      return;
    }
    if (n.name === 'WithStatement') {
      const k = kids(n);
      const call = k.find((c) => c.name === 'CallExpression');
      const alias = k.find((c) => c.name === 'VariableName');
      const inner = k.find((c) => c.name === 'Body');
      const v = call ? evalPy(f.text, call, f.names) : undefined;
      if (v?.kind === 'call' && v.name === 'op.batch_alter_table' && alias && inner && str(v.args[0])) {
        const other = Object.keys(v.kwargs).filter((x) => x !== 'schema' && x !== 'recreate');
        if (other.length)
          report.push({
            file: f.file,
            line: line(n),
            kind: 'batch',
            severity: 'warning',
            message: `batch_alter_table ${other.join(', ')}= ignored (PostgreSQL alters in place; SQLite's table copy is not needed).`,
          });
        const b = {
          table: str(v.args[0])!,
          alias: f.text.slice(alias.from, alias.to),
          ...(str(v.kwargs.schema) ? { schema: str(v.kwargs.schema)! } : {}),
        };
        for (const c of kids(inner)) stmt(c, b);
        return;
      }
      return fail(n, 'a with-block that is not op.batch_alter_table(...) as x');
    }
    fail(n, `Python code (${n.name.replace(/Statement$/, '').toLowerCase()}) around the op.* calls`);
  };
  for (const c of kids(body)) stmt(c);
  return out.join('\n\n');
}
