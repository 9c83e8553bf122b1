/**
 * `@pg-strata/runner`: migration files (SQL and TypeScript/Kysely), the revision
 * graph, Strata's version and history tables, the run lock, the planner, the
 * executor and offline SQL scripts. Libraries never print: every function
 * returns a result and reports progress through `logger` / `onEvent`.
 */
export {
  upgrade,
  downgrade,
  openRunSession,
  type RunSession,
  type UpgradeOptions,
  type BeforeRun,
  type PlannedStep,
  type DowngradeOptions,
} from './runner.js';
export { status, history, isAtHead, type HistoryOptions, type IsAtHeadOptions, type IsAtHeadResult } from './status.js';
export { stamp, resolve, type StampOptions, type ResolveOptions, type ResolveResult } from './record-commands.js';
export { offlineScript, type OfflineScriptOptions } from './offline-script.js';
export { loadMigrations, checksumOf, decodeMigration, splitSections, MIGRATION_FILE_RE, type Section } from './migration-file.js';
export { buildGraph, type RevisionGraph } from './revision-graph.js';
export { createMigration, mergeHeads, initProject, slugOf, type CreateMigrationOptions } from './scaffold.js';
export { runLockKey } from './run-lock.js';
export { isDirect, backendPid } from './pooler.js';
export { stampHeadsOnClient, type ClientStampOptions } from './client-stamp.js';
export type {
  RunnerOptions,
  RunnerEvent,
  LockModeOption,
  Direction,
  MigrationFile,
  MigrationSet,
  StepResult,
  RunResult,
  ChecksumProblem,
  FailedMigration,
  StatusResult,
  HistoryEntry,
  StampResult,
  DataLossFinding,
  StopRequest,
} from './types.js';
