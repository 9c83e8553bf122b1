import { silentLogger, type Logger } from '@pg-strata/core';
import type { Snapshot } from '@pg-strata/auditor';

/** Options of {@link headSnapshot}. */
export interface HeadSnapshotOptions {
  /** Folder of the migration files. */
  migrationsDir: string;
  /** Schema of Strata's tables (left out of the Snapshot). Default `'strata'`. */
  schema?: string;
  /**
   * A server where a throwaway shadow database may be created (a role with
   * CREATE DATABASE). Default: none, an embedded PostgreSQL is started for
   * the occasion and stopped afterwards.
   */
  shadowUrl?: string;
  /**
   * Major version of the database the Snapshot will be compared with: an
   * embedded shadow server of that major is preferred when one is installed.
   * Default: none (the embedded server's own).
   */
  targetMajor?: number;
  /** Receives progress, and a warning when the shadow server's major differs from the target's. Default: silent. */
  logger?: Logger;
}

/**
 * The Snapshot of the migrations head: every migration applied to an empty
 * shadow database (the auditor's `migrations:` model source), introspected,
 * then dropped. Write it in CI (`serializeSnapshot`) and pass it as
 * `headSnapshot` to spare the application this work at start-up.
 */
export async function headSnapshot(options: HeadSnapshotOptions): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const schema = options.schema ?? 'strata';
  // Loaded on demand: the auditor brings the SQL parser and the embedded-PostgreSQL package.
  const { snapshotFrom } = await import('@pg-strata/auditor');
  const sourced = await snapshotFrom(
    { kind: 'migrations', dir: options.migrationsDir, revision: 'head' },
    {
      strataSchema: schema,
      logger,
      ...(options.shadowUrl ? { shadowUrl: options.shadowUrl } : {}),
      ...(options.targetMajor ? { targetMajor: options.targetMajor } : {}),
    },
  );
  for (const note of sourced.notes) logger.warn(note, { source: sourced.source });
  return sourced.snapshot;
}
