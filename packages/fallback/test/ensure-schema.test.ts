import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StrataError, memoryLogger } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { upgrade } from '@pg-strata/runner';
import { compare } from '@pg-strata/auditor';
import { CREATE_ALL_DEPRECATION, ensureSchema, headSnapshot, type EnsureResult } from '../src/index.js';
import { appCreateAll, query, sqlMigration, tempMigrations, writeAppMigrations } from './helpers.js';

const dbs: { drop(): Promise<void> }[] = [];
async function freshDb(): Promise<string> {
  const db = await createTestDatabase('fallback');
  dbs.push(db);
  return db.url;
}
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

const app = tempMigrations();
beforeAll(() => writeAppMigrations(app));
afterAll(() => app.rm());

async function refusal(p: Promise<unknown>): Promise<StrataError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  return err as StrataError;
}

async function tablesOf(url: string): Promise<string[]> {
  return (
    await query<{ t: string }>(
      url,
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE ` +
        `table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    )
  ).map((r) => r.t);
}

describe('migrate mode', () => {
  it('ten instances at once on one empty database: all start, every migration applied once', async () => {
    const url = await freshDb();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ensureSchema({ url, migrationsDir: app.dir, applicationName: `replica-${i}` })),
    );
    for (const r of results) {
      expect(r.mode).toBe('migrate');
      expect(['migrated', 'none']).toContain(r.action);
      expect(r.heads).toEqual(['a3']);
    }
    const applied = results.flatMap((r) => r.applied.map((a) => a.revision)).sort();
    expect(applied).toEqual(['a1', 'a2', 'a3']);
    expect(
      await query(
        url,
        `SELECT revision, count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied' GROUP BY revision ORDER BY 1`,
      ),
    ).toEqual([
      { revision: 'a1', n: 1 },
      { revision: 'a2', n: 1 },
      { revision: 'a3', n: 1 },
    ]);
    expect(await query(url, `SELECT count(*)::int AS n FROM strata.strata_history`)).toEqual([{ n: 3 }]);
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'a3' }]);
    // the history says which mode did it
    expect(await query(url, `SELECT DISTINCT meta->'ensure' AS e FROM strata.strata_history`)).toEqual([
      { e: { mode: 'migrate', action: 'migrated' } },
    ]);
    expect(await tablesOf(url)).toEqual([
      'public.parts',
      'public.widgets',
      'strata.strata_history',
      'strata.strata_summary',
      'strata.strata_version',
    ]);
    // the run lock is free again
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)).toEqual([{ n: 0 }]);
  });

  it('ten instances at once in transaction lock mode (PgBouncer): every migration applied once', async () => {
    const url = await freshDb();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ensureSchema({ url, migrationsDir: app.dir, lockMode: 'transaction' })),
    );
    expect(results.flatMap((r) => r.applied.map((a) => a.revision)).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(await query(url, `SELECT count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied'`)).toEqual([{ n: 3 }]);
  });

  it('a database behind head is brought to head; at head the call is a no-op', async () => {
    const url = await freshDb();
    await upgrade({ url, migrationsDir: app.dir, target: 'a1' });
    const r = await ensureSchema({ url, migrationsDir: app.dir });
    expect(r).toMatchObject({ mode: 'migrate', action: 'migrated', heads: ['a3'], stamped: [] });
    expect(r.applied.map((a) => `${a.revision} ${a.file}`)).toEqual(['a2 0002_widget_colour.sql', 'a3 0003_parts.sql']);
    const again = await ensureSchema({ url, migrationsDir: app.dir });
    expect(again).toMatchObject({ mode: 'migrate', action: 'none', applied: [], heads: ['a3'] });
    expect(await query(url, `SELECT revision, meta->'ensure' AS e FROM strata.strata_history ORDER BY id`)).toEqual([
      { revision: 'a1', e: null },
      { revision: 'a2', e: { mode: 'migrate', action: 'migrated' } },
      { revision: 'a3', e: { mode: 'migrate', action: 'migrated' } },
    ]);
  });

  it('a failing migration stops the start with the runner error; the ones before it stay applied', async () => {
    const url = await freshDb();
    const t = tempMigrations();
    try {
      writeAppMigrations(t);
      t.write(
        '0004_broken.sql',
        sqlMigration('a4', ['a3'], 'ALTER TABLE widgets ADD COLUMN weight numeric;\nALTER TABLE nowhere ADD COLUMN x int;'),
      );
      const err = await refusal(ensureSchema({ url, migrationsDir: t.dir }));
      expect(err.code).toBe('MIGRATION_FAILED');
      expect(err.message).toContain('0004_broken.sql:7:1: applying revision a4 failed');
      expect(err.message).toContain('relation "nowhere" does not exist');
      expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'a3' }]);
      // the history says which mode applied the ones that went through, and records the failure
      expect(await query(url, `SELECT revision, outcome, meta->'ensure' AS e FROM strata.strata_history ORDER BY id`)).toEqual([
        { revision: 'a1', outcome: 'applied', e: { mode: 'migrate', action: 'migrated' } },
        { revision: 'a2', outcome: 'applied', e: { mode: 'migrate', action: 'migrated' } },
        { revision: 'a3', outcome: 'applied', e: { mode: 'migrate', action: 'migrated' } },
        { revision: 'a4', outcome: 'failed', e: null },
      ]);
    } finally {
      t.rm();
    }
  });
});

describe('at head: one round trip', () => {
  it('with the application pg Pool: exactly one query reaches the server', async () => {
    const url = await freshDb();
    await upgrade({ url, migrationsDir: app.dir });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      // A counting wrapper around the pool object; every query still runs on the real server.
      const seen: string[] = [];
      const counted = new Proxy(pool, {
        get(target, prop, receiver) {
          if (prop === 'query')
            return (text: string, ...rest: unknown[]) => (seen.push(text), (target.query as (...a: unknown[]) => unknown)(text, ...rest));
          return Reflect.get(target, prop, receiver);
        },
      });
      for (const mode of ['migrate', 'verify', 'create_all'] as const) {
        seen.length = 0;
        const r = await ensureSchema({ url, db: counted, migrationsDir: app.dir, mode, createAll: appCreateAll() });
        expect(r).toMatchObject({ mode, action: 'none', heads: ['a3'] });
        expect(seen).toHaveLength(1);
      }
      // and no connection other than the pool's was opened
      expect(pool.totalCount).toBeLessThanOrEqual(1);
    } finally {
      await pool.end();
    }
  });

  it('with the application Kysely: one query in its log', async () => {
    const url = await freshDb();
    await upgrade({ url, migrationsDir: app.dir });
    const seen: string[] = [];
    const db = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
      log: (e) => void seen.push(e.query.sql),
    });
    try {
      const r = await ensureSchema({ url, db, migrationsDir: app.dir });
      expect(r.action).toBe('none');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toContain('strata_version');
    } finally {
      await db.destroy();
    }
  });
});

describe('verify mode', () => {
  it('behind head: refuses naming the pending revisions and files, changes nothing', async () => {
    const url = await freshDb();
    await upgrade({ url, migrationsDir: app.dir, target: 'a1' });
    const before = await query(url, `SELECT count(*)::int AS n FROM strata.strata_history`);
    const err = await refusal(ensureSchema({ url, migrationsDir: app.dir, mode: 'verify' }));
    expect(err.code).toBe('SCHEMA_NOT_AT_HEAD');
    const where = new URL(url);
    expect(err.message).toBe(
      `The database postgres@${where.hostname}:${where.port}${where.pathname} is not at the head of ` +
        `${app.dir} (schema mode 'verify' changes nothing, so the application must not start).\n` +
        '2 migrations are pending:\n  a2  0002_widget_colour.sql\n  a3  0003_parts.sql\n' +
        "Run `strata up` (the deploy's migration step) first, or start with STRATA_SCHEMA_MODE=migrate.",
    );
    expect(err.meta.pending).toEqual([
      { revision: 'a2', file: '0002_widget_colour.sql' },
      { revision: 'a3', file: '0003_parts.sql' },
    ]);
    expect((err.meta.result as EnsureResult).action).toBe('refused');
    expect(await query(url, `SELECT count(*)::int AS n FROM strata.strata_history`)).toEqual(before);
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'a1' }]);
  });

  it('on an empty database: refuses and creates nothing (not even Strata tables)', async () => {
    const url = await freshDb();
    const err = await refusal(ensureSchema({ url, migrationsDir: app.dir, mode: 'verify' }));
    expect(err.code).toBe('SCHEMA_NOT_AT_HEAD');
    expect(err.message).toContain('3 migrations are pending:\n  a1  0001_widgets.sql\n');
    expect(await tablesOf(url)).toEqual([]);
  });
});

describe('create_all mode', () => {
  const shadowUrl = () => testServerUrl();

  it('refuses when the migrations have two heads, and says why', async () => {
    const url = await freshDb();
    const t = tempMigrations();
    try {
      writeAppMigrations(t);
      t.write('0004_b.sql', sqlMigration('b4', ['a3'], 'ALTER TABLE widgets ADD COLUMN b int;'));
      t.write('0004_c.sql', sqlMigration('c4', ['a3'], 'ALTER TABLE widgets ADD COLUMN c int;'));
      const logger = memoryLogger();
      const err = await refusal(
        ensureSchema({ url, migrationsDir: t.dir, mode: 'create_all', createAll: appCreateAll(), shadowUrl: shadowUrl(), logger }),
      );
      expect(err.code).toBe('MIGRATION_MULTIPLE_HEADS');
      expect(err.message).toBe(
        "Schema mode 'create_all' refuses: the migrations have 2 heads:\n  b4  0004_b.sql\n  c4  0004_c.sql\n" +
          'create_all stamps one head, and stamping over a branched graph hides the other branch: ' +
          'databases built this way would never get its migrations (fresh deployments break later). Run ' +
          '`strata merge` to write a merge migration, then start again.',
      );
      expect(err.meta.heads).toEqual(['b4', 'c4']);
      expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.message)).toEqual([CREATE_ALL_DEPRECATION]);
      expect(await tablesOf(url)).toEqual([]);
    } finally {
      t.rm();
    }
  });

  it('refuses when createAll and the migrations head differ, listing the differences; nothing is created', async () => {
    const url = await freshDb();
    const err = await refusal(
      ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll: appCreateAll({ drift: true }), shadowUrl: shadowUrl() }),
    );
    expect(err.code).toBe('SCHEMA_MISMATCH');
    expect(err.message).toMatch(/^Schema mode 'create_all' refuses: what createAll built differs from the head of .* \(a3\) in 2 ways:\n/);
    const differences = err.meta.differences as string[];
    expect(differences).toHaveLength(2);
    expect(differences.some((d) => d.includes('idx_parts_widget'))).toBe(true);
    expect(differences.some((d) => /comment/i.test(d))).toBe(true);
    for (const d of differences) expect(err.message).toContain(`  - ${d}\n`);
    expect(err.message).toContain('Nothing was created (the transaction was rolled back).');
    expect(await tablesOf(url)).toEqual([]);
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)).toEqual([{ n: 0 }]);
  });

  it('builds an empty database with createAll and stamps head in the same transaction', async () => {
    const url = await freshDb();
    const logger = memoryLogger();
    const r = await ensureSchema({
      url,
      migrationsDir: app.dir,
      mode: 'create_all',
      createAll: appCreateAll(),
      shadowUrl: shadowUrl(),
      logger,
    });
    expect(r).toMatchObject({ mode: 'create_all', action: 'created_all', applied: [], stamped: ['a1', 'a2', 'a3'], heads: ['a3'] });
    expect(logger.records.filter((x) => x.level === 'warn').map((x) => x.message)).toEqual([CREATE_ALL_DEPRECATION]);
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'a3' }]);
    expect(
      await query(url, `SELECT revision, direction, outcome, file, checksum IS NOT NULL AS c, meta FROM strata.strata_history ORDER BY id`),
    ).toEqual(
      ['a1 0001_widgets.sql', 'a2 0002_widget_colour.sql', 'a3 0003_parts.sql'].map((s) => {
        const [revision, file] = s.split(' ');
        return {
          revision,
          direction: 'up',
          outcome: 'stamped',
          file,
          c: true,
          meta: { ensure: { mode: 'create_all', action: 'created_all' } },
        };
      }),
    );
    // tables and version were committed together (xmin of one transaction)
    const xmins = await query<{ n: number }>(
      url,
      `SELECT count(DISTINCT x)::int AS n FROM (SELECT xmin::text AS x FROM pg_class WHERE relname IN ` +
        `('widgets', 'parts') UNION ALL SELECT xmin::text FROM strata.strata_version) s`,
    );
    expect(xmins).toEqual([{ n: 1 }]);
    // next start: at head, nothing to do, still warned
    const again = await ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll: appCreateAll(), logger });
    expect(again.action).toBe('none');
    expect(logger.records.filter((x) => x.level === 'warn')).toHaveLength(2);
    // and migrate mode agrees: the stamped database is at head
    expect((await ensureSchema({ url, migrationsDir: app.dir })).action).toBe('none');
  });

  it("on the application's own pg Pool or Kysely: the lock and the transaction use one of its connections", async () => {
    const head = await headSnapshot({ migrationsDir: app.dir, shadowUrl: shadowUrl() });
    const poolUrl = await freshDb();
    const pool = new pg.Pool({ connectionString: poolUrl, max: 3, application_name: 'the-app' });
    const kyselyUrl = await freshDb();
    const seen: string[] = [];
    // CamelCasePlugin rewrites result columns: the shim's catalogue reads must not go through it.
    const kysely = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: kyselyUrl, max: 3 }) }),
      plugins: [new CamelCasePlugin()],
      log: (e) => void seen.push(e.query.sql),
    });
    try {
      const viaPool = await ensureSchema({
        url: poolUrl,
        db: pool,
        migrationsDir: app.dir,
        mode: 'create_all',
        createAll: appCreateAll({ nestedTransaction: true }),
        headSnapshot: head,
      });
      expect(viaPool).toMatchObject({ action: 'created_all', heads: ['a3'] });
      // the connection went back to the pool clean: no transaction, no advisory lock
      expect(pool.totalCount).toBe(1);
      expect((await pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)).rows).toEqual([{ n: 0 }]);
      const viaKysely = await ensureSchema({
        url: kyselyUrl,
        db: kysely,
        migrationsDir: app.dir,
        mode: 'create_all',
        createAll: appCreateAll(),
        headSnapshot: head,
      });
      expect(viaKysely).toMatchObject({ action: 'created_all', heads: ['a3'] });
      // A Kysely handle does not show whether its connection is direct (pg's processID is out of reach), so
      // lock mode 'auto' takes the transaction-level lock inside the transaction rather than a session lock.
      expect(
        seen
          .filter((q) => /^(BEGIN|COMMIT|create table|SELECT pg_advisory_(unlock|xact_lock))/i.test(q))
          .map((q) => q.split(/\s|\(/)[0]!.toUpperCase()),
      ).toEqual(['BEGIN', 'SELECT', 'CREATE', 'CREATE', 'COMMIT']);
      expect(seen.filter((q) => /pg_advisory_unlock|pg_try_advisory_lock/.test(q))).toEqual([]);
      expect(await query(kyselyUrl, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'a3' }]);
    } finally {
      await pool.end();
      await kysely.destroy();
    }
  });

  it('five replicas at once on an empty database: one builds, the others find it built', async () => {
    const url = await freshDb();
    const head = await headSnapshot({ migrationsDir: app.dir, shadowUrl: shadowUrl() });
    // createAll opening its own transaction: it becomes a savepoint of the shim's
    const createAll = appCreateAll({ nestedTransaction: true });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll, headSnapshot: head })),
    );
    expect(results.map((r) => r.action).sort()).toEqual(['created_all', 'none', 'none', 'none', 'none']);
    expect(await query(url, `SELECT count(*)::int AS n FROM strata.strata_history`)).toEqual([{ n: 3 }]);
  });

  it('transaction lock mode (PgBouncer): five replicas at once, one builds', async () => {
    const url = await freshDb();
    const head = await headSnapshot({ migrationsDir: app.dir, shadowUrl: shadowUrl() });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        ensureSchema({
          url,
          migrationsDir: app.dir,
          mode: 'create_all',
          lockMode: 'transaction',
          createAll: appCreateAll(),
          headSnapshot: head,
        }),
      ),
    );
    expect(results.map((r) => r.action).sort()).toEqual(['created_all', 'none', 'none', 'none', 'none']);
    expect(await query(url, `SELECT count(*)::int AS n FROM strata.strata_history`)).toEqual([{ n: 3 }]);
  });

  it('on a versioned database it migrates like migrate mode', async () => {
    const url = await freshDb();
    await upgrade({ url, migrationsDir: app.dir, target: 'a2' });
    const r = await ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll: appCreateAll(), shadowUrl: shadowUrl() });
    expect(r).toMatchObject({ mode: 'create_all', action: 'migrated', heads: ['a3'] });
    expect(r.applied.map((a) => a.revision)).toEqual(['a3']);
    expect(await query(url, `SELECT meta->'ensure' AS e FROM strata.strata_history WHERE revision = 'a3'`)).toEqual([
      { e: { mode: 'create_all', action: 'migrated' } },
    ]);
  });

  it('refuses a non-empty unversioned database', async () => {
    const url = await freshDb();
    await query(url, 'CREATE TABLE legacy_thing (id int)');
    const err = await refusal(
      ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll: appCreateAll(), shadowUrl: shadowUrl() }),
    );
    expect(err.code).toBe('SCHEMA_NOT_AT_HEAD');
    expect(err.message).toContain('has no Strata version but is not empty (table legacy_thing)');
    expect(err.message).toContain('`strata stamp <revision> --verify`');
    expect(await tablesOf(url)).toEqual(['public.legacy_thing']);
  });

  it('a createAll that throws: MODELS_SOURCE_FAILED, and what it built before is rolled back', async () => {
    const url = await freshDb();
    const createAll = async (db: Kysely<any>) => {
      await db.schema
        .createTable('widgets')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .execute();
      throw new Error('models module half-imported');
    };
    const err = await refusal(ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all', createAll, shadowUrl: shadowUrl() }));
    expect(err.code).toBe('MODELS_SOURCE_FAILED');
    expect(err.message).toMatch(
      /^createAll failed on .*: models module half-imported\. Nothing was created \(the transaction was rolled back\)\.$/,
    );
    expect(await tablesOf(url)).toEqual([]);
  });

  it('an unknown mode from a JavaScript caller: CONFIG_INVALID before anything runs', async () => {
    const err = await refusal(
      ensureSchema({ url: 'postgres://nobody@127.0.0.1:1/x', migrationsDir: app.dir, mode: 'create-everything' as never }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it('without createAll: a usage error', async () => {
    const url = await freshDb();
    const err = await refusal(ensureSchema({ url, migrationsDir: app.dir, mode: 'create_all' }));
    expect(err.code).toBe('USAGE');
  });
});

describe('connection problems', () => {
  it('a refused connection is a DB_CONNECTION error that never shows the URL or password, with or without the app pool', async () => {
    const url = 'postgres://app:s3cret-pw@127.0.0.1:1/archive';
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => {});
    try {
      for (const db of [undefined, pool]) {
        const err = await refusal(ensureSchema({ url, migrationsDir: app.dir, ...(db ? { db } : {}) }));
        expect(err.code).toBe('DB_CONNECTION');
        expect(err.message).toBe(
          'Cannot connect to app@127.0.0.1:1/archive: connection refused (is the server running and listening on that port?).',
        );
      }
    } finally {
      await pool.end();
    }
  });
});

describe('headSnapshot', () => {
  it('without shadowUrl, on an embedded PostgreSQL started and stopped for the occasion: the same as on the test server', async () => {
    const [embedded, onTestServer] = await Promise.all([
      headSnapshot({ migrationsDir: app.dir }),
      headSnapshot({ migrationsDir: app.dir, shadowUrl: testServerUrl() }),
    ]);
    expect(Object.keys(embedded.tables).sort()).toEqual(['public.parts', 'public.widgets']);
    expect(compare(embedded, onTestServer)).toEqual([]);
  }, 120_000);
});
