/** The Snapshot's types for foreign-data wrappers, servers, user mappings, foreign tables, languages and access methods. */

/**
 * Options of a foreign-data wrapper, server, user mapping, foreign table or
 * foreign table column (`OPTIONS (host 'db1', port '5432')`), by name, sorted.
 * A user mapping's secret options (see {@link UserMappingDef}) have the value null.
 */
export type FdwOptions = Record<string, string | null>;

/** A foreign-data wrapper (`CREATE FOREIGN DATA WRAPPER`). */
export interface ForeignDataWrapperDef {
  name: string;
  /** Key of its handler function (`schema.name()`), or null (`NO HANDLER`). */
  handler: string | null;
  /** Key of its validator function (`schema.name(text[], oid)`), or null. */
  validator: string | null;
  options: FdwOptions;
  comment: string | null;
}

/** A foreign server (`CREATE SERVER`). */
export interface ForeignServerDef {
  name: string;
  /** Name of its foreign-data wrapper. */
  wrapper: string;
  /** `TYPE '...'`, or null. */
  type: string | null;
  /** `VERSION '...'`, or null. */
  version: string | null;
  options: FdwOptions;
  comment: string | null;
}

/**
 * A user mapping (`CREATE USER MAPPING FOR user SERVER server`). Secrets are
 * never read: the value of an option whose name says it holds one (`password`,
 * `sslpassword`, `...secret`, `...token`...) is left in the database and kept
 * here as null, so a Snapshot, a drift sentence or a plan never holds it.
 */
export interface UserMappingDef {
  /** Role name, or `public`. */
  user: string;
  server: string;
  /** Its options; null when the introspecting role may not read them (pg_user_mappings hides them). */
  options: FdwOptions | null;
}

/** A procedural language not created by an extension (`CREATE [TRUSTED] LANGUAGE`). */
export interface LanguageDef {
  name: string;
  trusted: boolean;
  /** Keys of its call handler, inline handler and validator functions (`schema.name(args)`); null when it has none. */
  handler: string | null;
  inline: string | null;
  validator: string | null;
  comment: string | null;
}

/** An access method not created by an extension (`CREATE ACCESS METHOD name TYPE TABLE|INDEX HANDLER f`). */
export interface AccessMethodDef {
  name: string;
  type: 'table' | 'index';
  /** Key of its handler function (`schema.name(internal)`). */
  handler: string;
  comment: string | null;
}

/** What makes a table a foreign table (`CREATE FOREIGN TABLE ... SERVER s OPTIONS (...)`). */
export interface ForeignTableInfo {
  /** Name of its server. */
  server: string;
  options: FdwOptions;
}
