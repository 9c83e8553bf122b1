#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// node-postgres asks "is this a Cloudflare Worker?" when it connects: where
// `navigator` is missing (Node 20) it constructs a fetch Response, which loads
// Node's whole bundled HTTP client (~20 ms of a ~200 ms no-op run). Node 21+
// defines navigator with this same user agent; give Node 20 the same answer.
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
}

// libpg-query is WebAssembly. By default V8 compiles its hot functions a
// second time with TurboFan, which a short CLI run never earns back: with
// Liftoff only, parsing 1,000 migrations went from ~140 ms to ~80 ms in a
// fresh process, and stays faster when warm (measured: 25 vs 30 ms per 1,000).
// The flag is process-wide, so it is set here, in the CLI's own process, and
// never by the libraries.
setFlagsFromString('--liftoff-only');

const { runCli } = await import('./cli.js');

// `migrate history | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// The one place the process exits: set the code and let Node drain stdout,
// so piped output (`migrate up --sql | psql`) is complete.
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
process.exitCode = code;
