import type pg from 'pg';
import picomatch from 'picomatch';
import { canonicalExpression } from '../expression-canon.js';
import type { IntrospectOptions } from './options.js';
import type { ColumnDef, Snapshot, ViewColumnDef } from '../snapshot.js';

/** A table, view or materialised view read by the relation query, by oid: where its columns go. */
export interface RelationEntry {
  key: string;
  /** `t` for a table, else pg_class.relkind (`v`, `m`). */
  kind: string;
  columns: (ColumnDef | ViewColumnDef)[];
}

/** What the kinds share while the catalogue is read: the Snapshot being filled and the lookups earlier kinds built. */
export interface CatalogContext {
  major: number;
  options: IntrospectOptions;
  snap: Snapshot;
  /** Oids of the namespaces read (set by the schema kind): `$1` of every per-schema query. */
  namespaces: number[];
  /** Relations by oid (set by the relation kind). */
  relations: Map<number, RelationEntry>;
  /** Column names by relation oid and attribute number (set by the column kind). */
  attributeNames: Map<number, Map<number, string>>;
}

/**
 * One kind of catalogue object: one query and one mapper from its rows into
 * the Snapshot. `params: 'namespaces'` passes the namespace oids as `$1`.
 */
export interface CatalogKind<R extends pg.QueryResultRow = pg.QueryResultRow> {
  name: string;
  params: 'none' | 'namespaces';
  /** Whether the kind is read at all (default: always), e.g. only with an option. */
  when?(ctx: CatalogContext): boolean;
  sql(ctx: CatalogContext): string;
  map(rows: R[], ctx: CatalogContext): void;
}

/** `NOT EXISTS` an extension membership for an object of catalogue `cat` with oid `expr`. */
export const notExt = (cat: string, expr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${cat}'::regclass AND e.objid = ${expr} AND e.deptype = 'e')`;

/** Collation of a column/attribute when it differs from its type's default. */
export const COLLATION = (collExpr: string, typeCollExpr: string) =>
  `CASE WHEN ${collExpr} <> 0 AND ${collExpr} <> ${typeCollExpr} THEN
     (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname) ELSE ` +
  `quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
        FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = ${collExpr}) END`;

/** Name globs (`*`, `?`, `[abc]`, `{a,b}`: picomatch, as the converter's paths; parentheses literal), undefined when none. */
export function matcher(patterns: readonly string[] | undefined): ((s: string) => boolean) | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  return picomatch(
    patterns.map((p) => p.replace(/\[!/g, '[^').replace(/[()]/g, '\\$&')),
    { dot: true, noextglob: true, nonegate: true },
  );
}

export function stripNotValid(def: string): string {
  return canonicalExpression(def.endsWith(' NOT VALID') ? def.slice(0, -' NOT VALID'.length) : def);
}

/** Schema and name of a table key, read from the table itself (names may contain dots). */
export function splitKeyOf(key: string, snap: Snapshot): [string, string] {
  const t = snap.tables[key] ?? snap.views[key] ?? snap.materializedViews[key];
  return t ? [t.schema, t.name] : ['', key];
}

/** Column names of attribute numbers, from the column kind's map (the number itself when unknown). */
export function attributeNames(ctx: CatalogContext, rel: number, nums: number[] | null): string[] {
  return (nums ?? []).map((n) => ctx.attributeNames.get(rel)?.get(n) ?? String(n));
}
