import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, introspect } from '@pg-strata/auditor';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { createTestDatabase } from '@pg-strata/testkit';
import { envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';

const PG15 = '/usr/lib/postgresql/15/bin';

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const first = {
  'migrations/0001_customers.sql': sqlMigration(
    'e00000000001',
    [],
    `CREATE TYPE tier AS ENUM ('free', 'pro');
CREATE TABLE customers (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, tier tier NOT NULL DEFAULT 'free');
CREATE INDEX customers_tier ON customers (tier) WHERE tier = 'pro';`,
    'DROP TABLE customers; DROP TYPE tier;',
  ),
  'migrations/0002_orders.sql': sqlMigration(
    'e00000000002',
    ['e00000000001'],
    `CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id) ` +
      `ON DELETE CASCADE, total numeric(10,2) CHECK (total >= 0));
CREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;`,
    'DROP VIEW order_totals; DROP TABLE orders;',
  ),
};
const pending = {
  'migrations/0003_email_verified.sql': sqlMigration(
    'e00000000003',
    ['e00000000002'],
    'ALTER TABLE customers ADD COLUMN email_verified boolean NOT NULL DEFAULT false;',
    'ALTER TABLE customers DROP COLUMN email_verified;',
  ),
  'migrations/0004_invoices.sql': sqlMigration(
    'e00000000004',
    ['e00000000003'],
    'CREATE TABLE invoices (id int PRIMARY KEY, order_id bigint REFERENCES orders(id));',
    'DROP TABLE invoices;',
  ),
};

describe('migrate up --backup (PostgreSQL 15 server, pg_dump 15)', () => {
  let server: LocalServer;
  let password: string;
  beforeAll(async () => {
    server = await startLocalServer({ binDir: PG15 });
    password = decodeURIComponent(new URL(server.url).password);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'the backup taken by --backup restores to a database whose schema equals the pre-migration one; ' +
      'path and size are in the history rows',
    async () => {
      const db = await createScratchDatabase(server.url, { prefix: 'shop' });
      const cwd = tempProject(first);
      const env = { DATABASE_URL: db.url };
      expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
      await rows(
        db.url,
        `INSERT INTO customers (email, tier) SELECT 'c' || g || '@example.com', 'pro' FROM generate_series(1, 300) g;
      INSERT INTO orders SELECT g, 1 + g % 300, g FROM generate_series(1, 1000) g;`,
      );
      const before = await introspect(db.url);

      for (const [name, text] of Object.entries(pending)) writeFileSync(join(cwd, name), text);
      const backups = join(cwd, 'backups');
      const up = await runMigrate(['up', '--backup', 'backups'], { cwd, env });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain('2 migration(s) applied');
      const files = readdirSync(backups);
      expect(files).toHaveLength(1);
      const file = join(backups, files[0]!);
      expect(files[0]).toMatch(new RegExp(`^${db.name}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ\\.dump$`));
      expect(up.stderr).toContain(`backup: ${file} (`);
      expect(up.stderr).toContain('restore into an empty database with: pg_restore --no-owner --dbname "$DATABASE_URL"');
      expect(up.stdout + up.stderr).not.toContain(password);

      // History rows of the run carry the backup's path and size; no password anywhere in the history.
      const hist = await rows<{ revision: string; b: { file: string; sizeBytes: number } | null; all: string }>(
        db.url,
        `SELECT revision, meta->'backup' AS b, row_to_json(h)::text AS all FROM strata.strata_history h ORDER BY id`,
      );
      expect(hist.map((h) => [h.revision, h.b?.file ?? null, h.b?.sizeBytes ?? null])).toEqual([
        ['e00000000001', null, null],
        ['e00000000002', null, null],
        ['e00000000003', file, statSync(file).size],
        ['e00000000004', file, statSync(file).size],
      ]);
      for (const h of hist) expect(h.all).not.toContain(password);

      // Restore into a fresh database: the same schema as before the migration, and the data.
      const restored = await createScratchDatabase(server.url, { prefix: 'restored' });
      const u = new URL(restored.url);
      execFileSync(join(PG15, 'pg_restore'), ['--no-owner', '--exit-on-error', '--dbname', restored.name, file], {
        env: { PATH: process.env.PATH, PGHOST: u.hostname, PGPORT: u.port, PGUSER: 'postgres', PGPASSWORD: password },
      });
      expect(compare(before, await introspect(restored.url))).toEqual([]);
      expect(compare(before, await introspect(db.url)).length).toBeGreaterThan(0); // the migrated one differs
      expect(await rows(restored.url, 'SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 1000 }]);
      expect(await rows(restored.url, 'SELECT revision FROM strata.strata_version')).toEqual([{ revision: 'e00000000002' }]);

      // Nothing pending: no backup.
      const again = await runMigrate(['up', '--backup', 'backups'], { cwd, env });
      expect(again.code).toBe(0);
      expect(again.stderr).not.toContain('backup:');
      expect(readdirSync(backups)).toHaveLength(1);
      await restored.drop();
      await db.drop();
    },
  );

  it('config `backup: { dir }` works like --backup; a failing backup (--pg-dump missing) refuses to migrate with exit 3', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'cfg' });
    const cwd = tempProject({ ...first, 'migrate.config.json': JSON.stringify({ backup: { dir: 'dumps' } }) });
    const env = { DATABASE_URL: db.url };
    const bad = await runMigrate(['up', '--pg-dump', '/opt/nowhere/pg_dump'], { cwd, env });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('/opt/nowhere/pg_dump was not found');
    expect(bad.stderr).toContain('Nothing was migrated.');
    expect(await rows(db.url, `SELECT to_regclass('strata.strata_version') AS t`)).toEqual([{ t: null }]);
    const ok = await runMigrate(['up', '--json'], { cwd, env });
    expect(ok.code, ok.stderr).toBe(0);
    const env1 = envelope(ok.stdout);
    expect(env1).toMatchObject({ command: 'up', ok: true });
    const out = env1.result;
    expect(out).toMatchObject({
      stage: 'done',
      applied: [{ revision: 'e00000000001' }, { revision: 'e00000000002' }],
      revertCommand: 'strata down base',
    });
    expect(out.backup.file).toBe(join(cwd, 'dumps', readdirSync(join(cwd, 'dumps'))[0]!));
    await db.drop();
  });

  it('--check-after failing: exit 1, lists what ran, prints the migrate down that reverts exactly that (and it works)', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'after' });
    const cwd = tempProject(first);
    const env = { DATABASE_URL: db.url };
    expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
    const before = await introspect(db.url);
    for (const [name, text] of Object.entries(pending)) writeFileSync(join(cwd, name), text);
    mkdirSync(join(cwd, 'checks'));
    writeFileSync(
      join(cwd, 'checks', 'after.sql'),
      `-- every customer must be verified by now
SELECT bool_and(email_verified) IS NOT FALSE AND count(*) > 0 FROM customers;\n`,
    );
    writeFileSync(join(cwd, 'checks', 'before.sql'), 'SELECT count(*) >= 0 FROM orders;\n');
    const up = await runMigrate(['up', '--check-before', 'checks/before.sql', '--check-after', 'checks/after.sql'], { cwd, env });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('check before: ok (checks/before.sql');
    expect(up.stdout).toContain('2 migration(s) applied');
    expect(up.stderr).toContain('error: the health check after the run (checks/after.sql) failed: it returned false (column "?column?").');
    expect(up.stderr).toContain(
      'This run applied 2 migration(s), still applied (nothing was rolled back):\n  e00000000003  ' +
        '0003_email_verified.sql\n  e00000000004  0004_invoices.sql\n',
    );
    expect(up.stderr).toContain('To revert them: strata down e00000000002 (add --allow-data-loss if their down sections drop anything)');

    const down = await runMigrate(['down', 'e00000000002', '--allow-data-loss'], { cwd, env });
    expect(down.code, down.stderr).toBe(0);
    expect(compare(before, await introspect(db.url))).toEqual([]);
    await db.drop();
  });

  it('--check-before failing: exit 1, nothing backed up or applied; inline SQL works', async () => {
    const db = await createScratchDatabase(server.url, { prefix: 'before' });
    const cwd = tempProject(first);
    const up = await runMigrate(
      ['up', '--backup', 'b', '--check-before', "DO $$ BEGIN RAISE EXCEPTION 'maintenance window closed'; END $$"],
      { cwd, env: { DATABASE_URL: db.url } },
    );
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(
      'error: the health check before the run (--check-before) failed: maintenance window closed ' +
        '(SQLSTATE P0001). Nothing was backed up or migrated.',
    );
    expect(await rows(db.url, `SELECT to_regclass('public.customers') AS t`)).toEqual([{ t: null }]);
    const ok = await runMigrate(['up', '--check-before', 'SELECT true', '--check-after', 'SELECT count(*) = 0 FROM customers'], {
      cwd,
      env: { DATABASE_URL: db.url },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('check after: ok (--check-after');
    await db.drop();
  });
  it('config checkAfter names a file relative to the config file; a fleet with --backup writes one dump per database', async () => {
    const dbs = [await createScratchDatabase(server.url, { prefix: 'fa' }), await createScratchDatabase(server.url, { prefix: 'fb' })];
    const cwd = tempProject(first);
    mkdirSync(join(cwd, 'deploy'));
    writeFileSync(join(cwd, 'deploy', 'migrate.config.json'), JSON.stringify({ migrationsDir: '../migrations', checkAfter: 'after.sql' }));
    writeFileSync(join(cwd, 'deploy', 'after.sql'), 'SELECT count(*) = 0 FROM orders;\n');
    writeFileSync(join(cwd, 'targets.txt'), dbs.map((d) => d.name).join('\n'));
    const r = await runMigrate(
      ['up', '--config', 'deploy/migrate.config.json', '--targets', 'targets.txt', '--backup', 'dumps', '--json'],
      { cwd, env: { DATABASE_URL: server.url } },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = envelope<{ targets: { status: string }[] }>(r.stdout).result!;
    expect(out.targets.map((t) => t.status)).toEqual(['migrated', 'migrated']);
    const dumps = readdirSync(join(cwd, 'dumps')).sort();
    expect(dumps.map((f) => f.replace(/-\d{4}-.*$/, ''))).toEqual(dbs.map((d) => d.name).sort());
    for (const f of dumps) expect(f).not.toContain(password);
    // The after-check from the config ran on each target: make it fail on one.
    await rows(dbs[1]!.url, "INSERT INTO customers (email) VALUES ('x@example.com'); INSERT INTO orders VALUES (1, 1, 1)");
    writeFileSync(join(cwd, 'migrations', '0003_email_verified.sql'), pending['migrations/0003_email_verified.sql']);
    const again = await runMigrate(['up', '--config', 'deploy/migrate.config.json', '--targets', 'targets.txt'], {
      cwd,
      env: { DATABASE_URL: server.url },
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: 1 target(s) failed: postgres@127.0.0.1:${server.port}/${dbs[1]!.name}`);
    expect(again.stderr).toContain('health check after the run failed: it returned false');
    for (const d of dbs) await d.drop();
  });
});

describe('migrate up --backup against the PostgreSQL 17 test server with pg_dump 15 on PATH', () => {
  it('refuses before migrating: exit 3, both versions, the fix', async () => {
    const db = await createTestDatabase('e2e_backup17');
    const cwd = tempProject(first);
    const up = await runMigrate(['up', '--backup', 'backups'], { cwd, env: { DATABASE_URL: db.url } });
    expect(up.code).toBe(3);
    expect(up.stderr).toMatch(
      new RegExp(
        /error: Cannot back up postgres@127\.0\.0\.1:\d+\/e2e_backup17_\w+: pg_dump 15\.\d+ /.source +
          /\(pg_dump\) is older than the server \(PostgreSQL 17\.\d+\)/.source,
      ),
    );
    expect(up.stderr).toContain('--pg-dump /usr/lib/postgresql/17/bin/pg_dump');
    expect(await rows(db.url, `SELECT to_regclass('public.customers') AS t`)).toEqual([{ t: null }]);
    await db.drop();
  });
});
