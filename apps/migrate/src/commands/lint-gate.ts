import { ExitCode } from '@strata/core';
import { isAtHead, upgrade, type RunnerOptions } from '@strata/runner';
import type { CliContext, Resolved } from '../context.js';

/**
 * `up` lints the migrations it is about to run and refuses error-level
 * findings. Returns the exit code when it refuses, else undefined. At head it
 * costs one round trip and loads neither the SQL parser nor the linter.
 */
export async function lintBeforeUp(ctx: CliContext, r: Resolved, runner: RunnerOptions, target: string): Promise<number | undefined> {
  const state = await isAtHead(runner.url, { migrationsDir: runner.migrationsDir, ...(runner.schema ? { schema: runner.schema } : {}), applicationName: 'strata-migrate' });
  if (state.pending.length === 0) return undefined;
  let revisions = state.pending;
  if (target.trim() !== 'head' && target.trim() !== 'heads') {
    // A partial target (+1, a revision): lint only what this run would apply.
    const plan = await upgrade({ ...runner, target, dryRun: true, onEvent: () => {} });
    revisions = plan.steps.map((s) => s.revision);
  }
  if (revisions.length === 0) return undefined;
  const { lintMigrations } = await import('@strata/lint');
  const { countFindings, lintOptions, printFindings } = await import('./lint.js');
  const findings = await lintMigrations(runner.migrationsDir, { ...lintOptions(ctx, r), only: revisions });
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) {
    if (findings.length && !r.json) printFindings(ctx, findings, (l) => ctx.note(l));
    return undefined;
  }
  if (r.json) {
    ctx.outJson({ ok: false, refused: 'lint', error: { code: 'LINT_REFUSED', message: `${countFindings(findings)} in the pending migrations` }, findings });
  } else {
    printFindings(ctx, findings, (l) => ctx.note(l));
    ctx.note(ctx.paint('31', `error: refusing to run: ${countFindings(findings)} in the ${revisions.length} pending migration${revisions.length === 1 ? '' : 's'}. Nothing was run. Fix the migrations, silence a statement with '-- strata-lint-ignore <rule>: <reason>' on the line above it, set the rule's level in the config (lint.rules), or run with --no-lint.`));
  }
  return ExitCode.INPUT;
}
