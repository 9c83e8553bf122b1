import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import type { Logger } from '@pg-strata/core';
import { downgrade, history, status, upgrade } from '@pg-strata/runner';
import { query, scratchProjects, writeChain } from './helpers.js';

// Quick transactional SQL migrations share round trips (executeBatch). These
// tests put the interesting migration in the middle of a batch and check that
// each migration still commits alone, that nothing after a failure runs, and
// that durations and positions are each migration's own.

const db = useTestDatabase('runner_batching');
const setup = scratchProjects('b');

/** Records the batch size the runner logs for each migration it sends. */
function batchLog(): { logger: Logger; sizes: Map<string, number> } {
  const sizes = new Map<string, number>();
  const logger: Logger = {
    debug() {},
    info(message, fields) {
      const file = /^(?:applying|reverting) (\S+)$/.exec(message)?.[1];
      if (file && typeof fields?.batch === 'number') sizes.set(file, fields.batch);
    },
    warn() {},
    error() {},
  };
  return { logger, sizes };
}

async function tablesIn(schema: string): Promise<string[]> {
  return (await query(db().url, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).map(
    (r) => r.table_name as string,
  );
}

describe('batched migrations', () => {
  it('stop at a failing statement in the middle of a batch: earlier ones committed, later ones never ran', async () => {
    const { m, schema, app } = setup();
    writeChain(m, 'a', 10, (i) =>
      i === 1
        ? `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t1 (id int);`
        : i === 7
          ? `CREATE TABLE ${app}.t7 (id int);\nINSERT INTO ${app}.missing VALUES (1);`
          : `CREATE TABLE ${app}.t${i} (id int);`,
    );
    const { logger, sizes } = batchLog();
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema, logger });
    // Batches grow 1, 2, 4: migration 7 is the last of a batch of four (4-7).
    expect(sizes.get('0007_m7.sql')).toBeGreaterThan(1);
    expect(r.ok).toBe(false);
    expect(r.steps.map((s) => `${s.file} ${s.status}`)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `${String(i).padStart(4, '0')}_m${i}.sql applied`).concat(['0007_m7.sql failed']),
    );
    const err = r.steps[6]!.error!;
    // Header 4 lines, blank, marker: the body starts on line 6; the INSERT is on line 7, the table name at column 13.
    expect(err.message.split('\n')[0]).toBe(
      `0007_m7.sql:7:13: applying revision a7 failed: relation "${app}.missing" does not exist (SQLSTATE 42P01)`,
    );
    expect(err.meta).toMatchObject({ line: 7, column: 13, statementIndex: 1, revision: 'a7' });
    expect(r.to).toEqual(['a6']);
    expect(await tablesIn(app)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    const st = await status({ url: db().url, migrationsDir: m.dir, schema });
    expect(st.current).toEqual(['a6']);
    expect(st.pending.map((p) => p.revision)).toEqual(['a7', 'a8', 'a9', 'a10']);
    expect(st.failed.map((f) => f.revision)).toEqual(['a7']);
    const h = await history({ url: db().url, migrationsDir: m.dir, schema });
    expect(h.map((x) => `${x.revision} ${x.outcome}`)).toEqual([
      'a7 failed',
      'a6 applied',
      'a5 applied',
      'a4 applied',
      'a3 applied',
      'a2 applied',
      'a1 applied',
    ]);
  });

  it('stop at a migration whose COMMIT fails (a deferred foreign key): nothing after it runs', async () => {
    const { m, schema, app } = setup();
    writeChain(m, 'c', 8, (i) =>
      i === 1
        ? `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.p (id int PRIMARY KEY);`
        : i === 5
          ? `CREATE TABLE ${app}.c (pid int REFERENCES ${app}.p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO ${app}.c VALUES (42);`
          : `CREATE TABLE ${app}.t${i} (id int);`,
    );
    const { logger, sizes } = batchLog();
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema, logger });
    expect(sizes.get('0005_m5.sql')).toBeGreaterThan(1);
    expect(r.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'failed']);
    expect(r.steps[4]!.error!.message).toContain('violates foreign key constraint');
    expect(r.steps[4]!.error!.meta).toMatchObject({ sqlstate: '23503', revision: 'c5' });
    expect(await tablesIn(app)).toEqual(['p', 't2', 't3', 't4']);
    expect((await status({ url: db().url, migrationsDir: m.dir, schema })).current).toEqual(['c4']);
  });

  it('record each migration its own duration, not the batch time, and name the batch in pg_stat_activity', async () => {
    const { m, schema, app } = setup();
    writeChain(m, 'd', 6, (i) =>
      i === 1 ? `CREATE SCHEMA ${app};` : i === 5 ? 'SELECT pg_sleep(0.4);' : `CREATE TABLE ${app}.t${i} (id int);`,
    );
    const { logger, sizes } = batchLog();
    // While the batch runs, sample what other sessions see (every 50 ms).
    const seen = new Set<string>();
    let running = true;
    const watcher = (async () => {
      while (running) {
        for (const row of await query(
          db().url,
          `SELECT application_name, split_part(query, E'\\n', 1) AS first FROM pg_stat_activity WHERE ` +
            `query LIKE '%pg_sleep(0.4)%' AND pid <> pg_backend_pid()`,
        ))
          seen.add(`${row.application_name} | ${row.first}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema, logger, applicationName: 'batching-test' });
    running = false;
    await watcher;
    expect(r.ok).toBe(true);
    // Batches of 1, 2, then 4: d4-d6 share one message while d5 sleeps.
    expect([...seen]).toEqual(['batching-test | -- strata: 3 migrations, 0004_m4.sql .. 0006_m6.sql']);
    expect(sizes.get('0006_m6.sql')).toBeGreaterThan(1);
    const rows = await query(db().url, `SELECT revision, duration_ms, started_at, finished_at FROM ${schema}.strata_history ORDER BY id`);
    const d = Object.fromEntries(rows.map((x) => [x.revision, x.duration_ms as number]));
    expect(d.d5).toBeGreaterThanOrEqual(400);
    // d6 ran after d5 in the same message: its time starts when its own transaction began.
    expect(d.d6).toBeLessThan(200);
    expect(r.steps.find((s) => s.revision === 'd6')!.durationMs).toBe(d.d6);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at.getTime());
  });

  it('work without the prepared DML when a migration DEALLOCATEs, and revert in batches too', async () => {
    const { m, schema, app } = setup();
    writeChain(
      m,
      'e',
      6,
      (i) =>
        i === 1
          ? `CREATE SCHEMA ${app};`
          : i === 3
            ? `DEALLOCATE ALL;\nCREATE TABLE ${app}.t3 (id int);`
            : `CREATE TABLE ${app}.t${i} (id int);`,
      (i) => (i === 1 ? `DROP SCHEMA ${app};` : `DROP TABLE ${app}.t${i};`),
    );
    const up = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(up.ok).toBe(true);
    expect(up.to).toEqual(['e6']);
    expect(await tablesIn(app)).toEqual(['t2', 't3', 't4', 't5', 't6']);
    const down = await downgrade({ url: db().url, migrationsDir: m.dir, schema, target: 'base', allowDataLoss: true });
    expect(down.ok).toBe(true);
    expect(down.steps.map((s) => s.revision)).toEqual(['e6', 'e5', 'e4', 'e3', 'e2', 'e1']);
    expect(down.to).toEqual([]);
    expect(await query(db().url, `SELECT 1 FROM pg_namespace WHERE nspname = $1`, [app])).toEqual([]);
    expect(await query(db().url, `SELECT revision FROM ${schema}.strata_version`)).toEqual([]);
  });
});
