import { silentLogger, type Logger } from '@pg-strata/core';
import type { LockModeOption, RunnerEvent, RunnerOptions, StopRequest } from './types.js';

/** RunnerOptions with every default filled in, frozen. */
export interface ResolvedOptions {
  readonly url: string;
  readonly migrationsDir: string;
  readonly schema: string;
  readonly lockTimeout: string;
  readonly statementTimeout: string;
  readonly lockWaitMs: number | undefined;
  /** `'auto'` until a run has looked at its connection (see pooler.ts). */
  readonly lockMode: LockModeOption;
  readonly allowDataLoss: boolean;
  readonly applicationName: string;
  readonly logger: Logger;
  readonly emit: (event: RunnerEvent) => void;
  /** The caller's stop request, when it gave one (the object itself: the caller sets it later). */
  readonly stop: StopRequest | undefined;
}

/** Fill in the documented defaults. */
export function resolveOptions(o: Omit<RunnerOptions, 'url'> & { url?: string }): ResolvedOptions {
  const onEvent = o.onEvent;
  const logger = o.logger ?? silentLogger;
  return Object.freeze({
    url: o.url ?? '',
    migrationsDir: o.migrationsDir,
    schema: o.schema ?? 'strata',
    lockTimeout: o.lockTimeout ?? '10s',
    statementTimeout: o.statementTimeout ?? '0',
    lockWaitMs: o.lockWaitMs,
    lockMode: o.lockMode ?? 'auto',
    allowDataLoss: o.allowDataLoss ?? false,
    applicationName: o.applicationName ?? 'strata',
    logger,
    stop: o.stop,
    emit: (event: RunnerEvent) => {
      if (!onEvent) return;
      try {
        onEvent(event);
      } catch (err) {
        // A listener's bug must not break a migration run half-way.
        logger.warn('onEvent listener threw', { error: String(err) });
      }
    },
  });
}
