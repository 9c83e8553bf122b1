import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startPgBouncer, testServerUrl, type PgBouncer } from '@pg-strata/testkit';
import { type CliRun, envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';

const rev = (i: number) => `b${String(i).padStart(11, '0')}`;
const N = 24;

/**
 * A chain of N migrations: tables with indexes and foreign keys, a data
 * backfill, two non-transactional ones (CREATE INDEX CONCURRENTLY), which
 * transaction lock mode has to claim instead of locking, and data migrations
 * that are not idempotent (a counter incremented three times, a suffix
 * appended to every row of t1): applied twice, they show it.
 */
function chain(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= N; i++) {
    const name = `migrations/${String(i).padStart(4, '0')}_m${i}.sql`;
    const parents = i > 1 ? [rev(i - 1)] : [];
    if (i % 10 === 5) {
      files[name] = sqlMigration(
        rev(i),
        parents,
        `CREATE INDEX CONCURRENTLY t${i - 1}_created ON t${i - 1} (created_at);`,
        `DROP INDEX CONCURRENTLY t${i - 1}_created;`,
      );
      continue;
    }
    const fk = i > 1 && i % 10 !== 6 ? `, t${i - 1}_id int REFERENCES t${i - 1}(id)` : '';
    const data =
      i === 1
        ? '\nCREATE TABLE counter (n int NOT NULL);\nINSERT INTO counter VALUES (0);'
        : i % 6 === 1
          ? '\nUPDATE counter SET n = n + 1 WHERE n >= 0;'
          : i === N
            ? "\nUPDATE t1 SET name = name || '!' WHERE id > 0;"
            : '';
    files[name] = sqlMigration(
      rev(i),
      parents,
      `CREATE TABLE t${i} (id int PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()${fk});
INSERT INTO t${i} (id, name) SELECT g, 'row ' || g FROM generate_series(1, 200) g;
CREATE INDEX t${i}_name ON t${i} (name);${data}`,
      `DROP TABLE t${i};${i === 1 ? '\nDROP TABLE counter;' : ''}`,
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
  const r = await rows<{ revision: string; n: string }>(
    url,
    `SELECT revision, count(*) AS n FROM strata.strata_history WHERE direction = 'up' AND outcome = 'applied' GROUP BY revision`,
  );
  return new Map(r.map((x) => [x.revision, Number(x.n)]));
}

function explain(runs: CliRun[], bouncer: PgBouncer): string {
  return (
    runs.map((r, i) => `#${i} exit ${r.code}\n${r.stdout}${r.stderr}`).join('\n---\n') +
    `\n--- pgbouncer log tail:\n${bouncer.log().split('\n').slice(-20).join('\n')}`
  );
}

async function race(url: string, cwd: string, args: string[]): Promise<CliRun[]> {
  return await Promise.all(
    Array.from({ length: 8 }, () => runMigrate(['up', ...args], { cwd, env: { DATABASE_URL: url }, timeoutMs: 120_000 })),
  );
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
    expect(
      runs.map((r) => r.code),
      explain(runs, bouncer),
    ).toEqual(Array(8).fill(0));
    for (const r of runs) expect(r.stderr + r.stdout).not.toContain(new URL(db.url).password);

    const counts = await appliedCounts(db.url);
    expect(counts.size).toBe(N);
    for (let i = 1; i <= N; i++) expect(counts.get(rev(i)), rev(i)).toBe(1);
    expect(await rows(db.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: rev(N) }]);
    expect(await rows(db.url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome IN ('failed', 'running')`)).toEqual([
      { n: 0 },
    ]);
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
    expect(envelope(status.stdout).result).toMatchObject({ current: [rev(N - 3)], atHead: false });
    await db.drop();
  }, 120_000);
});

describe('why transaction pooling needs --lock-mode transaction', () => {
  it(
    'a session advisory lock taken through the pooler is "taken" again by another client that lands ' + 'on the same server connection',
    async () => {
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
    },
  );
});

/** Advisory locks held in the test database (by any session, through the pooler or not). */
async function advisoryLocks(url: string): Promise<number> {
  const r = await rows<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid ` +
      `FROM pg_database WHERE datname = current_database())`,
  );
  return r[0]!.n;
}

/** Everything "exactly once" means for the chain, read directly from the server. */
async function expectAppliedOnce(url: string): Promise<void> {
  const counts = await appliedCounts(url);
  expect(counts.size).toBe(N);
  for (let i = 1; i <= N; i++) expect(counts.get(rev(i)), rev(i)).toBe(1);
  expect(await rows(url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: rev(N) }]);
  expect(await rows(url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome IN ('failed', 'running')`)).toEqual([
    { n: 0 },
  ]);
  // The data migrations' effects: three increments, one suffix per row.
  expect(await rows(url, 'SELECT n FROM counter')).toEqual([{ n: 3 }]);
  expect(
    await rows(
      url,
      `SELECT count(*) FILTER (WHERE name LIKE '%!') ::int AS once, count(*) FILTER (WHERE name LIKE '%!!')::int AS twice FROM t1`,
    ),
  ).toEqual([{ once: 200, twice: 0 }]);
  expect(await rows(url, `SELECT count(*)::int AS n FROM t${N}`)).toEqual([{ n: 200 }]);
  expect(await rows(url, 'SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid')).toEqual([{ n: 0 }]);
  expect(await advisoryLocks(url)).toBe(0);
}

const NOTE = "using transaction-scoped locks (lock mode 'transaction')";

describe.each(['session', 'transaction'] as const)(
  'default options through a real PgBouncer in %s pooling (4 server connections)',
  (poolMode) => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode, poolSize: 4 });
    });
    afterAll(async () => {
      await bouncer?.stop();
    });

    it('8 concurrent `up` processes with default options: all exit 0, each migration applied exactly ' +
      'once, no advisory lock left, the lock mode said once', async () => {
      const db = await createTestDatabase(`e2e_bouncer_auto_${poolMode.slice(0, 2)}`);
      const cwd = tempProject(chain());
      const url = bouncer.url(db.url);
      const runs = await race(url, cwd, []);
      expect(
        runs.map((r) => r.code),
        explain(runs, bouncer),
      ).toEqual(Array(8).fill(0));
      for (const r of runs) {
        expect(r.stderr + r.stdout).not.toContain(new URL(db.url).password);
        expect(r.stderr + r.stdout).not.toMatch(/prepared statement "|deadlock|already exists/);
      }
      await expectAppliedOnce(db.url);
      // PgBouncer's side: the pool runs in the mode under test, and no server connection is left inside a transaction.
      const dbName = new URL(db.url).pathname.slice(1);
      const pools = await bouncer.show('POOLS', dbName);
      expect(pools.map((p) => ({ mode: p.pool_mode, active: Number(p.sv_active), waiting: Number(p.cl_waiting) }))).toEqual([
        { mode: poolMode, active: 0, waiting: 0 },
      ]);
      expect((await bouncer.show('SERVERS', dbName)).filter((sv) => sv.state === 'active')).toEqual([]);
      // Every process that had something to do chose transaction locking by itself and said so once.
      const applied = runs.map((r) => Number(/(\d+) migration\(s\) applied/.exec(r.stdout)?.[1] ?? 0));
      expect(applied.reduce((a, b) => a + b, 0)).toBe(N);
      for (const r of runs.filter((x) => !x.stdout.startsWith('Nothing to do'))) expect(r.stderr.split(NOTE).length - 1, r.stderr).toBe(1);
      // The history rows say which mode applied them.
      expect(await rows(db.url, `SELECT DISTINCT meta->>'mode' AS mode FROM strata.strata_history`)).toEqual([{ mode: 'transaction' }]);

      // `down`, `stamp` and `status` with default options through the same pooler.
      const down = await runMigrate(['down', '-3', '--allow-data-loss'], { cwd, env: { DATABASE_URL: url } });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).toContain(NOTE);
      // Rebuild what N-2 and N-1 made by hand, then record them without running them.
      await rows(db.url, `CREATE TABLE t${N - 2} (id int PRIMARY KEY); CREATE TABLE t${N - 1} (id int PRIMARY KEY)`);
      const stamped = await runMigrate(['stamp', rev(N - 1)], { cwd, env: { DATABASE_URL: url } });
      expect(stamped.code, stamped.stderr).toBe(0);
      const status = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: url } });
      expect(envelope(status.stdout).result).toMatchObject({ current: [rev(N - 1)], atHead: false });
      const again = await race(url, cwd, []);
      expect(
        again.map((r) => r.code),
        explain(again, bouncer),
      ).toEqual(Array(8).fill(0));
      expect(
        await rows(
          db.url,
          `SELECT revision, direction, outcome FROM strata.strata_history WHERE revision IN ('${rev(N - 1)}', '${rev(N)}') ORDER BY id`,
        ),
      ).toEqual([
        { revision: rev(N - 1), direction: 'up', outcome: 'applied' },
        { revision: rev(N), direction: 'up', outcome: 'applied' },
        { revision: rev(N), direction: 'down', outcome: 'applied' },
        { revision: rev(N - 1), direction: 'down', outcome: 'applied' },
        { revision: rev(N - 1), direction: 'up', outcome: 'stamped' },
        { revision: rev(N), direction: 'up', outcome: 'applied' },
      ]);
      expect(await advisoryLocks(db.url)).toBe(0);
      await db.drop();
    }, 240_000);

    it('8 concurrent `ensure` processes with default options apply each migration exactly once', async () => {
      const db = await createTestDatabase(`e2e_bouncer_ensure_${poolMode.slice(0, 2)}`);
      const cwd = tempProject(chain());
      const url = bouncer.url(db.url);
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => runMigrate(['ensure'], { cwd, env: { DATABASE_URL: url }, timeoutMs: 120_000 })),
      );
      expect(
        runs.map((r) => r.code),
        explain(runs, bouncer),
      ).toEqual(Array(8).fill(0));
      await expectAppliedOnce(db.url);
      await db.drop();
    }, 180_000);
  },
);

describe('a fleet through a real PgBouncer in transaction pooling', () => {
  it('4 concurrent `up --targets` over the same 3 databases, default options: every database at ' +
    'head, each migration once in each', async () => {
    const bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode: 'transaction', poolSize: 4 });
    const dbs = await Promise.all([1, 2, 3].map((i) => createTestDatabase(`e2e_bouncer_fleet${i}`)));
    try {
      const cwd = tempProject(chain());
      writeFileSync(join(cwd, 'targets.txt'), `${dbs.map((d) => bouncer.url(d.url)).join('\n')}\n`);
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => runMigrate(['up', '--targets', 'targets.txt', '--concurrency', '3'], { cwd, timeoutMs: 180_000 })),
      );
      expect(
        runs.map((r) => r.code),
        explain(runs, bouncer),
      ).toEqual(Array(4).fill(0));
      for (const d of dbs) await expectAppliedOnce(d.url);
    } finally {
      await bouncer.stop();
      for (const d of dbs) await d.drop();
    }
  }, 240_000);
});

describe('through a real PgBouncer in statement pooling', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ serverUrl: testServerUrl(), poolMode: 'statement', poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('8 concurrent `up` with default options are refused (exit 2) before anything is written, naming ' +
    'the pool mode and what to do', async () => {
    const db = await createTestDatabase('e2e_bouncer_stmt');
    const cwd = tempProject(chain());
    const url = bouncer.url(db.url);
    const runs = await race(url, cwd, []);
    expect(
      runs.map((r) => r.code),
      explain(runs, bouncer),
    ).toEqual(Array(8).fill(2));
    for (const r of runs) {
      expect(r.stderr).toContain('statement pooling mode (pool_mode = statement)');
      expect(r.stderr).toContain('Nothing was applied. Use a direct connection');
      expect(r.stderr + r.stdout).not.toContain(new URL(db.url).password);
    }
    // Not even Strata's tables: the refusal comes before the first write.
    expect(await rows(db.url, `SELECT to_regnamespace('strata')::text AS s, to_regclass('counter')::text AS c`)).toEqual([
      { s: null, c: null },
    ]);
    expect(await advisoryLocks(db.url)).toBe(0);
    // `stamp` is refused the same way; `status` (single statements) works.
    const stamped = await runMigrate(['stamp', 'head'], { cwd, env: { DATABASE_URL: url } });
    expect(stamped.code, stamped.stderr).toBe(2);
    expect(stamped.stderr).toContain('statement pooling mode');
    const status = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: url } });
    expect(status.code, status.stderr).toBe(0);
    expect(envelope(status.stdout).result).toMatchObject({ initialised: false, atHead: false });
    // A forced lock mode is used as given: the first transaction the pooler refuses ends the run with the same message.
    const forced = await runMigrate(['up', '--lock-mode', 'transaction'], { cwd, env: { DATABASE_URL: url } });
    expect(forced.code, forced.stderr).toBe(2);
    expect(forced.stderr).toContain('statement pooling mode (pool_mode = statement)');
    expect(await rows(db.url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied'`)).toEqual([{ n: 0 }]);
    expect(await advisoryLocks(db.url)).toBe(0);
    await db.drop();
  }, 180_000);
});

describe('a direct connection', () => {
  it('keeps the session lock (no note), and the history says so', async () => {
    const db = await createTestDatabase('e2e_direct_auto');
    const cwd = tempProject(chain());
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(NOTE);
    expect(await rows(db.url, `SELECT DISTINCT meta->>'mode' AS mode FROM strata.strata_history`)).toEqual([{ mode: 'session' }]);
    await expectAppliedOnce(db.url);
    await db.drop();
  });
});
