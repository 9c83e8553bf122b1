// Options and helpers of the commands that read schemas (audit, diff, check,
// stamp --verify, new --autogenerate, convert, test): one module they all
// import, so that no command imports another command's file.
import { Option, type Command } from 'commander';
import { StrataError } from '@pg-strata/core';
import { renderDrift, startShadowServer, type Drift, type ShadowServer, type SnapshotFromOptions } from '@pg-strata/auditor';
import type { CliContext, GlobalOptions, Resolved } from './context.js';

/** Flags shared by audit, diff and check. */
export type AuditFlags = GlobalOptions & { models?: string; shadowUrl?: string; format?: string; privileges?: boolean; owners?: boolean };

/** Declare `--shadow-url` and `--format` on a command. */
export function auditOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--shadow-url <url>',
        'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded ' +
          "PostgreSQL of the database's major, downloaded when not installed unless STRATA_NO_DOWNLOAD=1)",
      ),
    )
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--privileges', 'compare GRANTs too (off by default: production grants to roles the models do not describe)'))
    .addOption(new Option('--owners', 'compare owners too (ALTER ... OWNER TO; off by default: owners depend on who ran the migrations)'));
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
    ...(g.owners ? { owners: true } : {}),
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
export async function withSharedShadow<T>(
  ctx: CliContext,
  base: SnapshotFromOptions,
  targetMajor: number | undefined,
  needed: boolean,
  fn: (o: SnapshotFromOptions) => Promise<T>,
): Promise<T> {
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

/** A drift as a command's JSON result: the two sides and their differences (docs/json.md). */
export function driftResult(drift: Drift, left: string, right: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { left, right, differences: drift, ...extra };
}

/** Print a drift as text or markdown on stdout. */
export function printDrift(ctx: CliContext, drift: Drift, format: string, left: string, right: string): void {
  ctx.io.stdout.write(renderDrift(drift, { format: format === 'markdown' ? 'markdown' : 'text', left, right }));
}

/** The report format: --json wins over --format. */
export function formatOf(g: AuditFlags, r: Resolved): string {
  return r.json ? 'json' : (g.format ?? 'text');
}

/** A usage error for a missing models source. */
export function noModels(): StrataError {
  return new StrataError(
    'USAGE',
    'No models given: pass --models SOURCE (an SQL file, a module exporting createAll, ' +
      'cmd:<command>, a URL or a snapshot .json) or set `models` in migrate.config.',
  );
}
