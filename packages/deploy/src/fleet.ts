import { readFile } from 'node:fs/promises';
import { StrataError, describeConnection, exitCodeFor, isStrataError, redactUrls, withConnection } from '@pg-strata/core';
import type { UpgradeOptions } from '@pg-strata/runner';
import { deployUpgrade, type DeployUpgradeOptions } from './deploy-upgrade.js';

/** One database (or one schema of a database) a fleet run migrates. */
export interface FleetTarget {
  /** Connection string. Never printed: results use `label`. */
  url: string;
  /** Schema-per-tenant: the tenant schema (migrations run with `search_path` set to it; Strata's tables live in it). */
  schema?: string;
  /** `user@host:port/db`, plus ` schema <name>` for a tenant schema. */
  label: string;
}

/** Where the targets come from. */
export interface FleetTargetsSource {
  /**
   * A file with one target per line (`#` comments and blank lines ignored),
   * or, when it ends in `.sql`, a query run against `url` whose first column
   * gives them. A target is a `postgres://` URL, or a database name on
   * `url`'s server (same credentials).
   */
  targetsFile?: string;
  /**
   * Schema-per-tenant: a comma-separated list of schema names, a file of
   * names (one per line), or a `.sql` file whose query (against `url`)
   * returns them. Every schema of every target database is a target.
   */
  schemas?: string;
  /** The database the queries run against and database names resolve on. */
  url?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

function withDatabaseName(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The URL of `url` with `search_path` set to `schema` for the whole session (libpq `options`). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  const prior = u.searchParams.get('options');
  u.searchParams.set('options', `${prior ? `${prior} ` : ''}-c search_path=${schema}`);
  return u.toString();
}

async function listFrom(spec: string, what: string, url: string | undefined, fromFile: boolean): Promise<string[]> {
  if (!fromFile)
    return spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch (err) {
    throw new StrataError('USAGE', `The ${what} file ${spec} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: err,
    });
  }
  if (spec.endsWith('.sql')) {
    if (!url) throw new StrataError('USAGE', `The ${what} query ${spec} needs a database to run on: pass --url or set DATABASE_URL.`);
    const rows = await withConnection({ url, applicationName: 'strata-fleet' }, async (c) => {
      try {
        return (await c.query<Record<string, unknown>>(text)).rows;
      } catch (err) {
        throw new StrataError(
          'DB_QUERY',
          `The ${what} query ${spec} failed on ${describeConnection(url)}: ${redactUrls((err as Error).message)}`,
          { cause: err },
        );
      }
    });
    return rows.map((r) => String(Object.values(r)[0] ?? '')).filter(Boolean);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/**
 * Resolve the targets of a fleet run from a targets file / query and a
 * schema list. Without `targetsFile` the only database is `url`.
 * Duplicates are dropped (a resumed run given the same file twice migrates
 * each target once).
 */
export async function loadFleetTargets(source: FleetTargetsSource, exists: (path: string) => boolean): Promise<FleetTarget[]> {
  const { url } = source;
  let databases: string[];
  if (source.targetsFile) {
    const entries = await listFrom(source.targetsFile, 'targets', url, true);
    databases = entries.map((e, i) => {
      if (/^postgres(ql)?:\/\//i.test(e)) return e;
      if (/:\/\//.test(e))
        throw new StrataError('USAGE', `Target ${i + 1} of ${source.targetsFile} is not a postgres:// URL (the value is not shown).`);
      if (!url)
        throw new StrataError(
          'USAGE',
          `Target ${i + 1} of ${source.targetsFile} is a database name; pass --url (or DATABASE_URL) for the server it is on.`,
        );
      return withDatabaseName(url, e);
    });
    if (databases.length === 0) throw new StrataError('USAGE', `${source.targetsFile} lists no targets.`);
  } else {
    if (!url) throw new StrataError('USAGE', 'No database given: pass --url or set DATABASE_URL (or --targets FILE).');
    databases = [url];
  }
  let schemas: string[] | undefined;
  if (source.schemas !== undefined) {
    const fromFile = source.schemas.endsWith('.sql') || (!source.schemas.includes(',') && exists(source.schemas));
    schemas = await listFrom(source.schemas, 'schemas', url ?? databases[0], fromFile);
    const bad = schemas.find((s) => !SCHEMA_NAME.test(s));
    if (bad !== undefined)
      throw new StrataError('USAGE', `Tenant schema name '${bad}' is not a lower-case identifier ([a-z_][a-z0-9_$]*).`);
    if (schemas.length === 0) throw new StrataError('USAGE', `--schemas ${source.schemas} gives no schema.`);
  }
  const seen = new Set<string>();
  const targets: FleetTarget[] = [];
  for (const db of databases) {
    for (const schema of schemas ?? [undefined]) {
      const key = `${db}\u0000${schema ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({
        url: schema ? withSearchPath(db, schema) : db,
        ...(schema ? { schema } : {}),
        label: `${describeConnection(db)}${schema ? ` schema ${schema}` : ''}`,
      });
    }
  }
  return targets;
}

/** Options of {@link upgradeFleet}: the runner's (without `url`), the safeguards, the targets and the concurrency. */
export interface UpgradeFleetOptions extends Omit<DeployUpgradeOptions, 'url' | 'schema'> {
  targets: readonly FleetTarget[];
  /** Targets migrated at once. Default 4. */
  concurrency?: number;
  /** Schema of Strata's tables for database targets (tenant-schema targets keep theirs in the tenant schema). Default `'strata'`. */
  schema?: string;
  /** Called as each target finishes (progress). */
  onTarget?: (result: FleetTargetResult) => void;
}

/** What happened to one target. */
export interface FleetTargetResult {
  /** `user@host:port/db` (and ` schema <name>`); never the URL. */
  target: string;
  schema?: string;
  /** `migrated`: something applied; `at-head`: nothing pending (a resumed run skips it); `failed`. */
  status: 'migrated' | 'at-head' | 'failed';
  applied: number;
  from: string[];
  to: string[];
  durationMs: number;
  error?: { code: string; message: string; exitCode: number };
}

/** The result of {@link upgradeFleet}. */
export interface FleetResult {
  ok: boolean;
  /** In the order of the targets. */
  targets: FleetTargetResult[];
  /** Labels of the failed targets. */
  failed: string[];
  durationMs: number;
}

/**
 * Migrate every target with at most `concurrency` at once. Each target is an
 * ordinary run (`deployUpgrade`): its own connection, its own advisory lock
 * and its own history, so a target is never half-owned by the fleet. One
 * failure does not stop the others. A re-run is resumable: targets already
 * at head cost one query and no lock, and are reported `at-head`.
 */
export async function upgradeFleet(options: UpgradeFleetOptions): Promise<FleetResult> {
  const started = Date.now();
  const { targets, concurrency = 4, onTarget, schema, ...rest } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new StrataError('USAGE', `--concurrency must be a positive integer (got ${concurrency}).`);
  if (rest.backup && targets.some((t) => t.schema)) {
    throw new StrataError(
      'USAGE',
      '--backup with --schemas would dump the whole database once per tenant schema: back the ' +
        'database up once (strata up --backup on it, or pg_dump), then run the schemas without --backup.',
    );
  }
  const results: FleetTargetResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= targets.length) return;
      const t = targets[i]!;
      const t0 = Date.now();
      let r: FleetTargetResult;
      try {
        const run: UpgradeOptions = { ...rest, url: t.url, schema: t.schema ?? schema ?? 'strata' };
        const d = await deployUpgrade({ ...rest, ...run });
        const applied = d.applied.length;
        const err = d.run?.error;
        r = {
          target: t.label,
          ...(t.schema ? { schema: t.schema } : {}),
          status: d.ok ? (applied > 0 ? 'migrated' : 'at-head') : 'failed',
          applied,
          from: d.run?.from ?? [],
          to: d.run?.to ?? [],
          durationMs: Date.now() - t0,
        };
        if (!d.ok) {
          const message =
            err?.message ??
            (d.stage === 'check-before'
              ? `health check before the run failed: ${d.checkBefore?.reason}`
              : `health check after the run failed: ${d.checkAfter?.reason}`);
          r.error = { code: err?.code ?? 'HEALTH_CHECK_FAILED', message: redactUrls(message), exitCode: err ? exitCodeFor(err) : 1 };
        }
      } catch (err) {
        r = {
          target: t.label,
          ...(t.schema ? { schema: t.schema } : {}),
          status: 'failed',
          applied: 0,
          from: [],
          to: [],
          durationMs: Date.now() - t0,
          error: {
            code: isStrataError(err) ? err.code : 'INTERNAL',
            message: redactUrls(err instanceof Error ? err.message : String(err)),
            exitCode: exitCodeFor(err),
          },
        };
      }
      results[i] = r;
      onTarget?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  const failed = results.filter((r) => r.status === 'failed').map((r) => r.target);
  return { ok: failed.length === 0, targets: results, failed, durationMs: Date.now() - started };
}
