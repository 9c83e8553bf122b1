// Build the simulated production database from recipe.json: plain SQL files
// applied in order, nothing from Strata involved.
//
//   node legacy/production/build.mjs postgres://user:pass@host:5432/empty_db
//
// As a module: `await buildProduction(url)` or, with your own connection,
// `await applyRecipe((sql) => client.query(sql))`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The recipe's steps with absolute paths and their SQL text. */
export function recipeSteps() {
  const recipe = JSON.parse(readFileSync(join(here, 'recipe.json'), 'utf8'));
  return recipe.steps.map((step) => {
    const path = resolve(here, step.sql);
    return { ...step, path, text: readFileSync(path, 'utf8') };
  });
}

/**
 * Apply every step through `execute(sql, step)`, in order. Each file is sent
 * as one simple-protocol query (several statements, one implicit transaction).
 */
export async function applyRecipe(execute) {
  const steps = recipeSteps();
  for (const step of steps) {
    try {
      await execute(step.text, step);
    } catch (err) {
      const e = new Error(`production recipe step ${step.sql} failed: ${err.message}`);
      e.cause = err;
      throw e;
    }
  }
  return steps.map((s) => s.sql);
}

// pg is not a dependency of legacy/: take the caller's, else find one in the repo.
function loadPg() {
  const candidates = [join(process.cwd(), 'package.json'), join(here, '../../packages/pg-server/package.json'), join(here, '../../packages/converter/package.json')];
  for (const from of candidates) {
    try {
      return createRequire(from)('pg');
    } catch {
      // try the next place
    }
  }
  throw new Error('build.mjs needs the "pg" package: pass { pg } or run it from a directory where pg resolves.');
}

/** Build production on the (empty) database at `url`. Returns the applied step files. */
export async function buildProduction(url, options = {}) {
  const pg = options.pg ?? loadPg();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await applyRecipe((sql) => client.query(sql));
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node legacy/production/build.mjs <postgres-url-of-an-empty-database>');
    process.exit(2);
  }
  buildProduction(url).then(
    (steps) => console.log(`production built: ${steps.length} steps`),
    (err) => {
      console.error(err.message);
      process.exit(3);
    },
  );
}
