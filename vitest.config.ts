import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

// One PostgreSQL server for the whole run (global setup); each test file
// creates its own database, so files run in parallel safely.
// Tests import workspace packages from their src/ (no build needed for unit
// and integration tests); end-to-end tests drive the built CLI instead.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@pg-strata\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` }],
  },
  test: {
    globalSetup: ['./packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'] },
      },
    ],
  },
});
