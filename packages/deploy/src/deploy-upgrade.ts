import { withConnection } from '@pg-strata/core';
import { status, upgrade, type RunResult, type UpgradeOptions } from '@pg-strata/runner';
import { backupDatabase, type BackupOptions, type BackupResult } from './backup.js';
import { runHealthCheck, type HealthCheck, type HealthCheckResult } from './health-check.js';
import { annotateHistory, historyWatermark } from './history-meta.js';

/** Options of {@link deployUpgrade}: the runner's, plus the production safeguards. */
export interface DeployUpgradeOptions extends UpgradeOptions {
  /** Back up with pg_dump before the first pending migration (only when something is pending). Default: no backup. */
  backup?: Omit<BackupOptions, 'url'>;
  /** Run before anything else; when it fails nothing is backed up or migrated. Default: none. */
  checkBefore?: HealthCheck;
  /** Run after a successful run; when it fails the result says which migrations ran and how to revert them. Default: none. */
  checkAfter?: HealthCheck;
  /** `statement_timeout` of the health checks. Default `'60s'`. */
  checkTimeout?: string;
}

/** Where a deploy stopped. */
export type DeployStage = 'check-before' | 'upgrade' | 'check-after' | 'done';

/** The result of {@link deployUpgrade}. Backup failures are thrown (`BACKUP_FAILED`): nothing runs then. */
export interface DeployUpgradeResult {
  /** Every stage passed. */
  ok: boolean;
  /** The stage that failed, or `'done'`. */
  stage: DeployStage;
  /** Migrations pending before the run. */
  pending: { revision: string; file: string }[];
  checkBefore?: HealthCheckResult;
  backup?: BackupResult;
  /** The runner's result (absent when the before-check failed). */
  run?: RunResult;
  checkAfter?: HealthCheckResult;
  /** Revisions this run applied, in order. */
  applied: { revision: string; file: string }[];
  /**
   * The `migrate down` target that reverts exactly what this run applied: the
   * head(s) before the run, or `'base'`. Absent when nothing was applied.
   */
  revertTarget?: string;
  /** History rows whose meta received the backup's path and size. */
  historyRowsAnnotated: number;
}

/**
 * `migrate up` with production safeguards, in this order: the before-check;
 * which migrations are pending; a pg_dump backup when something is (a
 * failing backup throws and nothing runs); the runner's `upgrade` (its lock,
 * transactions and history unchanged); the backup's path and size merged into
 * the meta of the history rows the run wrote; the after-check. A failing
 * after-check does not roll anything back: the operator decides, with
 * `revertTarget` to hand.
 */
export async function deployUpgrade(options: DeployUpgradeOptions): Promise<DeployUpgradeResult> {
  const { backup, checkBefore, checkAfter, checkTimeout, ...runner } = options;
  const result: DeployUpgradeResult = { ok: false, stage: 'check-before', pending: [], applied: [], historyRowsAnnotated: 0 };
  const check = (c: HealthCheck) => runHealthCheck({ url: runner.url, check: c, ...(checkTimeout ? { timeout: checkTimeout } : {}) });

  if (checkBefore) {
    result.checkBefore = await check(checkBefore);
    if (!result.checkBefore.ok) return result;
  }
  result.stage = 'upgrade';
  const schema = runner.schema ?? 'strata';
  if (backup && !runner.dryRun) {
    const st = await status(runner);
    result.pending = st.pending;
    if (st.pending.length > 0) {
      // Read before the backup: rows after this id are the run's own.
      const watermark = await withConnection({ url: runner.url, applicationName: runner.applicationName ?? 'strata' }, (c) =>
        historyWatermark(c, schema),
      );
      result.backup = await backupDatabase({ ...backup, url: runner.url });
      result.run = await upgrade(runner);
      const touched = result.run.steps.filter((s) => s.status === 'applied' || s.status === 'failed').map((s) => s.revision);
      if (touched.length > 0) {
        const b = result.backup;
        result.historyRowsAnnotated = await withConnection({ url: runner.url, applicationName: runner.applicationName ?? 'strata' }, (c) =>
          annotateHistory(c, schema, watermark, touched, {
            backup: { file: b.file, sizeBytes: b.sizeBytes, entries: b.entries, pgDumpVersion: b.pgDumpVersion, durationMs: b.durationMs },
          }),
        );
      }
    }
  }
  result.run ??= await upgrade(runner);
  const run = result.run;
  result.applied = run.steps.filter((s) => s.status === 'applied').map((s) => ({ revision: s.revision, file: s.file }));
  if (result.pending.length === 0 && !backup)
    result.pending = run.steps.filter((s) => s.status !== 'skipped').map((s) => ({ revision: s.revision, file: s.file }));
  if (result.applied.length > 0) result.revertTarget = run.from.length === 0 ? 'base' : run.from.join(',');
  if (!run.ok) return result;
  result.stage = 'check-after';
  if (checkAfter && !run.dryRun) {
    result.checkAfter = await check(checkAfter);
    if (!result.checkAfter.ok) return result;
  }
  result.stage = 'done';
  result.ok = true;
  return result;
}
