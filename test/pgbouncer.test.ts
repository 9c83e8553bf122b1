import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startPgBouncer, testServerUrl, type PgBouncer } from '@strata/testkit';
import { runMigrate, sqlMigration, tempProject, type CliRun } from './support/cli.js';

const rev = (i: number) => `b${String(i).padStart(11, '0')}`;
const N = 24;

/**
 * A chain of N migrations: tables with indexes and foreign keys, a data
 * backfill, and two non-transactional ones (CREATE INDEX CONCURRENTLY), which
 * transaction lock mode has to claim instead of locking.
 */
function chain(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= N; i++) {
    const name = `migrations/${String(i).padStart(4, '0')}_m${i}.sql`;
    const parents = i > 1 ? [rev(i - 1)] : [];
    if (i % 10 === 5) {
      files[name] = sqlMigration(rev(i), parents, `CREATE INDEX CONCURRENTLY t${i - 1}_created ON t${i - 1} (created_at);`, `DROP INDEX CONCURRENTLY t${i - 1}_created;`);
      continue;
    }
    const fk = i > 1 && i % 10 !== 6 ? `, t${i - 1}_id int REFERENCES t${i - 1}(id)` : '';
    files[name] = sqlMigration(
      rev(i),
      parents,
      `CREATE TABLE t${i} (id int PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()${fk});
INSERT INTO t${i} (id, name) SELECT g, 'row ' || g FROM generate_series(1, 200) g;
CREATE INDEX t${i}_name ON t${i} (name);`,
      `DROP TABLE t${i};`,
    );
  }
  return files;
}

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Each revision: how many `applied` up rows the history holds (must be exactly 1). */
async function appliedCounts(url: string): Promise<Map<string, number>> {
  const r = await rows<{ revision: string; n: string }>(url, `SELECT revision, count(*) AS n FROM strata.strata_history WHERE direction = 'up' AND outcome = 'applied' GROUP BY revision`);
  return new Map(r.map((x) => [x.revision, Number(x.n)]));
}

function explain(runs: CliRun[], bouncer: PgBouncer): string {
  return runs.map((r, i) => `#${i} exit ${r.code}\n${r.stdout}${r.stderr}`).join('\n---\n') + `\n--- pgbouncer log tail:\n${bouncer.log().split('\n').slice(-20).join('\n')}`;
}

async function race(url: string, cwd: string, args: string[]): Promise<CliRun[]> {
  return await Promise.all(Array.from({ length: 8 }, () => runMigrate(['up', ...args], { cwd, env: { DATABASE_URL: url }, timeoutMs: 120_000 })));
}

describe('through a real PgBouncer in transaction pooling', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode: 'transaction', poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('8 concurrent `up --lock-mode transaction` processes apply each migration exactly once', async () => {
    const db = await createTestDatabase('e2e_bouncer_tx');
    const cwd = tempProject(chain());
    const url = bouncer.url(db.url);
    const runs = await race(url, cwd, ['--lock-mode', 'transaction']);
    expect(runs.map((r) => r.code), explain(runs, bouncer)).toEqual(Array(8).fill(0));
    for (const r of runs) expect(r.stderr + r.stdout).not.toContain(new URL(db.url).password);

    const counts = await appliedCounts(db.url);
    expect(counts.size).toBe(N);
    for (let i = 1; i <= N; i++) expect(counts.get(rev(i)), rev(i)).toBe(1);
    expect(await rows(db.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: rev(N) }]);
    expect(await rows(db.url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome IN ('failed', 'running')`)).toEqual([{ n: 0 }]);
    // Every table got its 200 rows exactly once, and no index is left INVALID.
    expect(await rows(db.url, `SELECT count(*)::int AS n FROM t${N}`)).toEqual([{ n: 200 }]);
    expect(await rows(db.url, 'SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid')).toEqual([{ n: 0 }]);
    // Together the processes applied N migrations; the others reported nothing to do or skipped.
    const applied = runs.map((r) => Number(/(\d+) migration\(s\) applied/.exec(r.stdout)?.[1] ?? 0));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(N);

    // A re-run through the pooler is a no-op.
    const again = await runMigrate(['up', '--lock-mode', 'transaction'], { cwd, env: { DATABASE_URL: url } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing to do: the database is at ${rev(N)}`);
    await db.drop();
  }, 180_000);

  it('status and down work through the pooler too', async () => {
    const db = await createTestDatabase('e2e_bouncer_down');
    const cwd = tempProject(chain());
    const url = bouncer.url(db.url);
    expect((await runMigrate(['up', '--lock-mode', 'transaction'], { cwd, env: { DATABASE_URL: url } })).code).toBe(0);
    const down = await runMigrate(['down', '-3', '--lock-mode', 'transaction', '--allow-data-loss'], { cwd, env: { DATABASE_URL: url } });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`now at ${rev(N - 3)}`);
    const status = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: url } });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ current: [rev(N - 3)], atHead: false });
    await db.drop();
  }, 120_000);
});

describe('why transaction pooling needs --lock-mode transaction', () => {
  it('a session advisory lock taken through the pooler is "taken" again by another client that lands on the same server connection', async () => {
    const bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode: 'transaction', poolSize: 1 });
    const db = await createTestDatabase('e2e_bouncer_lock');
    const a = new pg.Client({ connectionString: bouncer.url(db.url) });
    const b = new pg.Client({ connectionString: bouncer.url(db.url) });
    try {
      await a.connect();
      await b.connect();
      expect((await a.query('SELECT pg_try_advisory_lock(42) AS ok')).rows).toEqual([{ ok: true }]);
      // Directly on the server a second session is refused; through the pooler, B's statement runs on
      // the one server connection that holds A's lock, and advisory locks are re-entrant per session.
      const direct = new pg.Client({ connectionString: db.url });
      await direct.connect();
      expect((await direct.query('SELECT pg_try_advisory_lock(42) AS ok')).rows).toEqual([{ ok: false }]);
      await direct.end();
      expect((await b.query('SELECT pg_try_advisory_lock(42) AS ok')).rows).toEqual([{ ok: true }]);
    } finally {
      await a.end().catch(() => {});
      await b.end().catch(() => {});
      await bouncer.stop();
      await db.drop();
    }
  });
});

describe('through a real PgBouncer in session pooling', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode: 'session', poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('8 concurrent `up` processes (session lock) apply each migration exactly once, sharing 4 server connections', async () => {
    const db = await createTestDatabase('e2e_bouncer_session');
    const cwd = tempProject(chain());
    const url = bouncer.url(db.url);
    const runs = await race(url, cwd, []);
    expect(runs.map((r) => r.code), explain(runs, bouncer)).toEqual(Array(8).fill(0));
    const counts = await appliedCounts(db.url);
    expect(counts.size).toBe(N);
    for (let i = 1; i <= N; i++) expect(counts.get(rev(i)), rev(i)).toBe(1);
    expect(await rows(db.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: rev(N) }]);
    await db.drop();
  }, 180_000);
});
