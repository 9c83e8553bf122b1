import type { Node, RangeVar, TypeName } from '@pgsql/types';

// Names are reported "as written": the parts the user wrote, unquoted, joined
// with dots. No schema is added (`users` stays `users`, `public.users` stays).

/** `schema.name` of a RangeVar as written. */
export function rangeVarName(rv: RangeVar): string {
  return [rv.catalogname, rv.schemaname, rv.relname].filter((p): p is string => p !== undefined && p !== '').join('.');
}

/** The string parts of a name list (`[{String:{sval}}...]`). */
export function nameParts(list: Node[] | undefined): string[] {
  const parts: string[] = [];
  for (const item of list ?? []) {
    if ('String' in item) parts.push(item.String.sval ?? '');
    else if ('A_Star' in item) parts.push('*');
  }
  return parts;
}

/** A dotted name for one `objects` entry of a DROP and similar statements. */
export function objectName(node: Node): string {
  if ('List' in node) return nameParts(node.List.items).join('.');
  if ('String' in node) return node.String.sval ?? '';
  if ('TypeName' in node) return typeNameText(node.TypeName);
  if ('RangeVar' in node) return rangeVarName(node.RangeVar);
  if ('ObjectWithArgs' in node) return nameParts(node.ObjectWithArgs.objname).join('.');
  return '';
}

// The parser spells built-in types by their internal names; show SQL's.
const SQL_TYPE_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  varchar: 'varchar',
  numeric: 'numeric',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  timetz: 'timetz',
  time: 'time',
  interval: 'interval',
  bit: 'bit',
  varbit: 'varbit',
};

/** The SQL spelling of a built-in type's internal name (`int4` -> `integer`); other names unchanged. */
export function sqlTypeName(internal: string): string {
  return SQL_TYPE_NAMES[internal] ?? internal;
}

/** The built-in base name of a type (`int4`, `varchar`, `text`), or the last part of a user type. */
export function typeBaseName(tn: TypeName): { schema: string | undefined; name: string } {
  const parts = nameParts(tn.names);
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return { schema, name };
}

/** Readable SQL for a TypeName: `varchar(20)`, `integer`, `public.mood[]`. */
export function typeNameText(tn: TypeName): string {
  const parts = nameParts(tn.names);
  const { schema, name } = typeBaseName(tn);
  let text = schema === 'pg_catalog' ? (SQL_TYPE_NAMES[name] ?? name) : parts.join('.');
  const mods = (tn.typmods ?? []).map(constantText).filter((m) => m !== '');
  if (mods.length > 0) text += `(${mods.join(',')})`;
  for (let i = 0; i < (tn.arrayBounds?.length ?? 0); i++) text += '[]';
  return text;
}

function constantText(node: Node): string {
  if ('A_Const' in node) {
    const c = node.A_Const;
    if (c.ival !== undefined) return String(c.ival.ival ?? 0);
    if (c.sval !== undefined) return c.sval.sval ?? '';
    if (c.fval !== undefined) return c.fval.fval ?? '';
  }
  if ('ColumnRef' in node) return nameParts(node.ColumnRef.fields).join('.');
  return '';
}
