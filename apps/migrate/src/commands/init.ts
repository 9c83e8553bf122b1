import type { Command } from 'commander';
import { relative } from 'node:path';
import { ExitCode } from '@pg-strata/core';
import { initProject } from '@pg-strata/runner';
import type { CliContext } from '../context.js';

/** `strata init`: create the migrations folder. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Create the migrations folder (nothing is overwritten).')
    .addHelpText(
      'after',
      `
Examples:
  $ strata init
  $ strata init --migrations db/migrations`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals();
        const r = await ctx.resolve(g);
        const res = await initProject(r.migrationsDir);
        return {
          code: ExitCode.OK,
          result: res,
          text: () => {
            if (res.created.length === 0) ctx.out(`${relative(ctx.io.cwd, r.migrationsDir) || '.'} already exists; nothing to do.`);
            else for (const c of res.created) ctx.out(`created ${relative(ctx.io.cwd, c)}`);
          },
        };
      }),
    );
}
