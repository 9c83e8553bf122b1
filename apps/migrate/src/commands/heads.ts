import type { Command } from 'commander';
import { ExitCode } from '@pg-strata/core';
import { buildGraph, loadMigrations } from '@pg-strata/runner';
import type { CliContext } from '../context.js';

/** `strata heads`: the heads of the migration files (no database needed). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('heads')
    .description('List the head revision(s) of the migrations folder; more than one means a merge is needed.')
    .addHelpText(
      'after',
      `
Examples:
  $ strata heads
  $ strata heads --json`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals();
        const r = await ctx.resolve(g);
        const graph = buildGraph(await loadMigrations(r.migrationsDir));
        const heads = graph.heads.map((h) => ({ revision: h, file: graph.get(h)?.file ?? '', message: graph.get(h)?.message ?? '' }));
        const text = () => {
          if (heads.length === 0) ctx.out('No migrations yet.');
          for (const h of heads) ctx.out(`${h.revision}  ${h.file}${h.message ? `  ${h.message}` : ''}`);
          if (heads.length > 1) ctx.note(`${heads.length} heads: run \`strata merge\` to join them.`);
        };
        return { code: ExitCode.OK, result: { heads }, text };
      }),
    );
}
