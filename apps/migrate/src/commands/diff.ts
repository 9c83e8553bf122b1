import { Option, type Command } from 'commander';
import { ExitCode } from '@pg-strata/core';
import { compare, plan, renderSteps, snapshotFrom } from '@pg-strata/auditor';
import type { CliContext } from '../context.js';
import {
  auditOptions,
  driftResult,
  formatOf,
  needsShadow,
  printDrift,
  sourceOptions,
  withSharedShadow,
  type AuditFlags,
} from '../audit-options.js';

/** `strata diff --from A --to B [--sql]`: the drift between two sources, or the DDL from one to the other. */
export function register(program: Command, ctx: CliContext): void {
  auditOptions(
    program
      .command('diff')
      .description('Show how two schemas differ, or (--sql) the DDL that turns --from into --to.')
      .addOption(
        new Option('--from <source>', 'the starting schema (URL, .sql, module, cmd:, .json, migrations:DIR[@rev])').makeOptionMandatory(),
      )
      .addOption(new Option('--to <source>', 'the wanted schema (same kinds)').makeOptionMandatory())
      .addOption(new Option('--sql', 'print the migration SQL (up, then down as comments) instead of the differences'))
      .addOption(new Option('--concurrently', 'with --sql: build and drop indexes on existing tables CONCURRENTLY'))
      .addOption(new Option('--exit-code', 'exit 1 when the schemas differ')),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ strata diff --from "$DATABASE_URL" --to schema.sql
  $ strata diff --from migrations:migrations --to models.ts --sql > next.sql`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<
          AuditFlags & { from: string; to: string; sql?: boolean; concurrently?: boolean; exitCode?: boolean }
        >();
        const r = await ctx.resolve(g);
        const base = sourceOptions(ctx, g, r);
        const [from, to] = await withSharedShadow(ctx, base, undefined, needsShadow(g.from) || needsShadow(g.to), async (o) => {
          const a = await snapshotFrom(g.from, o);
          const b = await snapshotFrom(g.to, { ...o, targetMajor: a.snapshot.server.major });
          return [a, b] as const;
        });
        for (const n of [...from.notes, ...to.notes]) ctx.note(`note: ${n}`);
        const drift = compare(from.snapshot, to.snapshot, {
          left: from.source,
          right: to.source,
          privileges: Boolean(g.privileges),
          owners: Boolean(g.owners),
        });
        const differs = g.exitCode && drift.length ? ExitCode.FOUND : ExitCode.OK;
        if (!g.sql)
          return {
            code: differs,
            result: driftResult(drift, from.source, to.source),
            text: () => printDrift(ctx, drift, formatOf(g, r), from.source, to.source),
          };
        const p = plan(from.snapshot, to.snapshot, {
          concurrently: Boolean(g.concurrently),
          privileges: Boolean(g.privileges),
          owners: Boolean(g.owners),
        });
        // Objects the plan cannot create or drop come first, and make the exit code 1: the script alone does not get there.
        const notHandled = drift.filter((d) => d.objectType === 'not handled' && d.severity === 'error');
        const text = () => {
          for (const d of notHandled) ctx.out(`-- ${d.message}`);
          if (p.up.length === 0) {
            ctx.out(
              `-- No changes${notHandled.length ? ' Strata can write' : ''}: ${from.source} matches ` +
                `${to.source}${notHandled.length ? ' in everything else' : ''}.`,
            );
            return;
          }
          ctx.out(`-- From ${from.source} to ${to.source}`);
          for (const h of p.hints) ctx.out(`-- hint: ${h.message}`);
          ctx.out('');
          ctx.io.stdout.write(renderSteps(p.up));
          ctx.out('');
          ctx.out('-- down:');
          ctx.out(renderSteps(p.down).trimEnd().replace(/^/gm, '-- '));
        };
        return {
          code: notHandled.length > 0 ? ExitCode.FOUND : differs,
          result: { ...p, notHandled: notHandled.map((d) => d.message) },
          text,
        };
      }),
    );
}
