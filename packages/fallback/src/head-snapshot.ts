import { StrataError, silentLogger, type Logger } from '@strata/core';
import { introspect, type Snapshot } from '@strata/auditor';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@strata/pg-server';
import { upgrade } from '@strata/runner';

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
  /** Receives progress events. Default: silent. */
  logger?: Logger;
}

/**
 * The Snapshot of the migrations head: every migration applied to an empty
 * shadow database, which is then introspected and dropped. Write it in CI
 * (`serializeSnapshot`) and pass it as `headSnapshot` to spare the
 * application this work at start-up.
 */
export async function headSnapshot(options: HeadSnapshotOptions): Promise<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const schema = options.schema ?? 'strata';
  let server: LocalServer | undefined;
  let adminUrl = options.shadowUrl;
  if (!adminUrl) {
    logger.info('starting an embedded PostgreSQL for the shadow database');
    server = await startLocalServer({ logger });
    adminUrl = server.url;
  }
  try {
    const shadow = await createScratchDatabase(adminUrl, { prefix: 'strata_shadow' });
    try {
      const run = await upgrade({ url: shadow.url, migrationsDir: options.migrationsDir, schema, applicationName: 'strata-shadow', logger, allowDataLoss: true });
      if (!run.ok) {
        throw new StrataError('MODELS_SOURCE_FAILED', `The migrations in ${options.migrationsDir} do not apply to an empty shadow database: ${run.error?.message ?? 'a migration failed'}`, { cause: run.error });
      }
      return await introspect(shadow.url, { strataSchema: schema, logger });
    } finally {
      await shadow.drop().catch(() => {});
    }
  } finally {
    await server?.stop();
  }
}
