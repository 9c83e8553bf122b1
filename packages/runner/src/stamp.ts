import { StrataError, type Queryable } from '@pg-strata/core';
import { multipleHeadsError, type RevisionGraph } from './revision-graph.js';
import type { StampResult } from './types.js';
import { createTablesSql, readState, tableNames, TOOL_VERSION } from './version-table.js';

/** Options of {@link stampOnClient}. */
export interface StampOnClientOptions {
  /** The validated graph of the migration files. */
  graph: RevisionGraph;
  /** Schema of Strata's tables. Default `'strata'`. */
  schema?: string;
  /** An id or unique prefix, `head`, `heads` or `base`. Default `'heads'`. */
  revision?: string;
  /** Empty the version table first. Default `false`. */
  purge?: boolean;
  /** Merged into the `meta` of every history row written. Default `{}`. */
  meta?: Record<string, unknown>;
}

/**
 * Stamp on an open client, inside the caller's transaction, which must hold
 * the run lock (Strata's tables are created here if missing). The heads on
 * the same line as the revision are replaced by it; with `purge` the version
 * table is emptied first. History rows: `stamped` for each revision newly
 * recorded as applied and for each applied one whose file checksum differs
 * from the recorded one (this is how an edited file is accepted), and
 * `unstamped` for each revision no longer applied. The body of `stamp()`;
 * `stampHeadsOnClient` (client-stamp.ts) is the shim's narrower variant.
 */
export async function stampOnClient(client: Queryable, options: StampOnClientOptions): Promise<StampResult> {
  const { graph } = options;
  const schema = options.schema ?? 'strata';
  await client.query(createTablesSql(schema));
  const state = await readState(client, schema, { full: true });
  const fromHeads = options.purge ? [] : state.heads;
  const { applied: before, unknown } = graph.appliedFrom(fromHeads);
  if (unknown.length > 0) {
    throw new StrataError(
      'MIGRATION_UNKNOWN_REVISION',
      `The version table holds revision${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, ` +
        `which no file defines; run stamp with --purge (purge: true) to replace it.`,
      { meta: { unknown } },
    );
  }
  const ref = (options.revision ?? 'heads').trim();
  let newHeads: string[];
  if (ref === 'base') newHeads = [];
  else if (ref === 'heads') newHeads = [...graph.heads];
  else if (ref === 'head') {
    if (graph.heads.length > 1) throw multipleHeadsError(graph, "Cannot stamp 'head'");
    newHeads = [...graph.heads];
  } else {
    const rev = graph.resolve(ref).revision;
    const line = new Set([...graph.ancestors(rev), ...graph.descendants(rev)]);
    newHeads = [...graph.headsOf(before).filter((h) => !line.has(h)), rev];
  }
  const after = graph.appliedFrom(newHeads).applied;
  const finalHeads = graph.headsOf(after);
  const added = graph.order.filter((m) => after.has(m.revision) && !before.has(m.revision));
  const removed = graph.order.filter((m) => before.has(m.revision) && !after.has(m.revision));
  const rechecked = graph.order.filter(
    (m) =>
      after.has(m.revision) &&
      before.has(m.revision) &&
      state.checksums.has(m.revision) &&
      !m.matchesChecksum(state.checksums.get(m.revision)!),
  );
  const rows = [
    ...added.map((m) => ({ m, direction: 'up', outcome: 'stamped' })),
    ...rechecked.map((m) => ({ m, direction: 'up', outcome: 'stamped' })),
    ...removed.reverse().map((m) => ({ m, direction: 'down', outcome: 'unstamped' })),
  ];
  const t = tableNames(schema);
  if (options.purge) {
    // What the purged version table implied is unknown to the graph: every revision whose latest
    // settled history row is an up and that stays unapplied gets its `unstamped` row, so the
    // history says it is no longer applied (and applying it again is not a second apply).
    await client.query(
      `INSERT INTO ${t.history} (revision, direction, outcome, file, message, finished_at, duration_ms, tool_version, meta)
       SELECT l.revision, 'down', 'unstamped', l.file, l.message, clock_timestamp(), 0, $2, $3::jsonb
         FROM (SELECT DISTINCT ON (revision) revision, direction, file, message FROM ` +
        `${t.history} WHERE outcome IN ('applied', 'stamped', 'unstamped') ORDER BY revision, id DESC) ` +
        `l
        WHERE l.direction = 'up' AND NOT l.revision = ANY ($1::text[])
        ORDER BY l.revision`,
      [[...after], TOOL_VERSION, JSON.stringify({ purge: true, ...(options.meta ?? {}) })],
    );
  }
  await client.query(`DELETE FROM ${t.version}`);
  if (finalHeads.length > 0) await client.query(`INSERT INTO ${t.version} (revision) SELECT unnest($1::text[])`, [finalHeads]);
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO ${t.history} (revision, direction, outcome, file, message, checksum, finished_at, duration_ms, tool_version, meta)
       SELECT r, d, oc, f, msg, c, clock_timestamp(), 0, $7, $8::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) ` +
        `WITH ORDINALITY AS u(r, d, oc, f, msg, c, n) ORDER BY n`,
      [
        rows.map((r) => r.m.revision),
        rows.map((r) => r.direction),
        rows.map((r) => r.outcome),
        rows.map((r) => r.m.file),
        rows.map((r) => r.m.message),
        rows.map((r) => (r.direction === 'up' ? r.m.checksum : null)),
        TOOL_VERSION,
        JSON.stringify({ purge: !!options.purge, ...(options.meta ?? {}) }),
      ],
    );
  }
  return { from: state.heads, to: finalHeads, checksumsRecorded: [...added, ...rechecked].map((m) => m.revision) };
}
