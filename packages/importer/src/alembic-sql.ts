// Identifiers, types and defaults of SQLAlchemy as PostgreSQL writes them (for alembic-static.ts).
import { str, type PyVal } from './python-values.js';

const RESERVED = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'current_catalog',
  'current_date',
  'current_role',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'lateral',
  'leading',
  'limit',
  'localtime',
  'localtimestamp',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'placing',
  'primary',
  'references',
  'returning',
  'select',
  'session_user',
  'some',
  'symmetric',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'when',
  'where',
  'window',
  'with',
]);

/** An identifier as SQLAlchemy writes it: bare when it can be, quoted otherwise. */
export function q(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
export function qt(table: string, schema?: string): string {
  return schema ? `${q(schema)}.${q(table)}` : q(table);
}
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class Untranslatable extends Error {}

export const last = (name: string) => name.slice(name.lastIndexOf('.') + 1);
export const num = (v: PyVal | undefined): string | undefined => (v?.kind === 'num' ? v.value : undefined);
export const bool = (v: PyVal | undefined): boolean | undefined => (v?.kind === 'bool' ? v.value : undefined);

/** A SQLAlchemy type (`sa.String(length=50)`, `postgresql.JSONB`, `sa.ARRAY(sa.Integer())`) as PostgreSQL DDL. */
export function typeSql(v: PyVal | undefined): string {
  if (!v) throw new Untranslatable('a column without a type');
  const name = v.kind === 'name' ? v.name : v.kind === 'call' ? v.name : undefined;
  if (!name) throw new Untranslatable(`type ${v.kind === 'unknown' ? v.text : v.kind} is not a SQLAlchemy type`);
  const args = v.kind === 'call' ? v.args : [];
  const kw = v.kind === 'call' ? v.kwargs : {};
  const t = last(name);
  const len = num(kw.length) ?? num(args[0]);
  const tz = bool(kw.timezone) ?? bool(args[0]);
  switch (t) {
    case 'Integer':
    case 'INTEGER':
    case 'INT':
      return 'INTEGER';
    case 'BigInteger':
    case 'BIGINT':
      return 'BIGINT';
    case 'SmallInteger':
    case 'SMALLINT':
      return 'SMALLINT';
    case 'String':
    case 'Unicode':
    case 'VARCHAR':
    case 'NVARCHAR':
      return len ? `VARCHAR(${len})` : 'VARCHAR';
    case 'CHAR':
    case 'NCHAR':
      return len ? `CHAR(${len})` : 'CHAR';
    case 'Text':
    case 'UnicodeText':
    case 'TEXT':
      return 'TEXT';
    case 'Boolean':
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'DateTime':
    case 'TIMESTAMP':
      return tz ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP WITHOUT TIME ZONE';
    case 'Date':
    case 'DATE':
      return 'DATE';
    case 'Time':
    case 'TIME':
      return tz ? 'TIME WITH TIME ZONE' : 'TIME WITHOUT TIME ZONE';
    case 'Interval':
    case 'INTERVAL':
      return 'INTERVAL';
    case 'Numeric':
    case 'NUMERIC':
    case 'DECIMAL': {
      const p = num(kw.precision) ?? num(args[0]);
      const s = num(kw.scale) ?? num(args[1]);
      return p ? `NUMERIC(${p}${s ? `, ${s}` : ''})` : 'NUMERIC';
    }
    case 'Float':
    case 'FLOAT': {
      const p = num(kw.precision) ?? num(args[0]);
      return p ? `FLOAT(${p})` : 'FLOAT';
    }
    case 'REAL':
      return 'REAL';
    case 'DOUBLE_PRECISION':
    case 'Double':
      return 'DOUBLE PRECISION';
    case 'LargeBinary':
    case 'BYTEA':
    case 'BLOB':
      return 'BYTEA';
    case 'JSON':
      return 'JSON';
    case 'JSONB':
      return 'JSONB';
    case 'UUID':
    case 'Uuid':
      return 'UUID';
    case 'INET':
      return 'INET';
    case 'CIDR':
      return 'CIDR';
    case 'MACADDR':
      return 'MACADDR';
    case 'TSVECTOR':
      return 'TSVECTOR';
    case 'ARRAY':
      return `${typeSql(args[0] ?? kw.item_type)}[]`;
    case 'Enum':
    case 'ENUM': {
      const e = enumOf(v);
      if (!e) throw new Untranslatable(`${name}(...) without literal values and name=`);
      if (e.native === false) return `VARCHAR(${Math.max(...e.values.map((x) => x.length))})`;
      return q(e.name);
    }
    default:
      throw new Untranslatable(
        `type ${name} is not one the static translation knows (custom types need Alembic's offline mode or hand-written SQL)`,
      );
  }
}

/** A native PostgreSQL enum of `sa.Enum('a', 'b', name='kind')` / `postgresql.ENUM(...)`. */
export function enumOf(v: PyVal): { name: string; values: string[]; create: boolean; native: boolean } | undefined {
  if (v.kind !== 'call' || !['Enum', 'ENUM'].includes(last(v.name))) return undefined;
  const values = v.args.map((a) => str(a));
  const name = str(v.kwargs.name);
  if (!name || values.some((x) => x === undefined)) return undefined;
  return { name, values: values as string[], create: bool(v.kwargs.create_type) !== false, native: bool(v.kwargs.native_enum) !== false };
}

export const createType = (e: { name: string; values: string[] }) => `CREATE TYPE ${q(e.name)} AS ENUM (${e.values.map(lit).join(', ')});`;

/** A server_default as DDL. */
export function defaultSql(v: PyVal): string {
  if (v.kind === 'str') return lit(v.value);
  if (v.kind === 'call' && (last(v.name) === 'text' || last(v.name) === 'literal_column') && v.args[0]?.kind === 'str')
    return v.args[0].value;
  if (v.kind === 'call' && v.name.includes('func.') && v.args.length === 0) return `${last(v.name)}()`;
  if (v.kind === 'call' && last(v.name) === 'FetchedValue')
    throw new Untranslatable('server_default=FetchedValue() (nothing to emit, but the value comes from elsewhere)');
  throw new Untranslatable(`server_default ${v.kind === 'unknown' ? v.text : v.kind} is not a string, text() or func.x()`);
}
