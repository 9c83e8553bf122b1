// Builds the single executable: dist-sea/strata, a Linux x64 Node binary
// with the whole CLI injected (Node's single executable applications:
// https://nodejs.org/api/single-executable-applications.html). It runs with
// no `node` on PATH and no node_modules, e.g. in a Python application's image.
//
//   pnpm build:sea            (from the root or apps/migrate)
//   STRATA_SEA_NODE=/path/to/node pnpm build:sea   (another Node binary)
//
// 1. esbuild bundles src/sea.ts and every package it reaches, the
//    @pg-strata/* libraries from their TypeScript sources, into one CommonJS
//    file (a SEA's main script can require() only Node's built-in modules);
// 2. libpg-query's factory is swapped for scripts/shims/sea-libpg-query.cjs,
//    which instantiates the WebAssembly from the SEA asset `libpg-query.wasm`;
// 3. `node --experimental-sea-config` writes the blob, with the same Node
//    binary that is then copied and receives the blob (postject): a blob only
//    runs in the Node version that made it.
//
// Which Node: 24 (an LTS line supported the longest; Node 20's support ended
// in April 2026), the binary of the npm registry's `node` package that
// .ci/run keeps in $STRATA_NODE_CACHE/24 (default ~/.cache/strata/node/24);
// installed there by this script when it is missing.
//
// Incremental: the executable is rebuilt only when the bundle, the wasm, the
// Node binary or this script's settings changed (the content hash is kept in
// dist-sea/strata.hash). Writes go to temporary names, renamed into place.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-sea');
const exe = join(out, 'strata');
const log = (line) => process.stderr.write(`sea: ${line}\n`);

if (process.platform !== 'linux' || process.arch !== 'x64') {
  log(`the single executable is built for Linux x64 only (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}

/** The Node binary to embed: $STRATA_SEA_NODE, else Node 24 from the cache (installed when missing). */
function nodeBinary() {
  if (process.env.STRATA_SEA_NODE) return process.env.STRATA_SEA_NODE;
  const cache = process.env.STRATA_NODE_CACHE || join(homedir(), '.cache', 'strata', 'node');
  const bin = join(cache, '24', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`installing Node 24 into ${join(cache, '24')} (npm's node package)`);
    mkdirSync(join(cache, '24'), { recursive: true });
    execFileSync('npm', ['install', '--prefix', join(cache, '24'), '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node@24'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return bin;
}

// libpg-query's files, found from the package that depends on it.
const sqlRequire = createRequire(join(realpathSync(join(root, 'node_modules', '@pg-strata', 'sql')), 'package.json'));
const libpgQueryDir = dirname(sqlRequire.resolve('libpg-query/package.json'));
const wasmFile = join(libpgQueryDir, 'wasm', 'libpg-query.wasm');
const factoryFile = join(libpgQueryDir, 'wasm', 'libpg-query.js');
// oxc-parser's native binding for this platform, found from the converter, which depends on oxc-parser.
const converterRequire = createRequire(join(realpathSync(join(root, 'node_modules', '@pg-strata', 'converter')), 'package.json'));
const oxcRequire = createRequire(converterRequire.resolve('oxc-parser'));
const oxcBinding = oxcRequire.resolve('@oxc-parser/binding-linux-x64-gnu/parser.linux-x64-gnu.node');

mkdirSync(out, { recursive: true });
const bundleFile = join(out, 'strata.cjs');

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/sea.ts'],
  outfile: bundleFile,
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  supported: { 'dynamic-import': false },
  minify: true,
  // Workspace packages from their TypeScript sources, as in bundle.mjs.
  conditions: ['source'],
  // The SEA's main script is one file; a source map beside it would not be found.
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // import.meta in CommonJS: in a SEA, __filename is the executable itself.
  // The one import.meta.resolve (the runner pointing jiti's `kysely` at its
  // own copy) finds nothing here and is caught there.
  define: { 'import.meta.url': '__strataModuleUrl', 'import.meta.resolve': '__strataResolve' },
  banner: {
    js: [
      "const __strataModuleUrl = require('node:url').pathToFileURL(__filename).href;",
      'const __strataResolve = (specifier) => { throw new Error(`Cannot resolve ${specifier} from the single executable`); };',
      // As bin.cts does: Node 20 has no navigator, and pg then loads Node's HTTP client.
      "if (typeof globalThis.navigator === 'undefined') Object.defineProperty(globalThis, " +
        "'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, " +
        'configurable: true, writable: true });',
    ].join('\n'),
  },
  plugins: [
    {
      name: 'strata-sea',
      setup(b) {
        // libpg-query's wasm/index.cjs requires './libpg-query.js' (the Emscripten factory): give it the shim.
        b.onResolve({ filter: /^\.\/libpg-query\.js$/ }, (args) =>
          args.importer.replaceAll('\\', '/').endsWith('/libpg-query/wasm/index.cjs')
            ? { path: join(root, 'scripts', 'shims', 'sea-libpg-query.cjs') }
            : undefined,
        );
        // ...and the shim the real factory.
        b.onResolve({ filter: /^libpg-query\/wasm\/libpg-query\.js$/ }, () => ({ path: factoryFile }));
        // oxc-parser (the converter's JavaScript parser) loads a native addon: from the SEA asset (the shim says how).
        b.onResolve({ filter: /^(\.|\.\.)\/bindings\.js$/ }, (args) =>
          /\/oxc-parser\/src-js\//.test(args.importer.replaceAll('\\', '/'))
            ? { path: join(root, 'scripts', 'shims', 'sea-oxc-binding.cjs') }
            : undefined,
        );
        // oxc-parser's Visitor (the converter's JavaScript walk) loads its walker on first use through
        // createRequire(import.meta.url): files next to it, which the executable lacks. Bundle them instead.
        b.onLoad({ filter: /[\\/]oxc-parser[\\/]src-js[\\/]visit[\\/]index\.js$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          const lazy = 'const require = createRequire(import.meta.url);';
          if (!text.includes(lazy)) throw new Error(`${args.path}: oxc-parser's Visitor no longer loads its walker as sea.mjs expects`);
          const contents =
            'import * as __strataWalk from "../generated/visit/walk.js";\nimport * as __strataVisitor from "./visitor.js";\n' +
            text.replace(lazy, 'const require = (p) => (p === "../generated/visit/walk.js" ? __strataWalk : __strataVisitor);');
          return { contents, loader: 'js', resolveDir: dirname(args.path) };
        });
        // jiti's CommonJS entry, whose lazy require('../dist/babel.cjs') esbuild inlines (its ES entry
        // reaches babel through createRequire(import.meta.url), a file next to it).
        b.onResolve({ filter: /^jiti$/ }, (args) => ({ path: createRequire(args.importer).resolve('jiti') }));
        // pg's native driver (pg-native) is optional, required only by `pg.native`, which Strata never uses.
        b.onResolve({ filter: /^pg-native$/ }, () => ({ path: 'pg-native', external: true }));
      },
    },
  ],
});
const bundle = result.outputFiles[0].contents;

const node = nodeBinary();
const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
// Relative to dist-sea/ (the blob is written from there): the name stack frames show is
// `strata.cjs`, not this machine's path.
const seaConfig = {
  main: 'strata.cjs',
  output: 'sea-prep.blob',
  // Node 20 prints an ExperimentalWarning when a single executable starts; never wanted on a CLI's stderr.
  disableExperimentalSEAWarning: true,
  // V8's code cache of the main script, made at build time: --version and
  // `status` take ~30% less CPU (apps/migrate/README.md, "Single executable").
  // STRATA_SEA_CODE_CACHE=0 builds without it, to measure.
  useCodeCache: process.env.STRATA_SEA_CODE_CACHE !== '0',
  // A startup snapshot was measured too (-9% CPU for `status`, +27 MiB of
  // memory, +15 MB of file) and is not used: it runs the modules' top-level
  // code at build time and keeps what it read then, e.g. pg's default user
  // (process.env.USER of the build, tried: not the user's at run time).
  useSnapshot: false,
  assets: { 'libpg-query.wasm': wasmFile, 'oxc-parser.node': oxcBinding },
};

const strip = ['/usr/bin/strip', '/bin/strip'].find((p) => existsSync(p));
if (!strip) log("binutils' strip is not installed: the executable keeps Node's symbol table (18 MB more)");

const hash = createHash('sha256')
  .update(bundle)
  .update(readFileSync(wasmFile))
  .update(readFileSync(oxcBinding))
  .update(`${node}\0${nodeVersion}\0${JSON.stringify(seaConfig)}\0${strip ? 'stripped' : ''}\0`)
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex');
const hashFile = join(out, 'strata.hash');
if (existsSync(exe) && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) {
  log(`${exe} is up to date (${nodeVersion})`);
  process.exit(0);
}

writeFileSync(bundleFile, bundle);
const configFile = join(out, 'sea-config.json');
writeFileSync(configFile, `${JSON.stringify(seaConfig, null, 2)}\n`);
// It says "Wrote single executable preparation blob to ..." on success: shown only on a failure.
try {
  // No NODE_OPTIONS: V8 accepts the code cache only under the flags it was made with.
  execFileSync(node, ['--experimental-sea-config', configFile], { cwd: out, stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '' } });
} catch (err) {
  process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
  throw err;
}

const tmp = `${exe}.${process.pid}.tmp`;
copyFileSync(node, tmp);
chmodSync(tmp, 0o755);
// Node's symbol table is 18 of its 127 MB: dropped when binutils' strip is
// there (crash reports then show addresses instead of C++ function names).
if (strip) execFileSync(strip, [tmp]);
const { inject } = createRequire(import.meta.url)('postject');
// postject's ELF library (LIEF) warns once per note section it does not
// name ("Can't find string offset for section name '.note.100'"), on every
// Node binary, about sections it leaves as they are: those lines are
// dropped; any other warning is printed.
const warn = console.warn;
console.warn = (...args) => {
  if (!/^warning: Can't find string offset for section name/.test(String(args[0]))) warn(...args);
};
try {
  // The sentinel fuse Node looks for to know it carries a blob (documented with SEA).
  await inject(tmp, 'NODE_SEA_BLOB', readFileSync(join(out, seaConfig.output)), {
    sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  });
} finally {
  console.warn = warn;
}
rmSync(join(out, seaConfig.output), { force: true });
renameSync(tmp, exe);
writeFileSync(hashFile, `${hash}\n`);
log(`wrote ${exe} (${nodeVersion}, ${(readFileSync(exe).length / 1e6).toFixed(1)} MB)`);
