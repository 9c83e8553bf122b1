import { StrataError, closeConnection, connect, silentLogger, withConnection, type Queryable } from '@pg-strata/core';
import { compare, introspect, snapshotFrom, startShadowServer, type Snapshot } from '@pg-strata/auditor';
import { availableParallelism } from 'node:os';
import { createScratchDatabase, type ScratchDatabase } from '@pg-strata/pg-server';
import {
  buildGraph,
  downgrade,
  loadMigrations,
  openRunSession,
  upgrade,
  type MigrationFile,
  type RevisionGraph,
  type RunResult,
  type RunSession,
} from '@pg-strata/runner';
import { catalogFingerprint } from './fingerprint.js';
import { cutParts } from './parts.js';
import {
  type CheckName,
  type CheckResult,
  type MigrationTestOptions,
  type MigrationTestResult,
  type ProgressEvent,
  type StairwayStats,
  type TestFailure,
} from './stairway-types.js';

const named = (m: MigrationFile) => `${m.file} (revision ${m.revision})`;

/** The first failed step of a run, as a failure of `check`. */
function runFailure(check: CheckName, graph: RevisionGraph, result: RunResult, what: string): TestFailure {
  const step = result.steps.find((s) => s.status === 'failed');
  const m = step ? graph.get(step.revision) : undefined;
  const f: TestFailure = {
    check,
    message: `${what}${m ? ` failed at ${named(m)}` : ' failed'}: ${result.error?.message ?? step?.error?.message ?? 'unknown error'}`,
    differences: [],
  };
  if (m) {
    f.revision = m.revision;
    f.file = m.file;
  }
  return f;
}

function thrownFailure(check: CheckName, err: unknown, what: string, m?: MigrationFile): TestFailure {
  const message = err instanceof Error ? err.message : String(err);
  const f: TestFailure = { check, message: `${what}${m ? ` ${named(m)}` : ''} failed: ${message}`, differences: [] };
  const file = m?.file ?? (err instanceof StrataError && typeof err.meta.file === 'string' ? err.meta.file : undefined);
  const revision = m?.revision ?? (err instanceof StrataError && typeof err.meta.revision === 'string' ? err.meta.revision : undefined);
  if (revision) f.revision = revision;
  if (file) f.file = file;
  return f;
}

/**
 * Test the migrations themselves on shadow databases: the graph has a single
 * head; upgrading from base to head works; the head matches the models (when
 * a models source is given); downgrading to base leaves nothing but Strata's
 * own schema; and the stairway: for each revision in order, up, snapshot,
 * down (the schema must equal the one before), up again (it must equal the
 * one after). Every scratch database is dropped and an embedded server
 * stopped, also on failure. Problems are returned, not thrown; graph errors
 * (cycles, missing parents) and an unreachable shadow server throw.
 */
export async function testMigrations(options: MigrationTestOptions): Promise<MigrationTestResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? (() => {});
  const graph = buildGraph(await loadMigrations(options.migrationsDir));
  const failures: TestFailure[] = [];
  const checks: CheckResult[] = [];
  let stats: StairwayStats | undefined;
  const check = async (name: CheckName, fn: () => Promise<boolean>, skip?: string): Promise<boolean> => {
    if (skip) {
      checks.push({ name, status: 'skipped', durationMs: 0, reason: skip });
      progress({ type: 'check-finished', check: name, status: 'skipped', durationMs: 0, reason: skip });
      return false;
    }
    const t0 = performance.now();
    logger.info(`strata test: ${name}`);
    progress({ type: 'check-started', check: name });
    const ok = await fn();
    const c: CheckResult = { name, status: ok ? 'passed' : 'failed', durationMs: Math.round(performance.now() - t0) };
    checks.push(c);
    progress({ type: 'check-finished', check: name, status: c.status, durationMs: c.durationMs });
    return ok;
  };
  // Which revisions the stairway tests: resolved before any database is made (an unknown revision throws).
  let tested = new Set(graph.order.map((m) => m.revision));
  if (options.since !== undefined) {
    const point = graph.ancestors(graph.resolve(options.since).revision);
    tested = new Set([...tested].filter((r) => !point.has(r)));
  }
  if (options.stairwayOnly) {
    const only = new Set(options.stairwayOnly.map((r) => graph.resolve(r).revision));
    tested = new Set([...tested].filter((r) => only.has(r)));
  }

  await check('single-head', async () => {
    if (graph.heads.length <= 1) return true;
    const heads = graph.heads.map((h) => named(graph.get(h)!));
    failures.push({
      check: 'single-head',
      message:
        `The migrations have ${heads.length} heads: ${heads.join(', ')}. Merge them with \`strata ` +
        `merge\` so every database ends at the same schema.`,
      differences: [],
    });
    return false;
  });

  let stopServer: (() => Promise<void>) | undefined;
  let adminUrl = options.shadowUrl;
  const scratch: ScratchDatabase[] = [];
  try {
    if (!adminUrl) {
      const server = await startShadowServer({ logger });
      adminUrl = server.url;
      stopServer = () => server.stop();
    }
    const admin = adminUrl;
    const fresh = async (template?: string) => {
      const db = await createScratchDatabase(admin, { prefix: 'strata_migtest', ...(template ? { template } : {}) });
      scratch.push(db);
      return db;
    };
    const runner = (url: string) => ({
      url,
      migrationsDir: options.migrationsDir,
      allowDataLoss: true,
      applicationName: 'strata-migration-test',
      ...(options.schema ? { schema: options.schema } : {}),
    });
    const snap = (target: string | RunSession['client']) => introspect(target, options.schema ? { strataSchema: options.schema } : {});

    const main = await fresh();
    const empty = await snap(main.url);
    let head: Snapshot | undefined;
    let headFp: string | undefined;
    const models = options.models;
    const upgraded = await check(
      'upgrade',
      async () => {
        try {
          const result = await upgrade({ ...runner(main.url), target: 'heads' });
          if (!result.ok) {
            failures.push(runFailure('upgrade', graph, result, 'Upgrading from base to head'));
            return false;
          }
        } catch (err) {
          failures.push(thrownFailure('upgrade', err, 'Upgrading from base to head'));
          return false;
        }
        // The head's Snapshot is needed only to compare it with the models; its fingerprint, for the stairway's end.
        if (models !== undefined) head = await snap(main.url);
        const fpOf = (c: Queryable) => catalogFingerprint(c, options.schema ?? 'strata');
        headFp = await withConnection({ url: main.url, applicationName: 'strata-migration-test' }, fpOf);
        return true;
      },
      graph.order.length === 0 ? 'there are no migrations' : undefined,
    );

    await check(
      'models',
      async () => {
        const m = await snapshotFrom(models!, {
          shadowUrl: admin,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          ...(options.env ? { env: options.env } : {}),
          ...(options.schema ? { strataSchema: options.schema } : {}),
        });
        const drift = compare(head!, m.snapshot, { left: 'the migrations head', right: 'the models' });
        if (drift.length === 0) return true;
        failures.push({
          check: 'models',
          message:
            `The schema the migrations build at head differs from the models (${m.source}) in ` +
            `${drift.length} way${drift.length === 1 ? '' : 's'}.`,
          differences: drift.map((d) => d.message),
        });
        return false;
      },
      models === undefined ? 'no models source configured' : !upgraded ? 'the upgrade to head failed' : undefined,
    );

    await check(
      'downgrade',
      async () => {
        try {
          const result = await downgrade({ ...runner(main.url), target: 'base' });
          if (!result.ok) {
            failures.push(runFailure('downgrade', graph, result, 'Downgrading from head to base'));
            return false;
          }
        } catch (err) {
          failures.push(thrownFailure('downgrade', err, 'Downgrading from head to base'));
          return false;
        }
        const drift = compare(await snap(main.url), empty, { left: 'the database downgraded to base', right: 'an empty database' });
        if (drift.length === 0) return true;
        failures.push({
          check: 'downgrade',
          message: `Downgrading to base leaves ${drift.length} object${drift.length === 1 ? '' : 's'} behind besides Strata's own schema.`,
          differences: drift.map((d) => d.message),
        });
        return false;
      },
      !upgraded ? 'the upgrade to head failed' : undefined,
    );

    const workers = Math.max(
      1,
      Math.min(options.concurrency ?? Math.min(4, availableParallelism()), Math.ceil(tested.size / MIN_STEPS_PER_WORKER)),
    );
    await check(
      'stairway',
      async () => {
        const schema = options.schema ?? 'strata';
        const r = await stairway({
          graph,
          tested,
          workers,
          fresh,
          runner,
          snap,
          schema,
          progress,
          failures,
          ...(headFp ? { headFp } : {}),
        });
        stats = r.stats;
        return r.ok;
      },
      !upgraded ? 'the upgrade to head failed' : undefined,
    );
  } finally {
    for (const db of scratch) await db.drop().catch((err: unknown) => logger.warn(`could not drop ${db.name}: ${(err as Error).message}`));
    await stopServer?.();
  }
  return { ok: failures.length === 0, checks, failures, migrations: graph.order.length, ...(stats ? { stairway: stats } : {}) };
}

/** A worker's part of the chain shorter than this is not worth a database of its own. */
const MIN_STEPS_PER_WORKER = 8;

interface StairwayContext {
  graph: RevisionGraph;
  /** The revisions to take up, down and up; the others are applied plainly on the way. */
  tested: ReadonlySet<string>;
  workers: number;
  fresh: (template?: string) => Promise<ScratchDatabase>;
  runner: (url: string) => { url: string; migrationsDir: string; allowDataLoss: boolean; applicationName: string; schema?: string };
  snap: (target: string | RunSession['client']) => Promise<Snapshot>;
  schema: string;
  progress: (event: ProgressEvent) => void;
  failures: TestFailure[];
  /** The fingerprint of the upgrade check's database at head: where the stairway's last part must end. */
  headFp?: string;
}

/** A schema state: its fingerprint, and its Snapshot when one was read. */
interface State {
  fp: string;
  snap?: Snapshot;
}

/**
 * The stairway: for each tested revision in graph order, up, down (the schema
 * must equal the one before), up again (it must equal the one after: checked
 * for each part as a whole, see {@link walk}). Each compared state is a
 * one-query catalogue fingerprint; only when two fingerprints
 * differ is the schema introspected and compared, which explains the
 * difference with compare's sentences (or finds none: the fingerprint reads
 * more than a Snapshot). The chain from the first tested revision is cut
 * into `workers` contiguous parts, each on its own database forked
 * (CREATE DATABASE ... TEMPLATE) from one upgraded once to the starting
 * point, and the parts run at once; failures are reported in graph order, and
 * an up that fails stops the stairway as it would in a single run.
 */
async function stairway(c: StairwayContext): Promise<{ ok: boolean; stats: StairwayStats }> {
  const { graph, tested } = c;
  const started = performance.now();
  const first = graph.order.findIndex((m) => tested.has(m.revision));
  const stats: StairwayStats = { steps: tested.size, skipped: graph.order.length - tested.size, workers: 0, fullCompares: 0, rechecked: 0 };
  if (first < 0) {
    c.progress({ type: 'stairway-planned', steps: 0, workers: 0, skipped: stats.skipped });
    return { ok: true, stats };
  }
  // Contiguous parts that should take about as long each (parts.ts).
  const testedIdx = graph.order.map((m, i) => (tested.has(m.revision) ? i : -1)).filter((i) => i >= 0);
  const parts = cutParts(testedIdx, c.workers, first, graph.order.length);
  stats.workers = parts.length;
  c.progress({ type: 'stairway-planned', steps: tested.size, workers: parts.length, skipped: stats.skipped });

  // One plain upgrade to the point before the first tested revision, then a fork per further part.
  const upTo = async (session: RunSession, index: number): Promise<void> => {
    const applied = new Set(graph.order.slice(0, index).map((m) => m.revision));
    for (const h of graph.headsOf(applied)) {
      const r = await session.upgrade({ target: h });
      if (!r.ok) throw r.error ?? new Error(`upgrading to ${h} failed`);
    }
  };
  // From base, every part's database is a new empty one, made at once; else one is upgraded to the first tested
  // revision and forked, every fork before any part starts (a template database may have no connection while copied).
  const dbs = first === 0 ? await Promise.all(parts.map(() => c.fresh())) : [await c.fresh()];
  if (first > 0) {
    await inSession(c, dbs[0]!.url, (s) => upTo(s, first));
    for (let k = 1; k < parts.length; k++) dbs.push(await c.fresh(dbs[0]!.name));
  }
  let done = 0;
  // allSettled: when one part throws (the server went away), the others still end before their databases are dropped.
  const settled = await Promise.allSettled(
    parts.map(async ([from, to], k) => {
      const failures: TestFailure[] = [];
      const db = dbs[k]!;
      const walked = await inSession(c, db.url, async (session): Promise<WalkResult | undefined> => {
        if (from > first) {
          try {
            await upTo(session, from);
          } catch (err) {
            // Only when an up in an earlier part fails, and that part stops there first: reported, never reached.
            failures.push(thrownFailure('stairway', err, 'Reaching the start of a part of the stairway'));
            return undefined;
          }
        }
        return await walk(
          c,
          session,
          db.url,
          [from, to],
          failures,
          stats,
          (m, ok, durationMs, fullCompare) => {
            c.progress({
              type: 'step',
              index: ++done,
              total: tested.size,
              revision: m.revision,
              file: m.file,
              ok,
              durationMs,
              elapsedMs: Math.round(performance.now() - started),
              fullCompare,
            });
          },
          false,
        );
      });
      return { failures, walked };
    }),
  );
  const thrown = settled.find((r) => r.status === 'rejected');
  if (thrown) throw thrown.reason;
  const results = settled.map((r) => (r as PromiseFulfilledResult<{ failures: TestFailure[]; walked: WalkResult | undefined }>).value);
  // A part that found nothing must end where a plain upgrade to the same point does (the next part's start, or the
  // head of the upgrade check): the fast walk never fingerprints a first up, so an up that gives another schema the
  // second time shows here. Such a part is walked again, thoroughly, on a database of its own, and its verdict kept.
  for (let k = 0; k < results.length; k++) {
    const r = results[k]!;
    const expected = k + 1 < results.length ? results[k + 1]!.walked?.startFp : c.headFp;
    if (!r.walked || r.walked.stop || r.failures.length > 0 || expected === undefined || expected === r.walked.endFp) continue;
    stats.rechecked++;
    const db = await c.fresh();
    try {
      const failures: TestFailure[] = [];
      const [from, to] = parts[k]!;
      const walked = await inSession(c, db.url, async (session) => {
        await upTo(session, from);
        return await walk(c, session, db.url, [from, to], failures, stats, () => {}, true);
      });
      results[k] = { failures, walked };
    } finally {
      await db.drop().catch(() => {});
    }
  }
  const start = c.failures.length;
  for (const r of results) {
    c.failures.push(...r.failures);
    if (!r.walked || r.walked.stop) break;
  }
  return { ok: c.failures.length === start, stats };
}

async function inSession<T>(c: StairwayContext, url: string, fn: (session: RunSession) => Promise<T>): Promise<T> {
  const session = await openRunSession({ ...c.runner(url), exclusive: true });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/**
 * The Snapshot of the schema with the first `index` revisions of the graph
 * order applied, read on a database of its own: how a difference found by
 * fingerprints is explained when the state compared with was never
 * introspected (the stairway's database has moved on since).
 */
async function snapshotAt(c: StairwayContext, index: number): Promise<Snapshot> {
  const db = await c.fresh();
  try {
    return await inSession(c, db.url, async (session) => {
      const applied = new Set(c.graph.order.slice(0, index).map((m) => m.revision));
      for (const h of c.graph.headsOf(applied)) await session.upgrade({ target: h });
      return await c.snap(session.client);
    });
  } finally {
    await db.drop().catch(() => {});
  }
}

/** How a part of the chain's walk ended: whether the stairway must stop there, and the fingerprints it started and ended at. */
interface WalkResult {
  stop: boolean;
  startFp: string;
  endFp: string;
}

/**
 * Up, down, compare with before, up again; for the tested revisions of
 * order[from, to). `thorough` (the walk before this change, kept to explain a
 * part whose end differs from a plain upgrade): the first up is fingerprinted
 * too and the second compared with it. Otherwise a step takes two
 * fingerprints: after the down (it must equal the one before the step) and
 * after the second up (the next step's "before").
 */
async function walk(
  c: StairwayContext,
  session: RunSession,
  url: string,
  range: [number, number],
  failures: TestFailure[],
  stats: StairwayStats,
  stepDone: (m: MigrationFile, ok: boolean, durationMs: number, fullCompare: boolean) => void,
  thorough: boolean,
): Promise<WalkResult> {
  // A connection of its own for the fingerprints: the runs' session is reset after each run
  // (DISCARD ALL), this one keeps its prepared statement and its warm catalogue caches.
  const reader = await connect({ url, applicationName: 'strata-migration-test' });
  try {
    return await walkWith(c, session, reader, range, failures, stats, stepDone, thorough);
  } finally {
    await closeConnection(reader);
  }
}

async function walkWith(
  c: StairwayContext,
  session: RunSession,
  reader: Queryable,
  [from, to]: [number, number],
  failures: TestFailure[],
  stats: StairwayStats,
  stepDone: (m: MigrationFile, ok: boolean, durationMs: number, fullCompare: boolean) => void,
  thorough: boolean,
): Promise<WalkResult> {
  const { graph } = c;
  const fingerprint = async (): Promise<string> => await catalogFingerprint(reader, c.schema, { prepared: true });
  const startFp = await fingerprint();
  // Undefined after a revision applied plainly (not tested): read only when a tested one or the part's end needs it.
  let before: State | undefined = { fp: startFp };
  const end = async (stop: boolean): Promise<WalkResult> => {
    if (stop) return { stop, startFp, endFp: '' };
    return { stop, startFp, endFp: (before ??= { fp: await fingerprint() }).fp };
  };
  for (let i = from; i < to; i++) {
    const m = graph.order[i]!;
    const up = async (what: string): Promise<boolean> => {
      try {
        const r = await session.upgrade({ target: m.revision });
        if (!r.ok) failures.push(runFailure('stairway', graph, r, what));
        return r.ok;
      } catch (err) {
        failures.push(thrownFailure('stairway', err, what, m));
        return false;
      }
    };
    if (!c.tested.has(m.revision)) {
      if (!(await up(`Applying ${named(m)}`))) return await end(true);
      before = undefined;
      continue;
    }
    before ??= { fp: await fingerprint() };
    const t0 = performance.now();
    const mark0 = failures.length;
    let full = false;
    const finish = (): void => stepDone(m, failures.length === mark0, Math.round(performance.now() - t0), full);
    const stop = async (): Promise<WalkResult> => {
      finish();
      return await end(true);
    };
    if (!(await up(`Applying ${named(m)}`))) return await stop();
    // The state after the first up: fingerprinted only in a thorough walk (see the README's "How the stairway is fast").
    const after: State | undefined = thorough ? { fp: await fingerprint() } : undefined;
    let reverted = false;
    try {
      const r = await session.downgrade({ target: '-1' });
      if (r.ok) reverted = true;
      else failures.push(runFailure('stairway', graph, r, `Reverting ${named(m)}`));
    } catch (err) {
      failures.push(thrownFailure('stairway', err, 'Reverting', m));
    }
    if (!reverted) {
      // The database is still at m: carry on upwards to find the other problems.
      before = after ?? { fp: await fingerprint() };
      finish();
      continue;
    }
    const backFp = await fingerprint();
    let undone: string[] = [];
    if (backFp !== before.fp) {
      full = true;
      stats.fullCompares++;
      const back = await c.snap(session.client);
      before.snap ??= await snapshotAt(c, i);
      // Same server, same roles: a GRANT the down section does not REVOKE is a real difference here.
      undone = compare(back, before.snap, {
        left: `the schema after reverting ${m.file}`,
        right: 'the schema before it',
        privileges: true,
      }).map((d) => d.message);
    }
    if (undone.length > 0) {
      const f: TestFailure = {
        check: 'stairway',
        revision: m.revision,
        file: m.file,
        message:
          `Reverting ${named(m)} does not restore the schema from before it: its down section does not ` +
          `undo its up section (${undone.length} difference${undone.length === 1 ? '' : 's'}).`,
        differences: undone,
      };
      failures.push(f);
      const mark = failures.length;
      if (!(await up(''))) {
        // Applying it again trips over what the down left behind: one problem, reported once.
        const again = failures.splice(mark);
        const why = again[0]?.message.split('\n')[0]?.replace(/^.*?: /, '') ?? '';
        f.message += ` Applying it again then fails (${why}); the stairway stops here.`;
        return await stop();
      }
    } else if (!(await up(`Re-applying ${named(m)} after reverting it`))) {
      return await stop();
    }
    const again: State = { fp: await fingerprint() };
    // Without the first up's fingerprint, the second up is compared with it only on a step already on the slow path
    // (the down did not give back the fingerprint from before): the first up's Snapshot is rebuilt, as before.
    if (after ? again.fp !== after.fp : full) {
      if (!full) stats.fullCompares++;
      full = true;
      again.snap = await c.snap(session.client);
      const first = after?.snap ?? (await snapshotAt(c, i + 1));
      const sides = { left: `the schema after re-applying ${m.file}`, right: 'the schema after applying it the first time' };
      const redo = compare(again.snap, first, { ...sides, privileges: true });
      if (redo.length > 0) {
        failures.push({
          check: 'stairway',
          revision: m.revision,
          file: m.file,
          message:
            `Applying ${named(m)} again after reverting it gives a different schema than the first time (` +
            `${redo.length} difference${redo.length === 1 ? '' : 's'}).`,
          differences: redo.map((d) => d.message),
        });
      }
    }
    before = again;
    finish();
  }
  return await end(false);
}
