import { readFileSync } from 'node:fs';
import pg from 'pg';
import { introspect, type Snapshot } from '@pg-strata/auditor';
import { buildProduction } from '../../../legacy/production/build.mjs';

/** The repository's legacy estate (with a trailing slash). */
export const legacyDir = new URL('../../../legacy/', import.meta.url).pathname;

/**
 * Build the simulated production (legacy/production recipe) and the models
 * (legacy/models/create_all.sql) on two empty databases, and read both.
 */
export async function estateSnapshots(productionUrl: string, modelsUrl: string): Promise<{ production: Snapshot; models: Snapshot }> {
  await buildProduction(productionUrl, { pg });
  const c = new pg.Client({ connectionString: modelsUrl });
  await c.connect();
  try {
    await c.query(readFileSync(`${legacyDir}models/create_all.sql`, 'utf8'));
  } finally {
    await c.end();
  }
  return { production: await introspect(productionUrl), models: await introspect(modelsUrl) };
}
