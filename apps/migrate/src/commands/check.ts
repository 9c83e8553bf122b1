import { Option, type Command } from 'commander';
import { ExitCode } from '@pg-strata/core';
import { compare, snapshotFrom } from '@pg-strata/auditor';
import type { CliContext } from '../context.js';
import {
  auditOptions,
  driftResult,
  formatOf,
  modelsSource,
  noModels,
  printDrift,
  sourceOptions,
  withSharedShadow,
  type AuditFlags,
} from '../audit-options.js';

/** `strata check`: exit 1 when the migrations head does not build the models' schema (alembic check). */
export function register(program: Command, ctx: CliContext): void {
  auditOptions(
    program
      .command('check')
      .description('Exit 1 when the schema the migrations build (at head) differs from the models.')
      .addOption(new Option('--models <source>', 'models: file.sql, models.ts (createAll), cmd:<command>, postgres://..., snapshot.json')),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ strata check --models schema.sql
  $ strata check --models "cmd:python -m app.create_all" --format markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<AuditFlags>();
        const r = await ctx.resolve(g);
        const models = modelsSource(g, r);
        if (!models) throw noModels();
        const base = sourceOptions(ctx, g, r);
        const left = 'the migrations head';
        const right = 'the models';
        const [head, m] = await withSharedShadow(ctx, base, undefined, true, async (o) => {
          const h = await snapshotFrom({ kind: 'migrations', dir: r.migrationsDir, revision: 'head' }, o);
          return [h, await snapshotFrom(models, o)] as const;
        });
        for (const n of m.notes) ctx.note(`note: ${n}`);
        const drift = compare(head.snapshot, m.snapshot, { left, right, privileges: Boolean(g.privileges), owners: Boolean(g.owners) });
        return {
          code: drift.length ? ExitCode.FOUND : ExitCode.OK,
          result: driftResult(drift, left, right),
          text: () => printDrift(ctx, drift, formatOf(g, r), left, right),
        };
      }),
    );
}
