import { StrataError, connect, describeConnection, isPgDatabaseError, type Queryable } from '@pg-strata/core';

/** A health check: SQL run in a read-only transaction before or after migrating. */
export interface HealthCheck {
  /** The SQL (one or more statements). */
  sql: string;
  /** Where it came from (`checks/after.sql`, or `'--check-after'` for inline SQL), for messages. */
  source: string;
}

/** The outcome of a health check. */
export interface HealthCheckResult {
  ok: boolean;
  source: string;
  durationMs: number;
  /** Why it failed: PostgreSQL's error, or the value that was false. */
  reason?: string;
}

/** Options of {@link runHealthCheck}. */
export interface HealthCheckOptions {
  url: string;
  check: HealthCheck;
  /** `statement_timeout` of the check. Default `'60s'`. */
  timeout?: string;
  /** Default `'strata-check'`. */
  applicationName?: string;
}

/**
 * Run a health check in a `READ ONLY` transaction that is rolled back (a
 * check never changes anything). It fails when a statement raises an error
 * (`RAISE EXCEPTION` in a DO block, a missing table, a timeout) or when the
 * last statement returns a row whose first column is `false` or NULL
 * (`SELECT count(*) > 0 FROM users`). Connection failures are thrown.
 */
export async function runHealthCheck(options: HealthCheckOptions): Promise<HealthCheckResult> {
  const client = await connect({ url: options.url, applicationName: options.applicationName ?? 'strata-check' });
  try {
    return await runHealthCheckOn(client, options.check, options.timeout ?? '60s', options.url);
  } finally {
    await client.end().catch(() => {});
  }
}

/** {@link runHealthCheck} on an open connection. */
export async function runHealthCheckOn(client: Queryable, check: HealthCheck, timeout = '60s', url?: string): Promise<HealthCheckResult> {
  const started = Date.now();
  const done = (ok: boolean, reason?: string): HealthCheckResult => ({
    ok,
    source: check.source,
    durationMs: Date.now() - started,
    ...(reason === undefined ? {} : { reason }),
  });
  await client.query('BEGIN TRANSACTION READ ONLY');
  try {
    await client.query("SELECT set_config('statement_timeout', $1, true)", [timeout]);
    // Simple protocol: the check may hold several statements; pg returns one result per statement.
    const res = (await client.query(check.sql)) as unknown as
      | { rows?: Record<string, unknown>[]; fields?: { name: string }[] }
      | { rows?: Record<string, unknown>[]; fields?: { name: string }[] }[];
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    const row = last?.rows?.[0];
    const column = last?.fields?.[0]?.name;
    if (row && column !== undefined) {
      const value = row[column];
      if (value === false || value === null) return done(false, `it returned ${value === null ? 'NULL' : 'false'} (column "${column}")`);
    }
    return done(true);
  } catch (err) {
    if (isPgDatabaseError(err)) return done(false, `${err.message} (SQLSTATE ${err.code})`);
    throw new StrataError(
      'DB_QUERY',
      `Health check ${check.source} on ${url ? describeConnection(url) : 'the database'} could not run: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}
