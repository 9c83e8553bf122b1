import { hash } from 'node:crypto';
import { isPgDatabaseError, quoteIdent, quoteLiteral, type Queryable } from '@pg-strata/core';
import type { Direction, HistoryEntry } from './types.js';
import type { ClaimedStatement, RunningRow } from './interrupted.js';

/** Strata's version, written into every history row. */
export const TOOL_VERSION = '0.1.0';

/** Qualified names of Strata's tables in `schema`. */
export function tableNames(schema: string): { schema: string; version: string; history: string; summary: string } {
  const s = quoteIdent(schema);
  return { schema: s, version: `${s}.strata_version`, history: `${s}.strata_history`, summary: `${s}.strata_summary` };
}

/**
 * DDL creating Strata's schema and tables if missing. Run only while holding
 * the run lock: concurrent `CREATE TABLE IF NOT EXISTS` can still fail with a
 * unique violation in pg_type, so two first-boot replicas must not race here.
 */
export function createTablesSql(schema: string): string {
  const t = tableNames(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${t.schema};
CREATE TABLE IF NOT EXISTS ${t.version} (
  revision text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${t.history} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  revision text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('up', 'down')),
  outcome text NOT NULL CHECK (outcome IN ('applied', 'failed', 'stamped', 'unstamped', 'running')),
  file text,
  message text,
  checksum text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  duration_ms integer,
  applied_by text NOT NULL DEFAULT current_user,
  tool_version text NOT NULL,
  error text,
  meta jsonb NOT NULL DEFAULT '{}',
  generation integer
);
CREATE INDEX IF NOT EXISTS strata_history_revision_idx ON ${t.history} (revision, id);
${historyOnceSql(schema)}CREATE TABLE IF NOT EXISTS ${t.summary} (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  applied_digest text NOT NULL,
  history_max_id bigint NOT NULL,
  clean boolean NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
`;
}

/** Outcomes that change whether a revision is applied (`running` and `failed` do not). */
const SETTLED = "('applied', 'stamped', 'unstamped')";

/**
 * The history's last line of defence against a migration applied (or
 * reverted) twice: every `applied` row carries a `generation`, the number of
 * earlier settled rows of the same revision in the other direction, and
 * (revision, direction, generation) is unique among `applied` rows. Applied,
 * reverted, applied again gives the two ups generations 0 and 1; a second up
 * without a down between gets the first one's generation, and its
 * transaction (the migration with it) fails with a unique violation, also
 * when the two runners did not overlap in time. The version table's primary
 * key (revision) already keeps a revision from being recorded twice.
 *
 * Tables made by an older Strata get the column, their applied rows a
 * generation (a duplicate the old bug left keeps NULL: ignored by the index),
 * and the index, once: the block does nothing once the index exists.
 */
function historyOnceSql(schema: string): string {
  const t = tableNames(schema);
  return (
    `DO $strata$ BEGIN
  IF to_regclass(${quoteLiteral(`${t.schema}.strata_history_applied_once`)}) IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${quoteLiteral(t.history)}` +
    `::regclass AND attname = 'generation' AND NOT attisdropped) THEN
      ALTER TABLE ${t.history} ADD COLUMN generation integer;
    END IF;
    UPDATE ${t.history} h SET generation = x.n
      FROM (SELECT id, n, row_number() OVER (PARTITION BY revision, direction, n ORDER BY id) AS k
              FROM (SELECT id, revision, direction, outcome,
                           coalesce(CASE direction WHEN 'up' THEN sum((direction = 'down' AND outcome IN ${SETTLED})::int) OVER w
                                                   ELSE sum((direction = 'up' AND outcome IN ${SETTLED})::int) OVER w END, 0) AS n
                      FROM ${t.history}
                    WINDOW w AS (PARTITION BY revision ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) s
             WHERE outcome = 'applied') x
     WHERE h.id = x.id AND x.k = 1 AND h.generation IS NULL;
    CREATE UNIQUE INDEX strata_history_applied_once ON ${t.history} (revision, direction, generation) WHERE outcome = 'applied';
  END IF;
END $strata$;
`
  );
}

/** The `generation` of an `applied` row (see historyOnceSql), as an expression on the row's revision and direction. */
function generationSql(history: string, revision: string, direction: string): string {
  return (
    `(SELECT count(*)::int FROM ${history} g WHERE g.revision = ${revision} AND g.direction <> ` +
    `${direction} AND g.outcome IN ${SETTLED})`
  );
}

/**
 * FROM/WHERE of the history's failures that no later row of the same
 * revision superseded (rare: the query starts from them), as `f`.
 */
function failedRows(history: string): string {
  return (
    `${history} f WHERE f.outcome = 'failed' AND f.meta->>'resolved' IS NULL AND NOT EXISTS (SELECT ` +
    `1 FROM ${history} l WHERE l.revision = f.revision AND l.id > f.id)`
  );
}

/**
 * The history's checksums of the applied revisions, as one value: sha256 (hex)
 * of \`revision:checksum\` pairs, ordered by revision (byte order), joined by
 * commas. A revision counts as applied when its latest successful event is an
 * \`up\`; its checksum is that event's. The runner computes the same from the
 * files ({@link appliedDigestOf}): when the two agree, every applied file is as
 * it was applied, and the checksums themselves need not cross the wire.
 */
function appliedDigestSql(history: string): string {
  return (
    `SELECT encode(sha256(convert_to(coalesce(string_agg(l.revision || ':' || l.checksum, ',' ORDER ` +
    `BY l.revision COLLATE "C"), ''), 'UTF8')), 'hex')
  FROM (SELECT DISTINCT ON (revision) revision, direction, checksum FROM ${history} WHERE ` +
    `outcome IN ('applied', 'stamped', 'unstamped') ORDER BY revision, id DESC) l
 WHERE l.direction = 'up' AND l.checksum IS NOT NULL`
  );
}

/** The digest {@link appliedDigestSql} computes, from \`[revision, checksum]\` pairs. */
export function appliedDigestOf(pairs: Iterable<readonly [string, string]>): string {
  const sorted = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hash('sha256', sorted.map(([r, c]) => `${r}:${c}`).join(','), 'hex');
}

/**
 * Write the summary a later run reads instead of the whole history: the
 * applied digest, the history's newest id (a summary is trusted only while
 * that is still the newest: any later history row, from whatever writer,
 * makes it stale), and whether no failure or running claim is outstanding.
 * Runs after a run that wrote history, and at the end of offline scripts;
 * about as costly as one full state read, once. With `lockKey`, only if the
 * run lock is free or this session's (writes nothing otherwise: a run that
 * holds it will write its own).
 */
export function refreshSummarySql(schema: string, lockKey?: bigint): string {
  const t = tableNames(schema);
  return (
    `INSERT INTO ${t.summary} (one, applied_digest, history_max_id, clean, written_at)
SELECT true, (${appliedDigestSql(t.history)}), coalesce((SELECT max(id) FROM ${t.history}), 0),
       NOT EXISTS (SELECT 1 FROM ${failedRows(t.history)}) AND NOT EXISTS (SELECT 1 FROM ${t.history} WHERE outcome = 'running'), now()${
         lockKey === undefined
           ? ''
           : `
 WHERE pg_try_advisory_xact_lock(${lockKey.toString()}::bigint)`
       }
ON CONFLICT (one) DO UPDATE SET applied_digest = EXCLUDED.applied_digest, history_max_id = ` +
    `EXCLUDED.history_max_id, clean = EXCLUDED.clean, written_at = EXCLUDED.written_at;
`
  );
}

/** What the database records, read in one round trip. */
export interface DbState {
  /** Whether Strata's tables exist. */
  initialised: boolean;
  /** Version-table rows (current heads). */
  heads: string[];
  /**
   * Checksum recorded by the latest successful `up` (applied or stamped) of
   * each revision. Empty when `appliedDigest` stands for it.
   */
  checksums: Map<string, string>;
  /**
   * Set when a fresh summary answered instead of the history: the digest of
   * the applied revisions' checksums ({@link appliedDigestOf}), and then no
   * failure or running claim is outstanding. The runner compares it with the
   * files' and reads every checksum only when they differ.
   */
  appliedDigest?: string;
  /** Revisions whose latest history row is a failure. */
  failures: Map<
    string,
    { direction: Direction; at: string; error: string; sqlstate: string | null; file: string | null; meta: Record<string, unknown> }
  >;
  /** INVALID indexes (`schema.name`), when asked for. */
  invalidIndexes: string[];
  /** Non-transactional migrations recorded as running: in progress (`alive`) or interrupted. */
  running: RunningRow[];
}

/**
 * "Where is the database?", in one round trip when the summary answers: the
 * version rows and, when the summary is fresh (written after the history's
 * newest row, with nothing failed or running), its digest of the applied
 * checksums. Otherwise (summary missing, stale or not clean; or with `full`)
 * a second query reads the history: the latest checksum of each applied
 * revision, the latest failure of each revision and the running claims.
 * Optionally the INVALID indexes. A missing schema/table means "never run";
 * a missing summary table (tables made by an older Strata) means the full read.
 *
 * Why two queries rather than one with the history parts behind a filter: a
 * fresh connection plans every part of a query, executed or not, and the
 * history parts' catalogue lookups were most of its cost. Measured on a
 * fresh connection at 1,000 migrations (medians of 11): version rows and
 * summary 6.7 ms; the same with the filtered history parts 11.7 ms; the
 * history read itself ~16 ms. The second round trip is paid only after a
 * write that did not refresh the summary.
 */
export async function readState(
  client: Queryable,
  schema: string,
  options: { invalidIndexes?: boolean; full?: boolean } = {},
): Promise<DbState> {
  const t = tableNames(schema);
  const parts = [`SELECT 'v' AS k, revision AS r, NULL AS a, NULL AS b, NULL AS c, NULL::jsonb AS m FROM ${t.version}`];
  if (options.full) {
    parts.push(
      // Every applied checksum in one jsonb value: one row, not one per migration
      // (a thousand rows cost the client ~10 ms to decode; one JSON.parse ~0.5 ms).
      `SELECT 'c', NULL, NULL, NULL, NULL, jsonb_object_agg(r, c) FROM (SELECT DISTINCT ON (revision) ` +
        `revision AS r, checksum AS c FROM ${t.history} WHERE direction = 'up' AND outcome IN ` +
        `('applied', 'stamped') AND checksum IS NOT NULL ORDER BY revision, id DESC) c`,
      `SELECT 'f', f.revision, f.direction, to_json(f.finished_at) #>> '{}', f.error, f.meta || ` +
        `jsonb_build_object('file', f.file) FROM ${failedRows(t.history)}`,
      // Claims of non-transactional migrations in transaction lock mode (deleted when they settle).
      // Each with whether the session that wrote it is still there (an interrupted one is not).
      `SELECT 'r', revision, direction, to_json(started_at) #>> '{}', id::text, meta || ` +
        `jsonb_build_object('file', file, 'checksum', checksum, 'alive', EXISTS (SELECT 1 FROM ` +
        `pg_stat_activity a WHERE a.pid = (h.meta->>'pid')::int AND to_json(a.backend_start) #>> '{}' = ` +
        `h.meta->>'backendStart')) FROM ${t.history} h WHERE outcome = 'running'`,
    );
  } else {
    parts.push(
      `SELECT 'd', applied_digest, NULL, NULL, NULL, NULL FROM ${t.summary} WHERE clean AND ` +
        `history_max_id = coalesce((SELECT max(id) FROM ${t.history}), 0)`,
    );
  }
  if (options.invalidIndexes) parts.push(INVALID_INDEXES_PART);
  type Row = { k: string; r: string; a: string | null; b: string | null; c: string | null; m: Record<string, unknown> | null };
  let rows: Row[];
  try {
    rows = (await client.query<Row>(parts.join('\nUNION ALL\n'))).rows;
  } catch (err) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: Strata never ran here;
    // or, without `full`, the summary is missing (tables made by an older
    // Strata) or not as this one makes it (42703 undefined_column): the history answers.
    if (isPgDatabaseError(err) && (err.code === '42P01' || err.code === '42703') && !options.full)
      return await readState(client, schema, { ...options, full: true });
    if (isPgDatabaseError(err) && (err.code === '42P01' || err.code === '3F000')) {
      const invalidIndexes = options.invalidIndexes ? (await client.query<Row>(INVALID_INDEXES_PART)).rows.map((r) => r.r) : [];
      return { initialised: false, heads: [], checksums: new Map(), failures: new Map(), invalidIndexes, running: [] };
    }
    throw err;
  }
  // Without `full`, the summary answers or the history must; the INVALID
  // indexes this query found are kept rather than looked up again.
  if (!options.full && !rows.some((row) => row.k === 'd')) {
    const full = await readState(client, schema, { full: true });
    full.invalidIndexes = rows.filter((row) => row.k === 'i').map((row) => row.r);
    return full;
  }
  const state: DbState = { initialised: true, heads: [], checksums: new Map(), failures: new Map(), invalidIndexes: [], running: [] };
  for (const row of rows) {
    if (row.k === 'v') state.heads.push(row.r);
    else if (row.k === 'd') state.appliedDigest = row.r;
    else if (row.k === 'c') for (const [revision, checksum] of Object.entries(row.m ?? {})) state.checksums.set(revision, String(checksum));
    else if (row.k === 'i') state.invalidIndexes.push(row.r);
    else if (row.k === 'r') state.running.push(runningRow(row.c ?? '', row.r, (row.a ?? 'up') as Direction, row.b ?? '', row.m ?? {}));
    else {
      const meta = row.m ?? {};
      state.failures.set(row.r, {
        direction: (row.a ?? 'up') as Direction,
        at: row.b ?? '',
        error: row.c ?? '',
        sqlstate: typeof meta.sqlstate === 'string' ? meta.sqlstate : null,
        file: typeof meta.file === 'string' ? meta.file : null,
        meta,
      });
    }
  }
  state.heads.sort();
  return state;
}

/** A `running` history row from its columns and meta. */
export function runningRow(id: string, revision: string, direction: Direction, since: string, meta: Record<string, unknown>): RunningRow {
  return {
    id,
    revision,
    direction,
    since,
    pid: typeof meta.pid === 'number' ? meta.pid : null,
    alive: meta.alive === true,
    checksum: typeof meta.checksum === 'string' ? meta.checksum : null,
    file: typeof meta.file === 'string' ? meta.file : null,
    statements: Array.isArray(meta.statements) ? (meta.statements as ClaimedStatement[]) : null,
    statementsDone: typeof meta.statementsDone === 'number' ? meta.statementsDone : 0,
  };
}

/** The version table's rows alone (current heads, sorted); none when Strata never ran here. */
export async function readHeads(client: Queryable, schema: string): Promise<string[]> {
  try {
    return (
      await client.query<{ revision: string }>(`SELECT revision FROM ${tableNames(schema).version} ORDER BY revision COLLATE "C"`)
    ).rows.map((r) => r.revision);
  } catch (err) {
    if (isPgDatabaseError(err) && (err.code === '42P01' || err.code === '3F000')) return [];
    throw err;
  }
}

const INVALID_INDEXES_PART = `SELECT 'i' AS k, format('%s.%s', n.nspname, c.relname) AS r, NULL AS a, NULL AS b, NULL AS c, NULL::jsonb AS m
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

/** Every INVALID index (left by a failed CREATE INDEX CONCURRENTLY), as `schema.name`. */
export async function invalidIndexes(client: Queryable): Promise<string[]> {
  return (await client.query<{ r: string }>(`${INVALID_INDEXES_PART} ORDER BY 2`)).rows.map((r) => r.r);
}

/** What a history row records about a step. */
export interface StepRecord {
  revision: string;
  direction: Direction;
  file: string;
  message: string;
  checksum: string | null;
  meta: Record<string, unknown>;
}

/** Column names of the history row a batched step returns (online only; see {@link stepDml}). */
export const STEP_RETURNING = { revision: 'strata_step_revision', durationMs: 'strata_step_duration_ms' } as const;

/**
 * The version/history DML of one step as SQL text with literals (the simple
 * protocol, which carries a migration's statements, takes no parameters).
 * Offline scripts print it; online it runs in transaction lock mode, for
 * non-transactional steps, and in batches when the prepared form
 * ({@link prepareStepDml}, the same rows) cannot be used. Every value goes
 * through quoteLiteral. Timing is taken on the server: started = transaction
 * start, unless `startedAt` is given (non-transactional steps). With
 * `returning` (online, batched steps) the history insert returns the revision
 * and the server-measured duration, which is how a batch learns each step's
 * time, and the start is the batched transaction's own (BATCHED_STARTED).
 */
export function stepDml(
  schema: string,
  change: { remove: string[]; add: string[] },
  record: StepRecord,
  startedAt?: string,
  options: { returning?: boolean } = {},
): string {
  const t = tableNames(schema);
  const out: string[] = [];
  if (change.remove.length > 0) out.push(`DELETE FROM ${t.version} WHERE revision IN (${change.remove.map(quoteLiteral).join(', ')});`);
  if (change.add.length > 0)
    out.push(`INSERT INTO ${t.version} (revision) VALUES ${change.add.map((r) => `(${quoteLiteral(r)})`).join(', ')};`);
  const started = startedAt ? `${quoteLiteral(startedAt)}::timestamptz` : options.returning ? BATCHED_STARTED : 'now()';
  out.push(
    `INSERT INTO ${t.history} (revision, direction, outcome, file, message, checksum, started_at, ` +
      `finished_at, duration_ms, tool_version, meta, generation) VALUES (` +
      [
        quoteLiteral(record.revision),
        quoteLiteral(record.direction),
        "'applied'",
        quoteLiteral(record.file),
        quoteLiteral(record.message),
        record.checksum === null ? 'NULL' : quoteLiteral(record.checksum),
        started,
        'clock_timestamp()',
        `round(extract(epoch FROM clock_timestamp() - ${started}) * 1000)::int`,
        quoteLiteral(TOOL_VERSION),
        `${quoteLiteral(JSON.stringify(record.meta))}::jsonb`,
        generationSql(t.history, quoteLiteral(record.revision), quoteLiteral(record.direction)),
      ].join(', ') +
      (options.returning ? `) RETURNING revision AS ${STEP_RETURNING.revision}, duration_ms AS ${STEP_RETURNING.durationMs};` : ');'),
  );
  return out.join('\n');
}

/**
 * When a batched step's transaction began. now() will not do: PostgreSQL
 * takes it from the start of the message, which a batch shares, so each
 * batched transaction records clock_timestamp() in a transaction-local
 * setting as it begins (see batchPrefixSql).
 */
export const BATCHED_STARTED = "current_setting('strata.step_started')::timestamptz";

/** The start of a batched step's transaction: timeouts and its start time, in one statement. */
export function batchPrefixSql(lock: string, statement: string): string {
  return (
    `BEGIN;\nSELECT set_config('lock_timeout', ${quoteLiteral(lock)}, true), ` +
    `set_config('statement_timeout', ${quoteLiteral(statement)}, true), ` +
    `set_config('strata.step_started', clock_timestamp()::text, true);\n`
  );
}

/** Name of the session's prepared version/history statement (see {@link prepareStepDml}). */
export const STEP_STATEMENT = 'strata_record_step';

/**
 * PREPARE the version/history DML of a step as one statement: the same rows
 * as {@link stepDml}, but parsed and planned once per run instead of once
 * per migration (about 0.1 ms of server time each). Online runs under the
 * session lock use it; offline scripts and transaction lock mode (where a
 * pooler may hand each transaction another server connection) keep the
 * literal DML.
 */
export function prepareStepDml(schema: string): string {
  const t = tableNames(schema);
  return (
    `PREPARE ${STEP_STATEMENT}(text[], text[], text, text, text, text, text, text, jsonb) AS
WITH removed AS (DELETE FROM ${t.version} WHERE revision = ANY ($1)),
     added AS (INSERT INTO ${t.version} (revision) SELECT unnest($2))
INSERT INTO ${t.history} (revision, direction, outcome, file, message, checksum, started_at, ` +
    `finished_at, duration_ms, tool_version, meta, generation)
VALUES ($3, $4, 'applied', $5, $6, $7, ${BATCHED_STARTED}, clock_timestamp(), ` +
    `round(extract(epoch FROM clock_timestamp() - ${BATCHED_STARTED}) * 1000)::int, $8, $9, ` +
    `${generationSql(t.history, '$3', '$4')})
RETURNING revision AS ${STEP_RETURNING.revision}, duration_ms AS ${STEP_RETURNING.durationMs}`
  );
}

/** EXECUTE the prepared step DML (one statement) for a step of a transaction. */
export function executeStepDml(change: { remove: string[]; add: string[] }, record: StepRecord): string {
  const arr = (xs: string[]) => `ARRAY[${xs.map(quoteLiteral).join(', ')}]::text[]`;
  const args = [
    arr(change.remove),
    arr(change.add),
    quoteLiteral(record.revision),
    quoteLiteral(record.direction),
    quoteLiteral(record.file),
    quoteLiteral(record.message),
    record.checksum === null ? 'NULL' : quoteLiteral(record.checksum),
    quoteLiteral(TOOL_VERSION),
    quoteLiteral(JSON.stringify(record.meta)),
  ];
  return `EXECUTE ${STEP_STATEMENT}(${args.join(', ')});`;
}

/**
 * The columns every history row starts with, as query parameters $1-$7:
 * revision, direction, file, message, checksum, started_at, tool_version.
 */
export function stepRecordParams(record: StepRecord, startedAt: Date): unknown[] {
  return [record.revision, record.direction, record.file, record.message, record.checksum, startedAt.toISOString(), TOOL_VERSION];
}

/** Record a failed attempt (its own autocommit statement, after the rollback). */
export async function recordFailure(client: Queryable, schema: string, record: StepRecord, startedAt: Date, error: string): Promise<void> {
  const t = tableNames(schema);
  await client.query(
    `INSERT INTO ${t.history} (revision, direction, outcome, file, message, checksum, started_at, ` +
      `finished_at, duration_ms, tool_version, error, meta)
     VALUES ($1, $2, 'failed', $3, $4, $5, $6, clock_timestamp(), round(extract(epoch FROM ` +
      `clock_timestamp() - $6::timestamptz) * 1000)::int, $7, $8, $9)`,
    [...stepRecordParams(record, startedAt), error, JSON.stringify(record.meta)],
  );
}

/** History rows, newest first. */
export async function readHistory(client: Queryable, schema: string, limit?: number): Promise<HistoryEntry[]> {
  const t = tableNames(schema);
  type Row = {
    id: string;
    revision: string;
    direction: Direction;
    outcome: HistoryEntry['outcome'];
    file: string | null;
    message: string | null;
    checksum: string | null;
    started_at: string;
    finished_at: string | null;
    duration_ms: number | null;
    applied_by: string;
    tool_version: string;
    error: string | null;
    meta: Record<string, unknown>;
  };
  let rows: Row[];
  try {
    rows = (
      await client.query<Row>(
        // ORDER BY h.id, the bigint column: a bare 'id' would name the text output column and sort '9' after '15'.
        `SELECT h.id::text AS id, revision, direction, outcome, file, message, checksum, ` +
          `to_json(started_at) #>> '{}' AS started_at, to_json(finished_at) #>> '{}' AS ` +
          `finished_at,
              duration_ms, applied_by, tool_version, error, meta
         FROM ${t.history} h ORDER BY h.id DESC LIMIT $1`,
        [limit ?? null],
      )
    ).rows;
  } catch (err) {
    if (isPgDatabaseError(err) && (err.code === '42P01' || err.code === '3F000')) return [];
    throw err;
  }
  return rows.map((r) => ({
    id: Number(r.id),
    revision: r.revision,
    direction: r.direction,
    outcome: r.outcome,
    file: r.file,
    message: r.message,
    checksum: r.checksum,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    appliedBy: r.applied_by,
    toolVersion: r.tool_version,
    error: r.error,
    meta: r.meta,
  }));
}
