/**
 * `@pg-strata/migration-test`: test the migrations themselves on shadow
 * databases, as pytest-alembic does for Alembic: a single head, upgrade from
 * base to head, the head against the models, downgrade to base, and the
 * stairway (each revision up, down and up again, comparing Snapshots).
 * Never prints: the result lists each check and each failure.
 */
export { testMigrations } from './stairway.js';
export type {
  MigrationTestOptions,
  MigrationTestResult,
  CheckName,
  CheckResult,
  TestFailure,
  ProgressEvent,
  StairwayStats,
} from './stairway-types.js';
export { catalogFingerprint } from './fingerprint.js';
export { migrationFilesAddedSince } from './since.js';
