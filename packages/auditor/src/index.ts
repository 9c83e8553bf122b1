/**
 * `@pg-strata/auditor`: read a PostgreSQL schema into a Snapshot, materialise
 * models in a shadow database, compare two Snapshots and plan the DDL between them.
 */
export {
  emptySnapshot,
  freshDatabaseSnapshot,
  serializeSnapshot,
  parseSnapshot,
  inheritedColumn,
  type Snapshot,
  type EventTriggerDef,
  type PublicationDef,
  type PublicationTableDef,
  type PublishAction,
  type PrivilegeDef,
  type PrivilegeObjectType,
  type ObjectCollection,
  type SchemaDef,
  type ExtensionDef,
  type EnumDef,
  type DomainDef,
  type CompositeTypeDef,
  type RangeTypeDef,
  type CollationDef,
  type SequenceDef,
  type SequenceOptions,
  type IdentityDef,
  type TableDef,
  type ColumnDef,
  type ConstraintDef,
  type ConstraintType,
  type FkAction,
  type IndexDef,
  type ViewDef,
  type ViewColumnDef,
  type MaterializedViewDef,
  type FunctionDef,
  type TriggerDef,
  type PolicyDef,
  type DefaultPrivilegeDef,
  type DefaultPrivilegeObjectType,
  type OwnerDef,
  type OwnerObjectType,
} from './snapshot.js';
export { introspect, type IntrospectOptions, type IntrospectTarget } from './catalog-introspector.js';
export { compare, type Drift, type Difference, type CompareOptions, type Severity, type ObjectType } from './compare.js';
export { plan, renderSteps, type Plan, type Step, type PlanHint, type PlanOptions } from './plan/index.js';
export {
  snapshotFrom,
  startShadowServer,
  type ModelSource,
  type SnapshotFromOptions,
  type SourcedSnapshot,
  type ShadowServer,
} from './model-sources.js';
export { renderDrift, type RenderDriftOptions } from './drift-report.js';
export { dumpSchemaSql, type DumpSchemaOptions, type DumpSchemaResult } from './schema-dump.js';
export { migrationText, type MigrationText } from './migration-text.js';
