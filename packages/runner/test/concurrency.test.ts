import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { upgrade, type RunnerEvent } from '@pg-strata/runner';
import pg from 'pg';
import { query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_concurrency');
// c000 plus 49 more: a 50-migration chain.
const N = 49;
// One non-transactional migration in the chain (claimed, not locked, in transaction mode).
const CONCURRENT = 25;

function folderFor(app: string) {
  const t = tempMigrations();
  t.write('0000_schema.sql', sqlMigration('c000', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.counter (i int);`));
  for (let i = 1; i <= N; i++) {
    const rev = `c${String(i).padStart(3, '0')}`;
    const parent = `c${String(i - 1).padStart(3, '0')}`;
    // no IF NOT EXISTS: a migration run twice would fail
    const body =
      i === CONCURRENT
        ? `CREATE INDEX CONCURRENTLY t1_id ON ${app}.t1 (id);`
        : `CREATE TABLE ${app}.t${i} (id int);\nINSERT INTO ${app}.counter VALUES (${i});`;
    t.write(`${String(i).padStart(4, '0')}_m${i}.sql`, sqlMigration(rev, [parent], body));
  }
  return t;
}

async function race(lockMode: 'session' | 'transaction', app: string, schema: string) {
  const t = folderFor(app);
  try {
    const url = db().url;
    const events: RunnerEvent[] = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        upgrade({ url, migrationsDir: t.dir, schema, lockMode, applicationName: `runner-${i}`, onEvent: (e) => events.push(e) }),
      ),
    );
    for (const r of results) expect(r.error?.message ?? null).toBeNull();
    const applied = results.flatMap((r) => r.steps.filter((s) => s.status === 'applied').map((s) => s.revision));
    expect(applied.sort()).toEqual(Array.from({ length: N + 1 }, (_, i) => `c${String(i).padStart(3, '0')}`));
    const counts = await query(url, `SELECT i, count(*)::int AS n FROM ${app}.counter GROUP BY i HAVING count(*) <> 1`);
    expect(counts).toEqual([]);
    expect(await query(url, `SELECT count(*)::int AS n FROM ${app}.counter`)).toEqual([{ n: N - 1 }]);
    expect(await query(url, `SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, [`${app}.t1_id`])).toEqual([
      { indisvalid: true },
    ]);
    expect(await query(url, `SELECT count(*)::int AS n FROM ${schema}.strata_history WHERE outcome <> 'applied'`)).toEqual([{ n: 0 }]);
    const hist = await query(
      url,
      `SELECT revision, count(*)::int AS n FROM ${schema}.strata_history WHERE outcome = 'applied' GROUP BY revision HAVING count(*) <> 1`,
    );
    expect(hist).toEqual([]);
    expect(await query(url, `SELECT count(*)::int AS n FROM ${schema}.strata_history WHERE outcome = 'applied'`)).toEqual([{ n: N + 1 }]);
    expect(await query(url, `SELECT revision FROM ${schema}.strata_version`)).toEqual([{ revision: `c${String(N).padStart(3, '0')}` }]);
    // the session lock is free afterwards
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)).toEqual([{ n: 0 }]);
    return events;
  } finally {
    t.rm();
  }
}

describe('concurrent runners', () => {
  it('8 runners in session mode apply each of 50 migrations exactly once', async () => {
    const events = await race('session', 'race_s', 'strata_race_s');
    expect(events.filter((e) => e.type === 'lock-acquired').length).toBe(8);
  });

  it('8 runners in transaction lock mode apply each migration exactly once', async () => {
    await race('transaction', 'race_t', 'strata_race_t');
  });

  it('with lockWaitMs 0, a second runner fails at once naming the holder', async () => {
    const t = folderFor('race_busy');
    const url = db().url;
    const holder = new pg.Client({ connectionString: url, application_name: 'the-holder' });
    await holder.connect();
    try {
      const { runLockKey } = await import('@pg-strata/runner');
      // Someone else holds the run lock (and the first read shows pending work).
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [runLockKey('strata_busy').toString()]);
      const err = await upgrade({ url, migrationsDir: t.dir, schema: 'strata_busy', lockWaitMs: 0 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'LOCK_BUSY' });
      const pid = (await holder.query('SELECT pg_backend_pid() AS p')).rows[0].p;
      expect((err as Error).message).toContain(`held by pid ${pid} (application_name 'the-holder')`);
      const waited = await upgrade({ url, migrationsDir: t.dir, schema: 'strata_busy', lockWaitMs: 200 }).catch((e: unknown) => e);
      expect(waited).toMatchObject({ code: 'LOCK_TIMEOUT' });
      expect(await query(url, `SELECT to_regnamespace('race_busy') AS s`)).toEqual([{ s: null }]);
    } finally {
      await holder.end();
      t.rm();
    }
  });
});
