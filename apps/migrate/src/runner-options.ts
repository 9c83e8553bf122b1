import { StrataError } from '@strata/core';
import type { LockModeOption, RunnerEvent, RunnerOptions } from '@strata/runner';
import type { CliContext, GlobalOptions, Resolved } from './context.js';
import { ms } from './render.js';

/** Global options plus the runner flags some commands add. */
export type RunnerFlags = GlobalOptions & { lockWait?: string; lockMode?: string };

/** Runner options from flags, then the config file, then the environment. */
export function runnerOptions(ctx: CliContext, g: RunnerFlags, r: Resolved): RunnerOptions {
  const c = r.config;
  const lockWait = g.lockWait ?? (c.lockWaitMs === undefined ? undefined : String(c.lockWaitMs));
  return {
    url: ctx.databaseUrl(g, r),
    ...fileOptions(g, r),
    ...(c.lockTimeout ? { lockTimeout: c.lockTimeout } : {}),
    ...(c.statementTimeout ? { statementTimeout: c.statementTimeout } : {}),
    ...(lockWait === undefined ? {} : { lockWaitMs: Number(lockWait) }),
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
  throw new StrataError('CONFIG_INVALID', `lockMode ${JSON.stringify(value)} is not one of 'auto', 'session', 'transaction'.`, { meta: { key: 'lockMode', value: String(value) } });
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
        ctx.note(`waiting for the migration lock${e.holder ? ` held by pid ${e.holder.pid}${e.holder.applicationName ? ` (${e.holder.applicationName})` : ''}` : ''}...`);
        break;
      default:
        break;
    }
  };
}
