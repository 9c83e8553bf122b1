/** The Snapshot's shape: its format version, every object type it holds, and the lists of its collections. */

import type { CastDef, ConversionDef, RuleDef, StatisticsDef } from './snapshot-types-rules-casts.js';

export type { CastDef, ConversionDef, RuleDef, StatisticsDef } from './snapshot-types-rules-casts.js';
import type {
  AccessMethodDef,
  ForeignDataWrapperDef,
  ForeignServerDef,
  ForeignTableInfo,
  FdwOptions,
  LanguageDef,
  UserMappingDef,
} from './snapshot-foreign-types.js';

export type * from './snapshot-foreign-types.js';
import type {
  TextSearchDictionaryDef,
  TextSearchConfigurationDef,
  OperatorDef,
  OperatorFamilyDef,
  OperatorClassDef,
  TextSearchParserDef,
  TextSearchTemplateDef,
} from './snapshot-operator-types.js';
import type { PrivilegeDef, DefaultPrivilegeDef, OwnerDef } from './snapshot-access-types.js';

export type * from './snapshot-operator-types.js';
export type * from './snapshot-access-types.js';

/** The Snapshot format version this package reads and writes. */
export const SNAPSHOT_VERSION = 1 as const;

/**
 * One database schema, normalised: every object keyed by its qualified name
 * (`schema.name`; functions `schema.name(identity args)`, triggers and
 * policies `schema.table.name`; event triggers and publications, which
 * belong to the database rather than a schema, by name), every array in a deterministic order, every
 * absent attribute `null`. Two Snapshots of equal schemas are deep-equal and
 * serialise to the same JSON.
 */
export interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  server: { major: number };
  schemas: Record<string, SchemaDef>;
  extensions: Record<string, ExtensionDef>;
  collations: Record<string, CollationDef>;
  enums: Record<string, EnumDef>;
  domains: Record<string, DomainDef>;
  compositeTypes: Record<string, CompositeTypeDef>;
  rangeTypes: Record<string, RangeTypeDef>;
  sequences: Record<string, SequenceDef>;
  tables: Record<string, TableDef>;
  indexes: Record<string, IndexDef>;
  views: Record<string, ViewDef>;
  materializedViews: Record<string, MaterializedViewDef>;
  functions: Record<string, FunctionDef>;
  triggers: Record<string, TriggerDef>;
  policies: Record<string, PolicyDef>;
  /** Privileges granted on schemas, tables, sequences and functions, keyed `type:object:grantee` (see {@link PrivilegeDef}). */
  privileges: Record<string, PrivilegeDef>;
  /** Event triggers, keyed by name. Absent from older Snapshots, read as none. */
  eventTriggers: Record<string, EventTriggerDef>;
  /** Publications (logical replication), keyed by name. Absent from older Snapshots, read as none. */
  publications: Record<string, PublicationDef>;
  /** Text search dictionaries, keyed `schema.name`. Written only when there are some; absent read as none. */
  textSearchDictionaries?: Record<string, TextSearchDictionaryDef>;
  /** Text search configurations, keyed `schema.name`. Written only when there are some; absent read as none. */
  textSearchConfigurations?: Record<string, TextSearchConfigurationDef>;
  /** Default privileges (`ALTER DEFAULT PRIVILEGES`, pg_default_acl) that differ from the built-in ones, keyed
   * `type:role:schema:grantee` (see {@link DefaultPrivilegeDef}). Written only when there are some; absent read as none. */
  defaultPrivileges?: Record<string, DefaultPrivilegeDef>;
  /** Owners of the objects, keyed `type:object` (see {@link OwnerDef}): read only when introspect is asked for them (`owners`). */
  owners?: Record<string, OwnerDef>;
  /** Rewrite rules (not views' `_RETURN`), keyed `schema.table.rule`. Written only when there are some; absent read as none. */
  rules?: Record<string, RuleDef>;
  /** Extended statistics objects, keyed `schema.name`. Written only when there are some; absent read as none. */
  statistics?: Record<string, StatisticsDef>;
  /** User-defined casts, keyed `(source AS target)`. Written only when there are some; absent read as none. */
  casts?: Record<string, CastDef>;
  /** Encoding conversions, keyed `schema.name`. Written only when there are some; absent read as none. */
  conversions?: Record<string, ConversionDef>;
  /** Operators, keyed as {@link OperatorDef.ref} names them. Written only when there are some; absent read as none. */
  operators?: Record<string, OperatorDef>;
  /** Operator families, keyed `schema.name USING method`. Written only when there are some; absent read as none. */
  operatorFamilies?: Record<string, OperatorFamilyDef>;
  /** Operator classes, keyed `schema.name USING method`. Written only when there are some; absent read as none. */
  operatorClasses?: Record<string, OperatorClassDef>;
  /** Text search parsers, keyed `schema.name`. Written only when there are some; absent read as none. */
  textSearchParsers?: Record<string, TextSearchParserDef>;
  /** Text search templates, keyed `schema.name`. Written only when there are some; absent read as none. */
  textSearchTemplates?: Record<string, TextSearchTemplateDef>;
  /** Foreign-data wrappers (not extension members), keyed by name. Written only when there are some; absent read as none. */
  foreignDataWrappers?: Record<string, ForeignDataWrapperDef>;
  /** Foreign servers, keyed by name. Written only when there are some; absent read as none. */
  foreignServers?: Record<string, ForeignServerDef>;
  /** User mappings, keyed `user@server` (`public@files`). Written only when there are some; absent read as none. */
  userMappings?: Record<string, UserMappingDef>;
  /** Procedural languages not from extensions, keyed by name. Written only when there are some; absent read as none. */
  languages?: Record<string, LanguageDef>;
  /** Access methods not from extensions, keyed by name. Written only when there are some; absent read as none. */
  accessMethods?: Record<string, AccessMethodDef>;
  /**
   * Objects of kinds Strata does not compare or create (text search parsers and templates
   * configurations, operators, casts, rules, subscriptions...), keyed
   * `kind:name`: listed so that nothing is skipped silently. Absent from older
   * Snapshots, read as none.
   */
  unhandled?: Record<string, UnhandledDef>;
}

/** An object of a kind the auditor does not handle: its kind (`text search configuration`) and name (`public.english_nostop`). */
export interface UnhandledDef {
  kind: string;
  name: string;
}

/** A schema (namespace). */
export interface SchemaDef {
  name: string;
  comment: string | null;
}

/** An installed extension. Objects it owns are never part of a Snapshot. */
export interface ExtensionDef {
  name: string;
  schema: string;
  version: string;
  /** Extensions it requires (created first, dropped after), sorted. */
  requires: string[];
  /** `COMMENT ON EXTENSION` (absent in Snapshots written before it was read; then not compared). */
  comment?: string | null;
  /** The server's default version of the extension (where the server has it): `CREATE EXTENSION` names a version only when it is not this
   * one. Not compared. */
  defaultVersion?: string;
  /** The comment `CREATE EXTENSION` gives it (the control file's). Not compared. */
  defaultComment?: string | null;
}

/** An enum type; `values` in their sort order. */
export interface EnumDef {
  schema: string;
  name: string;
  values: string[];
  comment: string | null;
}

/** A domain, with its CHECK constraints sorted by name. */
export interface DomainDef {
  schema: string;
  name: string;
  /** The base type, as `format_type` gives it. */
  type: string;
  notNull: boolean;
  default: string | null;
  collation: string | null;
  /** `comment` is absent in older Snapshots and read as null. */
  checks: { name: string; definition: string; validated: boolean; comment?: string | null }[];
  comment: string | null;
}

/** A composite type (`CREATE TYPE x AS (...)`), attributes in declared order. */
export interface CompositeTypeDef {
  schema: string;
  name: string;
  /** `comment` (`COMMENT ON COLUMN type.attribute`) is absent in older Snapshots and read as null. */
  attributes: { name: string; type: string; collation: string | null; comment?: string | null }[];
  comment: string | null;
}

/** A user-defined collation (`CREATE COLLATION`). */
export interface CollationDef {
  schema: string;
  name: string;
  provider: 'libc' | 'icu' | 'builtin';
  /** ICU or builtin locale. */
  locale: string | null;
  /** libc LC_COLLATE / LC_CTYPE. */
  lcCollate: string | null;
  lcCtype: string | null;
  deterministic: boolean;
  /** ICU tailoring rules (PostgreSQL 16+). */
  rules: string | null;
  comment: string | null;
}

/** A range type (`CREATE TYPE x AS RANGE (...)`). */
export interface RangeTypeDef {
  schema: string;
  name: string;
  subtype: string;
  /** Operator class of the subtype when not its default, qualified as needed. */
  subtypeOpclass: string | null;
  collation: string | null;
  /** Canonical function, qualified. */
  canonical: string | null;
  /** Subtype difference function, qualified. */
  subtypeDiff: string | null;
  /** Name of the multirange type (PostgreSQL 14+), when not the default. */
  multirange: string | null;
  comment: string | null;
}

/** Options shared by sequences and identity columns. */
export interface SequenceOptions {
  /** Data type of the sequence (`bigint`, `integer`, `smallint`). */
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

/** A free-standing sequence (identity sequences are part of their column). */
export interface SequenceDef extends SequenceOptions {
  schema: string;
  name: string;
  /** `OWNED BY` column, if any. */
  ownedBy: { table: string; column: string } | null;
  comment: string | null;
}

/** Identity of a column. */
export interface IdentityDef extends SequenceOptions {
  generation: 'always' | 'by default';
}

/** A table column. */
export interface ColumnDef {
  name: string;
  /** Exactly as `format_type(atttypid, atttypmod)` gives it: `character varying(255)`, `geometry(Point,4326)`. */
  type: string;
  notNull: boolean;
  /** `pg_get_expr` of the default; null for identity and generated columns. */
  default: string | null;
  identity: IdentityDef | null;
  /** Expression of a `GENERATED ALWAYS AS (...) STORED` column. */
  generated: string | null;
  /** Collation, only when it is not the type's default. */
  collation: string | null;
  comment: string | null;
  /** A foreign table column's `OPTIONS (...)`; absent when it has none (and on every other table's columns). */
  fdwOptions?: FdwOptions;
}

/** Constraint kinds. */
export type ConstraintType = 'primary key' | 'foreign key' | 'unique' | 'check' | 'exclude';

/** A table constraint. `definition` is `pg_get_constraintdef` without a trailing `NOT VALID`. */
export interface ConstraintDef {
  name: string;
  type: ConstraintType;
  definition: string;
  columns: string[];
  validated: boolean;
  deferrable: boolean;
  initiallyDeferred: boolean;
  noInherit: boolean;
  /** Foreign keys only. */
  references: {
    table: string;
    columns: string[];
    onUpdate: FkAction;
    onDelete: FkAction;
    match: 'simple' | 'full' | 'partial';
  } | null;
  /** UNIQUE / PRIMARY KEY: `NULLS NOT DISTINCT` (PostgreSQL 15+). */
  nullsNotDistinct: boolean;
  comment: string | null;
}

/** A foreign-key referential action. */
export type FkAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A table (ordinary or partitioned), or a foreign table (with `foreign`). */
export interface TableDef {
  schema: string;
  name: string;
  /** `pg_get_partkeydef` for a partitioned table, else null. */
  partitionBy: string | null;
  /** Parent and bound (`FOR VALUES ...`) of a partition, else null. */
  partitionOf: { table: string; bound: string } | null;
  /** Parents of a table created with `INHERITS (...)`, in order (not partitions). */
  inherits: string[];
  /** `CREATE UNLOGGED TABLE`. */
  unlogged: boolean;
  /**
   * Storage parameters (`WITH (fillfactor=70)`; TOAST ones as
   * `toast.autovacuum_enabled=false`), sorted. Absent from Snapshots written
   * before they were recorded, and read as `[]`.
   */
  options?: string[];
  /** `REPLICA IDENTITY`; absent in older Snapshots, read as `'default'`. */
  replicaIdentity?: 'default' | 'full' | 'nothing' | 'index';
  /** The index of `REPLICA IDENTITY USING INDEX`, else null. */
  replicaIdentityIndex?: string | null;
  columns: ColumnDef[];
  constraints: Record<string, ConstraintDef>;
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  comment: string | null;
  /** Present on a foreign table only (relkind `f`): its server and options. */
  foreign?: ForeignTableInfo;
  /** Its table access method (`CREATE TABLE ... USING am`) when not `heap`; absent for heap. */
  accessMethod?: string;
}

/** An index that does not back a constraint. */
export interface IndexDef {
  schema: string;
  name: string;
  /** Qualified key of the table or materialised view it is on. */
  table: string;
  /** `pg_get_indexdef`. */
  definition: string;
  method: string;
  unique: boolean;
  /** Key columns or expressions, in order. */
  keys: string[];
  include: string[];
  /** Partial-index predicate. */
  predicate: string | null;
  valid: boolean;
  comment: string | null;
}

/** A column of a view or materialised view. */
export interface ViewColumnDef {
  name: string;
  type: string;
  comment: string | null;
}

/** A view. */
export interface ViewDef {
  schema: string;
  name: string;
  /** `pg_get_viewdef(oid, true)`. */
  definition: string;
  columns: ViewColumnDef[];
  /** reloptions such as `security_barrier=true`, `check_option=local`, sorted. */
  options: string[];
  /**
   * Relations and functions it reads (qualified keys), and constraints it
   * relies on (`schema.table#constraint`: a primary key that lets it select
   * columns it does not GROUP BY), sorted.
   */
  dependsOn: string[];
  comment: string | null;
}

/** A materialised view. */
export interface MaterializedViewDef extends ViewDef {
  populated: boolean;
}

/** A function or procedure. */
export interface FunctionDef {
  schema: string;
  name: string;
  kind: 'function' | 'procedure' | 'aggregate' | 'window';
  /** `pg_get_function_identity_arguments`. */
  identityArguments: string;
  /** `pg_get_function_result`; null for procedures. */
  result: string | null;
  language: string;
  /** `pg_get_functiondef`; null for aggregates. */
  definition: string | null;
  /** Whether the body is an SQL-standard body (`BEGIN ATOMIC` / `RETURN`), which is bound at creation. */
  sqlBody: boolean;
  /** What `CREATE AGGREGATE` says (aggregates only; absent from Snapshots written before aggregates were read, whose aggregates are then
   * not compared or created). */
  aggregate?: AggregateDef;
  comment: string | null;
}

/** An aggregate's definition beyond its name and arguments. */
export interface AggregateDef {
  /** `normal`, `ordered-set` (`WITHIN GROUP`), or `hypothetical` (an ordered-set one with `HYPOTHETICAL`). */
  kind: 'normal' | 'ordered-set' | 'hypothetical';
  /**
   * The options of `CREATE AGGREGATE`, as SQL, in the order PostgreSQL documents
   * them, those at their default left out: `SFUNC = pg_catalog.int4pl`,
   * `STYPE = integer`, `INITCOND = '0'`, `PARALLEL = SAFE`. Support functions
   * are schema-qualified.
   */
  options: string[];
  /** Keys of the functions it is built from (state, final, combine... functions), sorted. Derived from `options`; used for ordering. */
  functions: string[];
}

/** A trigger (internal ones, such as those enforcing foreign keys, are left out). */
export interface TriggerDef {
  schema: string;
  table: string;
  name: string;
  /** `pg_get_triggerdef`. */
  definition: string;
  /** `O` enabled, `D` disabled, `R` replica, `A` always. */
  enabled: 'O' | 'D' | 'R' | 'A';
  comment: string | null;
}

/** A row-level security policy. */
export interface PolicyDef {
  schema: string;
  table: string;
  name: string;
  permissive: boolean;
  command: 'all' | 'select' | 'insert' | 'update' | 'delete';
  /** Role names, sorted; `public` for everyone. */
  roles: string[];
  using: string | null;
  withCheck: string | null;
  comment: string | null;
}

/** An event trigger (`CREATE EVENT TRIGGER`): database-wide, fired by DDL rather than by rows. */
export interface EventTriggerDef {
  name: string;
  /** `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite` (`login` on 17+). */
  event: string;
  /** The `WHEN TAG IN (...)` filter, upper-case as PostgreSQL keeps it, sorted; `[]` fires for every command. */
  tags: string[];
  /** Key of the function it executes (`schema.name()`). */
  function: string;
  /** `O` enabled, `D` disabled, `R` replica, `A` always. */
  enabled: 'O' | 'D' | 'R' | 'A';
  comment: string | null;
}

/** A table a publication names (`FOR TABLE t (columns) WHERE (...)`). */
export interface PublicationTableDef {
  /** Qualified key of the table. */
  table: string;
  /** The column list (PostgreSQL 15+), sorted; null for every column. */
  columns: string[] | null;
  /** The row filter (PostgreSQL 15+), as `pg_get_expr` gives it; null for every row. */
  where: string | null;
}

/** A publication (`CREATE PUBLICATION`), what logical replication sends. */
export interface PublicationDef {
  name: string;
  /** `FOR ALL TABLES`. */
  allTables: boolean;
  /** The tables it names, sorted by table. */
  tables: PublicationTableDef[];
  /** Schemas of `FOR TABLES IN SCHEMA` (PostgreSQL 15+), sorted. */
  schemas: string[];
  /** The actions it publishes, in the order `insert`, `update`, `delete`, `truncate`. */
  publish: PublishAction[];
  /** `publish_via_partition_root`. */
  viaPartitionRoot: boolean;
  comment: string | null;
}

/** A change a publication can publish. */
export type PublishAction = 'insert' | 'update' | 'delete' | 'truncate';

/** Every publish action, in the order PostgreSQL lists them (its default: all). */
export const PUBLISH_ACTIONS: readonly PublishAction[] = ['insert', 'update', 'delete', 'truncate'];

/** The object kinds of a Snapshot that hold keyed objects. */
export const OBJECT_COLLECTIONS = [
  'schemas',
  'extensions',
  'collations',
  'enums',
  'domains',
  'compositeTypes',
  'rangeTypes',
  'sequences',
  'tables',
  'indexes',
  'views',
  'materializedViews',
  'functions',
  'triggers',
  'policies',
  'privileges',
  'eventTriggers',
  'publications',
] as const;

/**
 * Collections a Snapshot holds only when they are not empty (kinds added
 * after version 1's first release: Snapshots of schemas without them read
 * and serialise as before).
 */
export const OPTIONAL_COLLECTIONS = [
  'textSearchDictionaries',
  'textSearchConfigurations',
  'defaultPrivileges',
  'owners',
  'rules',
  'statistics',
  'casts',
  'conversions',
  'operators',
  'operatorFamilies',
  'operatorClasses',
  'textSearchParsers',
  'textSearchTemplates',
  'foreignDataWrappers',
  'foreignServers',
  'userMappings',
  'languages',
  'accessMethods',
] as const;

/** A key of a Snapshot collection. */
export type ObjectCollection = (typeof OBJECT_COLLECTIONS)[number];
