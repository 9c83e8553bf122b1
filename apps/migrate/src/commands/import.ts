import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import type { CliContext } from '../context.js';

type ImportFlags = {
  from: string;
  out?: string;
  append?: boolean;
  placeholder?: string[];
  alembicMode?: 'auto' | 'offline' | 'static';
  python?: string;
  alembicIni?: string;
};

/** `strata import --from <tool> <dir>`: another tool's migrations folder as Strata revisions, with a report of what is not carried over. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .argument('<dir>', "the other tool's migrations folder (Alembic: the folder holding versions/, or versions/ itself)")
    .description(
      "Import another tool's migrations (alembic, flyway, dbmate, golang-migrate, goose, " +
        'node-pg-migrate, prisma, kysely): one revision per migration, same order and graph; then `stamp ' +
        '--from-history <tool>` takes over a database.',
    )
    .requiredOption('--from <tool>', 'alembic | flyway | dbmate | golang-migrate | goose | node-pg-migrate | prisma | kysely')
    .addOption(new Option('--out <dir>', 'where to write the revisions (default: the migrations folder)'))
    .addOption(new Option('--append', 'import into a folder that already holds migrations, after its single head'))
    .addOption(new Option('--placeholder <name=value...>', 'Flyway: a value for a ${name} placeholder (repeatable)'))
    .addOption(
      new Option(
        '--alembic-mode <mode>',
        "Alembic: Alembic's own offline --sql mode, the op.* calls read statically, or offline when Alembic imports",
      )
        .choices(['auto', 'offline', 'static'])
        .default('auto'),
    )
    .addOption(new Option('--python <path>', 'Alembic: the Python interpreter that has Alembic (default: python3, then /usr/bin/python3)'))
    .addOption(new Option('--alembic-ini <file>', "Alembic: the alembic.ini for the offline mode (default: the project's)"))
    .addHelpText(
      'after',
      `
Exit 1 when something could not be carried over (listed, and in IMPORT-<tool>.md beside the revisions).

Examples:
  $ strata import --from flyway src/main/resources/db/migration
  $ strata import --from alembic alembic --alembic-mode static
  $ strata import --from prisma prisma/migrations --out migrations
  $ strata stamp --from-history flyway     then take over the database's history`,
    )
    .action(
      ctx.action(async (dir: string, _opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<ImportFlags & { json?: boolean; dryRun?: boolean; migrations?: string; config?: string }>();
        const r = await ctx.resolve(g);
        const { readSource, writeImport, planImport, renderReport, isImportTool, IMPORT_TOOLS } = await import('@pg-strata/importer');
        if (!isImportTool(g.from))
          throw new StrataError('USAGE', `--from ${g.from}: not a tool import reads (${IMPORT_TOOLS.join(', ')}).`);
        const placeholders: Record<string, string> = {};
        for (const p of g.placeholder ?? []) {
          const i = p.indexOf('=');
          if (i <= 0) throw new StrataError('USAGE', `--placeholder ${p}: expected name=value.`);
          placeholders[p.slice(0, i)] = p.slice(i + 1);
        }
        const { resolve } = await import('node:path');
        const source = await readSource(g.from, resolve(ctx.io.cwd, dir), {
          placeholders,
          alembicMode: g.alembicMode ?? 'auto',
          env: ctx.io.env,
          ...(g.python ? { python: [g.python] } : {}),
          ...(g.alembicIni ? { alembicIni: resolve(ctx.io.cwd, g.alembicIni) } : {}),
        });
        const out = g.out ? resolve(ctx.io.cwd, g.out) : r.migrationsDir;
        const res = r.dryRun
          ? { plan: planImport(source), written: [], unchanged: [] }
          : await writeImport(source, out, { append: Boolean(g.append) });
        const errors = res.plan.report.filter((x) => x.severity === 'error').length;
        const result = {
          tool: g.from,
          out,
          written: res.written,
          unchanged: res.unchanged,
          revisions: res.plan.files.map((f) => ({
            revision: f.revision,
            parents: f.parents,
            file: f.name,
            source: f.sourceFile,
            sourceId: f.sourceId,
          })),
          report: res.plan.report,
        };
        const text = () => {
          if (r.dryRun) for (const f of res.plan.files) ctx.out(`would write ${f.name}  (${f.revision} <- ${f.sourceFile})`);
          else if (res.written.length === 0 && res.unchanged.length > 0)
            ctx.out(`Nothing to do: ${out} already holds this import (${res.unchanged.length} revision(s)).`);
          else
            ctx.out(
              `Wrote ${res.written.length} revision(s) to ${out}` +
                `${'reportFile' in res && res.reportFile ? ` and the report ${res.reportFile}` : ''}.`,
            );
          ctx.io.stdout.write(renderReport(res.plan, 'text'));
        };
        return {
          code: errors > 0 ? ExitCode.FOUND : ExitCode.OK,
          result,
          ...(errors > 0
            ? { error: { code: 'IMPORT_INCOMPLETE', message: `${errors} item(s) could not be carried over; see the report.` } }
            : {}),
          text,
        };
      }),
    );
}
