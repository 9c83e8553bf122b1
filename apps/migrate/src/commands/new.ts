import { Option, type Command } from 'commander';
import { relative } from 'node:path';
import { ExitCode } from '@strata/core';
import { createMigration } from '@strata/runner';
import { setExitCode } from '../cli.js';
import type { CliContext, GlobalOptions } from '../context.js';

/** `migrate new <message>`: write an empty migration after the current head. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('new')
    .argument('<message>', 'what the migration does, e.g. "add users.email_verified"')
    .description('Write a new migration file (SQL by default) whose parent is the current head.')
    .addOption(new Option('--ts', 'write a TypeScript migration (up/down receive a Kysely instance)'))
    .addOption(new Option('--parent <revision...>', 'explicit parent revision(s), e.g. to start a branch'))
    .addHelpText('after', `
Examples:
  $ migrate new "add users.email_verified"
  $ migrate new "backfill slugs" --ts`)
    .action(async (message: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions & { ts?: boolean; parent?: string[] }>();
      const r = await ctx.resolve(g);
      const m = await createMigration(r.migrationsDir, message, { ts: Boolean(g.ts), ...(g.parent ? { parents: g.parent } : {}) });
      setExitCode(command, ExitCode.OK);
      if (r.json) ctx.outJson(m);
      else ctx.out(`Wrote ${relative(ctx.io.cwd, m.path)} (revision ${m.revision}).`);
    });
}
