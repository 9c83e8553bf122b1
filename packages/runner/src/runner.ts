import { StrataError, type Queryable } from '@strata/core';
import type { HistoryEntry, RunnerOptions, RunResult, StampResult, StatusResult } from './types.js';

/** Options of {@link upgrade}. */
export interface UpgradeOptions extends RunnerOptions {
  /** `head` (default), `heads`, a revision id or unique prefix, or `+N`. */
  target?: string;
  /** Plan and validate (parse, checksums, data loss) without executing. Default `false`. */
  dryRun?: boolean;
}
/** Options of {@link downgrade}. */
export interface DowngradeOptions extends RunnerOptions {
  /** `-N` (default `-1`), `base`, or a revision id or unique prefix to go back to. */
  target?: string;
  /** Plan and validate without executing. Default `false`. */
  dryRun?: boolean;
}
/** Options of {@link history}. */
export interface HistoryOptions extends RunnerOptions {
  /** At most this many rows, newest first. Default: all. */
  limit?: number;
}
/** Options of {@link stamp}. */
export interface StampOptions extends RunnerOptions {
  /** Revision to record as current: an id or prefix, `head`, `heads` or `base`. */
  revision: string;
  /** Empty the version table first. Default `false`. */
  purge?: boolean;
}
/** Options of {@link offlineScript}. */
export interface OfflineScriptOptions extends Omit<RunnerOptions, 'url'> {
  /** Needed only when `from` is not given. */
  url?: string;
  direction: 'up' | 'down';
  /** As for upgrade/downgrade. Default `head` / `-1`. */
  target?: string;
  /** Starting heads (comma-separated ids, or `base`); when given, no connection is made. */
  from?: string;
}
/** Options of {@link isAtHead}. */
export interface IsAtHeadOptions {
  migrationsDir: string;
  /** Default `'strata'`. */
  schema?: string;
  /** Used when a URL is given. Default `'strata'`. */
  applicationName?: string;
}
/** The result of {@link isAtHead}. */
export interface IsAtHeadResult {
  atHead: boolean;
  pending: string[];
  current: string[];
}

const notYet = (): never => {
  throw new StrataError('INTERNAL', 'not implemented');
};

/** Apply pending migrations up to `target`. */
export async function upgrade(_options: UpgradeOptions): Promise<RunResult> {
  return notYet();
}
/** Revert applied migrations down to `target`. */
export async function downgrade(_options: DowngradeOptions): Promise<RunResult> {
  return notYet();
}
/** Current heads, applied, pending and failed migrations, checksum problems. */
export async function status(_options: RunnerOptions): Promise<StatusResult> {
  return notYet();
}
/** History rows, newest first. */
export async function history(_options: HistoryOptions): Promise<HistoryEntry[]> {
  return notYet();
}
/** Record a revision as current without running anything. */
export async function stamp(_options: StampOptions): Promise<StampResult> {
  return notYet();
}
/** The psql-runnable script of a run. */
export async function offlineScript(_options: OfflineScriptOptions): Promise<string> {
  return notYet();
}
/** One round trip: is the database at the files' head? */
export async function isAtHead(_clientOrUrl: Queryable | string, _options: IsAtHeadOptions): Promise<IsAtHeadResult> {
  return notYet();
}
