import type * as t from '@pgsql/types';
import { nameParts, objectName, rangeVarName, typeBaseName, typeNameText } from './names.js';
import type { DataLossReason } from './types.js';

/*
 * ALTER COLUMN ... TYPE heuristic. Without the current column type (a parser
 * cannot know it) we flag a type change when its outcome cannot be shown safe:
 *  - it has a USING clause: an arbitrary expression, unknowable statically;
 *  - the target type has a length/precision modifier (varchar(n), char(n),
 *    numeric(p,s), timestamp(p), bit(n)...): it may be shorter than the data;
 *  - the target is one of the narrow built-ins below, into which wider values
 *    are truncated, rounded or refused: smallint, integer, real, char (= char(1)),
 *    "char", and date (drops the time of day).
 * Everything else is taken as widening and NOT flagged: text, varchar without a
 * length, bigint, numeric without modifiers, double precision, timestamptz,
 * jsonb, user-defined types... e.g. varchar(50) -> text and integer -> bigint.
 */
const NARROW_TARGETS: ReadonlySet<string> = new Set(['int2', 'int4', 'float4', 'bpchar', 'char', 'date']);

function isNarrowing(def: t.ColumnDef): boolean {
  if (def.raw_default !== undefined) return true; // USING expression
  const tn = def.typeName;
  if (tn === undefined) return true;
  if ((tn.typmods?.length ?? 0) > 0) return true;
  const { schema, name } = typeBaseName(tn);
  // The parser writes built-in SQL spellings (integer, smallint, char) as
  // pg_catalog.int4 and so on; `int4` written by hand is unqualified.
  return (schema === undefined || schema === 'pg_catalog') && NARROW_TARGETS.has(name);
}

const RELATION_DROPS: Readonly<Partial<Record<t.ObjectType, { code: DataLossReason['code']; word: string; loses: string }>>> = {
  OBJECT_TABLE: { code: 'drop_table', word: 'TABLE', loses: 'loses all its rows' },
  OBJECT_SCHEMA: { code: 'drop_schema', word: 'SCHEMA', loses: 'loses every object in it' },
  OBJECT_TYPE: { code: 'drop_type', word: 'TYPE', loses: 'loses the type and any column that uses it (with CASCADE)' },
  OBJECT_DOMAIN: { code: 'drop_type', word: 'DOMAIN', loses: 'loses the domain and any column that uses it (with CASCADE)' },
  OBJECT_MATVIEW: { code: 'drop_materialized_view', word: 'MATERIALIZED VIEW', loses: 'loses its stored rows' },
  OBJECT_SEQUENCE: { code: 'drop_sequence', word: 'SEQUENCE', loses: 'loses its current value' },
};

/** Ways `stmt` (node kind and body) can lose data; empty when none. */
export function dataLossOf(kind: string, body: unknown): DataLossReason[] {
  const out: DataLossReason[] = [];
  switch (kind) {
    case 'DropStmt': {
      const s = body as t.DropStmt;
      const rule = s.removeType === undefined ? undefined : RELATION_DROPS[s.removeType];
      if (rule === undefined) break;
      for (const obj of s.objects ?? []) {
        const name = objectName(obj);
        out.push({ code: rule.code, message: `DROP ${rule.word} ${name} ${rule.loses}`, object: name });
      }
      break;
    }
    case 'AlterTableStmt': {
      const s = body as t.AlterTableStmt;
      const table = s.relation === undefined ? '' : rangeVarName(s.relation);
      const word = s.objtype === 'OBJECT_TYPE' ? 'TYPE' : s.objtype === 'OBJECT_FOREIGN_TABLE' ? 'FOREIGN TABLE' : 'TABLE';
      if (word === 'FOREIGN TABLE') break; // the rows live on the remote server
      for (const item of s.cmds ?? []) {
        if (!('AlterTableCmd' in item)) continue;
        const cmd = item.AlterTableCmd;
        const column = `${table}.${cmd.name ?? ''}`;
        if (cmd.subtype === 'AT_DropColumn') {
          const what = word === 'TYPE' ? 'ATTRIBUTE' : 'COLUMN';
          out.push({
            code: 'drop_column',
            message:
              `ALTER ${word} ${table} DROP ${what} ${cmd.name ?? ''} loses that ` + `${what === 'COLUMN' ? 'column' : 'attribute'}'s data`,
            object: column,
          });
        } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.def !== undefined && 'ColumnDef' in cmd.def) {
          const def = cmd.def.ColumnDef;
          if (!isNarrowing(def)) continue;
          const target = def.typeName === undefined ? '?' : typeNameText(def.typeName);
          const why =
            def.raw_default !== undefined
              ? 'with USING may rewrite or lose existing values'
              : 'may truncate, round or reject existing values';
          const what = word === 'TYPE' ? 'ATTRIBUTE' : 'COLUMN';
          out.push({
            code: 'alter_column_type',
            message: `ALTER ${word} ${table} ALTER ${what} ${cmd.name ?? ''} TYPE ${target} ${why}`,
            object: column,
          });
        }
      }
      break;
    }
    case 'TruncateStmt': {
      for (const rel of (body as t.TruncateStmt).relations ?? []) {
        if (!('RangeVar' in rel)) continue;
        const name = rangeVarName(rel.RangeVar);
        out.push({ code: 'truncate', message: `TRUNCATE ${name} loses all its rows`, object: name });
      }
      break;
    }
    case 'DeleteStmt': {
      const s = body as t.DeleteStmt;
      if (s.whereClause === undefined && s.relation !== undefined) {
        const name = rangeVarName(s.relation);
        out.push({ code: 'delete_without_where', message: `DELETE FROM ${name} without WHERE deletes every row`, object: name });
      }
      break;
    }
    case 'UpdateStmt': {
      const s = body as t.UpdateStmt;
      if (s.whereClause === undefined && s.relation !== undefined) {
        const name = rangeVarName(s.relation);
        out.push({ code: 'update_without_where', message: `UPDATE ${name} without WHERE overwrites every row`, object: name });
      }
      break;
    }
    case 'DropOwnedStmt': {
      const roles = ((body as t.DropOwnedStmt).roles ?? []).map(roleName).join(', ');
      out.push({ code: 'drop_owned', message: `DROP OWNED BY ${roles} drops every object the role owns`, object: roles });
      break;
    }
    default:
      break;
  }
  return out;
}

function roleName(node: t.Node): string {
  if ('RoleSpec' in node) {
    const r = node.RoleSpec;
    if (r.rolename !== undefined) return r.rolename;
    return (r.roletype ?? '').replace(/^ROLESPEC_/, '');
  }
  return nameParts([node]).join('.');
}
