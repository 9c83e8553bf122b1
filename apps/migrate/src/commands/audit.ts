import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { compare, dumpSchemaSql, introspect, renderDrift, serializeSnapshot, snapshotFrom, startShadowServer, type Drift, type ShadowServer, type SnapshotFromOptions } from '@pg-strata/auditor';
import { setExitCode } from '../cli.js';
import type { CliContext, GlobalOptions, Resolved } from '../context.js';
import { outputDirOption } from '../checks.js';
/** `migrate audit`: snapshot production, optionally dump it, and compare it with the models. */
export function register(program: Command, ctx: CliContext): void {
  auditOptions(
    program
      .command('audit')
      .description('Compare the database (--url, default $DATABASE_URL) with the models; exit 1 when they differ.')
      .addOption(new Option('--models <source>', 'models: file.sql, models.ts (createAll), cmd:<command>, postgres://..., snapshot.json, migrations:DIR[@rev]'))
      .addOption(new Option('--dump <dir>', 'write DIR/snapshot.json and, when pg_dump is on the PATH, DIR/schema.sql').argParser(outputDirOption(ctx.io.cwd))),
  )
    .addHelpText('after', `
Examples:
  $ migrate audit --models schema.sql
  $ migrate audit --url "$PROD_URL" --models "cmd:python -m app.create_all" --dump audit/ --format markdown`)
    .action(async (_opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<AuditFlags & { dump?: string }>();
      const r = await ctx.resolve(g);
      const url = ctx.databaseUrl(g, r);
      const models = modelsSource(g, r);
      if (!models && !g.dump) throw new StrataError('USAGE', 'Nothing to do: pass --models SOURCE to compare, --dump DIR to save the schema, or both.');
      const format = formatOf(g, r);
      const base = sourceOptions(ctx, g, r);
      if (ctx.io.stderr.isTTY && format !== 'json') ctx.note(`Reading the catalogue of ${ctx.describe(url)}...`);
      const production = await introspect(url, { strataSchema: r.schema, ...(base.logger ? { logger: base.logger } : {}) });
      const left = 'production';
      let dumped: Record<string, unknown> = {};
      if (g.dump) {
        const dir = resolve(ctx.io.cwd, g.dump);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'snapshot.json'), serializeSnapshot(production));
        const sql = await dumpSchemaSql(url, join(dir, 'schema.sql'), { env: ctx.io.env, serverMajor: production.server.major });
        if (!sql.written) ctx.note(`note: schema.sql not written: ${sql.reason}`);
        dumped = { dump: { snapshot: join(dir, 'snapshot.json'), schemaSql: sql.written ? sql.file : null } };
        if (format !== 'json') ctx.note(`Wrote ${join(g.dump, 'snapshot.json')}${sql.written ? ` and ${join(g.dump, 'schema.sql')}` : ''}.`);
      }
      if (!models) {
        if (format === 'json') ctx.outJson({ ok: true, ...dumped });
        setExitCode(command, ExitCode.OK);
        return;
      }
      const m = await withSharedShadow(ctx, base, production.server.major, needsShadow(models), (o) => snapshotFrom(models, o));
      for (const n of m.notes) ctx.note(`note: ${n}`);
      const drift = compare(production, m.snapshot, { left, right: 'the models', privileges: Boolean(g.privileges) });
      printDrift(ctx, drift, format, left, 'the models', { ...dumped, notes: m.notes });
      setExitCode(command, drift.length ? ExitCode.FOUND : ExitCode.OK);
    });
}

// Shared with diff.ts and check.ts.
/** Flags shared by audit, diff and check. */
export type AuditFlags = GlobalOptions & { models?: string; shadowUrl?: string; format?: string; privileges?: boolean };

/** Declare `--shadow-url` and `--format` on a command. */
export function auditOptions(command: Command): Command {
  return command
    .addOption(new Option('--shadow-url <url>', 'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL of the database\'s major, downloaded when not installed unless STRATA_NO_DOWNLOAD=1)'))
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--privileges', 'compare GRANTs too (off by default: production grants to roles the models do not describe)'));
}

/**
 * Options for snapshotFrom: shadow server, paths, the environment of `cmd:`
 * sources, Strata's schema; `STRATA_NO_DOWNLOAD=1` keeps an embedded shadow
 * server off the network (no download of the target's PostgreSQL major).
 */
export function sourceOptions(ctx: CliContext, g: AuditFlags, r: Resolved, shadowUrl?: string): SnapshotFromOptions {
  const url = shadowUrl ?? ctx.shadowUrl(g.shadowUrl, r);
  const noDownload = ctx.io.env.STRATA_NO_DOWNLOAD;
  return {
    ...(url ? { shadowUrl: url } : {}),
    ...(noDownload && noDownload !== '0' ? { download: false } : {}),
    cwd: ctx.io.cwd,
    env: ctx.io.env,
    strataSchema: r.schema,
    logger: ctx.logger(r.json || g.format === 'json'),
  };
}

/** The models source: --models, else the config file's `models`. */
export function modelsSource(g: AuditFlags, r: Resolved): string | undefined {
  return g.models ?? (typeof r.config.models === 'string' ? r.config.models : undefined);
}

/**
 * Run `fn` with one shadow server for several sources (started only when no
 * shadow URL is configured and a source needs one), stopped afterwards.
 */
export async function withSharedShadow<T>(ctx: CliContext, base: SnapshotFromOptions, targetMajor: number | undefined, needed: boolean, fn: (o: SnapshotFromOptions) => Promise<T>): Promise<T> {
  if (base.shadowUrl || !needed) return await fn({ ...base, ...(targetMajor ? { targetMajor } : {}) });
  if (ctx.io.stderr.isTTY) ctx.note('Starting a shadow PostgreSQL server...');
  let server: ShadowServer | undefined;
  try {
    server = await startShadowServer({
      ...(targetMajor ? { targetMajor } : {}),
      ...(base.download === false ? { download: false } : {}),
      ...(base.logger ? { logger: base.logger } : {}),
    });
    for (const n of server.notes) ctx.note(`note: ${n}`);
    return await fn({ ...base, shadowUrl: server.url });
  } finally {
    await server?.stop();
  }
}

/** Whether a source string needs a shadow database. */
export function needsShadow(spec: string | undefined): boolean {
  return spec !== undefined && !/^postgres(ql)?:\/\//i.test(spec.trim()) && !/\.json$/i.test(spec.trim());
}

/** Print a drift in the chosen format. */
export function printDrift(ctx: CliContext, drift: Drift, format: string, left: string, right: string, extra: Record<string, unknown> = {}): void {
  if (format === 'json') {
    ctx.outJson({ ok: drift.length === 0, left, right, differences: drift, ...extra });
    return;
  }
  ctx.io.stdout.write(renderDrift(drift, { format: format === 'markdown' ? 'markdown' : 'text', left, right }));
}

/** The report format: --json wins over --format. */
export function formatOf(g: AuditFlags, r: Resolved): string {
  return r.json ? 'json' : (g.format ?? 'text');
}

/** A usage error for a missing models source. */
export function noModels(): StrataError {
  return new StrataError('USAGE', 'No models given: pass --models SOURCE (an SQL file, a module exporting createAll, cmd:<command>, a URL or a snapshot .json) or set `models` in migrate.config.');
}
