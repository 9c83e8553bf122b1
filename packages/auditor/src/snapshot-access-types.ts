/** The Snapshot's access kinds: privileges, default privileges and owners (read with --privileges / --owners). */

/** Kinds of object whose privileges a Snapshot records. */
export type PrivilegeObjectType = 'schema' | 'table' | 'sequence' | 'function' | 'foreign data wrapper' | 'server' | 'language';

/**
 * What one role (or `public`) holds on one object, apart from the object's
 * owner, whose own privileges are implied and whose name depends on the
 * environment. Objects start with PostgreSQL's defaults (`EXECUTE` for
 * `public` on functions, nothing else), and those defaults are listed like
 * any grant, so a `REVOKE EXECUTE ... FROM PUBLIC` shows as their absence.
 */
export interface PrivilegeDef {
  objectType: PrivilegeObjectType;
  /** Key of the object in its collection: the schema name, `schema.name` (tables, views, materialised views, sequences), a function key,
   * or the name of a foreign-data wrapper, server or (trusted) language. */
  object: string;
  /** Role name, or `public`. */
  grantee: string;
  /** `SELECT`, `INSERT`, `USAGE`, `EXECUTE`, ..., sorted. */
  privileges: string[];
  /** The privileges held `WITH GRANT OPTION`, sorted. */
  grantable: string[];
}

/** The kinds of object `ALTER DEFAULT PRIVILEGES ... ON <kind>` applies to. */
export type DefaultPrivilegeObjectType = 'tables' | 'sequences' | 'functions' | 'types' | 'schemas';

/**
 * What one grantee (a role or `public`) is given on the objects of one kind
 * that one role creates (`ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA
 * schema] GRANT ... ON <kind> TO grantee`). A default for the whole database
 * (`schema` null) replaces the built-in one (`builtin`: the owner's own
 * privileges, `EXECUTE` / `USAGE` for `public` on functions / types), so it
 * can take privileges away; one in a schema adds to it (`builtin` is `[]`).
 * Only grantees whose privileges differ from `builtin` are listed.
 */
export interface DefaultPrivilegeDef {
  /** The role whose new objects get these privileges (`FOR ROLE`). */
  role: string;
  /** `IN SCHEMA`, or null for the whole database. */
  schema: string | null;
  objectType: DefaultPrivilegeObjectType;
  /** Role name, or `public`. */
  grantee: string;
  /** `SELECT`, `INSERT`, `EXECUTE`, ..., sorted. */
  privileges: string[];
  /** The privileges given `WITH GRANT OPTION`, sorted. */
  grantable: string[];
  /** What the grantee holds when there is no such default, sorted. */
  builtin: string[];
}

/** Kinds of object whose owner a Snapshot records (with introspect's `owners` option). */
export type OwnerObjectType =
  | 'schema'
  | 'table'
  | 'view'
  | 'materialized view'
  | 'sequence'
  | 'function'
  | 'type'
  | 'domain'
  | 'collation'
  | 'text search dictionary'
  | 'text search configuration'
  | 'event trigger'
  | 'publication';

/** The owner of one object (`ALTER ... OWNER TO`). Indexes, triggers, policies and sequences owned by a column follow their table. */
export interface OwnerDef {
  objectType: OwnerObjectType;
  /** Key of the object in its collection (types: in `enums`, `compositeTypes` or `rangeTypes`). */
  object: string;
  owner: string;
}
