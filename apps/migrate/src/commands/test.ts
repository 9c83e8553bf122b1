import { Option, type Command } from 'commander';
import { ExitCode } from '@strata/core';
import { testMigrations } from '@strata/migration-test';
import { setExitCode } from '../cli.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { ms } from '../render.js';
import { modelsSource } from './audit.js';

type TestFlags = GlobalOptions & { models?: string; shadowUrl?: string };

/** `migrate test`: test the migrations themselves on shadow databases; exit 1 on a failure. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('test')
    .description('Test the migrations on shadow databases: one head, up to head, head vs models, down to base, and the stairway (up, down, up for each).')
    .addOption(new Option('--models <source>', 'models to compare the head with: file.sql, models.ts (createAll), cmd:<command>, snapshot.json (default: the config\'s models; none: skipped)'))
    .addOption(new Option('--shadow-url <url>', 'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL)'))
    .addHelpText('after', `
Examples:
  $ migrate test
  $ migrate test --models schema.sql --shadow-url postgres://postgres@localhost:5432/postgres
  $ migrate test --json | jq '.failures'`)
    .action(async (_opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<TestFlags>();
      const r = await ctx.resolve(g);
      const models = modelsSource(g, r);
      const shadowUrl = g.shadowUrl ?? (typeof r.config.shadowUrl === 'string' ? r.config.shadowUrl : undefined) ?? ctx.io.env.SHADOW_DATABASE_URL;
      if (!shadowUrl && !r.json && ctx.io.stderr.isTTY) ctx.note('Starting a shadow PostgreSQL server...');
      const result = await testMigrations({
        migrationsDir: r.migrationsDir,
        ...(shadowUrl ? { shadowUrl } : {}),
        ...(models ? { models } : {}),
        cwd: ctx.io.cwd,
        env: ctx.io.env,
        schema: r.schema,
        logger: ctx.logger(r.json),
      });
      setExitCode(command, result.ok ? ExitCode.OK : ExitCode.FOUND);
      if (r.json) {
        ctx.outJson(result);
        return;
      }
      for (const c of result.checks) {
        const mark = c.status === 'passed' ? ctx.paint('32', 'passed ') : c.status === 'failed' ? ctx.paint('31', 'FAILED ') : 'skipped';
        ctx.out(`${mark}  ${c.name}${c.status === 'skipped' ? ` (${c.reason})` : ` (${ms(c.durationMs)})`}`);
        for (const f of result.failures.filter((x) => x.check === c.name)) {
          ctx.out(`  ${f.message.split('\n').join('\n  ')}`);
          for (const d of f.differences) ctx.out(`    - ${d}`);
        }
      }
      const failed = result.checks.filter((c) => c.status === 'failed').length;
      ctx.out(failed ? `migrate test: ${failed} of ${result.checks.length} checks failed (${result.migrations} migrations).` : `migrate test: all checks passed (${result.migrations} migrations).`);
    });
}
