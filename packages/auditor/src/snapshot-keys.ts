/** Keys of Snapshot objects and lookups in a Snapshot (privileges, inherited columns); code-point ordering. */
import type { ColumnDef, PrivilegeObjectType, Snapshot, TableDef } from './snapshot-types.js';

/** Whether the object a privilege entry is about is in the Snapshot. */
export function privilegeObjectExists(snap: Snapshot, type: PrivilegeObjectType, object: string): boolean {
  switch (type) {
    case 'schema':
      return object in snap.schemas;
    case 'sequence':
      return object in snap.sequences;
    case 'function':
      return object in snap.functions;
    case 'table':
      return object in snap.tables || object in snap.views || object in snap.materializedViews;
    case 'foreign data wrapper':
      return object in (snap.foreignDataWrappers ?? {});
    case 'server':
      return object in (snap.foreignServers ?? {});
    case 'language':
      return object in (snap.languages ?? {});
  }
}

/** Key of a privilege entry. */
export function privilegeKey(objectType: PrivilegeObjectType, object: string, grantee: string): string {
  return `${objectType}:${object}:${grantee}`;
}

/** The parents of a table: the partitioned table of a partition, else its `INHERITS` parents in order. */
export function tableParents(t: TableDef): string[] {
  return t.partitionOf ? [t.partitionOf.table] : (t.inherits ?? []);
}

/**
 * The column `name` a child table (a partition or an `INHERITS` child) has
 * from its parents, as far as the Snapshot says: PostgreSQL copies the first
 * parent's NOT NULL and default when it creates the child, and the comment
 * is the child's own. A child lists an inherited column in `columns` only
 * where its NOT NULL, default or comment differ from this. Undefined when no
 * parent has the column.
 */
export function inheritedColumn(s: Snapshot, t: TableDef, name: string, seen: Set<string> = new Set()): ColumnDef | undefined {
  for (const p of tableParents(t)) {
    const parent = s.tables[p];
    if (!parent || seen.has(p)) continue;
    seen.add(p);
    const c = parent.columns.find((x) => x.name === name) ?? inheritedColumn(s, parent, name, seen);
    if (c)
      return {
        name,
        type: c.type,
        notNull: c.notNull,
        default: c.default,
        identity: null,
        generated: null,
        collation: c.collation,
        comment: null,
      };
  }
  return undefined;
}

/** Qualified key of a schema object. */
export function objectKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** Rebuild a record with its keys sorted (code-point order, not locale order). */
export function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort(byCodePoint)) out[key] = record[key] as T;
  return out;
}

/** Compare two strings by code point: stable across locales and machines. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
