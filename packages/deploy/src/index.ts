/**
 * `@pg-strata/deploy`: running migrations in production. A pg_dump backup before
 * the first pending migration, health checks before and after, and (for
 * fleets) the same run over many databases or schemas. Libraries never
 * print: every function returns a result.
 */
export { backupDatabase, restoreCommand, type BackupOptions, type BackupResult } from './backup.js';
export { runHealthCheck, type HealthCheck, type HealthCheckOptions, type HealthCheckResult } from './health-check.js';
export { annotateHistory, historyWatermark } from './history-meta.js';
export { deployUpgrade, type DeployUpgradeOptions, type DeployUpgradeResult, type DeployStage } from './deploy-upgrade.js';
export { libpqEnvironment, toolEnvironment } from './libpq-env.js';
export {
  upgradeFleet,
  loadFleetTargets,
  withSearchPath,
  type FleetTarget,
  type FleetTargetsSource,
  type UpgradeFleetOptions,
  type FleetTargetResult,
  type FleetResult,
} from './fleet.js';
