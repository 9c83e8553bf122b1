import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
// @pg-strata/deploy (backups, health checks, fleets) is imported when one of its
// flags is used: a plain `up` does not load it.
import type { DeployUpgradeOptions, DeployUpgradeResult, FleetTargetResult, HealthCheck } from '@pg-strata/deploy';
import { resolvePath } from './config.js';
import type { CliContext, GlobalOptions, Resolved } from './context.js';
import { ms } from './render.js';
import { outputDirOption, wholeNumberOption } from './checks.js';
import { runnerOptions, type RunnerFlags } from './runner-options.js';
import { isAtHead, type RunnerOptions } from '@pg-strata/runner';
import { printRun, runError, runExitCode, runResult } from './run-output.js';
import { withoutOk, type Outcome, type OutcomeError } from './outcome.js';

/** The production flags of `strata up`. */
export interface DeployFlags {
  backup?: string;
  pgDump?: string;
  checkBefore?: string;
  checkAfter?: string;
  targets?: string;
  schemas?: string;
  concurrency?: number;
}

/** Declare `--backup`, `--pg-dump`, `--check-before`, `--check-after` on a command. */
export function addDeployOptions(cmd: Command, cwd: string): Command {
  return cmd
    .addOption(
      new Option(
        '--backup <dir>',
        'pg_dump --format=custom the database into DIR before the first pending migration; refuse to ' +
          'migrate if that fails (config: backup.dir)',
      ).argParser(outputDirOption(cwd)),
    )
    .addOption(
      new Option(
        '--pg-dump <path>',
        'the pg_dump to use for --backup, at least as new as the server (config: backup.pgDump; default: pg_dump on PATH)',
      ),
    )
    .addOption(
      new Option(
        '--check-before <sql|file>',
        'health check run before anything (SQL, or a .sql file): stop with exit 1 if it fails (config: checkBefore)',
      ),
    )
    .addOption(
      new Option(
        '--check-after <sql|file>',
        'health check run after the run: exit 1 if it fails, printing the `strata down` that would revert the run (config: checkAfter)',
      ),
    )
    .addOption(
      new Option(
        '--targets <file>',
        'fleet: migrate every database listed in FILE (URLs or database names on --url, one a line), or returned by the query in FILE.sql',
      ),
    )
    .addOption(
      new Option(
        '--schemas <list|file>',
        'schema-per-tenant: migrate each schema (comma list, a file of names, or a .sql query), ' +
          "search_path set to it, Strata's tables in it",
      ),
    )
    .addOption(
      new Option('--concurrency <n>', 'fleet: targets migrated at once (default 4)').argParser(
        wholeNumberOption(1, 'a number of targets at once'),
      ),
    );
}

/** A health check from a flag (relative to the working directory) or the config (relative to the config file). */
function healthCheck(value: unknown, where: string, baseDir: string): HealthCheck | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new StrataError('CONFIG_INVALID', `${where} must be SQL text or a .sql file.`);
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
export function deploySafeguards(
  ctx: CliContext,
  g: GlobalOptions & DeployFlags,
  r: Resolved,
): Pick<DeployUpgradeOptions, 'backup' | 'checkBefore' | 'checkAfter'> | undefined {
  const c = r.config;
  const cfgBackup = c.backup as { dir?: unknown; pgDump?: unknown } | undefined;
  if (
    cfgBackup !== undefined &&
    (typeof cfgBackup !== 'object' || cfgBackup === null || (cfgBackup.dir !== undefined && typeof cfgBackup.dir !== 'string'))
  ) {
    throw new StrataError('CONFIG_INVALID', 'The config field `backup` must be { dir: string, pgDump?: string }.');
  }
  const dir = g.backup
    ? resolvePath(ctx.io.cwd, g.backup)
    : typeof cfgBackup?.dir === 'string'
      ? resolvePath(r.baseDir, cfgBackup.dir)
      : undefined;
  const pgDump = g.pgDump ?? (typeof cfgBackup?.pgDump === 'string' ? cfgBackup.pgDump : undefined);
  if (pgDump && !dir) throw new StrataError('USAGE', '--pg-dump needs --backup DIR (or backup.dir in the config).');
  const checkBefore =
    healthCheck(g.checkBefore, '--check-before', ctx.io.cwd) ?? healthCheck(c.checkBefore, 'config checkBefore', r.baseDir);
  const checkAfter = healthCheck(g.checkAfter, '--check-after', ctx.io.cwd) ?? healthCheck(c.checkAfter, 'config checkAfter', r.baseDir);
  if (!dir && !checkBefore && !checkAfter) return undefined;
  return {
    ...(dir ? { backup: { dir, env: ctx.io.env, ...(pgDump ? { pgDumpPath: pgDump } : {}) } } : {}),
    ...(checkBefore ? { checkBefore } : {}),
    ...(checkAfter ? { checkAfter } : {}),
  };
}

const size = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`;

/** `strata down` reverting what a run applied (the URL is never printed: the operator supplies it as for `up`). */
export function revertCommand(result: DeployUpgradeResult, r: Resolved): string | undefined {
  if (!result.revertTarget) return undefined;
  const schema = r.schema === 'strata' ? '' : ` --schema ${r.schema}`;
  return `strata down ${result.revertTarget}${schema}`;
}

/** Run `up` with safeguards; its outcome. A failing health check exits 1. */
export async function runDeployUp(ctx: CliContext, options: DeployUpgradeOptions, r: Resolved): Promise<Outcome> {
  const { deployUpgrade, restoreCommand } = await import('@pg-strata/deploy');
  const result = await deployUpgrade(options);
  const revert = revertCommand(result, r);
  const checkFailed = result.stage === 'check-before' || (result.stage === 'check-after' && result.run?.ok === true);
  const run = result.run;
  const code = result.ok ? ExitCode.OK : checkFailed ? ExitCode.FOUND : run ? runExitCode(run) : ExitCode.DATABASE;
  const json = {
    ...(run ? runResult(run) : {}),
    stage: result.stage,
    backup: result.backup,
    checkBefore: result.checkBefore,
    checkAfter: result.checkAfter,
    applied: result.applied,
    revertCommand: revert,
  };
  const failedCheck =
    result.stage === 'check-before'
      ? result.checkBefore
      : result.stage === 'check-after' && result.checkAfter && !result.checkAfter.ok
        ? result.checkAfter
        : undefined;
  const error: OutcomeError | undefined = failedCheck
    ? {
        code: 'HEALTH_CHECK_FAILED',
        message:
          `The health check ${result.stage === 'check-before' ? 'before' : 'after'} the run (` +
          `${failedCheck.source}) failed: ${failedCheck.reason}.`,
        stage: result.stage,
      }
    : run && !result.ok
      ? runError(run)
      : undefined;
  const text = () => {
    if (result.checkBefore)
      ctx.note(
        `check before: ${result.checkBefore.ok ? 'ok' : 'FAILED'} (${result.checkBefore.source}, ${ms(result.checkBefore.durationMs)})`,
      );
    if (result.stage === 'check-before') {
      ctx.note(
        ctx.paint(
          '31',
          `error: the health check before the run (${result.checkBefore?.source}) failed: ` +
            `${result.checkBefore?.reason}. Nothing was backed up or migrated.`,
        ),
      );
      return;
    }
    if (result.backup) {
      const b = result.backup;
      ctx.note(`backup: ${b.file} (${size(b.sizeBytes)}, ${b.entries} entries, pg_dump ${b.pgDumpVersion}, ${ms(b.durationMs)})`);
      ctx.note(`  restore into an empty database with: ${restoreCommand(b.file).replace('--clean --if-exists ', '')}`);
    }
    printRun(ctx, result.run!);
    if (result.checkAfter)
      ctx.note(`check after: ${result.checkAfter.ok ? 'ok' : 'FAILED'} (${result.checkAfter.source}, ${ms(result.checkAfter.durationMs)})`);
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
    }
  };
  return { code, result: json, ...(error ? { error } : {}), text };
}

/** Whether `up` runs over a fleet (`--targets` / `--schemas`). */
export function isFleet(g: DeployFlags): boolean {
  return g.targets !== undefined || g.schemas !== undefined;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/**
 * `strata up --targets FILE | --schemas ...`: every target migrated with
 * bounded concurrency, a line per target as it finishes, a result table, and
 * a non-zero exit naming the failed targets (never their URLs).
 */
export async function runFleetUp(
  ctx: CliContext,
  g: RunnerFlags & DeployFlags,
  r: Resolved,
  extra: { target: string; dryRun: boolean },
  /** The pre-run lint gate of `up`, run once on the least advanced target (its pending set covers the others'). */
  gate?: (runner: RunnerOptions) => Promise<Outcome | undefined>,
): Promise<Outcome> {
  // The URL is optional with --targets (a list of URLs); the runner options are built the same way either way.
  const given = ctx.databaseSource(g, r)?.url;
  const { url: resolvedUrl, ...runner } = runnerOptions(ctx, { ...g, url: given ?? 'postgres://localhost/' }, r);
  const url = given ? resolvedUrl : undefined;
  const rest = { ...runner, ...extra, ...deploySafeguards(ctx, g, r) };
  const { loadFleetTargets, upgradeFleet } = await import('@pg-strata/deploy');
  const targets = await loadFleetTargets(
    {
      ...(g.targets ? { targetsFile: resolvePath(ctx.io.cwd, g.targets) } : {}),
      ...(g.schemas !== undefined
        ? {
            schemas:
              g.schemas.endsWith('.sql') || existsSync(resolvePath(ctx.io.cwd, g.schemas)) ? resolvePath(ctx.io.cwd, g.schemas) : g.schemas,
          }
        : {}),
      ...(url ? { url } : {}),
    },
    existsSync,
  );
  if (gate) {
    let worst: { url: string; schema: string; pending: number } | undefined;
    for (const t of targets) {
      const schema = t.schema ?? runner.schema ?? 'strata';
      // Unreachable targets are reported by the fleet run itself.
      const state = await isAtHead(t.url, { migrationsDir: runner.migrationsDir, schema, applicationName: 'strata-migrate' }).catch(
        () => undefined,
      );
      if (state && state.pending.length > (worst?.pending ?? 0)) worst = { url: t.url, schema, pending: state.pending.length };
    }
    const refused = worst ? await gate({ ...runner, url: worst.url, schema: worst.schema }) : undefined;
    if (refused !== undefined) return refused;
  }
  const concurrency = g.concurrency ?? 4;
  if (!r.json) ctx.note(`${targets.length} target(s), ${concurrency} at a time`);
  const line = (t: FleetTargetResult) =>
    `${pad(t.target, 48)} ${pad(t.status, 8)} ${pad(String(t.applied), 7)} ` +
    `${pad(`${t.from.join(',') || 'base'} -> ${t.to.join(',') || (t.status === 'failed' ? '?' : 'base')}`, 34)}` +
    ` ${ms(t.durationMs)}`;
  const result = await upgradeFleet({
    ...rest,
    targets,
    concurrency,
    onEvent: () => {},
    onTarget: (t) => {
      if (!r.json)
        ctx.note(
          `  ${t.status === 'failed' ? ctx.paint('31', 'failed  ') : t.status === 'migrated' ? ctx.paint('32', 'migrated') : 'at head '}` +
            ` ${t.target}${t.applied ? ` (${t.applied} applied)` : ''}`,
        );
    },
  });
  const code = result.ok ? ExitCode.OK : Math.max(...result.targets.filter((t) => t.error).map((t) => t.error!.exitCode));
  const error: OutcomeError | undefined = result.ok
    ? undefined
    : { code: 'FLEET_FAILED', message: `${result.failed.length} target(s) failed: ${result.failed.join(', ')}`, failed: result.failed };
  const text = () => {
    ctx.out(`${pad('target', 48)} ${pad('result', 8)} ${pad('applied', 7)} ${pad('from -> to', 34)} time`);
    for (const t of result.targets) ctx.out(line(t));
    const count = (s: string) => result.targets.filter((t) => t.status === s).length;
    ctx.out(
      `${result.targets.length} target(s) in ${ms(result.durationMs)}: ${count('migrated')} migrated, ` +
        `${count('at-head')} already at head, ${count('failed')} failed.`,
    );
    if (!result.ok) {
      ctx.note(ctx.paint('31', `error: ${result.failed.length} target(s) failed: ${result.failed.join(', ')}`));
      for (const t of result.targets) if (t.error) ctx.note(`  ${t.target}: ${t.error.message.split('\n')[0]}`);
      ctx.note('Re-run the same command to resume: targets at head are skipped.');
    }
  };
  return { code, result: withoutOk(result), ...(error ? { error } : {}), text };
}
