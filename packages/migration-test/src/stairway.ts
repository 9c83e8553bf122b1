import { StrataError, silentLogger, type Logger } from '@strata/core';
import { compare, introspect, snapshotFrom, startShadowServer, type ModelSource, type Snapshot } from '@strata/auditor';
import { createScratchDatabase, type ScratchDatabase } from '@strata/pg-server';
import { buildGraph, downgrade, loadMigrations, upgrade, type MigrationFile, type RevisionGraph, type RunResult } from '@strata/runner';

/** The checks {@link testMigrations} runs, in order. */
export type CheckName = 'single-head' | 'upgrade' | 'models' | 'downgrade' | 'stairway';

/** Options of {@link testMigrations}. */
export interface MigrationTestOptions {
  /** Folder of the migration files. */
  migrationsDir: string;
  /**
   * A server where scratch databases are created and dropped (a role that may
   * CREATE DATABASE). Default: an embedded PostgreSQL started for the run and
   * stopped afterwards.
   */
  shadowUrl?: string;
  /** A models source (auditor syntax: `schema.sql`, `models.ts`, `cmd:...`, a snapshot JSON). Default: none, the models check is skipped. */
  models?: string | ModelSource;
  /** Directory a relative models path resolves against. Default: the process's working directory. */
  cwd?: string;
  /** Environment of a `cmd:` models source (`DATABASE_URL` is set on top). Default: this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Schema of Strata's own tables in the shadow databases. Default `'strata'`. */
  schema?: string;
  /** Receives progress (`info`) and diagnostics. Default: silent. */
  logger?: Logger;
}

/** One check's outcome. */
export interface CheckResult {
  name: CheckName;
  /** `skipped` when it could not run (no models source, or an earlier check failed). */
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Why it was skipped. */
  reason?: string;
}

/** One problem found. */
export interface TestFailure {
  check: CheckName;
  /** The revision at fault, when there is one. */
  revision?: string;
  file?: string;
  /** What is wrong, naming the revision and file. */
  message: string;
  /** The differing objects, as compare's sentences. */
  differences: string[];
}

/** The result of {@link testMigrations}. */
export interface MigrationTestResult {
  ok: boolean;
  checks: CheckResult[];
  failures: TestFailure[];
  /** Number of migrations in the graph. */
  migrations: number;
}

const named = (m: MigrationFile) => `${m.file} (revision ${m.revision})`;

/** The first failed step of a run, as a failure of `check`. */
function runFailure(check: CheckName, graph: RevisionGraph, result: RunResult, what: string): TestFailure {
  const step = result.steps.find((s) => s.status === 'failed');
  const m = step ? graph.get(step.revision) : undefined;
  const f: TestFailure = { check, message: `${what}${m ? ` failed at ${named(m)}` : ' failed'}: ${result.error?.message ?? step?.error?.message ?? 'unknown error'}`, differences: [] };
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
  const graph = buildGraph(await loadMigrations(options.migrationsDir));
  const failures: TestFailure[] = [];
  const checks: CheckResult[] = [];
  const check = async (name: CheckName, fn: () => Promise<boolean>, skip?: string): Promise<boolean> => {
    if (skip) {
      checks.push({ name, status: 'skipped', durationMs: 0, reason: skip });
      return false;
    }
    const t0 = performance.now();
    logger.info(`migrate test: ${name}`);
    const ok = await fn();
    checks.push({ name, status: ok ? 'passed' : 'failed', durationMs: Math.round(performance.now() - t0) });
    return ok;
  };

  await check('single-head', async () => {
    if (graph.heads.length <= 1) return true;
    const heads = graph.heads.map((h) => named(graph.get(h)!));
    failures.push({ check: 'single-head', message: `The migrations have ${heads.length} heads: ${heads.join(', ')}. Merge them with \`migrate merge\` so every database ends at the same schema.`, differences: [] });
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
    const fresh = async () => {
      const db = await createScratchDatabase(admin, { prefix: 'strata_migtest' });
      scratch.push(db);
      return db;
    };
    const runner = (url: string) => ({ url, migrationsDir: options.migrationsDir, allowDataLoss: true, applicationName: 'strata-migration-test', ...(options.schema ? { schema: options.schema } : {}) });
    const snap = (url: string) => introspect(url, options.schema ? { strataSchema: options.schema } : {});

    const main = await fresh();
    const empty = await snap(main.url);
    let head: Snapshot | undefined;
    const upgraded = await check('upgrade', async () => {
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
      head = await snap(main.url);
      return true;
    }, graph.order.length === 0 ? 'there are no migrations' : undefined);

    const models = options.models;
    await check('models', async () => {
      const m = await snapshotFrom(models!, { shadowUrl: admin, ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}), ...(options.schema ? { strataSchema: options.schema } : {}) });
      const drift = compare(head!, m.snapshot, { left: 'the migrations head', right: 'the models' });
      if (drift.length === 0) return true;
      failures.push({ check: 'models', message: `The schema the migrations build at head differs from the models (${m.source}) in ${drift.length} way${drift.length === 1 ? '' : 's'}.`, differences: drift.map((d) => d.message) });
      return false;
    }, models === undefined ? 'no models source configured' : !upgraded ? 'the upgrade to head failed' : undefined);

    await check('downgrade', async () => {
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
      failures.push({ check: 'downgrade', message: `Downgrading to base leaves ${drift.length} object${drift.length === 1 ? '' : 's'} behind besides Strata's own schema.`, differences: drift.map((d) => d.message) });
      return false;
    }, !upgraded ? 'the upgrade to head failed' : undefined);

    await check('stairway', async () => stairway(graph, await fresh(), runner, snap, failures), !upgraded ? 'the upgrade to head failed' : undefined);
  } finally {
    for (const db of scratch) await db.drop().catch((err: unknown) => logger.warn(`could not drop ${db.name}: ${(err as Error).message}`));
    await stopServer?.();
  }
  return { ok: failures.length === 0, checks, failures, migrations: graph.order.length };
}

/** Up, snapshot, down, compare with before, up again, compare with after; for every revision in graph order. */
async function stairway(
  graph: RevisionGraph,
  db: ScratchDatabase,
  runner: (url: string) => { url: string; migrationsDir: string; allowDataLoss: boolean; applicationName: string; schema?: string },
  snap: (url: string) => Promise<Snapshot>,
  failures: TestFailure[],
): Promise<boolean> {
  const start = failures.length;
  let before = await snap(db.url);
  for (const m of graph.order) {
    const up = async (what: string): Promise<boolean> => {
      try {
        const r = await upgrade({ ...runner(db.url), target: m.revision });
        if (!r.ok) failures.push(runFailure('stairway', graph, r, what));
        return r.ok;
      } catch (err) {
        failures.push(thrownFailure('stairway', err, what, m));
        return false;
      }
    };
    if (!(await up(`Applying ${named(m)}`))) return false;
    const after = await snap(db.url);
    let reverted = false;
    try {
      const r = await downgrade({ ...runner(db.url), target: '-1' });
      if (r.ok) reverted = true;
      else failures.push(runFailure('stairway', graph, r, `Reverting ${named(m)}`));
    } catch (err) {
      failures.push(thrownFailure('stairway', err, 'Reverting', m));
    }
    if (!reverted) {
      // The database is still at m: carry on upwards to find the other problems.
      before = after;
      continue;
    }
    const back = await snap(db.url);
    // Same server, same roles: a GRANT the down section does not REVOKE is a real difference here.
    const undone = compare(back, before, { left: `the schema after reverting ${m.file}`, right: 'the schema before it', privileges: true });
    if (undone.length > 0) {
      const f: TestFailure = { check: 'stairway', revision: m.revision, file: m.file, message: `Reverting ${named(m)} does not restore the schema from before it: its down section does not undo its up section (${undone.length} difference${undone.length === 1 ? '' : 's'}).`, differences: undone.map((d) => d.message) };
      failures.push(f);
      const mark = failures.length;
      if (!(await up(''))) {
        // Applying it again trips over what the down left behind: one problem, reported once.
        const again = failures.splice(mark);
        const why = again[0]?.message.split('\n')[0]?.replace(/^.*?: /, '') ?? '';
        f.message += ` Applying it again then fails (${why}); the stairway stops here.`;
        return false;
      }
    } else if (!(await up(`Re-applying ${named(m)} after reverting it`))) {
      return false;
    }
    const again = await snap(db.url);
    const redo = compare(again, after, { left: `the schema after re-applying ${m.file}`, right: 'the schema after applying it the first time', privileges: true });
    if (redo.length > 0) {
      failures.push({ check: 'stairway', revision: m.revision, file: m.file, message: `Applying ${named(m)} again after reverting it gives a different schema than the first time (${redo.length} difference${redo.length === 1 ? '' : 's'}).`, differences: redo.map((d) => d.message) });
    }
    before = again;
  }
  return failures.length === start;
}
