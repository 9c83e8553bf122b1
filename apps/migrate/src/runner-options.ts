import { Option, type Command } from 'commander';
import { StrataError } from '@pg-strata/core';
import type { LockModeOption, RunnerEvent, RunnerOptions } from '@pg-strata/runner';
import type { CliContext, GlobalOptions, Resolved } from './context.js';
import { ms } from './render.js';
import { durationOption, parseDuration } from './checks.js';

/** Global options plus the runner flags some commands add (`--lock-wait` is parsed to milliseconds by checks.ts). */
export type RunnerFlags = GlobalOptions & { lockWait?: number; lockMode?: string };

/** Declare `--lock-wait` and `--lock-mode`, the options of the commands that take the migration lock. */
export function addLockOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--lock-wait <duration>',
        "wait at most this long for another run to release the migration lock: ms (30000) or '30s', '2min' (0: fail at once)",
      ).argParser(durationOption),
    )
    .addOption(
      new Option(
        '--lock-mode <mode>',
        "'auto' (default: 'session' on a direct connection, 'transaction' behind a pooler such as PgBouncer), 'session' or 'transaction'",
      ).choices(['auto', 'session', 'transaction']),
    );
}

/**
 * The `lock_timeout` and `statement_timeout` every migration gets unless its
 * header sets its own: the config's, else the runner's defaults. One place,
 * so a real run, `--dry-run` and `--sql` use the same values.
 */
export function timeoutOptions(r: Resolved): { lockTimeout?: string; statementTimeout?: string } {
  const c = r.config;
  return {
    ...(c.lockTimeout !== undefined && c.lockTimeout !== '' ? { lockTimeout: String(c.lockTimeout).trim() } : {}),
    ...(c.statementTimeout !== undefined && c.statementTimeout !== '' ? { statementTimeout: String(c.statementTimeout).trim() } : {}),
  };
}

/** The lock wait in ms: `--lock-wait`, else the config's `lockWaitMs` (checked when the config was loaded). */
function lockWaitMs(g: RunnerFlags, r: Resolved): number | undefined {
  if (g.lockWait !== undefined) return g.lockWait;
  const c = r.config.lockWaitMs;
  if (c === undefined) return undefined;
  const d = parseDuration(c);
  return 'ms' in d ? Math.ceil(d.ms) : undefined;
}

/** Runner options from flags, then the config file (the database URL: see CliContext.databaseSource). */
export function runnerOptions(ctx: CliContext, g: RunnerFlags, r: Resolved): RunnerOptions {
  const c = r.config;
  const lockWait = lockWaitMs(g, r);
  return {
    url: ctx.databaseUrl(g, r),
    ...fileOptions(g, r),
    ...timeoutOptions(r),
    ...(lockWait === undefined ? {} : { lockWaitMs: lockWait }),
    lockMode: lockModeOf(g.lockMode ?? c.lockMode),
    allowDataLoss: r.allowDataLoss,
    applicationName: 'strata-migrate',
    logger: ctx.logger(r.json),
    onEvent: r.json ? () => {} : progress(ctx),
  };
}

/** `--lock-mode` (commander checks its choices) or the config's `lockMode`, checked here; default `'auto'`. */
function lockModeOf(value: unknown): LockModeOption {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'session' || value === 'transaction') return value;
  throw new StrataError('CONFIG_INVALID', `lockMode ${JSON.stringify(value)} is not one of 'auto', 'session', 'transaction'.`, {
    meta: { key: 'lockMode', value: String(value) },
  });
}

/** The options that do not need a database (offline scripts, file commands). */
export function fileOptions(_g: RunnerFlags, r: Resolved): { migrationsDir: string; schema: string } {
  return { migrationsDir: r.migrationsDir, schema: r.schema };
}

/** Progress lines on stderr: one per migration. */
function progress(ctx: CliContext): (e: RunnerEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'migration-applied':
        ctx.progress(`  ${ctx.paint('32', e.direction === 'down' ? 'reverted' : 'applied ')} ${e.file} (${ms(e.durationMs)})`);
        break;
      case 'migration-failed':
        ctx.progress(`  ${ctx.paint('31', 'failed  ')} ${e.file} (${ms(e.durationMs)})`);
        break;
      case 'migration-skipped':
        ctx.progress(`  skipped  ${e.file}: ${e.reason}`);
        break;
      case 'lock-mode':
        ctx.note(`note: ${e.reason}`);
        break;
      case 'lock-waiting':
        ctx.note(
          `waiting for the migration lock` +
            `${e.holder ? ` held by pid ${e.holder.pid}` + `${e.holder.applicationName ? ` (${e.holder.applicationName})` : ''}` : ''}` +
            `...`,
        );
        break;
      default:
        break;
    }
  };
}
