import { afterAll, beforeAll, inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@pg-strata/pg-server';

/** The test run's server URL (superuser), as provided by the global setup. */
export function testServerUrl(): string {
  const url = inject('strataTestServerUrl') ?? process.env.STRATA_TEST_SERVER_URL; // lint-allow-env
  if (!url) throw new Error('No test server: add @pg-strata/testkit/global-setup to the vitest globalSetup.');
  return url;
}

/** Create a fresh, empty database on the test server. Drop it with `.drop()`. */
export async function createTestDatabase(prefix = 'strata_test'): Promise<ScratchDatabase> {
  return await createScratchDatabase(testServerUrl(), { prefix });
}

/**
 * Register a fresh database for the current test file: created in
 * `beforeAll`, dropped in `afterAll`. Returns a getter for it.
 */
export function useTestDatabase(prefix = 'strata_test'): () => ScratchDatabase {
  let db: ScratchDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('useTestDatabase(): the database exists only inside tests and hooks.');
    return db;
  };
}
