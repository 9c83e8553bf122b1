#!/usr/bin/env node
// The `migrate` executable: requires dist/main.cjs, the CLI and its hot path
// bundled into one CommonJS file (scripts/bundle.mjs says why), with Node's
// own compile cache on where Node has it (22.1 and later).
//
// Until this file's previous version, it compiled the bundle through node:vm
// with a V8 code cache the build had recorded, and set V8 flags at run time
// (--liftoff-only --interrupt-budget). On Node 22 and 24 V8 rejected that
// cache (it belongs to the V8 that built it) and refused the flag
// (`Error: unrecognized flag --interrupt-budget=675840` on every command's
// stderr). Measured on Node 22 at 1,000 migrations (apps/migrate/README.md,
// "Start-up time"), neither took 10% off `status`; they are gone. Node's
// compile cache (module.enableCompileCache) keeps V8's code per Node version
// and file content in the system temp dir (or NODE_COMPILE_CACHE), so it is
// never another build's or another V8's.
import nodeModule = require('node:module');

interface MainModule {
  main(): Promise<void>;
}

// node-postgres asks "is this a Cloudflare Worker?" when it loads: where
// `navigator` is missing (Node 20) it constructs a fetch Response, which loads
// Node's whole bundled HTTP client (~20 ms of a ~200 ms no-op run). Node 21+
// defines navigator with this same user agent; give Node 20 the same answer.
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    configurable: true,
    writable: true,
  });
}

// Node >= 22.1 only (@types/node is 20's). It never throws and prints
// nothing: a temp dir that cannot be written leaves the cache off, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = require('./main.cjs') as MainModule;

// Once main() is done and nothing is left to do (the loop is empty, so
// stdout and stderr are written), exit at once: a normal end first frees
// the environment and the V8 heap page by page, which process.exit() skips
// (the process's memory goes back in one piece). Measured from the exit
// event to the parent seeing the process gone, at 1,000 migrations:
// 12.4-13.8 ms -> 7.8-8.6 ms (medians of 21); `status` p10/p25 6-7 ms
// sooner over 41 interleaved runs. The exit code is process.exitCode, as
// before. Node still writes its compile cache on this exit.
void main().then(() => process.once('beforeExit', () => process.exit()));
