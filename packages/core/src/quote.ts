/**
 * Quote an SQL identifier the way PostgreSQL's quote_ident() does: always
 * double-quoted unless it is a plain lower-case name that is not a keyword
 * we know to be reserved. Embedded double quotes are doubled.
 *
 * Every identifier Strata writes into SQL text passes through here; values
 * go as `$n` parameters instead.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new TypeError('quoteIdent: empty identifier');
  if (name.includes('\u0000')) throw new TypeError('quoteIdent: identifier contains a NUL byte');
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote a possibly schema-qualified name: `quoteQualified('public', 'users')`. */
export function quoteQualified(schema: string | undefined | null, name: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** Quote an SQL string literal (for DDL positions where parameters are not allowed, e.g. COMMENT ON). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('quoteLiteral: value contains a NUL byte');
  const escaped = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${escaped.replaceAll('\\', '\\\\')}'` : `'${escaped}'`;
}

// PostgreSQL's reserved and type/function-name keywords (those that cannot be
// a bare column or table name). Quoting a non-reserved keyword is harmless,
// failing to quote a reserved one is a syntax error, so the list errs wide.
const RESERVED = new Set(
  (
    `all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation
column concurrently constraint create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze
from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit
localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references
returning right select session_user similar some symmetric system_user table tablesample then to trailing true union
unique user using variadic verbose when where window with between bigint bit boolean char character coalesce dec
decimal exists extract float greatest grouping inout int integer interval least national nchar none normalize nullif
numeric out overlay position precision real row setof smallint substring time timestamp treat trim values varchar
xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar ` +
    `json_serialize json_table json_value merge_action`
  )
    .split(/\s+/)
    .filter(Boolean),
);
