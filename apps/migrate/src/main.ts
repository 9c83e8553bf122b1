// The CLI process, bundled with its hot path into dist/main.cjs and loaded
// by bin.cts (which says why it is built this way).
import { runCli } from './cli.js';

/** Run the CLI on this process's arguments and streams; the exit code goes to process.exitCode. */
export async function main(): Promise<void> {
  // `strata history | head` closes the pipe early: that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }

  // The one place the process exits: set the code and let Node drain stdout,
  // so piped output (`strata up --sql | psql`) is complete.
  process.exitCode = await runCli(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
    { handleSignals: true },
  );
}
