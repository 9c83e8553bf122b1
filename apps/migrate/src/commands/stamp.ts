import { Option, type Command } from 'commander';
import { ExitCode } from '@strata/core';
import { stamp } from '@strata/runner';
import { setExitCode } from '../cli.js';
import type { CliContext } from '../context.js';
import { runnerOptions, type RunnerFlags } from '../runner-options.js';

/** `migrate stamp <revision>`: record a revision as applied without running anything. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('stamp')
    .argument('<revision>', "a revision or prefix, 'head', or 'base'")
    .description('Mark the database as being at a revision without running migrations (baseline an existing database).')
    .addOption(new Option('--purge', 'clear the version table first (recover from a broken state)'))
    .addHelpText('after', `
Examples:
  $ migrate stamp head              an existing database already has the schema of head
  $ migrate stamp 3f2a9c --purge    forget what was recorded and start from 3f2a9c`)
    .action(async (revision: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<RunnerFlags & { purge?: boolean }>();
      const r = await ctx.resolve(g);
      const res = await stamp({ ...runnerOptions(ctx, g, r), revision, purge: Boolean(g.purge) });
      setExitCode(command, ExitCode.OK);
      if (r.json) ctx.outJson(res);
      else ctx.out(`Stamped: ${res.from.length ? res.from.join(', ') : 'base'} -> ${res.to.length ? res.to.join(', ') : 'base'}.`);
    });
}
