import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStrataError } from '@pg-strata/core';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { testServerUrl } from '@pg-strata/testkit';
import { backupDatabase, deployUpgrade, libpqEnvironment } from '@pg-strata/deploy';
import { backupFileName, parseToolVersion } from '../src/backup.js';

const PG15 = '/usr/lib/postgresql/15/bin';
const env = { PATH: process.env.PATH };

async function exec(url: string, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function thrown(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function migrations(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-deploy-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), text);
  return join(dir, 'migrations');
}
const m = (rev: string, parents: string, up: string, down: string) =>
  `-- revision: ${rev}\n-- parents: ${parents}\n\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;

describe('unit pieces', () => {
  it('libpqEnvironment: the URL becomes PG* variables; the password only in PGPASSWORD', () => {
    expect(
      libpqEnvironment('postgresql://app%40x:p%3Ass@db.example:6543/my%20db?sslmode=verify-full&sslrootcert=/ca.crt&uselibpqcompat=true'),
    ).toEqual({
      PGHOST: 'db.example',
      PGPORT: '6543',
      PGUSER: 'app@x',
      PGPASSWORD: 'p:ss',
      PGDATABASE: 'my db',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/ca.crt',
    });
  });
  it('backupFileName: database name and UTC timestamp, nothing else', () => {
    expect(backupFileName('shop', new Date('2026-11-22T05:01:02.345Z'))).toBe('shop-2026-11-22T05-01-02Z.dump');
    expect(backupFileName('../we ird', new Date('2026-11-22T05:01:02Z'))).toBe('__we_ird-2026-11-22T05-01-02Z.dump');
  });
  it('parseToolVersion', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toBe('15.18');
    expect(parseToolVersion('pg_dump (PostgreSQL) 17.6\n')).toBe('17.6');
  });
});

describe('backupDatabase against PostgreSQL 15 (the pg_dump on PATH is 15)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ binDir: PG15 });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('writes a custom-format dump named <database>-<timestamp>.dump, readable by pg_restore, with no password anywhere', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'shop' });
    await exec(
      db.url,
      `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE);
      INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 500) g;
      CREATE VIEW big_customers AS SELECT * FROM customers WHERE id > 100;`,
    );
    const dir = join(mkdtempSync(join(tmpdir(), 'strata-backup-')), 'nested', 'backups');
    const b = await backupDatabase({ url: db.url, dir, env, now: new Date('2026-11-22T05:00:00Z') });
    expect(b.file).toBe(join(dir, `${db.name}-2026-11-22T05-00-00Z.dump`));
    expect(b.serverVersion).toMatch(/^15\./);
    expect(b.pgDumpVersion).toMatch(/^15\./);
    expect(b.sizeBytes).toBe(statSync(b.file).size);
    expect(b.sizeBytes).toBeGreaterThan(1000);
    expect(b.entries).toBeGreaterThanOrEqual(4); // table, data, constraints, view
    expect(b.target).toBe(`postgres@127.0.0.1:${server.port}/${db.name}`);
    const password = decodeURIComponent(new URL(db.url).password);
    expect(JSON.stringify(b)).not.toContain(password);
    expect(readdirSync(dir)).toEqual([basename(b.file)]); // no .partial left
    const list = execFileSync('pg_restore', ['--list', b.file], { encoding: 'utf8' });
    expect(list).toContain('TABLE public customers');
    expect(list).toContain('TABLE DATA public customers');

    // A second backup in the same second gets its own file.
    const again = await backupDatabase({ url: db.url, dir, env, now: new Date('2026-11-22T05:00:00Z') });
    expect(again.file).toBe(join(dir, `${db.name}-2026-11-22T05-00-00Z-2.dump`));

    // The dump restores into a fresh database with the data.
    const fresh = await createScratchDatabase(server.url, { prefix: 'restored' });
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', fresh.name, b.file], {
      env: { ...env, ...libpqEnvironment(fresh.url) },
    });
    expect((await exec(fresh.url, 'SELECT count(*)::int AS n FROM big_customers')).rows).toEqual([{ n: 400 }]);
    await fresh.drop();
    await db.drop();
  });

  it('pg_dump missing: BACKUP_FAILED naming the fix, nothing written', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'nodump' });
    const dir = mkdtempSync(join(tmpdir(), 'strata-backup-'));
    const err = await thrown(backupDatabase({ url: db.url, dir, env, pgDumpPath: '/nonexistent/bin/pg_dump' }));
    expect(isStrataError(err) && err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain('/nonexistent/bin/pg_dump was not found');
    expect(err.message).toContain('--pg-dump');
    expect(readdirSync(dir)).toEqual([]);
    await db.drop();
  });

  it("pg_dump failing (a role that cannot read a table): BACKUP_FAILED with pg_dump's reason, no partial file, no password", async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'denied' });
    const secret = 'Sup3r:S3cret/pw';
    await exec(
      db.url,
      `CREATE TABLE payroll (id int); REVOKE ALL ON payroll FROM PUBLIC;
      DROP ROLE IF EXISTS limited_${db.name}; CREATE ROLE limited_${db.name} LOGIN PASSWORD '${secret}'`,
    );
    const u = new URL(db.url);
    u.username = `limited_${db.name}`;
    u.password = encodeURIComponent(secret);
    const dir = mkdtempSync(join(tmpdir(), 'strata-backup-'));
    const err = await thrown(backupDatabase({ url: u.toString(), dir, env }));
    expect(isStrataError(err) && err.code).toBe('BACKUP_FAILED');
    expect(err.message).toMatch(
      /^Backing up limited_denied_\w+@127\.0\.0\.1:\d+\/denied_\w+ failed: pg_dump exited with 1: .*permission denied for table payroll/,
    );
    expect(err.message).not.toContain(secret);
    expect(readdirSync(dir)).toEqual([]);
    await exec(db.url, `DROP OWNED BY limited_${db.name}`);
    await db.drop();
    await exec(server.url, `DROP ROLE limited_${db.name}`);
  });
});

describe('backupDatabase against the PostgreSQL 17 test server with pg_dump 15: the realistic mismatch', () => {
  it('refuses with BACKUP_FAILED saying both versions and how to fix it', async () => {
    const db = await createScratchDatabase(testServerUrl(), { prefix: 'mismatch' });
    const dir = mkdtempSync(join(tmpdir(), 'strata-backup-'));
    const err = await thrown(backupDatabase({ url: db.url, dir, env }));
    expect(isStrataError(err) && err.code).toBe('BACKUP_FAILED');
    expect(err.message).toMatch(
      new RegExp(
        /^Cannot back up postgres@127\.0\.0\.1:\d+\/mismatch_\w+: pg_dump 15\.\d+ \(pg_dump\) is /.source +
          /older than the server \(PostgreSQL 17\.\d+\), and pg_dump cannot dump a newer server\. /.source +
          /Install the PostgreSQL 17 client tools/.source,
      ),
    );
    expect(err.message).toContain('--pg-dump /usr/lib/postgresql/17/bin/pg_dump');
    expect(readdirSync(dir)).toEqual([]);
    await db.drop();
  });
});

describe('deployUpgrade: backup, history meta, health checks (PostgreSQL 15)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ binDir: PG15 });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  const files = {
    '0001_a.sql': m('d1', 'none', 'CREATE TABLE a (id int PRIMARY KEY);', 'DROP TABLE a;'),
    '0002_b.sql': m('d2', 'd1', 'CREATE TABLE b (id int PRIMARY KEY);', 'DROP TABLE b;'),
  };

  it(
    "backs up before the first pending migration and records path and size in the run's history " + 'rows; nothing pending, no backup',
    async () => {
      const db = await createScratchDatabase(server.url, { prefix: 'deploy' });
      const dir = mkdtempSync(join(tmpdir(), 'strata-backup-'));
      const migrationsDir = migrations(files);
      const r = await deployUpgrade({ url: db.url, migrationsDir, backup: { dir, env } });
      expect(r.ok).toBe(true);
      expect(r.stage).toBe('done');
      expect(r.applied.map((s) => s.revision)).toEqual(['d1', 'd2']);
      expect(r.revertTarget).toBe('base');
      expect(r.backup && existsSync(r.backup.file)).toBe(true);
      expect(r.historyRowsAnnotated).toBe(2);
      const rows = (await exec(db.url, `SELECT revision, meta->'backup' AS b FROM strata.strata_history ORDER BY id`)).rows as {
        revision: string;
        b: { file: string; sizeBytes: number };
      }[];
      expect(rows.map((x) => [x.revision, x.b.file, x.b.sizeBytes])).toEqual([
        ['d1', r.backup!.file, r.backup!.sizeBytes],
        ['d2', r.backup!.file, r.backup!.sizeBytes],
      ]);
      const again = await deployUpgrade({ url: db.url, migrationsDir, backup: { dir, env } });
      expect(again.ok).toBe(true);
      expect(again.backup).toBeUndefined();
      expect(again.applied).toEqual([]);
      expect(readdirSync(dir)).toHaveLength(1);
      await db.drop();
    },
  );

  it('a failing backup refuses to migrate', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'refuse' });
    const err = await thrown(
      deployUpgrade({
        url: db.url,
        migrationsDir: migrations(files),
        backup: { dir: mkdtempSync(join(tmpdir(), 'b-')), env, pgDumpPath: '/nope/pg_dump' },
      }),
    );
    expect(isStrataError(err) && err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain('Nothing was migrated.');
    expect((await exec(db.url, `SELECT to_regclass('public.a') AS t`)).rows).toEqual([{ t: null }]);
    await db.drop();
  });

  it('a failing before-check stops everything; a failing after-check reports what ran and the revert target', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'checks' });
    const migrationsDir = migrations(files);
    const before = await deployUpgrade({
      url: db.url,
      migrationsDir,
      checkBefore: { sql: `SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = 'no such db'`, source: '--check-before' },
    });
    expect(before).toMatchObject({
      ok: false,
      stage: 'check-before',
      checkBefore: { ok: false, reason: 'it returned false (column "?column?")' },
    });
    expect(before.run).toBeUndefined();
    expect((await exec(db.url, `SELECT to_regclass('public.a') AS t`)).rows).toEqual([{ t: null }]);

    await exec(db.url, 'SELECT 1');
    const one = await deployUpgrade({ url: db.url, migrationsDir: migrations({ '0001_a.sql': files['0001_a.sql'] }) });
    expect(one.applied.map((s) => s.revision)).toEqual(['d1']);
    const after = await deployUpgrade({
      url: db.url,
      migrationsDir,
      checkBefore: { sql: 'SELECT 1 FROM a LIMIT 0', source: 'before.sql' },
      checkAfter: {
        sql: `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM b) THEN RAISE EXCEPTION 'table b is empty'; END IF; END $$`,
        source: 'checks/after.sql',
      },
    });
    expect(after.ok).toBe(false);
    expect(after.stage).toBe('check-after');
    expect(after.checkBefore?.ok).toBe(true);
    expect(after.checkAfter).toMatchObject({ ok: false, source: 'checks/after.sql', reason: 'table b is empty (SQLSTATE P0001)' });
    expect(after.applied.map((s) => s.revision)).toEqual(['d2']);
    expect(after.revertTarget).toBe('d1');
    // The after-check rolled back nothing and wrote nothing (read-only).
    expect((await exec(db.url, 'SELECT revision FROM strata.strata_version')).rows).toEqual([{ revision: 'd2' }]);
    const write = await deployUpgrade({ url: db.url, migrationsDir, checkAfter: { sql: 'INSERT INTO b VALUES (1)', source: 'write.sql' } });
    expect(write.checkAfter).toMatchObject({ ok: false, reason: 'cannot execute INSERT in a read-only transaction (SQLSTATE 25006)' });
    await db.drop();
  });
});
