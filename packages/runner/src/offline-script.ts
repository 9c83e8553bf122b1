/** offlineScript: the plan of an upgrade or downgrade from a given (or read) state, as a psql script (offline.ts writes it). */
import { StrataError } from '@pg-strata/core';
import { loadGraph, withClient } from './connection.js';
import { offlineScriptFor } from './offline.js';
import { resolveOptions } from './options.js';
import { planDowngrade, planUpgrade } from './planner.js';
import { dataLossFindings, prepareSteps } from './prepare.js';
import { multipleHeadsError } from './revision-graph.js';
import { appliedOrThrow, settleState, verifyChecksums } from './run-state.js';
import type { DataLossFinding, Direction, RunnerOptions } from './types.js';
import { readState } from './version-table.js';

/** Options of {@link offlineScript}. */
export interface OfflineScriptOptions extends Omit<RunnerOptions, 'url'> {
  /** Needed only when `from` is not given (the current state is read from the database). */
  url?: string;
  /** `'up'` or `'down'`. */
  direction: Direction;
  /** As for upgrade/downgrade. Default `head` for up, `-1` for down. */
  target?: string;
  /** Starting heads: comma-separated revision ids or prefixes, or `base`. When given, no connection is made. */
  from?: string;
  /**
   * Receives the statements of the script that lose data. A script runs
   * nothing, so it is never refused for them (`allowDataLoss` is not
   * needed); they are also listed in comments at the top of the script.
   */
  onDataLoss?: (findings: DataLossFinding[]) => void;
}

/**
 * The psql-runnable script of an upgrade or downgrade: BEGIN/COMMIT per
 * migration with SET LOCAL timeouts and the version/history DML, preceded by
 * the creation of Strata's tables. With `from`, no connection is made.
 */
export async function offlineScript(options: OfflineScriptOptions): Promise<string> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  const target = options.target ?? (options.direction === 'up' ? 'head' : '-1');
  if (options.direction === 'up' && target.trim() === 'head' && graph.heads.length > 1) throw multipleHeadsError(graph);
  let fromHeads: string[];
  if (options.from !== undefined) {
    const f = options.from.trim();
    fromHeads = f === '' || f === 'base' ? [] : f.split(',').map((r) => graph.resolve(r.trim()).revision);
  } else {
    if (!options.url)
      throw new StrataError(
        'USAGE',
        'An offline script needs either `from` (the revision the database is at) or a database URL to read it from.',
      );
    fromHeads = await withClient(o, async (client) => {
      const state = await settleState(client, o, graph, await readState(client, o.schema));
      verifyChecksums(graph, appliedOrThrow(state, o), state);
      return state.heads;
    });
  }
  const applied = graph.appliedFrom(fromHeads).applied;
  const migrations = options.direction === 'up' ? planUpgrade(graph, applied, target) : planDowngrade(graph, applied, target);
  const steps = await prepareSteps(migrations, options.direction);
  // The script runs nothing here: no consent is asked; the data loss is listed (onDataLoss, and the script's header).
  const findings = dataLossFindings(steps);
  options.onDataLoss?.(findings);
  return await offlineScriptFor(steps, {
    dataLoss: findings,
    graph,
    applied,
    schema: o.schema,
    lockTimeout: o.lockTimeout,
    statementTimeout: o.statementTimeout,
    fromHeads,
    target,
  });
}
