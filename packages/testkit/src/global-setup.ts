import type { TestProject } from 'vitest/node';
import type { Logger } from '@pg-strata/core';
import { startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test run's PostgreSQL server. */
    strataTestServerUrl: string;
  }
}

/** Vitest global setup: one PostgreSQL server for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const major = parseMajor(process.env.PG_MAJOR);
  const url = process.env.TEST_DATABASE_URL || undefined;
  const server = await startTestServer({ ...(url ? { url } : {}), ...(major ? { major } : {}), logger: progress });
  project.provide('strataTestServerUrl', server.url);
  // Child processes (the CLI under test) find the server here as well.
  process.env.STRATA_TEST_SERVER_URL = server.url;
  return async () => {
    await server.stop();
  };
}

/** `PG_MAJOR`, refused loudly when it is not a version number (a typo must not silently test 17). */
function parseMajor(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d+$/.test(value.trim())) throw new Error(`PG_MAJOR=${value} is not a PostgreSQL major version; use e.g. PG_MAJOR=15.`);
  return Number(value.trim());
}

/** Says on stderr when the run has to download PostgreSQL binaries (a one-time wait of a few seconds). */
const progress: Logger = {
  debug() {},
  info(message, fields) {
    process.stderr.write(`[testkit] ${message} ${JSON.stringify(fields ?? {})}\n`);
  },
  warn() {},
  error() {},
};
