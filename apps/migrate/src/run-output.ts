// The outcome of an up or down run (also the runs of `up --backup` and the
// fleet), the data-loss list of scripts and dry runs, and the stop request
// fed by SIGINT/SIGTERM: shared by up, down and deploy-flags.ts.
import { ExitCode, exitCodeFor } from '@pg-strata/core';
import { offlineScript, type DataLossFinding, type RunResult, type StopRequest } from '@pg-strata/runner';
import { onStopSignals, STOP_SIGNALS } from './signals.js';
import type { CliContext, Resolved } from './context.js';
import { fileOptions, timeoutOptions, type RunnerFlags } from './runner-options.js';
import type { Outcome, OutcomeError } from './outcome.js';
import { ms } from './render.js';

/**
 * The statements of a script or dry run that lose data, on stderr: `--sql`
 * and `--dry-run` run nothing, so they ask for no consent and list them instead.
 */
export function printDataLoss(ctx: CliContext, findings: readonly DataLossFinding[]): void {
  if (findings.length === 0) return;
  const open = findings.filter((f) => f.acknowledged === undefined).length;
  ctx.note(
    ctx.paint(
      '33',
      `data loss: ${findings.length} statement(s) lose data` +
        `${
          open > 0
            ? `; ${open} not acknowledged by their migration (a real run needs --allow-data-loss, or a '-- ` +
              `data-loss: <reason>' header in the migration)`
            : ', each acknowledged by its migration'
        }` +
        `:`,
    ),
  );
  for (const f of findings)
    ctx.note(
      `  ${f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file}: ${f.message}` +
        `${f.acknowledged !== undefined ? ` (acknowledged: ${f.acknowledged})` : ''}`,
    );
}

/** The JSON result of a run: the runner's RunResult without `ok` and `error` (the envelope carries them). */
export function runResult(result: RunResult): Omit<RunResult, 'ok' | 'error'> {
  const { ok: _ok, error: _error, ...rest } = result;
  return rest;
}

/** A run's error for the envelope: code, message and meta; a stopped run says which signal stopped it. */
export function runError(result: RunResult): OutcomeError | undefined {
  if (result.error) return { code: result.error.code, message: result.error.message, meta: result.error.meta };
  if (result.interrupted && !result.dryRun)
    return { code: 'INTERRUPTED', message: `Stopped by ${result.interrupted}.`, signal: result.interrupted };
  return undefined;
}

/** The exit code of an up/down run: 0, the error's code, or the signal's (130, 143) when it was stopped. */
export function runExitCode(result: RunResult): number {
  if (result.interrupted && !result.dryRun) return STOP_SIGNALS[result.interrupted];
  return result.ok ? ExitCode.OK : result.error ? exitCodeFor(result.error) : ExitCode.DATABASE;
}

/** The outcome of an up/down run. */
export function runOutcome(ctx: CliContext, result: RunResult): Outcome {
  const error = runError(result);
  return { code: runExitCode(result), result: runResult(result), ...(error ? { error } : {}), text: () => printRun(ctx, result) };
}

/** An up/down result as text. */
export function printRun(ctx: CliContext, result: RunResult): void {
  const done = result.steps.filter((s) => s.status === 'applied' || s.status === 'planned');
  const verb = result.direction === 'up' ? 'applied' : 'reverted';
  if (result.dryRun) {
    ctx.out(done.length ? `Would run ${done.length} migration(s) ${result.direction}:` : 'Nothing to do.');
    // With the timeouts the real run would set (a header's own, else the config's or the defaults).
    for (const s of done)
      ctx.out(
        `  ${s.revision}  ${s.file}` +
          `${s.lockTimeout === undefined ? '' : `  (lock_timeout ${s.lockTimeout}, statement_timeout ${s.statementTimeout})`}`,
      );
    printDataLoss(ctx, result.dataLoss ?? []);
    return;
  }
  if (!result.ok && result.error) {
    ctx.note(ctx.paint('31', `error: ${result.error.message}`));
  }
  if (result.interrupted) {
    const ran = result.steps.filter((s) => s.status === 'applied');
    const now = result.to.length ? result.to.join(', ') : 'base';
    ctx.out(
      `Interrupted by ${result.interrupted}: ${ran.length} migration(s) ${verb}` +
        `${ran.length ? ` (${ran.map((s) => s.file).join(', ')})` : ''}; not ${verb}: ` +
        `${result.notRun?.length ? result.notRun.map((s) => s.file).join(', ') : 'none'}. Now at ${now}.`,
    );
    return;
  }
  const total = done.reduce((a, s) => a + s.durationMs, 0);
  if (done.length === 0 && result.ok) ctx.out(`Nothing to do: the database is at ${result.to.length ? result.to.join(', ') : 'base'}.`);
  else ctx.out(`${done.length} migration(s) ${verb} in ${ms(total)}; now at ${result.to.length ? result.to.join(', ') : 'base'}.`);
}

/**
 * A stop request for an up/down run, fed by SIGINT and SIGTERM while `fn`
 * runs: the first one stops the run after the migration in flight (a
 * transactional one is cancelled and rolled back), a second one cancels a
 * non-transactional statement too.
 */
export async function withStopRequest<T>(ctx: CliContext, fn: (stop: StopRequest) => Promise<T>): Promise<T> {
  const stop: StopRequest = {};
  const off = onStopSignals(ctx, (sig) => {
    if (!stop.reason) {
      stop.reason = sig;
      ctx.note(
        `${sig}: stopping; the migration in flight is rolled back (a transactional one) or finished (a ` +
          `non-transactional one), nothing after it runs. ${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again ` +
          `cancels a non-transactional statement too.`,
      );
    } else {
      stop.force = true;
    }
    stop.changed?.();
  });
  try {
    return await fn(stop);
  } finally {
    off();
  }
}

/**
 * `up --sql` / `down --sql`: the script a DBA runs with psql, printed, not run. With
 * `--from` it needs no database; the timeouts are a real run's (the config's, else the
 * runner's defaults).
 */
export async function offlineOutcome(
  ctx: CliContext,
  g: RunnerFlags & { from?: string },
  r: Resolved,
  direction: 'up' | 'down',
  target: string,
): Promise<Outcome> {
  const url = g.from ? undefined : ctx.databaseUrl(g, r);
  const script = await offlineScript({
    ...fileOptions(g, r),
    ...timeoutOptions(r),
    ...(url ? { url } : {}),
    direction,
    target,
    ...(g.from ? { from: g.from } : {}),
    onDataLoss: (findings) => printDataLoss(ctx, findings),
  });
  return { code: ExitCode.OK, result: { script }, text: () => ctx.io.stdout.write(script) };
}
