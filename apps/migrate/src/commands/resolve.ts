import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { resolve } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { addLockOptions, runnerOptions, type RunnerFlags } from '../runner-options.js';

/** `strata resolve <revision> --applied|--rolled-back`: settle an interrupted or failed migration after looking at the database. */
export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('resolve')
    .argument('<revision>', 'the interrupted or failed migration: a revision or unique prefix')
    .description("Record how an interrupted or failed migration ended, once you have checked the database (like Prisma's strata resolve).")
    .addOption(new Option('--applied', 'its changes are in place (it completed, or you finished it by hand): record it as applied'))
    .addOption(
      new Option(
        '--rolled-back',
        'its changes are not in place (you undid what ran): the next `strata up` runs it again from its first statement',
      ),
    )
    .addHelpText(
      'after',
      `
\`strata status\` shows an interrupted migration with the statement that may have run; \`strata up\`
resumes it by itself when that is safe, and otherwise says which of these to run.

Examples:
  $ strata resolve 3f2a9c --applied       the index was built and is valid: record the migration
  $ strata resolve 3f2a9c --rolled-back   you dropped what it made: run it again with strata up`,
    );
  addLockOptions(cmd).action(
    ctx.action(async (revision: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<RunnerFlags & { applied?: boolean; rolledBack?: boolean }>();
      if (Boolean(g.applied) === Boolean(g.rolledBack)) {
        throw new StrataError(
          'USAGE',
          `resolve needs exactly one of --applied (its changes are in place) or --rolled-back (they are ` +
            `not), ${g.applied ? 'not both' : 'none given'}.`,
        );
      }
      const r = await ctx.resolve(g);
      const res = await resolve({ ...runnerOptions(ctx, g, r), revision, as: g.applied ? 'applied' : 'rolled-back' });
      const text = () => {
        const what =
          res.as === 'applied'
            ? `recorded as ${res.direction === 'up' ? 'applied' : 'reverted'}`
            : `recorded as rolled back: \`strata ${res.direction}\` runs it again from its first statement`;
        ctx.out(
          `Resolved ${res.file} (revision ${res.revision}, ${res.was} ${res.direction}): ${what}; now at ` +
            `${res.to.length ? res.to.join(', ') : 'base'}.`,
        );
      };
      return { code: ExitCode.OK, result: res, text };
    }),
  );
}
