import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { introspect, snapshotFrom, type Snapshot, type SnapshotFromOptions } from '@pg-strata/auditor';
import { embeddedBinDir } from '@pg-strata/pg-server';
import {
  conversionJson,
  convertEstate,
  parseOrderFile,
  renderVerify,
  reportOrder,
  verifyConversion,
  writeConversion,
  type VerifyResult,
  type WriteResult,
} from '@pg-strata/converter';
import type { CliContext } from '../context.js';
import { inputFileOption, outputDirOption } from '../checks.js';
import { modelsSource, needsShadow, sourceOptions, withSharedShadow, type AuditFlags } from '../audit-options.js';

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

/**
 * The shadow server the verify step needs: production's extensions must be
 * installable there. The bundled PostgreSQL when it has them all; else the
 * system binaries of production's major that have them (PostGIS is rarely
 * bundled); else an input error before any work, naming the extension and the flag.
 */
export function shadowForExtensions(
  production: Snapshot,
  binDirs?: readonly string[],
): Pick<SnapshotFromOptions, 'targetMajor' | 'binDirs' | 'download'> | undefined {
  const needed = [...new Set(Object.values(production.extensions).map((e) => e.name))].filter((n) => n !== 'plpgsql').sort();
  if (needed.length === 0) return undefined;
  const has = (dirs: readonly string[], ext: string) => dirs.some((d) => existsSync(join(d, `${ext}.control`)));
  let bundled: string[] = [];
  try {
    const bin = embeddedBinDir();
    bundled = [join(bin, '..', 'share', 'postgresql', 'extension'), join(bin, '..', 'share', 'extension')];
  } catch {
    // no bundled server: only system binaries
  }
  if (needed.every((x) => has(bundled, x))) return undefined;
  const major = production.server.major;
  const candidates = binDirs ?? [
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
  ];
  let best: { dir: string; missing: string[] } | undefined;
  for (const dir of candidates) {
    if (!existsSync(join(dir, 'postgres'))) continue;
    const shares = [
      `/usr/share/postgresql/${major}/extension`,
      join(dir, '..', 'share', 'extension'),
      join(dir, '..', 'share', 'postgresql', 'extension'),
    ];
    const missing = needed.filter((x) => !has(shares, x));
    if (missing.length === 0) return { targetMajor: major, binDirs: [dir], download: false };
    if (best === undefined || missing.length < best.missing.length) best = { dir, missing };
  }
  const missing = best?.missing ?? needed.filter((x) => !has(bundled, x));
  throw new StrataError(
    'USAGE',
    `Production uses the extension${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which ` +
      `neither the bundled PostgreSQL nor a PostgreSQL ${major} installed here (` +
      `${best ? best.dir : `looked in ${candidates.join(', ')}`}) has: the verify step could not build ` +
      `its shadow databases. Nothing was done. Pass --shadow-url with a server that has ` +
      `${missing.join(', ')}, or --no-verify.`,
    { meta: { extensions: missing, major } },
  );
}

/** `strata convert [root]`: classify the legacy scripts; with --write, baseline + migrations + archive + report. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('convert')
    .argument('[root]', 'the legacy estate', 'legacy')
    .description('Turn legacy fix_/migrate_ scripts into a baseline plus migrations (a dry run unless --write).')
    .addOption(
      new Option('--production <snapshot.json>', "production's saved snapshot (default: introspect --url / $DATABASE_URL)").argParser(
        inputFileOption(ctx.io.cwd),
      ),
    )
    .addOption(new Option('--models <source>', 'models: file.sql, models.ts (createAll), cmd:<command>, postgres://..., snapshot.json'))
    .addOption(new Option('--write', 'write the baseline and migrations, archive the scripts, write CONVERSION.md and conversion.json'))
    .addOption(new Option('--verify', 'check the written migrations on shadow databases (default with --write)'))
    .addOption(new Option('--no-verify', 'skip the check after --write'))
    .addOption(
      new Option('--out <dir>', 'where migrations go (default: --migrations / ./migrations)').argParser(outputDirOption(ctx.io.cwd)),
    )
    .addOption(
      new Option('--force', 'into a folder that already holds migrations: add the converted scripts after its head (no new baseline)'),
    )
    .addOption(
      new Option('--order <file>', 'explicit run order: one script path (relative to root) per line').argParser(
        inputFileOption(ctx.io.cwd),
      ),
    )
    .addOption(new Option('--file <path...>', 'scripts to take whatever the globs say (e.g. the module with a /fix-db handler)'))
    .addOption(
      new Option(
        '--exclude <glob...>',
        'leave out scripts matching these globs (relative to root), on top of archived/, node_modules/, .git/',
      ),
    )
    .addOption(
      new Option('--data-fixes <mode>', 'a data fix that cannot be judged is archived or converted')
        .choices(['archive', 'convert'])
        .default('archive'),
    )
    .addOption(
      new Option('--shadow-url <url>', 'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL)'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ strata convert legacy --url "$PROD_URL" --models legacy/models/create_all.sql
  $ strata convert legacy --production audit/snapshot.json --models schema.sql --write
  $ strata convert legacy --url "$PROD_URL" --exclude 'backend/tools/**' --exclude '**/seed_*'

Exit codes:
  0  every script is accounted for and nothing needs a person (with --write: written and verified)
  1  something needs a person: scripts in manual review (listed), or the verify step found a difference
  2  input error (bad flag, unreadable file, refused output folder, a script the writer cannot render): nothing was changed
  3  database error (production or the shadow server)`,
    )
    .action(
      ctx.action(async (root: string, _opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<ConvertFlags>();
        if (!g.write && g.verify) throw new StrataError('USAGE', '--verify checks written migrations: use it with --write.');
        const r = await ctx.resolve(g);
        const cwd = ctx.io.cwd;
        const base = sourceOptions(ctx, g, r);
        const liveUrl = g.production ? (g.url ?? undefined) : ctx.databaseUrl(g, r);
        let production: Snapshot;
        if (g.production) production = (await snapshotFrom({ kind: 'snapshot', file: resolve(cwd, g.production) }, base)).snapshot;
        else production = await introspect(liveUrl!, { strataSchema: r.schema });
        // Before any work: a verify that cannot have production's extensions stops here.
        const shadowSource = g.write && g.verify !== false && !base.shadowUrl ? shadowForExtensions(production) : undefined;
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
          ctx.out(
            `${g.write ? 'Converting' : 'Dry run (pass --write to perform it)'}: ${plan.scripts.length} scripts in ${show(plan.root)}.`,
          );
          ctx.out(
            `  obsolete ${plan.counts.obsolete}, still needed ${plan.counts.still_needed}, data fixes ` +
              `${plan.counts.data_fix}, manual review ${plan.counts.manual_review}`,
          );
          const others = [
            plan.counts.read_only > 0 ? `read-only ${plan.counts.read_only}` : '',
            plan.counts.not_database > 0 ? `not database scripts ${plan.counts.not_database}` : '',
            plan.counts.not_postgresql > 0 ? `not PostgreSQL (SQLite) ${plan.counts.not_postgresql}` : '',
          ].filter(Boolean);
          if (others.length > 0) ctx.out(`  left in place: ${others.join(', ')}`);
          ctx.out('');
          for (const s of reportOrder(plan)) {
            const target =
              s.target.action === 'migration'
                ? `-> ${s.target.migration}`
                : s.target.action === 'archive'
                  ? '-> archived'
                  : '-> left for a person';
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
              ...(shadowSource ? { source: shadowSource } : {}),
            });
          }
        }
        // 1 only when a person is needed: scripts in manual review, or a verify that found a difference.
        // Read-only tools, code that touches no database and SQLite scripts are listed, not questions.
        const manual = plan.counts.manual_review;
        const code = manual > 0 || (verified !== undefined && !verified.ok) ? ExitCode.FOUND : ExitCode.OK;
        const text = () => {
          const show = (p: string) => relative(cwd, p) || '.';
          if (written?.unchanged) ctx.out('\nAlready converted: nothing to do.');
          else if (written) {
            ctx.out('');
            for (const m of written.migrations) ctx.out(`wrote ${show(m.file)}${m.source ? ` (from ${m.source})` : ''}`);
            ctx.out(
              `archived ${written.archived.length} scripts under ${show(resolve(plan.root, 'archived'))}` +
                `${written.archived.some((a) => a.git) ? ' (git mv)' : ''}`,
            );
            for (const f of written.reports) ctx.out(`wrote ${show(f)}`);
          }
          if (verified) {
            ctx.out('');
            ctx.io.stdout.write(renderVerify(verified));
          }
        };
        return {
          code,
          result: { plan: JSON.parse(conversionJson(plan)) as unknown, written: written ?? null, verify: verified ?? null },
          text,
        };
      }),
    );
}
