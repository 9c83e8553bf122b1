import type { Logger } from '@pg-strata/core';

/** Options of {@link introspect}. */
export interface IntrospectOptions {
  /**
   * Schemas to read (glob patterns: `*` any run, `?` one character). Default:
   * every schema except the system ones, Strata's own and extension-owned ones.
   */
  schemas?: readonly string[];
  /** Schemas to leave out (glob patterns). Default `[]`; Strata's schema is always left out. */
  excludeSchemas?: readonly string[];
  /** Schema of Strata's own tables, always left out. Default `'strata'`. */
  strataSchema?: string;
  /** Objects to read, as glob patterns on `schema.name` or `name`. Default: all. */
  include?: readonly string[];
  /** Objects to leave out, as glob patterns on `schema.name` or `name`. Default `[]`. */
  exclude?: readonly string[];
  /**
   * `search_path` set while reading, which decides which names `format_type`,
   * `pg_get_expr` and `pg_get_viewdef` print unqualified. Fixed so that the
   * Snapshot does not depend on the connecting role's settings. Default `'public'`.
   */
  searchPath?: string;
  /** Receives progress events. Default: silent. */
  logger?: Logger;
  /**
   * The caller has a transaction open on the client and wants the catalogue
   * as that transaction sees it (e.g. the start-up shim checking what
   * `createAll` built before it commits). No BEGIN/COMMIT is issued and the
   * search_path is set with `SET LOCAL`. Default `false`.
   */
  inTransaction?: boolean;
  /**
   * Sessions that read the catalogue when introspect connects itself (given a
   * URL): the queries are spread over them, all on one exported snapshot
   * (`pg_export_snapshot`), so the Snapshot stays consistent. 1 reads on one
   * connection. Ignored for a client passed in. Default 3.
   */
  connections?: number;
  /**
   * Read who owns each object (`owners` in the Snapshot; for `ALTER ... OWNER
   * TO` with compare's and plan's `owners`). Default `false`: owners depend on
   * the environment (the role that ran the migrations), as grants do.
   */
  owners?: boolean;
}
