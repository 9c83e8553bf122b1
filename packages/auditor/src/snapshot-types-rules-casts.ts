/**
 * The Snapshot's rules, extended statistics objects, casts and conversions (issue 20): kinds added after version 1's first
 * release, so their collections are optional (written only when not empty). snapshot-types.ts holds the collections.
 */

/** A rewrite rule (`CREATE RULE`) on a table or view; not a view's own `_RETURN` rule. */
export interface RuleDef {
  schema: string;
  /** The table or view it is on. */
  table: string;
  name: string;
  /** `SELECT`, `INSERT`, `UPDATE` or `DELETE`. */
  event: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  /** `pg_get_ruledef(oid, true)`: `CREATE RULE name AS ON ... DO ...`, without the trailing semicolon. */
  definition: string;
  /** `O` enabled, `D` disabled, `R` replica, `A` always (`ALTER TABLE ... ENABLE / DISABLE RULE`). */
  enabled: 'O' | 'D' | 'R' | 'A';
  /** Other relations (qualified keys) and functions (function keys) its actions and condition read or write, sorted. */
  dependsOn: string[];
  comment: string | null;
}

/** An extended statistics object (`CREATE STATISTICS`). */
export interface StatisticsDef {
  schema: string;
  name: string;
  /** Qualified key of the table (or materialised view) it is on. */
  table: string;
  /** `pg_get_statisticsobjdef`: `CREATE STATISTICS public.s (ndistinct) ON a, b FROM t`. */
  definition: string;
  /** Columns it uses, directly or in an expression, sorted. */
  columns: string[];
  /** `ALTER STATISTICS ... SET STATISTICS n`; null for the default (-1). */
  target: number | null;
  comment: string | null;
}

/** A user-defined cast (`CREATE CAST`), keyed `(source AS target)`. */
export interface CastDef {
  /** Source and target types, as `format_type` prints them. */
  source: string;
  target: string;
  /** `function` (WITH FUNCTION), `binary` (WITHOUT FUNCTION) or `inout` (WITH INOUT). */
  method: 'function' | 'binary' | 'inout';
  /** Key of its function (`schema.name(identity arguments)`), for `function` casts; else null. */
  function: string | null;
  /** `explicit` (the default), `assignment` (AS ASSIGNMENT) or `implicit` (AS IMPLICIT). */
  context: 'explicit' | 'assignment' | 'implicit';
  comment: string | null;
}

/** An encoding conversion (`CREATE [DEFAULT] CONVERSION`). */
export interface ConversionDef {
  schema: string;
  name: string;
  /** Source and destination encodings, as `pg_encoding_to_char` names them (`LATIN1`, `UTF8`). */
  from: string;
  to: string;
  /** Its function, schema-qualified and quoted (`pg_catalog.iso8859_1_to_utf8`). */
  function: string;
  /** Key of that function (`schema.name(identity arguments)`), for ordering. */
  functionKey: string;
  default: boolean;
  comment: string | null;
}
