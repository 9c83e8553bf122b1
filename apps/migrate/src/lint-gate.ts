// The lint gate of `up`: error-level findings in the migrations about to run
// refuse the run (exit 2) before anything runs.
import { ExitCode } from '@pg-strata/core';
import { isAtHead, upgrade, type BeforeRun, type MigrationFile, type RunnerOptions } from '@pg-strata/runner';
import type { CliContext, Resolved } from './context.js';
import type { Outcome } from './outcome.js';
import { liftoffOnly } from './wasm-tier.js';

/** Thrown by {@link lintHook} to stop a run; carries the refusal's outcome. */
export class LintRefused extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome) {
    super('refused by the lint gate');
    this.outcome = outcome;
  }
}

/**
 * `up` lints the migrations it is about to run and refuses error-level
 * findings. As the runner's `beforeRun` hook it sees exactly the steps the run
 * planned, after the runner read the database and the files once: at head it
 * costs nothing, and it loads neither the SQL parser nor the linter.
 */
export function lintHook(ctx: CliContext, r: Resolved): BeforeRun {
  // The files the runner already read: a 50 MB migration is not read (and held) twice.
  // The runner has parsed and checked every statement of these steps: the gate need not parse plain INSERTs again.
  return async (steps, migrations) => {
    const refused = await lintRevisions(
      ctx,
      r,
      migrations,
      steps.map((s) => s.revision),
      true,
    );
    if (refused !== undefined) throw new LintRefused(refused);
  };
}

/**
 * The gate for callers that cannot hand the runner a hook (a fleet lints once
 * on its least advanced target; `--backup` lints before the backup is taken):
 * reads the state first. Returns the refusal's outcome when it refuses, else undefined.
 */
export async function lintBeforeUp(ctx: CliContext, r: Resolved, runner: RunnerOptions, target: string): Promise<Outcome | undefined> {
  const state = await isAtHead(runner.url, {
    migrationsDir: runner.migrationsDir,
    ...(runner.schema ? { schema: runner.schema } : {}),
    applicationName: 'strata-migrate',
  });
  if (state.pending.length === 0) return undefined;
  let revisions = state.pending;
  if (target.trim() !== 'head' && target.trim() !== 'heads') {
    // A partial target (+1, a revision): lint only what this run would apply.
    const plan = await upgrade({ ...runner, target, dryRun: true, onEvent: () => {} });
    revisions = plan.steps.map((s) => s.revision);
  }
  return await lintRevisions(ctx, r, runner.migrationsDir, revisions);
}

async function lintRevisions(
  ctx: CliContext,
  r: Resolved,
  migrations: string | readonly MigrationFile[],
  revisions: readonly string[],
  syntaxChecked = false,
): Promise<Outcome | undefined> {
  if (revisions.length === 0) return undefined;
  liftoffOnly();
  const { lintMigrations } = await import('@pg-strata/lint');
  const { countFindings, lintOptions, printFindings } = await import('./lint-output.js');
  const findings = await lintMigrations(migrations, { ...lintOptions(ctx, r), only: [...revisions], syntaxChecked });
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) {
    if (findings.length && !r.json) printFindings(ctx, findings, (l) => ctx.note(l));
    return undefined;
  }
  return {
    code: ExitCode.INPUT,
    result: { refused: 'lint', findings },
    error: { code: 'LINT_REFUSED', message: `${countFindings(findings)} in the pending migrations` },
    text: () => {
      printFindings(ctx, findings, (l) => ctx.note(l));
      ctx.note(
        ctx.paint(
          '31',
          `error: refusing to run: ${countFindings(findings)} in the ${revisions.length} pending migration` +
            `${revisions.length === 1 ? '' : 's'}. Nothing was run. Fix the migrations, silence a statement ` +
            `with '-- strata-lint-ignore <rule>: <reason>' on the line above it, set the rule's level in the ` +
            `config (lint.rules), or run with --no-lint.`,
        ),
      );
    },
  };
}
