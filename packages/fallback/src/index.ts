/**
 * `@pg-strata/fallback`: the start-up shim of the transition from `create_all()`
 * to migrations. `ensureSchema()` migrates to head (default), only verifies,
 * or, behind the `create_all` flag, builds an empty database with the legacy
 * models after checking them against the migrations head. Libraries never
 * read the environment: the application passes `schemaModeFrom(process.env)`.
 */
export {
  ensureSchema,
  CREATE_ALL_DEPRECATION,
  type EnsureSchemaOptions,
  type EnsureResult,
  type EnsureAction,
  type EnsureApplied,
} from './ensure-schema.js';
export { schemaModeFrom, parseSchemaMode, SCHEMA_MODES, type SchemaMode } from './schema-mode.js';
export { headSnapshot, type HeadSnapshotOptions } from './head-snapshot.js';
export { kyselyOnClient, queryableOf, type AppDatabase } from './client-kysely.js';
