/**
 * Commands that record a state without running a migration: stamp (baseline,
 * accept edited files) and resolve (settle an interrupted or failed migration).
 */
import { StrataError, isPgDatabaseError, quoteLiteral } from '@pg-strata/core';
import { loadGraph, withClient } from './connection.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { headsChange } from './planner.js';
import { announce, backendPid, beginReadingPid, choosePath } from './pooler.js';
import { runLockKey, withRunLock, xactLockSql } from './run-lock.js';
import { refreshSummary } from './run-state.js';
import { stampOnClient } from './stamp.js';
import type { Direction, RunnerOptions, StampResult } from './types.js';
import { readState, stepDml, tableNames } from './version-table.js';

/** Options of {@link stamp}. */
export interface StampOptions extends RunnerOptions {
  /** Revision to record as current: an id or unique prefix, `head`, `heads` or `base`. */
  revision: string;
  /** Empty the version table first (for a version table naming revisions no file defines). Default `false`. */
  purge?: boolean;
}

/** Options of {@link resolve}. */
export interface ResolveOptions extends RunnerOptions {
  /** The revision (id or unique prefix) whose interrupted or failed attempt to settle. */
  revision: string;
  /** `'applied'`: its changes are in place (finished by hand); `'rolled-back'`: they are not (undone by hand), so it runs again. */
  as: 'applied' | 'rolled-back';
}

/** The result of {@link resolve}. */
export interface ResolveResult {
  revision: string;
  file: string;
  direction: Direction;
  /** What was settled: an interrupted attempt (`running` row of a dead runner) or a failed one. */
  was: 'interrupted' | 'failed';
  as: 'applied' | 'rolled-back';
  /** Heads recorded after. */
  to: string[];
}

/**
 * Settle a migration whose last attempt was interrupted or failed half-way
 * outside a transaction, after a person has looked at the database (like
 * Prisma's \`migrate resolve\`). `applied`: the step is recorded as done
 * (version table and an `applied` history row with meta.resolved);
 * `rolled-back`: the attempt is marked settled, and the next run starts the
 * migration from its first statement. Refused (USAGE) when the revision's
 * last attempt is neither; LOCK_BUSY when a live runner is on it.
 */
export async function resolve(options: ResolveOptions): Promise<ResolveResult> {
  const o = resolveOptions(options);
  if (options.as !== 'applied' && options.as !== 'rolled-back')
    throw new StrataError('USAGE', `resolve needs as: 'applied' or 'rolled-back', not ${JSON.stringify(options.as)}.`);
  const graph = await loadGraph(o.migrationsDir);
  const m = graph.resolve(options.revision);
  return await withClient(o, async (client) => {
    const path = choosePath(client, o, o.lockMode === 'auto' ? await backendPid(client) : undefined);
    const eo: ResolvedOptions = { ...o, lockMode: path.mode };
    const t = tableNames(o.schema);
    const body = async (): Promise<ResolveResult> => {
      await client.query('BEGIN');
      try {
        if (path.mode === 'transaction') {
          await client.query(`${xactLockSql(runLockKey(o.schema), o.lockWaitMs)}\nSET LOCAL lock_timeout = 0;`);
        }
        type Row = { id: string; outcome: string; direction: Direction; since: string; meta: Record<string, unknown> };
        let last: Row | undefined;
        try {
          last = (
            await client.query<Row>(
              `SELECT h.id::text, h.outcome, h.direction, to_json(h.started_at) #>> '{}' AS since, h.meta || ` +
                `jsonb_build_object('file', h.file, 'checksum', h.checksum, 'alive', EXISTS (SELECT 1 FROM ` +
                `pg_stat_activity a WHERE a.pid = (h.meta->>'pid')::int AND to_json(a.backend_start) #>> '{}' = ` +
                `h.meta->>'backendStart')) AS meta
               FROM ${t.history} h WHERE h.revision = $1 ORDER BY h.id DESC LIMIT 1`,
              [m.revision],
            )
          ).rows[0];
        } catch (err) {
          if (!(isPgDatabaseError(err) && (err.code === '42P01' || err.code === '3F000'))) throw err;
        }
        const unresolvedFailure = last?.outcome === 'failed' && last.meta.resolved === undefined;
        if (!last || (last.outcome !== 'running' && !unresolvedFailure)) {
          throw new StrataError(
            'USAGE',
            `Nothing to resolve: ${m.file} (revision ${m.revision}) ` +
              `${
                last
                  ? `was last ` +
                    `${last.outcome === 'failed' ? 'failed and already resolved' : `${last.outcome} (${last.direction})`}` +
                    ` at ${last.since}`
                  : 'has no history here'
              }` +
              `; only an interrupted or failed migration is resolved. \`strata status\` shows what is.`,
            {
              meta: { revision: m.revision, file: m.file, last: last?.outcome ?? null },
            },
          );
        }
        if (last.outcome === 'running' && last.meta.alive === true) {
          throw new StrataError(
            'LOCK_BUSY',
            `${m.file} (revision ${m.revision}) is being run right now (server pid ${String(last.meta.pid)}` +
              `, since ${last.since}); wait for it to finish.`,
            { meta: { revision: m.revision, pid: last.meta.pid ?? null } },
          );
        }
        const was = last.outcome === 'running' ? 'interrupted' : 'failed';
        const direction = last.direction;
        const state = await readState(client, o.schema, { full: true });
        const { applied, unknown } = graph.appliedFrom(state.heads);
        if (unknown.length > 0)
          throw new StrataError(
            'MIGRATION_UNKNOWN_REVISION',
            `The database is at revision(s) ${unknown.join(', ')}, which no file defines; resolve cannot place ${m.revision}.`,
            { meta: { unknown } },
          );
        if ((direction === 'up') === applied.has(m.revision)) {
          throw new StrataError(
            'USAGE',
            `Nothing to resolve: ${m.file} (revision ${m.revision}) is already recorded as ${direction === 'up' ? 'applied' : 'reverted'}.`,
            { meta: { revision: m.revision } },
          );
        }
        const note = { resolved: options.as, resolvedAt: new Date().toISOString(), was };
        if (options.as === 'applied') {
          const change = headsChange(graph, applied, m.revision, direction);
          const dml = stepDml(o.schema, change, {
            revision: m.revision,
            direction,
            file: m.file,
            message: m.message,
            checksum: m.checksum,
            meta: { mode: 'resolve', kind: m.kind, ...note, attempt: Number(last.id) },
          });
          await client.query(
            `${
              was === 'interrupted'
                ? `DELETE FROM ${t.history} WHERE id = ${quoteLiteral(last.id)}::bigint;\n`
                : `UPDATE ${t.history} SET meta = meta || ${quoteLiteral(JSON.stringify(note))}::jsonb WHERE id = ` +
                  `${quoteLiteral(last.id)}::bigint;\n`
            }` + `${dml}`,
          );
          if (direction === 'up') applied.add(m.revision);
          else applied.delete(m.revision);
        } else {
          await client.query(
            `UPDATE ${t.history} SET outcome = 'failed', finished_at = coalesce(finished_at, ` +
              `clock_timestamp()), error = coalesce(error, 'interrupted: the runner was gone before it ` +
              `finished'), meta = meta || $2::jsonb WHERE id = $1::bigint`,
            [last.id, JSON.stringify(note)],
          );
        }
        await client.query('COMMIT');
        await refreshSummary(client, o);
        return { revision: m.revision, file: m.file, direction, was, as: options.as, to: graph.headsOf(applied) };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    return path.mode === 'session' ? await withRunLock(client, eo, body) : await body();
  });
}
/**
 * Record `revision` as current without running any migration (baseline an
 * existing database, or accept edited files). The heads on the same line as
 * the revision are replaced by it; with `purge`, the version table is emptied
 * first. Every revision applied afterwards whose file checksum differs from
 * the recorded one gets its new checksum recorded.
 */
export async function stamp(options: StampOptions): Promise<StampResult> {
  const o = resolveOptions(options);
  const graph = await loadGraph(o.migrationsDir);
  return await withClient(o, async (client) => {
    // lockMode 'auto': one round trip tells a direct connection from a pooler (pooler.ts).
    const path = choosePath(client, o, o.lockMode === 'auto' ? await backendPid(client) : undefined);
    const eo: ResolvedOptions = { ...o, lockMode: path.mode };
    const body = async (): Promise<StampResult> => {
      if (path.auto && !path.direct) announce(path, o, await beginReadingPid(client));
      else await client.query('BEGIN');
      try {
        if (path.mode === 'transaction') {
          await client.query(`${xactLockSql(runLockKey(o.schema), o.lockWaitMs)}\nSET LOCAL lock_timeout = 0;`);
        }
        const result = await stampOnClient(client, { graph, schema: o.schema, revision: options.revision, purge: !!options.purge });
        await client.query('COMMIT');
        await refreshSummary(client, o);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    return path.mode === 'session' ? await withRunLock(client, eo, body) : await body();
  });
}
