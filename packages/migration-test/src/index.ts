/**
 * `@pg-strata/migration-test`: test the migrations themselves on shadow
 * databases, as pytest-alembic does for Alembic: a single head, upgrade from
 * base to head, the head against the models, downgrade to base, and the
 * stairway (each revision up, down and up again, comparing Snapshots).
 * Never prints: the result lists each check and each failure.
 */
export {
  testMigrations,
  type MigrationTestOptions,
  type MigrationTestResult,
  type CheckName,
  type CheckResult,
  type TestFailure,
  type ProgressEvent,
  type StairwayStats,
} from './stairway.js';
export { catalogFingerprint } from './fingerprint.js';
export { migrationFilesAddedSince } from './since.js';
