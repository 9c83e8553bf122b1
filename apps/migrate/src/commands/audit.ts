import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { compare, dumpSchemaSql, introspect, serializeSnapshot, snapshotFrom } from '@pg-strata/auditor';
import type { CliContext } from '../context.js';
import { outputDirOption } from '../checks.js';
import {
  auditOptions,
  driftResult,
  formatOf,
  modelsSource,
  needsShadow,
  printDrift,
  sourceOptions,
  withSharedShadow,
  type AuditFlags,
} from '../audit-options.js';

/** `strata audit`: snapshot production, optionally dump it, and compare it with the models. */
export function register(program: Command, ctx: CliContext): void {
  auditOptions(
    program
      .command('audit')
      .description('Compare the database (--url, default $DATABASE_URL) with the models; exit 1 when they differ.')
      .addOption(
        new Option(
          '--models <source>',
          'models: file.sql, models.ts (createAll), cmd:<command>, postgres://..., snapshot.json, migrations:DIR[@rev]',
        ),
      )
      .addOption(
        new Option('--dump <dir>', 'write DIR/snapshot.json and, when pg_dump is on the PATH, DIR/schema.sql').argParser(
          outputDirOption(ctx.io.cwd),
        ),
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ strata audit --models schema.sql
  $ strata audit --url "$PROD_URL" --models "cmd:python -m app.create_all" --dump audit/ --format markdown`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<AuditFlags & { dump?: string }>();
        const r = await ctx.resolve(g);
        const url = ctx.databaseUrl(g, r);
        const models = modelsSource(g, r);
        if (!models && !g.dump)
          throw new StrataError('USAGE', 'Nothing to do: pass --models SOURCE to compare, --dump DIR to save the schema, or both.');
        const format = formatOf(g, r);
        const base = sourceOptions(ctx, g, r);
        if (ctx.io.stderr.isTTY && format !== 'json') ctx.note(`Reading the catalogue of ${ctx.describe(url)}...`);
        const production = await introspect(url, {
          strataSchema: r.schema,
          ...(g.owners ? { owners: true } : {}),
          ...(base.logger ? { logger: base.logger } : {}),
        });
        const left = 'production';
        let dumped: Record<string, unknown> = {};
        if (g.dump) {
          const dir = resolve(ctx.io.cwd, g.dump);
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, 'snapshot.json'), serializeSnapshot(production));
          const sql = await dumpSchemaSql(url, join(dir, 'schema.sql'), { env: ctx.io.env, serverMajor: production.server.major });
          if (!sql.written) ctx.note(`note: schema.sql not written: ${sql.reason}`);
          dumped = { dump: { snapshot: join(dir, 'snapshot.json'), schemaSql: sql.written ? sql.file : null } };
          if (format !== 'json')
            ctx.note(`Wrote ${join(g.dump, 'snapshot.json')}${sql.written ? ` and ${join(g.dump, 'schema.sql')}` : ''}.`);
        }
        if (!models) return { code: ExitCode.OK, result: dumped };
        const m = await withSharedShadow(ctx, base, production.server.major, needsShadow(models), (o) => snapshotFrom(models, o));
        for (const n of m.notes) ctx.note(`note: ${n}`);
        const right = 'the models';
        const drift = compare(production, m.snapshot, { left, right, privileges: Boolean(g.privileges), owners: Boolean(g.owners) });
        return {
          code: drift.length ? ExitCode.FOUND : ExitCode.OK,
          result: driftResult(drift, left, right, { ...dumped, notes: m.notes }),
          text: () => printDrift(ctx, drift, format, left, right),
        };
      }),
    );
}
