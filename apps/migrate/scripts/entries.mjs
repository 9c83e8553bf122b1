// What the published strata-migrate carries besides the CLI bundle
// (dist/main.cjs): one ES module per library entry point in dist/lib/, built
// from the workspace packages' TypeScript by scripts/bundle-lib.mjs, sharing
// their common code through chunks (one copy of @pg-strata/core, one of the
// runner...). The package then needs no @pg-strata/* package from a registry.
//
// [entry file in dist/lib/, what it is built from, public subpath or null].
// The entries without a subpath are the other packages the CLI's commands
// load on demand (scripts/bundle.mjs points main.cjs at them).
export const LIB_ENTRIES = [
  ['index', './src/index.ts', '.'],
  ['runner', '@pg-strata/runner', './runner'],
  ['shim', '@pg-strata/fallback', './shim'],
  ['auditor', '@pg-strata/auditor', './auditor'],
  ['converter', '@pg-strata/converter', './converter'],
  // StrataError and its codes, Logger, Queryable: what the others' types name.
  ['core', '@pg-strata/core', './core'],
  ['lint', '@pg-strata/lint', null],
  ['sql', '@pg-strata/sql', null],
  ['deploy', '@pg-strata/deploy', null],
  ['migration-test', '@pg-strata/migration-test', null],
  ['pg-server', '@pg-strata/pg-server', null],
  ['importer', '@pg-strata/importer', null],
];

/** `@pg-strata/fallback` -> `./lib/shim.js`, the path main.cjs requires it by. */
export function libPathOf(specifier) {
  const hit = LIB_ENTRIES.find(([, from]) => from === specifier);
  return hit ? `./lib/${hit[0]}.js` : undefined;
}
