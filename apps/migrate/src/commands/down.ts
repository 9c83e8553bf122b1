import { Option, type Command } from 'commander';
import { downgrade } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { addLockOptions, runnerOptions, type RunnerFlags } from '../runner-options.js';
import { targetArgument } from '../checks.js';
import { offlineOutcome, runOutcome, withStopRequest } from '../run-output.js';

/** `strata down [target]`: revert migrations (default: the last one). */
export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('down')
    .argument(
      '[target]',
      "'-1' (default), -N (N >= 1), a revision or prefix (reverted down to, not including it), or 'base'",
      targetArgument('-'),
      '-1',
    )
    .description('Revert applied migrations down to the target.')
    .addOption(new Option('--sql', 'print the SQL script a DBA can run with psql instead of running it'))
    .addOption(
      new Option('--from <revision>', "with --sql: the revision the database is at ('base' for an empty one); no connection is made"),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ strata down                    revert the last migration
  $ strata down -3                 revert the last three
  $ strata down base --allow-data-loss
                                    revert everything (DROP TABLE needs the flag)
  $ strata down --sql --from 3f2a9c   print the revert script without connecting`,
    );
  addLockOptions(cmd).action(
    ctx.action(async (target: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<RunnerFlags & { sql?: boolean; from?: string }>();
      const r = await ctx.resolve(g);
      if (g.sql) return offlineOutcome(ctx, g, r, 'down', target);
      const result = await withStopRequest(ctx, (stop) => downgrade({ ...runnerOptions(ctx, g, r), stop, target, dryRun: r.dryRun }));
      return runOutcome(ctx, result);
    }),
  );
}
