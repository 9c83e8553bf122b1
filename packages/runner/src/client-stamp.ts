import { StrataError, type Queryable } from '@pg-strata/core';
import type { RevisionGraph } from './revision-graph.js';
import type { StampResult } from './types.js';
import { createTablesSql, tableNames, TOOL_VERSION } from './version-table.js';

/** Options of {@link stampHeadsOnClient}. */
export interface ClientStampOptions {
  /** The validated graph of the migration files: `buildGraph(await loadMigrations(dir))`. */
  graph: RevisionGraph;
  /** Schema of Strata's tables. Default `'strata'`. */
  schema?: string;
  /** Merged into every history row's `meta` (e.g. `{ ensure: { mode: 'create_all' } }`). Default `{}`. */
  meta?: Record<string, unknown>;
}

/**
 * Record every head of `graph` as current on a database at base, on the
 * caller's client and inside the caller's open transaction: Strata's tables
 * are created if missing, the heads go into the version table and one
 * `stamped` history row (with checksum) is written per revision, in
 * execution order. Nothing commits here, so whatever the caller built in the
 * same transaction (the start-up shim's `createAll`) becomes visible to
 * other sessions together with its version: no one ever sees tables without
 * a version. The caller must hold the run lock (`runLockKey(schema)`):
 * concurrent creation of Strata's tables is not safe without it. Throws
 * `USAGE` when the version table already names a revision.
 */
export async function stampHeadsOnClient(client: Queryable, options: ClientStampOptions): Promise<StampResult> {
  const schema = options.schema ?? 'strata';
  const t = tableNames(schema);
  const graph = options.graph;
  await client.query(createTablesSql(schema));
  const current = (await client.query<{ revision: string }>(`SELECT revision FROM ${t.version} ORDER BY revision`)).rows.map(
    (r) => r.revision,
  );
  if (current.length > 0) {
    throw new StrataError(
      'USAGE',
      `Cannot stamp the heads on top of revision${current.length === 1 ? '' : 's'} ` +
        `${current.join(', ')}: stampHeadsOnClient only records a database at base. Use \`strata stamp\` ` +
        `to move an existing version.`,
      { meta: { current } },
    );
  }
  const heads = [...graph.heads];
  const rows = graph.order;
  if (heads.length > 0) await client.query(`INSERT INTO ${t.version} (revision) SELECT unnest($1::text[])`, [heads]);
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO ${t.history} (revision, direction, outcome, file, message, checksum, finished_at, duration_ms, tool_version, meta)
       SELECT r, 'up', 'stamped', f, msg, c, clock_timestamp(), 0, $5, $6::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(r, f, msg, c, n) ORDER BY n`,
      [
        rows.map((m) => m.revision),
        rows.map((m) => m.file),
        rows.map((m) => m.message),
        rows.map((m) => m.checksum),
        TOOL_VERSION,
        JSON.stringify(options.meta ?? {}),
      ],
    );
  }
  return { from: [], to: heads, checksumsRecorded: rows.map((m) => m.revision) };
}
