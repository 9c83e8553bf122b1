import type { Command } from 'commander';
import { relative } from 'node:path';
import { ExitCode } from '@pg-strata/core';
import { mergeHeads } from '@pg-strata/runner';
import type { CliContext } from '../context.js';

/** `strata merge [message]`: write a merge revision whose parents are the current heads. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('merge')
    .argument('[message]', 'message of the merge revision', 'merge heads')
    .description('Write a merge migration joining every head of the migrations folder.')
    .addHelpText(
      'after',
      `
Examples:
  $ strata merge
  $ strata merge "merge billing and search branches"`,
    )
    .action(
      ctx.action(async (message: string, _opts: unknown, command: Command) => {
        const g = command.optsWithGlobals();
        const r = await ctx.resolve(g);
        const m = await mergeHeads(r.migrationsDir, message);
        return {
          code: ExitCode.OK,
          result: m,
          text: () => ctx.out(`Wrote ${relative(ctx.io.cwd, m.path)} (revision ${m.revision}, merging ${m.parents.join(', ')}).`),
        };
      }),
    );
}
