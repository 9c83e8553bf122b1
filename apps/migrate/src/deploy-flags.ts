import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError, exitCodeFor } from '@strata/core';
import { deployUpgrade, restoreCommand, type DeployUpgradeOptions, type DeployUpgradeResult, type HealthCheck } from '@strata/deploy';
import { resolvePath } from './config.js';
import type { CliContext, GlobalOptions, Resolved } from './context.js';
import { ms } from './render.js';
import { renderRun } from './commands/run-shared.js';

/** The production flags of `migrate up`. */
export interface DeployFlags {
  backup?: string;
  pgDump?: string;
  checkBefore?: string;
  checkAfter?: string;
}

/** Declare `--backup`, `--pg-dump`, `--check-before`, `--check-after` on a command. */
export function addDeployOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backup <dir>', 'pg_dump --format=custom the database into DIR before the first pending migration; refuse to migrate if that fails (config: backup.dir)'))
    .addOption(new Option('--pg-dump <path>', 'the pg_dump to use for --backup, at least as new as the server (config: backup.pgDump; default: pg_dump on PATH)'))
    .addOption(new Option('--check-before <sql|file>', 'health check run before anything (SQL, or a .sql file): stop with exit 1 if it fails (config: checkBefore)'))
    .addOption(new Option('--check-after <sql|file>', 'health check run after the run: exit 1 if it fails, printing the `migrate down` that would revert the run (config: checkAfter)'));
}

/** A health check from a flag (relative to the working directory) or the config (relative to the config file). */
function healthCheck(value: unknown, where: string, baseDir: string): HealthCheck | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new StrataError('CONFIG_INVALID', `${where} must be SQL text or a .sql file.`);
  const path = resolvePath(baseDir, value);
  if (/\.sql$/i.test(value.trim()) || (!/\s/.test(value.trim()) && existsSync(path))) {
    if (!existsSync(path)) throw new StrataError('USAGE', `${where}: the file ${value} does not exist.`);
    return { sql: readFileSync(path, 'utf8'), source: value };
  }
  return { sql: value, source: where };
}

/**
 * The safeguards `up` runs with, from flags then the config file; `undefined`
 * when none is asked for (then `up` is exactly the runner's `upgrade`).
 */
export function deploySafeguards(ctx: CliContext, g: GlobalOptions & DeployFlags, r: Resolved): Pick<DeployUpgradeOptions, 'backup' | 'checkBefore' | 'checkAfter'> | undefined {
  const c = r.config;
  const cfgBackup = c.backup as { dir?: unknown; pgDump?: unknown } | undefined;
  if (cfgBackup !== undefined && (typeof cfgBackup !== 'object' || cfgBackup === null || (cfgBackup.dir !== undefined && typeof cfgBackup.dir !== 'string'))) {
    throw new StrataError('CONFIG_INVALID', 'The config field `backup` must be { dir: string, pgDump?: string }.');
  }
  const dir = g.backup ? resolvePath(ctx.io.cwd, g.backup) : typeof cfgBackup?.dir === 'string' ? resolvePath(r.baseDir, cfgBackup.dir) : undefined;
  const pgDump = g.pgDump ?? (typeof cfgBackup?.pgDump === 'string' ? cfgBackup.pgDump : undefined);
  if (pgDump && !dir) throw new StrataError('USAGE', '--pg-dump needs --backup DIR (or backup.dir in the config).');
  const checkBefore = healthCheck(g.checkBefore, '--check-before', ctx.io.cwd) ?? healthCheck(c.checkBefore, 'config checkBefore', r.baseDir);
  const checkAfter = healthCheck(g.checkAfter, '--check-after', ctx.io.cwd) ?? healthCheck(c.checkAfter, 'config checkAfter', r.baseDir);
  if (!dir && !checkBefore && !checkAfter) return undefined;
  return {
    ...(dir ? { backup: { dir, env: ctx.io.env, ...(pgDump ? { pgDumpPath: pgDump } : {}) } } : {}),
    ...(checkBefore ? { checkBefore } : {}),
    ...(checkAfter ? { checkAfter } : {}),
  };
}

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`);

/** `migrate down` reverting what a run applied (the URL is never printed: the operator supplies it as for `up`). */
export function revertCommand(result: DeployUpgradeResult, r: Resolved): string | undefined {
  if (!result.revertTarget) return undefined;
  const schema = r.schema === 'strata' ? '' : ` --schema ${r.schema}`;
  return `migrate down ${result.revertTarget}${schema}`;
}

/** Run `up` with safeguards and render it; returns the exit code. A failing health check exits 1. */
export async function runDeployUp(ctx: CliContext, options: DeployUpgradeOptions, r: Resolved): Promise<number> {
  const result = await deployUpgrade(options);
  const revert = revertCommand(result, r);
  const checkFailed = result.stage === 'check-before' || (result.stage === 'check-after' && result.run?.ok === true);
  if (r.json) {
    const run = result.run;
    ctx.outJson({
      ...(run ? { ...run, error: run.error ? { code: run.error.code, message: run.error.message, meta: run.error.meta } : undefined } : {}),
      ok: result.ok,
      stage: result.stage,
      backup: result.backup,
      checkBefore: result.checkBefore,
      checkAfter: result.checkAfter,
      applied: result.applied,
      revertCommand: revert,
    });
    return result.ok ? ExitCode.OK : checkFailed ? ExitCode.FOUND : run?.error ? exitCodeFor(run.error) : ExitCode.DATABASE;
  }
  if (result.checkBefore) ctx.note(`check before: ${result.checkBefore.ok ? 'ok' : 'FAILED'} (${result.checkBefore.source}, ${ms(result.checkBefore.durationMs)})`);
  if (result.stage === 'check-before') {
    ctx.note(ctx.paint('31', `error: the health check before the run (${result.checkBefore?.source}) failed: ${result.checkBefore?.reason}. Nothing was backed up or migrated.`));
    return ExitCode.FOUND;
  }
  if (result.backup) {
    const b = result.backup;
    ctx.note(`backup: ${b.file} (${size(b.sizeBytes)}, ${b.entries} entries, pg_dump ${b.pgDumpVersion}, ${ms(b.durationMs)})`);
    ctx.note(`  restore into an empty database with: ${restoreCommand(b.file).replace('--clean --if-exists ', '')}`);
  }
  const code = renderRun(ctx, result.run!, false);
  if (result.checkAfter) ctx.note(`check after: ${result.checkAfter.ok ? 'ok' : 'FAILED'} (${result.checkAfter.source}, ${ms(result.checkAfter.durationMs)})`);
  if (result.stage === 'check-after' && result.checkAfter && !result.checkAfter.ok) {
    ctx.note(ctx.paint('31', `error: the health check after the run (${result.checkAfter.source}) failed: ${result.checkAfter.reason}.`));
    if (result.applied.length === 0) {
      ctx.note('This run applied no migration; nothing to revert.');
    } else {
      ctx.note(`This run applied ${result.applied.length} migration(s), still applied (nothing was rolled back):`);
      for (const s of result.applied) ctx.note(`  ${s.revision}  ${s.file}`);
      ctx.note(`To revert them: ${revert} (add --allow-data-loss if their down sections drop anything)`);
    }
    if (result.backup) ctx.note(`The backup taken before the run: ${result.backup.file}`);
    return ExitCode.FOUND;
  }
  return code;
}
