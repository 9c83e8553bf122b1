// What testMigrations takes and returns (the package's public shapes).
import { type Logger } from '@pg-strata/core';
import { type ModelSource } from '@pg-strata/auditor';

/** The checks {@link testMigrations} runs, in order. */
export type CheckName = 'single-head' | 'upgrade' | 'models' | 'downgrade' | 'stairway';

/** Options of {@link testMigrations}. */
export interface MigrationTestOptions {
  /** Folder of the migration files. */
  migrationsDir: string;
  /**
   * A server where scratch databases are created and dropped (a role that may
   * CREATE DATABASE). Default: an embedded PostgreSQL started for the run and
   * stopped afterwards.
   */
  shadowUrl?: string;
  /** A models source (auditor syntax: `schema.sql`, `models.ts`, `cmd:...`, a snapshot JSON). Default: none, the models check is skipped.
   * */
  models?: string | ModelSource;
  /** Directory a relative models path resolves against. Default: the process's working directory. */
  cwd?: string;
  /** Environment of a `cmd:` models source (`DATABASE_URL` is set on top). Default: this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Schema of Strata's own tables in the shadow databases. Default `'strata'`. */
  schema?: string;
  /** Receives progress (`info`) and diagnostics. Default: silent. */
  logger?: Logger;
  /**
   * Run the stairway only for the revisions added after this one (an id or
   * unique prefix): those that are not it or its ancestors. The stairway's
   * database is first upgraded to it in one plain run. Default: every revision.
   */
  since?: string;
  /** Run the stairway only for these revisions (ids or unique prefixes), e.g. the ones whose files a pull request adds; combined with
   * `since`, both must hold. */
  stairwayOnly?: readonly string[];
  /** Databases the stairway runs on at once, each taking a contiguous part of the chain. Default: the CPUs available, at most 4. */
  concurrency?: number;
  /** Receives one event per check and per stairway step, as they happen. */
  onProgress?: (event: ProgressEvent) => void;
}

/** What {@link MigrationTestOptions.onProgress} receives. */
export type ProgressEvent =
  | { type: 'check-started'; check: CheckName }
  | { type: 'check-finished'; check: CheckName; status: CheckResult['status']; durationMs: number; reason?: string }
  | { type: 'stairway-planned'; steps: number; workers: number; skipped: number }
  | {
      type: 'step';
      /** 1-based, in the order steps finish (workers run parts of the chain at once). */
      index: number;
      total: number;
      revision: string;
      file: string;
      ok: boolean;
      durationMs: number;
      /** Since the stairway started. */
      elapsedMs: number;
      /** Whether the catalogue fingerprints differed and a full introspection and compare decided. */
      fullCompare: boolean;
    };

/** How the stairway went about it (see the README's "How the stairway is fast"). */
export interface StairwayStats {
  /** Revisions that went up, down and up. */
  steps: number;
  /** Revisions left out (`since`, `stairwayOnly`): applied plainly. */
  skipped: number;
  workers: number;
  /** Steps whose catalogue fingerprints differed, so that a full introspection and compare ran. */
  fullCompares: number;
  /**
   * Parts of the chain walked again with three fingerprints per step (the first up's too) because the part ended in
   * a schema other than a plain upgrade to the same point: an up that is not deterministic.
   */
  rechecked: number;
}

/** One check's outcome. */
export interface CheckResult {
  name: CheckName;
  /** `skipped` when it could not run (no models source, or an earlier check failed). */
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Why it was skipped. */
  reason?: string;
}

/** One problem found. */
export interface TestFailure {
  check: CheckName;
  /** The revision at fault, when there is one. */
  revision?: string;
  file?: string;
  /** What is wrong, naming the revision and file. */
  message: string;
  /** The differing objects, as compare's sentences. */
  differences: string[];
}

/** The result of {@link testMigrations}. */
export interface MigrationTestResult {
  ok: boolean;
  checks: CheckResult[];
  failures: TestFailure[];
  /** Number of migrations in the graph. */
  migrations: number;
  /** Present when the stairway ran. */
  stairway?: StairwayStats;
}
