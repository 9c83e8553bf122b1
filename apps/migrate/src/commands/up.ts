import { Option, type Command } from 'commander';
import { upgrade } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { addLockOptions, runnerOptions, type RunnerFlags } from '../runner-options.js';
import { targetArgument } from '../checks.js';
import { offlineOutcome, runOutcome, withStopRequest } from '../run-output.js';
import { LintRefused, lintBeforeUp, lintHook } from '../lint-gate.js';
import { addDeployOptions, deploySafeguards, isFleet, runDeployUp, runFleetUp, type DeployFlags } from '../deploy-flags.js';

/** `strata up [target]`: apply pending migrations. */
export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('up')
    .argument('[target]', "'head' (default), 'heads', a revision or prefix, or +N (N >= 1)", targetArgument('+'), 'head')
    .description('Apply pending migrations up to the target.')
    .addOption(new Option('--sql', 'print the SQL script a DBA can run with psql instead of running it'))
    .addOption(
      new Option('--from <revision>', "with --sql: the revision the database is at ('base' for an empty one); no connection is made"),
    )
    .addOption(new Option('--no-lint', 'do not lint the pending migrations first (by default up refuses error-level findings)'))
    .addHelpText(
      'after',
      `
Examples:
  $ strata up                      apply everything pending
  $ strata up +1                   apply the next migration only
  $ strata up 3f2a9c               up to (and including) revision 3f2a9c...
  $ strata up --sql --from base | psql "$DATABASE_URL" -v ON_ERROR_STOP=1
  $ strata up --lock-wait 30000    give another deploy 30 s to finish first
  $ strata up --backup /var/backups/db --check-after checks/after.sql
                                    back up first; exit 1 (and print the revert command) if the check fails
  $ strata up --targets tenants.txt --concurrency 8
                                    every database listed (URLs or names on --url); re-run to resume`,
    );
  addDeployOptions(addLockOptions(cmd), ctx.io.cwd).action(
    ctx.action(async (target: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<RunnerFlags & DeployFlags & { sql?: boolean; from?: string }>();
      const r = await ctx.resolve(g);
      if (g.sql) return offlineOutcome(ctx, g, r, 'up', target);
      const lint = command.opts<{ lint?: boolean }>().lint !== false;
      if (isFleet(g)) {
        // A fleet may have no --url (a list of URLs): the lint gate runs on the least advanced target.
        return await runFleetUp(
          ctx,
          g,
          r,
          { target, dryRun: r.dryRun },
          lint ? (runner) => lintBeforeUp(ctx, r, runner, target) : undefined,
        );
      }
      const safeguards = deploySafeguards(ctx, g, r);
      if (safeguards) {
        // Lint before the backup is taken, not after.
        const refused = lint ? await lintBeforeUp(ctx, r, runnerOptions(ctx, g, r), target) : undefined;
        return refused ?? (await runDeployUp(ctx, { ...runnerOptions(ctx, g, r), target, dryRun: r.dryRun, ...safeguards }, r));
      }
      const runner = runnerOptions(ctx, g, r);
      try {
        const result = await withStopRequest(ctx, (stop) =>
          upgrade({ ...runner, stop, target, dryRun: r.dryRun, ...(lint ? { beforeRun: lintHook(ctx, r) } : {}) }),
        );
        return runOutcome(ctx, result);
      } catch (err) {
        if (err instanceof LintRefused) return err.outcome;
        throw err;
      }
    }),
  );
}
