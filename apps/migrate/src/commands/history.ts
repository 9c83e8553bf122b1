import { Option, type Command } from 'commander';
import { ExitCode } from '@pg-strata/core';
import { history } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { ms, table } from '../render.js';
import { runnerOptions, type RunnerFlags } from '../runner-options.js';
import { wholeNumberOption } from '../checks.js';

/** `strata history`: every applied, reverted, stamped and failed step, newest first. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description('Show the history table: who applied or reverted what, when, and how long it took.')
    .addOption(
      new Option('-n, --limit <n>', 'show the n newest entries').argParser(wholeNumberOption(1, 'a number of entries')).default(50),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ strata history -n 10
  $ strata history --json`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<RunnerFlags & { limit: number }>();
        const r = await ctx.resolve(g);
        const rows = await history({ ...runnerOptions(ctx, g, r), limit: g.limit });
        const text = () => {
          if (rows.length === 0) {
            ctx.out('No history yet.');
            return;
          }
          ctx.out(
            table(
              ['when', 'revision', 'direction', 'outcome', 'took', 'by', 'file'],
              rows.map((h) => [
                h.startedAt.replace('T', ' ').slice(0, 19),
                h.revision,
                h.direction,
                h.outcome,
                h.durationMs === null ? '' : ms(h.durationMs),
                h.appliedBy,
                h.file ?? '',
              ]),
            ),
          );
        };
        return { code: ExitCode.OK, result: rows, text };
      }),
    );
}
