import type { TestProject } from 'vitest/node';
import { startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test run's PostgreSQL server. */
    strataTestServerUrl: string;
  }
}

/** Vitest global setup: one PostgreSQL server for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const major = process.env.PG_MAJOR ? Number(process.env.PG_MAJOR) : undefined;
  const url = process.env.TEST_DATABASE_URL || undefined;
  const server = await startTestServer({ ...(url ? { url } : {}), ...(major ? { major } : {}) });
  project.provide('strataTestServerUrl', server.url);
  // Child processes (the CLI under test) find the server here as well.
  process.env.STRATA_TEST_SERVER_URL = server.url;
  return async () => {
    await server.stop();
  };
}
