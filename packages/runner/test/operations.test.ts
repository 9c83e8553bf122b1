import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { useTestDatabase } from '@pg-strata/testkit';
import { downgrade, history, isAtHead, stamp, status, upgrade, type RunnerEvent } from '@pg-strata/runner';
import { query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_operations');
const dirs: { rm(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.rm()));
function folder() {
  const m = tempMigrations();
  dirs.push(m);
  return m;
}

describe('stamp', () => {
  it('baselines an existing database, then only later migrations run', async () => {
    const url = db().url;
    const schema = 'strata_stamp';
    await query(url, 'CREATE SCHEMA legacy; CREATE TABLE legacy.users (id int)');
    const m = folder();
    m.write('0001_baseline.sql', sqlMigration('s1', [], 'CREATE SCHEMA legacy;\nCREATE TABLE legacy.users (id int);'));
    m.write('0002_more.sql', sqlMigration('s2', ['s1'], 'ALTER TABLE legacy.users ADD COLUMN email text;'));
    const opts = { url, migrationsDir: m.dir, schema };
    const before = await status(opts);
    expect(before).toMatchObject({
      initialised: false,
      current: [],
      atHead: false,
      pending: [
        { revision: 's1', file: '0001_baseline.sql' },
        { revision: 's2', file: '0002_more.sql' },
      ],
    });

    expect(await stamp({ ...opts, revision: 's1' })).toEqual({ from: [], to: ['s1'], checksumsRecorded: ['s1'] });
    const r = await upgrade(opts);
    expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['s2', 'applied']]);
    const h = await history(opts);
    expect(h.map((e) => `${e.revision}:${e.direction}:${e.outcome}`)).toEqual(['s2:up:applied', 's1:up:stamped']);

    // stamp base forgets everything (nothing is run); stamp heads records both again
    expect(await stamp({ ...opts, revision: 'base' })).toMatchObject({ from: ['s2'], to: [] });
    expect((await history({ ...opts, limit: 2 })).map((e) => `${e.revision}:${e.direction}:${e.outcome}`)).toEqual([
      's1:down:unstamped',
      's2:down:unstamped',
    ]);
    expect(await stamp({ ...opts, revision: 'heads' })).toMatchObject({ from: [], to: ['s2'] });
    expect(
      await query(url, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'legacy' AND table_name = 'users'`),
    ).toEqual([{ n: 2 }]);
  });

  it('refuses a version table naming an unknown revision until stamped with purge', async () => {
    const url = db().url;
    const schema = 'strata_purge';
    const m = folder();
    m.write('0001_a.sql', sqlMigration('p1', [], 'SELECT 1;'));
    const opts = { url, migrationsDir: m.dir, schema };
    await stamp({ ...opts, revision: 'p1' });
    await query(url, `INSERT INTO ${schema}.strata_version VALUES ('ghost')`);
    const err = await upgrade(opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MIGRATION_UNKNOWN_REVISION' });
    expect((err as Error).message).toContain('is at revision ghost, which no file in');
    expect((err as Error).message).toContain('strata stamp <revision> --purge');
    expect((await status(opts)).unknown).toEqual(['ghost']);
    await expect(stamp({ ...opts, revision: 'p1' })).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN_REVISION' });
    expect(await stamp({ ...opts, revision: 'p1', purge: true })).toMatchObject({ to: ['p1'] });
    expect((await status(opts)).atHead).toBe(true);
  });
});

describe('isAtHead and dry runs', () => {
  it('answers in one query, on an open client or a URL', async () => {
    const url = db().url;
    const schema = 'strata_athead';
    const m = folder();
    m.write('0001_a.sql', sqlMigration('h1', [], 'CREATE TABLE athead_a (id int);'));
    m.write('0002_b.sql', sqlMigration('h2', ['h1'], 'CREATE TABLE athead_b (id int);'));
    expect(await isAtHead(url, { migrationsDir: m.dir, schema })).toEqual({ atHead: false, pending: ['h1', 'h2'], current: [] });
    const dry = await upgrade({ url, migrationsDir: m.dir, schema, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, ok: true, from: [], to: ['h2'] });
    expect(dry.steps.map((s) => [s.revision, s.status])).toEqual([
      ['h1', 'planned'],
      ['h2', 'planned'],
    ]);
    expect(await query(url, `SELECT to_regclass('athead_a') AS t, to_regnamespace($1) AS s`, [schema])).toEqual([{ t: null, s: null }]);
    await upgrade({ url, migrationsDir: m.dir, schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      let queries = 0;
      const counting = {
        query: (...args: Parameters<pg.Client['query']>) => {
          queries++;
          return (client.query as (...a: unknown[]) => unknown)(...args);
        },
      } as unknown as pg.Client;
      expect(await isAtHead(counting, { migrationsDir: m.dir, schema })).toEqual({ atHead: true, pending: [], current: ['h2'] });
      expect(queries).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('beforeRun sees exactly the planned steps once, can refuse with nothing run, and is not called at head', async () => {
    const url = db().url;
    const schema = 'strata_before';
    const m = folder();
    m.write('0001_a.sql', sqlMigration('b1', [], 'CREATE TABLE before_a (id int);'));
    m.write('0002_b.sql', sqlMigration('b2', ['b1'], 'CREATE TABLE before_b (id int);'));
    m.write('0003_c.sql', sqlMigration('b3', ['b2'], 'CREATE TABLE before_c (id int);'));
    const opts = { url, migrationsDir: m.dir, schema };
    const seen: string[][] = [];
    const refusal = new Error('no thanks');
    const refused = await upgrade({
      ...opts,
      beforeRun: (steps) => {
        seen.push(steps.map((s) => `${s.revision}:${s.file}:${s.direction}`));
        throw refusal;
      },
    }).catch((e: unknown) => e);
    expect(refused).toBe(refusal);
    expect(seen).toEqual([['b1:0001_a.sql:up', 'b2:0002_b.sql:up', 'b3:0003_c.sql:up']]);
    expect(await query(url, `SELECT to_regclass('before_a') AS t`)).toEqual([{ t: null }]);

    seen.length = 0;
    const record = (steps: readonly { revision: string }[]) => void seen.push(steps.map((s) => s.revision));
    expect((await upgrade({ ...opts, target: '+2', beforeRun: record })).to).toEqual(['b2']);
    expect((await upgrade({ ...opts, beforeRun: record })).to).toEqual(['b3']);
    await upgrade({ ...opts, beforeRun: record });
    expect((await downgrade({ ...opts, target: '-1', dryRun: true, beforeRun: record })).dryRun).toBe(true);
    expect(seen).toEqual([['b1', 'b2'], ['b3'], ['b3']]);
  });
});

describe('per-migration settings and events', () => {
  it('sets lock_timeout and statement_timeout with SET LOCAL, header overriding the options', async () => {
    const url = db().url;
    const schema = 'strata_timeouts';
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration(
        't1',
        [],
        `CREATE TABLE timeouts (rev text, lock text, stmt text);\nINSERT INTO timeouts VALUES ('t1', ` +
          `current_setting('lock_timeout'), current_setting('statement_timeout'));`,
      ),
    );
    m.write(
      '0002_b.sql',
      sqlMigration(
        't2',
        ['t1'],
        `INSERT INTO timeouts VALUES ('t2', current_setting('lock_timeout'), current_setting('statement_timeout'));`,
        '',
        '-- lock_timeout: 3s\n-- statement_timeout: 2min',
      ),
    );
    const events: RunnerEvent[] = [];
    const r = await upgrade({
      url,
      migrationsDir: m.dir,
      schema,
      lockTimeout: '7s',
      statementTimeout: '1h',
      onEvent: (e) => events.push(e),
    });
    expect(r.ok).toBe(true);
    expect(await query(url, 'SELECT * FROM timeouts ORDER BY rev')).toEqual([
      { rev: 't1', lock: '7s', stmt: '1h' },
      { rev: 't2', lock: '3s', stmt: '2min' },
    ]);
    expect(events.map((e) => `${e.type}${'revision' in e ? ` ${e.revision}` : ''}`)).toEqual([
      'lock-acquired',
      'migration-started t1',
      'migration-applied t1',
      'migration-started t2',
      'migration-applied t2',
    ]);
  });

  it('enforces statement_timeout per statement, and lock_timeout against a lock held elsewhere', async () => {
    const url = db().url;
    const schema = 'strata_enforce';
    const m = folder();
    m.write('0001_a.sql', sqlMigration('e1', [], 'CREATE TABLE enforce_t (id int);'));
    m.write('0002_b.sql', sqlMigration('e2', ['e1'], 'SELECT 1;\nSELECT pg_sleep(2);', '', '-- statement_timeout: 100ms'));
    const r = await upgrade({ url, migrationsDir: m.dir, schema });
    expect(r.steps.map((s) => s.status)).toEqual(['applied', 'failed']);
    expect(r.steps[1]!.error!.message.split('\n')[0]).toBe(
      '0002_b.sql:7:1: applying revision e2 failed: canceling statement due to statement timeout (SQLSTATE 57014)',
    );
    m.write('0002_b.sql', sqlMigration('e2', ['e1'], 'ALTER TABLE enforce_t ADD COLUMN x int;'));
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN; LOCK TABLE enforce_t IN ACCESS SHARE MODE');
      // The lock timeout (not the test's timeout) ends the wait: the error says so.
      const blocked = await upgrade({ url, migrationsDir: m.dir, schema, lockTimeout: '200ms' });
      expect(blocked.steps[0]!.error!.message.split('\n')[0]).toBe(
        '0002_b.sql:6:1: applying revision e2 failed: canceling statement due to lock timeout (SQLSTATE 55P03)',
      );
    } finally {
      await holder.end();
    }
    expect((await upgrade({ url, migrationsDir: m.dir, schema })).ok).toBe(true);
  });

  it('a transactional: false migration runs statement by statement; a failure keeps the earlier statements', async () => {
    const url = db().url;
    const schema = 'strata_nontx';
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration('n1', [], 'CREATE TABLE nontx_a (id int);\nCREATE TABLE nontx_a (id int);', '', '-- transactional: false'),
    );
    const r = await upgrade({ url, migrationsDir: m.dir, schema });
    expect(r.ok).toBe(false);
    const msg = r.steps[0]!.error!.message;
    expect(msg.split('\n')[0]).toBe('0001_a.sql:7:1: applying revision n1 failed: relation "nontx_a" already exists (SQLSTATE 42P07)');
    expect(msg).toContain('It ran outside a transaction: 1 statement(s) before the failing one stay applied.');
    expect(await query(url, `SELECT to_regclass('nontx_a')::text AS t`)).toEqual([{ t: 'nontx_a' }]);
    expect((await status({ url, migrationsDir: m.dir, schema })).failed.map((f) => f.revision)).toEqual(['n1']);
  });

  it('transaction lock mode locates a failing statement the same way', async () => {
    const url = db().url;
    const schema = 'strata_txloc';
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration('l1', [], 'CREATE TABLE txloc (id int PRIMARY KEY);\nINSERT INTO txloc VALUES (1);\n    INSERT INTO txloc VALUES (1);'),
    );
    const r = await upgrade({ url, migrationsDir: m.dir, schema, lockMode: 'transaction' });
    expect(r.steps[0]!.error!.message.split('\n')[0]).toBe(
      '0001_a.sql:8:5: applying revision l1 failed: duplicate key value violates unique constraint "txloc_pkey" (SQLSTATE 23505)',
    );
    expect(r.steps[0]!.error!.meta).toMatchObject({ statementIndex: 2, rolledBack: true });
    expect(await query(url, `SELECT to_regclass('txloc') AS t`)).toEqual([{ t: null }]);
  });

  it('transaction lock mode shows a claim in status and takes over a stale one', async () => {
    const url = db().url;
    const schema = 'strata_claim';
    const m = folder();
    m.write('0001_a.sql', sqlMigration('k1', [], 'CREATE TABLE claim_t (id int);'));
    m.write('0002_b.sql', sqlMigration('k2', ['k1'], 'CREATE INDEX CONCURRENTLY claim_t_id ON claim_t (id);'));
    const opts = { url, migrationsDir: m.dir, schema, lockMode: 'transaction' as const };
    expect((await upgrade({ ...opts, target: 'k1' })).ok).toBe(true);
    // A runner that died while building the index left its claim behind.
    await query(
      url,
      `INSERT INTO ${schema}.strata_history (revision, direction, outcome, tool_version, meta) VALUES ` +
        `('k2', 'up', 'running', 'test', '{"pid": 999999, "backendStart": "2000-01-01"}')`,
    );
    const st = await status(opts);
    expect(st.running).toEqual([expect.objectContaining({ revision: 'k2', file: '0002_b.sql', direction: 'up', pid: 999999 })]);
    const r = await upgrade(opts);
    expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['k2', 'applied']]);
    const after = await status(opts);
    expect(after.running).toEqual([]);
    expect(after.atHead).toBe(true);
  });
});
