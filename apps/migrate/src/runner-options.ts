import type { RunnerEvent, RunnerOptions } from '@strata/runner';
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
    lockMode: (g.lockMode ?? c.lockMode ?? 'session') as 'session' | 'transaction',
    allowDataLoss: r.allowDataLoss,
    applicationName: 'strata-migrate',
    logger: ctx.logger(r.json),
    onEvent: r.json ? () => {} : progress(ctx),
  };
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
      case 'lock-waiting':
        ctx.note(`waiting for the migration lock${e.holder ? ` held by pid ${e.holder.pid}${e.holder.applicationName ? ` (${e.holder.applicationName})` : ''}` : ''}...`);
        break;
      default:
        break;
    }
  };
}
