// The CLI process, bundled with its hot path into dist/main.cjs and loaded
// by bin.cts (which says why it is built this way). Two entry points: main()
// for a real run, warmUp() for the build step that records V8's code cache.
import { Writable } from 'node:stream';
import { runCli } from './cli.js';

/** Run the CLI on this process's arguments and streams; the exit code goes to process.exitCode (bin.cts sets V8's flags first). */
export async function main(): Promise<void> {
  // `migrate history | head` closes the pipe early: that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }

  // The one place the process exits: set the code and let Node drain stdout,
  // so piped output (`migrate up --sql | psql`) is complete.
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, { handleSignals: true });
}

/**
 * Run the CLI's hot paths once, output discarded, so that V8 compiles their
 * functions and the build can save them in the code cache: `status` and `up`
 * up to their connection, refused by a port nothing listens on (`port`, which
 * the caller found free), in `dir`, a folder with a migrations/ subfolder.
 * Only these: a cache that also held every command's help (316 kB instead of
 * 268 kB) made `status` ~8 ms slower to start (31 interleaved runs), more to
 * deserialise than it saved compiling.
 */
export async function warmUp(dir: string, port: number): Promise<void> {
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const io = { stdout: sink(), stderr: sink(), env: { NO_COLOR: '1' }, cwd: dir };
  await runCli(['status', '--url', `postgres://strata@127.0.0.1:${port}/warmup`], io);
  await runCli(['up', '--no-lint', '--url', `postgres://strata@127.0.0.1:${port}/warmup`], io);
}
