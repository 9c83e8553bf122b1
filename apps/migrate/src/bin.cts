#!/usr/bin/env node
// The `migrate` executable: loads dist/main.cjs, the CLI and its hot path
// bundled into one CommonJS file (scripts/bundle.mjs), through V8's code cache.
//
// Why this shape: `migrate status` and a no-op `migrate up` run on every
// deploy and at every replica's start. Measured at 1,000 migrations, from
// Node's start to the first byte sent to the server: ~58 ms with the previous
// ES-module bundle (the ES loader's own start, then parsing ~420 kB of
// modules), ~37 ms as one CommonJS file, ~28 ms with the code cache. Node 20
// has no module compile cache (22 has), so this file does what it would:
// compile with the cache the build recorded (dist/main.cjs.v8-cache), and
// compile from source, a little slower, when V8 rejects it (another Node
// version or V8 flags) or it belongs to another build. Commands that need the
// other @strata packages load them on demand, as before (require() of an ES
// module: the bundle has no import(), which a node:vm script cannot use on
// Node 20).
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import v8 = require('node:v8');
import vm = require('node:vm');

interface MainModule {
  main(): Promise<void>;
  warmUp(dir: string, port: number): Promise<void>;
}

// node-postgres asks "is this a Cloudflare Worker?" when it loads: where
// `navigator` is missing (Node 20) it constructs a fetch Response, which loads
// Node's whole bundled HTTP client (~20 ms of a ~200 ms no-op run). Node 21+
// defines navigator with this same user agent; give Node 20 the same answer.
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
}

const file = path.join(__dirname, 'main.cjs');
const cacheFile = `${file}.v8-cache`;
// Set by scripts/bundle.mjs only: `<dir>:<port>` for warmUp(), then write the cache.
const building = process.env.STRATA_BUILD_CODE_CACHE;
const source = fs.readFileSync(file, 'utf8');
// V8 checks a cache against the source's length only: a cache from another
// build of the same length would run that build's code. The build stamps the
// bundle with a hash of its content (its last line), and the cache opens with
// the same stamp; a cache whose stamp differs is not used.
const stamp = Buffer.from(/\/\/# strataBuild=([0-9a-f]+)\s*$/.exec(source.slice(-200))?.[1] ?? '', 'latin1');

let cachedData: Buffer | undefined;
if (building === undefined && stamp.length > 0) {
  try {
    const cache = fs.readFileSync(cacheFile);
    if (cache.subarray(0, stamp.length).equals(stamp)) cachedData = cache.subarray(stamp.length);
  } catch {
    // No cache (a build that skipped it): compile from source.
  }
}
// The bundle is a function expression with CommonJS's module wrapper as its
// parameters (scripts/bundle.mjs), so it runs as if require()d.
const script = new vm.Script(source, {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
if (process.env.STRATA_DEBUG && building === undefined) {
  const how = cachedData === undefined ? 'none for this build' : script.cachedDataRejected ? 'rejected by V8' : 'used';
  process.stderr.write(`strata: code cache ${how}\n`);
}
const mod = { exports: {} as MainModule };
(script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, nodeModule.createRequire(file), mod, file, __dirname);

if (building === undefined) {
  // V8's flags for this process, set only now: V8 checks a code cache against
  // the flags in force, this bundle's (compiled above) and the one Node ships
  // for its own modules. So the built-ins every connecting command needs are
  // loaded first (the bundle's initialisation above loaded the rest): required
  // after the change, net and os would compile from source (~2 ms more).
  //
  // --liftoff-only: libpg-query is WebAssembly. By default V8 compiles its hot
  // functions a second time with TurboFan, which a short CLI run never earns
  // back: with Liftoff only, parsing 1,000 migrations went from ~140 ms to
  // ~80 ms in a fresh process, and stays faster when warm (25 vs 30 ms per 1,000).
  //
  // --interrupt-budget, ten times the default (67,584): JavaScript goes to
  // TurboFan only after ten times as much work. A `status` or no-op `up` is
  // over in ~100 ms of its own, and what it had optimised (the header scan of
  // 1,000 files, pg's message parser) was compiled on the second core, which
  // the database server wants at that moment, into memory touched for the
  // first time (a page fault costs ~11 µs on this kind of virtual machine).
  // Measured at 1,000 migrations: 400-800 fewer page faults, 10-20 ms less
  // CPU, `status` 5-15 ms sooner. Long runs are optimised as before, a little
  // later (linting 1,000 migrations: unchanged).
  //
  // Process-wide, so set here, in the CLI's own process, never by the libraries.
  require('node:net');
  require('node:os');
  v8.setFlagsFromString('--liftoff-only --interrupt-budget=675840');
  // Once main() is done and nothing is left to do (the loop is empty, so
  // stdout and stderr are written), exit at once: a normal end first frees
  // the environment and the V8 heap page by page, which process.exit() skips
  // (the process's memory goes back in one piece). Measured from the exit
  // event to the parent seeing the process gone, at 1,000 migrations:
  // 12.4-13.8 ms -> 7.8-8.6 ms (medians of 21); `status` p10/p25 6-7 ms
  // sooner over 41 interleaved runs. The exit code is process.exitCode, as before.
  void mod.exports.main().then(() => process.once('beforeExit', () => process.exit()));
} else {
  const at = building.lastIndexOf(':');
  void mod.exports.warmUp(building.slice(0, at), Number(building.slice(at + 1))).then(() => fs.writeFileSync(cacheFile, Buffer.concat([stamp, script.createCachedData()])));
}
