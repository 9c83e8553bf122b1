import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@strata/core';
import { introspect, snapshotFrom, type Snapshot } from '@strata/auditor';
import { conversionJson, convertEstate, parseOrderFile, renderVerify, reportOrder, verifyConversion, writeConversion, type VerifyResult, type WriteResult } from '@strata/converter';
import { setExitCode } from '../cli.js';
import type { CliContext } from '../context.js';
import { inputFileOption, outputDirOption } from '../checks.js';
import { modelsSource, needsShadow, sourceOptions, withSharedShadow, type AuditFlags } from './audit.js';

type ConvertFlags = AuditFlags & {
  production?: string;
  write?: boolean;
  verify?: boolean;
  out?: string;
  force?: boolean;
  order?: string;
  file?: string[];
  exclude?: string[];
  dataFixes?: 'archive' | 'convert';
};

/** `migrate convert [root]`: classify the legacy scripts; with --write, baseline + migrations + archive + report. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('convert')
    .argument('[root]', 'the legacy estate', 'legacy')
    .description('Turn legacy fix_/migrate_ scripts into a baseline plus migrations (a dry run unless --write).')
    .addOption(new Option('--production <snapshot.json>', "production's saved snapshot (default: introspect --url / $DATABASE_URL)").argParser(inputFileOption(ctx.io.cwd)))
    .addOption(new Option('--models <source>', 'models: file.sql, models.ts (createAll), cmd:<command>, postgres://..., snapshot.json'))
    .addOption(new Option('--write', 'write the baseline and migrations, archive the scripts, write CONVERSION.md and conversion.json'))
    .addOption(new Option('--verify', 'check the written migrations on shadow databases (default with --write)'))
    .addOption(new Option('--no-verify', 'skip the check after --write'))
    .addOption(new Option('--out <dir>', 'where migrations go (default: --migrations / ./migrations)').argParser(outputDirOption(ctx.io.cwd)))
    .addOption(new Option('--force', 'into a folder that already holds migrations: add the converted scripts after its head (no new baseline)'))
    .addOption(new Option('--order <file>', 'explicit run order: one script path (relative to root) per line').argParser(inputFileOption(ctx.io.cwd)))
    .addOption(new Option('--file <path...>', 'scripts to take whatever the globs say (e.g. the module with a /fix-db handler)'))
    .addOption(new Option('--exclude <glob...>', 'leave out scripts matching these globs (relative to root), on top of archived/, node_modules/, .git/'))
    .addOption(new Option('--data-fixes <mode>', 'a data fix that cannot be judged is archived or converted').choices(['archive', 'convert']).default('archive'))
    .addOption(new Option('--shadow-url <url>', 'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL)'))
    .addHelpText('after', `
Examples:
  $ migrate convert legacy --url "$PROD_URL" --models legacy/models/create_all.sql
  $ migrate convert legacy --production audit/snapshot.json --models schema.sql --write
  $ migrate convert legacy --url "$PROD_URL" --exclude 'backend/tools/**' --exclude '**/seed_*'

Exit codes:
  0  every script is accounted for and nothing needs a person (with --write: written and verified)
  1  something needs a person: scripts in manual review (listed), or the verify step found a difference
  2  input error (bad flag, unreadable file, refused output folder, a script the writer cannot render): nothing was changed
  3  database error (production or the shadow server)`)
    .action(async (root: string, _opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<ConvertFlags>();
      if (!g.write && g.verify) throw new StrataError('USAGE', '--verify checks written migrations: use it with --write.');
      const r = await ctx.resolve(g);
      const cwd = ctx.io.cwd;
      const base = sourceOptions(ctx, g, r);
      const liveUrl = g.production ? (g.url ?? undefined) : ctx.databaseUrl(g, r);
      let production: Snapshot;
      if (g.production) production = (await snapshotFrom({ kind: 'snapshot', file: resolve(cwd, g.production) }, base)).snapshot;
      else production = await introspect(liveUrl!, { strataSchema: r.schema });
      const models = modelsSource(g, r);
      let modelsSnapshot: Snapshot | undefined;
      if (models) {
        const m = await withSharedShadow(ctx, base, production.server.major, needsShadow(models), (o) => snapshotFrom(models, o));
        for (const n of m.notes) ctx.note(`note: ${n}`);
        modelsSnapshot = m.snapshot;
      } else {
        ctx.note('note: no --models given: whatever production lacks is assumed wanted.');
      }
      const order = g.order ? parseOrderFile(await readFile(resolve(cwd, g.order), 'utf8')) : undefined;
      const outDir = resolve(cwd, g.out ?? r.migrationsDir);
      const plan = await convertEstate({
        root: resolve(cwd, root),
        production,
        ...(modelsSnapshot ? { models: modelsSnapshot } : {}),
        ...(g.file ? { files: g.file } : {}),
        ...(g.exclude ? { exclude: g.exclude } : {}),
        ...(order ? { order } : {}),
        ...(liveUrl ? { productionUrl: liveUrl } : {}),
        dataFixes: g.dataFixes ?? 'archive',
        outDir,
        logger: ctx.logger(r.json),
      });
      // The plan first: a refusal to write still shows what would have been done.
      if (!r.json) {
        const show = (p: string) => relative(cwd, p) || '.';
        ctx.out(`${g.write ? 'Converting' : 'Dry run (pass --write to perform it)'}: ${plan.scripts.length} scripts in ${show(plan.root)}.`);
        ctx.out(`  obsolete ${plan.counts.obsolete}, still needed ${plan.counts.still_needed}, data fixes ${plan.counts.data_fix}, manual review ${plan.counts.manual_review}`);
        const others = [
          plan.counts.read_only > 0 ? `read-only ${plan.counts.read_only}` : '',
          plan.counts.not_database > 0 ? `not database scripts ${plan.counts.not_database}` : '',
          plan.counts.not_postgresql > 0 ? `not PostgreSQL (SQLite) ${plan.counts.not_postgresql}` : '',
        ].filter(Boolean);
        if (others.length > 0) ctx.out(`  left in place: ${others.join(', ')}`);
        ctx.out('');
        for (const s of reportOrder(plan)) {
          const target = s.target.action === 'migration' ? `-> ${s.target.migration}` : s.target.action === 'archive' ? '-> archived' : '-> left for a person';
          ctx.out(`${s.class.padEnd(13)} ${s.path} ${target}`);
          ctx.out(`${''.padEnd(13)} ${s.reason}`);
        }
      }
      let written: WriteResult | undefined;
      let verified: VerifyResult | undefined;
      if (g.write) {
        written = await writeConversion(plan, { production, force: Boolean(g.force) });
        if (!written.unchanged && g.verify !== false) {
          verified = await verifyConversion(plan, written, {
            production,
            ...(modelsSnapshot ? { models: modelsSnapshot } : {}),
            ...(base.shadowUrl ? { shadowUrl: base.shadowUrl } : {}),
          });
        }
      }
      // 1 only when a person is needed: scripts in manual review, or a verify that found a difference.
      // Read-only tools, code that touches no database and SQLite scripts are listed, not questions.
      const manual = plan.counts.manual_review;
      setExitCode(command, manual > 0 || (verified !== undefined && !verified.ok) ? ExitCode.FOUND : ExitCode.OK);
      if (r.json) {
        ctx.outJson({ plan: JSON.parse(conversionJson(plan)) as unknown, written: written ?? null, verify: verified ?? null });
        return;
      }
      const show = (p: string) => relative(cwd, p) || '.';
      if (written?.unchanged) ctx.out('\nAlready converted: nothing to do.');
      else if (written) {
        ctx.out('');
        for (const m of written.migrations) ctx.out(`wrote ${show(m.file)}${m.source ? ` (from ${m.source})` : ''}`);
        ctx.out(`archived ${written.archived.length} scripts under ${show(resolve(plan.root, 'archived'))}${written.archived.some((a) => a.git) ? ' (git mv)' : ''}`);
        for (const f of written.reports) ctx.out(`wrote ${show(f)}`);
      }
      if (verified) {
        ctx.out('');
        ctx.io.stdout.write(renderVerify(verified));
      }
    });
}
