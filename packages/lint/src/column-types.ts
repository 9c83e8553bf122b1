import { sqlTypeName } from '@pg-strata/sql';
/** A column type as the parser gives it, reduced to what the rewrite rule needs. */
export interface ColumnType {
  /** Catalogue name: `int4`, `varchar`, `numeric`, `timestamptz`, `text`, a user type... */
  name: string;
  /** Type modifiers (`varchar(20)` -> `[20]`, `numeric(10,2)` -> `[10, 2]`); empty when none. */
  mods: number[];
  /** Array dimensions written (`int[]` -> 1). */
  array: number;
}

// serial types are integer columns with a sequence default.
const ALIASES: Record<string, string> = {
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
  decimal: 'numeric',
};

interface TypeNameNode {
  names?: { String?: { sval?: string } }[];
  typmods?: { A_Const?: { ival?: { ival?: number } } }[];
  arrayBounds?: unknown[];
}

/** Read a parse-tree TypeName. */
export function columnType(typeName: unknown): ColumnType | null {
  const t = typeName as TypeNameNode | undefined;
  const names = (t?.names ?? []).map((n) => n.String?.sval ?? '');
  const last = names[names.length - 1];
  if (!last) return null;
  const qualified = names.length > 1 && names[0] !== 'pg_catalog' ? `${names.slice(0, -1).join('.')}.${last}` : last;
  return {
    name: ALIASES[qualified] ?? qualified,
    mods: (t?.typmods ?? []).map((m) => m.A_Const?.ival?.ival ?? 0),
    array: t?.arrayBounds?.length ?? 0,
  };
}

/** Whether the written type is serial/bigserial/smallserial (a sequence default). */
export function isSerial(typeName: unknown): boolean {
  const names = ((typeName as TypeNameNode | undefined)?.names ?? []).map((n) => n.String?.sval ?? '');
  return /^(small|big)?serial[248]?$/.test(names[names.length - 1] ?? '');
}

/** `varchar(20)`, `integer`, `numeric(10,2)[]`. */
export function formatType(t: ColumnType): string {
  return `${sqlTypeName(t.name)}${t.mods.length ? `(${t.mods.join(',')})` : ''}${'[]'.repeat(t.array)}`;
}

const TEXTUAL = new Set(['text', 'varchar', 'citext']);
const PRECISION_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

/**
 * Whether `ALTER COLUMN ... TYPE to` (without USING) keeps the table as it is
 * when the column is `from`. PostgreSQL skips the rewrite only when the old
 * type is binary-coercible to the new one and any length coercion is a
 * no-op (the planner support functions varchar_support, numeric_support,
 * timestamp_support, interval_support, varbit_support simplify it away):
 * - the same type and modifiers;
 * - varchar(n) -> varchar(m >= n), varchar, text; varchar/text -> unbounded varchar, text; citext <-> text/varchar (casts WITHOUT
 * FUNCTION);
 * - numeric(p,s) -> numeric(q >= p, s) or unconstrained numeric;
 * - timestamp/timestamptz/time/timetz/interval(p) -> the same type with a precision >= p or none;
 * - varbit(n) -> varbit(m >= n) or varbit; cidr -> inet.
 * Everything else rewrites: int -> bigint, char(n) anything (bpchar -> text
 * strips trailing blanks through a function), varchar narrowing, numeric scale
 * changes, json -> jsonb, and timestamp -> timestamptz (skipped only when
 * the session TimeZone is UTC, which a migration should not rely on).
 */
export function typeChangeKeepsTable(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  const widens = (a: number | undefined, b: number | undefined) => b === undefined || (a !== undefined && b >= a);
  if (from.name === to.name) {
    if (from.mods.length === to.mods.length && from.mods.every((m, i) => m === to.mods[i])) return true;
    if (from.name === 'varchar' || from.name === 'varbit') return widens(from.mods[0], to.mods[0]);
    if (from.name === 'numeric') {
      if (to.mods.length === 0) return true;
      if (from.mods.length === 0) return false;
      return (from.mods[1] ?? 0) === (to.mods[1] ?? 0) && widens(from.mods[0], to.mods[0]);
    }
    if (PRECISION_TYPES.has(from.name)) return widens(from.mods[0], to.mods[0]);
    return false;
  }
  if (TEXTUAL.has(from.name) && TEXTUAL.has(to.name)) return to.name !== 'varchar' || to.mods.length === 0;
  if (from.name === 'cidr' && to.name === 'inet') return true;
  return false;
}

/**
 * Targets that may keep the table for *some* old type (widening a varchar,
 * numeric or timestamp precision, moving to text): when the old type is not
 * known from the migrations, these are not reported, because guessing would
 * flag the safe cases the rule exists to allow.
 */
export function mayKeepTable(to: ColumnType): boolean {
  return (
    to.array === 0 &&
    (TEXTUAL.has(to.name) || to.name === 'numeric' || to.name === 'varbit' || to.name === 'inet' || PRECISION_TYPES.has(to.name))
  );
}
