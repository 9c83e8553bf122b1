import type { CliContext } from './context.js';

/** The signals a run stops on, and the exit code each gives (128 + its number, as shells report it). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Call `handler` on SIGINT and SIGTERM instead of Node's default (dying on
 * the spot) while a command runs; returns the function that restores the
 * default. Only in the CLI's own process (ctx.handleSignals): tests that run
 * the CLI in-process keep their own handlers.
 */
export function onStopSignals(ctx: CliContext, handler: (signal: StopSignal) => void): () => void {
  if (!ctx.handleSignals) return () => {};
  const listeners = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((sig) => {
    const listener = () => handler(sig);
    process.on(sig, listener);
    return [sig, listener] as const;
  });
  return () => {
    for (const [sig, listener] of listeners) process.off(sig, listener);
  };
}

/**
 * For the commands that make scratch databases, embedded servers and
 * temporary folders (test, audit, diff, convert, stamp --verify, check):
 * on a signal, drop, stop and remove every one of them (@pg-strata/pg-server's
 * cleanUpAll), say so, and exit 130 (SIGINT) or 143 (SIGTERM).
 */
export function cleanUpOnSignal(ctx: CliContext, verb: string): () => void {
  let stopping = false;
  return onStopSignals(ctx, (sig) => {
    if (stopping) return;
    stopping = true;
    ctx.note(
      `${sig}: stopping \`strata ${verb}\`; dropping its scratch databases, stopping its PostgreSQL ` +
        `servers, removing its temporary folders...`,
    );
    void (async () => {
      const { cleanUpAll } = await import('@pg-strata/pg-server');
      const s = await cleanUpAll();
      ctx.note(
        `Stopped by ${sig}: \`strata ${verb}\` did not complete and changed nothing. Dropped ` +
          `${s.databases} scratch database(s), stopped ${s.servers} PostgreSQL server(s), removed ` +
          `${s.folders} other temporary folder(s).` +
          `${s.failed.length ? ` Could not clean up: ${s.failed.join('; ')}` : ''}`,
      );
      ctx.flush();
      process.exit(STOP_SIGNALS[sig]);
    })();
  });
}
