import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { splitStatements } from '@pg-strata/sql';
import { runMigrate, tempProject } from './support/cli.js';
import { describeSchema, query } from './support/catalogue.js';

// Each tool's folder (synthetic, written for these tests) is applied to a
// database by the tool's own rules: the real tool where it is on npm
// (dbmate's binary, node-pg-migrate, Kysely's Migrator) or Debian (Alembic),
// otherwise its SQL in its order with its history table written as the tool
// writes it. Then: import, stamp --from-history, and up/down/status with zero drift.
const FIXTURES = resolve(import.meta.dirname, '../packages/importer/test/fixtures');
const fromImporter = createRequire(resolve(import.meta.dirname, '../packages/importer/package.json'));
const shadow = () => ['--shadow-url', testServerUrl()];

async function exec(url: string, sql: string): Promise<void> {
  await query(url, sql);
}

/** Statements one at a time (for CONCURRENTLY, which refuses a multi-statement query). */
async function execEach(url: string, sql: string): Promise<void> {
  for (const s of splitStatements(sql).statements) await query(url, sql.slice(s.start, s.end));
}

const FLYWAY_TABLE =
  `CREATE TABLE flyway_schema_history (installed_rank integer NOT NULL, version varchar(50), ` +
  `description varchar(200) NOT NULL,
  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL,
  CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));
CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success);`;

/** Flyway's rules: V files by version, each in a transaction, placeholders replaced, one history row each (afterMigrate callback run too).
 * */
async function applyFlyway(url: string, upTo = Infinity): Promise<void> {
  const dir = join(FIXTURES, 'flyway');
  await exec(url, FLYWAY_TABLE);
  const files = readdirSync(dir)
    .filter((f) => /^V/.test(f))
    .map((f) => ({ f, v: /^V([\d_]+)__(.*)\.sql$/.exec(f)! }))
    .sort((a, b) => Number(a.v[1]!.replace('_', '.')) - Number(b.v[1]!.replace('_', '.')));
  let rank = 1;
  for (const { f, v } of files.slice(0, upTo)) {
    await exec(url, `BEGIN; ${readFileSync(join(dir, f), 'utf8').replaceAll('${owner}', 'app')} COMMIT;`);
    await query(url, `INSERT INTO flyway_schema_history VALUES ($1, $2, $3, 'SQL', $4, 12345, 'app', now(), 5, true)`, [
      rank++,
      v[1]!.replace(/_/g, '.'),
      v[2]!.replace(/_/g, ' '),
      f,
    ]);
  }
  await exec(url, readFileSync(join(dir, 'afterMigrate.sql'), 'utf8'));
}

/** golang-migrate's rules: each .up.sql as one multi-statement query, in version order; one schema_migrations row (version, dirty). */
async function applyGolangMigrate(url: string): Promise<void> {
  const dir = join(FIXTURES, 'golang-migrate');
  await exec(url, 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.up.sql'))
    .sort())
    await exec(url, readFileSync(join(dir, f), 'utf8'));
  await exec(url, 'INSERT INTO schema_migrations VALUES (3, false)');
}

/** goose's rules: the Up section of each file by version (NO TRANSACTION files statement by statement), the Go migration's SQL run as its
 * code does; goose_db_version rows. */
async function applyGoose(url: string): Promise<void> {
  const dir = join(FIXTURES, 'goose');
  await exec(
    url,
    `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied ` +
      `boolean NOT NULL, tstamp timestamp DEFAULT now());
    INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)`,
  );
  for (const f of readdirSync(dir).sort()) {
    const version = Number(/^(\d+)/.exec(f)![1]);
    if (f.endsWith('.go')) await exec(url, "INSERT INTO authors (name) VALUES ('seed')");
    else {
      const text = readFileSync(join(dir, f), 'utf8');
      const up = text.slice(text.indexOf('-- +goose Up'), text.indexOf('-- +goose Down')).replace(/^-- \+goose.*$/gm, '');
      if (text.includes('NO TRANSACTION')) await execEach(url, up);
      else await exec(url, `BEGIN; ${up} COMMIT;`);
    }
    await query(url, 'INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)', [version]);
  }
}

/** Prisma's rules (migrate deploy): each migration.sql in folder order, a _prisma_migrations row each. */
async function applyPrisma(url: string, upTo = Infinity): Promise<void> {
  const dir = join(FIXTURES, 'prisma');
  await exec(
    url,
    `CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY NOT NULL, checksum varchar(64) NOT NULL, finished_at timestamptz,
    migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at ` +
      `timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)`,
  );
  for (const folder of readdirSync(dir)
    .filter((f) => /^\d/.test(f))
    .sort()
    .slice(0, upTo)) {
    const sql = readFileSync(join(dir, folder, 'migration.sql'), 'utf8');
    await exec(url, sql);
    await query(
      url,
      'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, ' +
        'applied_steps_count) VALUES (gen_random_uuid()::text, $1, now(), $2, 1)',
      [createHash('sha256').update(sql).digest('hex'), folder],
    );
  }
}

/** dbmate itself (its npm package's binary). */
function applyDbmate(url: string): void {
  const bin = resolve(import.meta.dirname, '../packages/importer/node_modules/.bin/dbmate');
  const u = new URL(url);
  u.searchParams.set('sslmode', 'disable');
  const r = spawnSync(bin, ['--url', u.href, '--migrations-dir', join(FIXTURES, 'dbmate'), '--no-dump-schema', 'up'], { encoding: 'utf8' });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
}

/** node-pg-migrate itself (its programmatic runner). */
async function applyNodePgMigrate(url: string): Promise<void> {
  const { runner } = (await import(pathToFileURL(fromImporter.resolve('node-pg-migrate')).href)) as {
    runner: (o: Record<string, unknown>) => Promise<unknown>;
  };
  await runner({
    databaseUrl: url,
    dir: join(FIXTURES, 'node-pg-migrate'),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    log: () => {},
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

/** Kysely's own Migrator, with a provider loading the folder's modules in name order (FileMigrationProvider's order). */
async function applyKysely(url: string): Promise<void> {
  type Ctor = new (o: Record<string, unknown>) => any;
  const kysely = (await import(pathToFileURL(fromImporter.resolve('kysely')).href)) as {
    Kysely: Ctor;
    PostgresDialect: Ctor;
    Migrator: Ctor;
  };
  const pg = (await import('pg')).default;
  const { createJiti } = (await import(pathToFileURL(fromImporter.resolve('jiti')).href)) as {
    createJiti: (from: string) => { import(p: string): Promise<unknown> };
  };
  const jiti = createJiti(import.meta.url);
  const dir = join(FIXTURES, 'kysely');
  const db = new kysely.Kysely({ dialect: new kysely.PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    const provider = {
      async getMigrations() {
        const out: Record<string, unknown> = {};
        for (const f of readdirSync(dir).sort()) out[f.replace(/\.ts$/, '')] = await jiti.import(join(dir, f));
        return out;
      },
    };
    const res = (await new kysely.Migrator({ db, provider }).migrateToLatest()) as { error?: unknown };
    expect(res.error).toBeUndefined();
  } finally {
    await db.destroy();
  }
}

/** A Python that imports Alembic (Debian's python3-alembic: .ci/run installs it). */
function alembicPython(): string {
  for (const py of ['python3', '/usr/bin/python3'])
    if (spawnSync(py, ['-c', 'import alembic, psycopg2'], { stdio: 'ignore' }).status === 0) return py;
  throw new Error('No Python with Alembic and psycopg2: apt-get install python3-alembic python3-psycopg2 (.ci/run does).');
}

/** Alembic itself, online, to `target`. */
function applyAlembic(url: string, target = 'heads'): void {
  const dir = join(FIXTURES, 'alembic');
  const r = spawnSync(alembicPython(), ['-m', 'alembic', '-c', 'alembic.ini', 'upgrade', target], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ALEMBIC_DATABASE_URL: url.replace(/^postgres:/, 'postgresql:') },
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
}

/** The user schema of a database, the other tool's tables left out. */
async function schemaOf(url: string, toolTable: string): Promise<string> {
  return (await describeSchema(url))
    .split('\n')
    .filter((l) => !l.includes(toolTable))
    .join('\n');
}

/** import, stamp --from-history, status, (down, up), and the auditor's zero drift against the imported migrations. */
async function takeOver(
  tool: string,
  dir: string,
  build: (url: string) => Promise<void> | void,
  o: { table: string; importCode: number; down: boolean; importArgs?: string[] },
) {
  const db = await createTestDatabase(`e2e_import_${tool.replace(/-/g, '_')}`);
  try {
    await build(db.url);
    const cwd = tempProject();
    const env = { DATABASE_URL: db.url, STRATA_NO_DOWNLOAD: '1' };
    const imp = await runMigrate(['import', '--from', tool, dir, ...(o.importArgs ?? [])], { cwd, env, timeoutMs: 120_000 });
    expect(imp.code, `${imp.stdout}\n${imp.stderr}`).toBe(o.importCode);
    const stamped = await runMigrate(['stamp', '--from-history', tool, ...shadow()], { cwd, env, timeoutMs: 120_000 });
    expect(stamped.code, `${stamped.stdout}\n${stamped.stderr}`).toBe(0);
    expect(stamped.stdout).toMatch(/^Stamped: base -> [0-9a-z_]+\.\n$/);
    const status = await runMigrate(['status', '--check'], { cwd, env });
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(0);
    const before = await schemaOf(db.url, o.table);
    if (o.down) {
      const down = await runMigrate(['down', '--allow-data-loss'], { cwd, env });
      expect(down.code, down.stderr).toBe(0);
      expect((await runMigrate(['status', '--check'], { cwd, env })).code).toBe(1);
      const up = await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd, env });
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      expect(await schemaOf(db.url, o.table)).toBe(before);
    }
    // The old history table is left alone; without it, the auditor finds no drift against the imported migrations.
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'r'`, [o.table])).toHaveLength(1);
    const fresh = await createTestDatabase(`e2e_import_${tool.replace(/-/g, '_')}_fresh`);
    try {
      // A fresh database from the imported revisions (legacy migrations often build indexes without CONCURRENTLY: the linter
      // would refuse them, rightly for a busy table, so a fresh build says --no-lint as the importer's docs tell).
      const built = await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd, env: { ...env, DATABASE_URL: fresh.url } });
      expect(built.code, built.stderr).toBe(0);
      expect(await schemaOf(fresh.url, o.table)).toBe(before);
    } finally {
      await fresh.drop();
    }
    await exec(db.url, `DROP TABLE ${tool === 'kysely' ? 'kysely_migration, kysely_migration_lock' : o.table}`);
    const audit = await runMigrate(['audit', '--models', 'migrations:migrations', ...shadow()], { cwd, env, timeoutMs: 120_000 });
    expect(audit.code, `${audit.stdout}\n${audit.stderr}`).toBe(0);
    return { cwd, imp };
  } finally {
    await db.drop();
  }
}

describe('strata import + stamp --from-history, per tool', () => {
  it('flyway: V/U files, a placeholder given, the callback reported', async () => {
    const { imp, cwd } = await takeOver('flyway', join(FIXTURES, 'flyway'), (u) => applyFlyway(u), {
      table: 'flyway_schema_history',
      importCode: 1,
      down: true,
      importArgs: ['--placeholder', 'owner=app'],
    });
    expect(imp.stdout).toContain('afterMigrate.sql: [callback]');
    const files = readdirSync(join(cwd, 'migrations')).sort();
    expect(files).toEqual(['0001_create_authors.sql', '0002_author_email.sql', '0003_books.sql', 'IMPORT-flyway.md']);
    expect(readFileSync(join(cwd, 'migrations', '0001_create_authors.sql'), 'utf8')).toContain(
      "COMMENT ON TABLE authors IS 'owned by app';",
    );
  }, 300_000);

  it('dbmate (its own binary): transaction:false carried over', async () => {
    const { cwd } = await takeOver('dbmate', join(FIXTURES, 'dbmate'), applyDbmate, {
      table: 'schema_migrations',
      importCode: 0,
      down: true,
    });
    expect(readFileSync(join(cwd, 'migrations', '0003_author_email_index.sql'), 'utf8')).toContain('-- transactional: false');
  }, 300_000);

  it('golang-migrate: up/down pairs, BEGIN/COMMIT taken out and reported', async () => {
    const { imp } = await takeOver('golang-migrate', join(FIXTURES, 'golang-migrate'), applyGolangMigrate, {
      table: 'schema_migrations',
      importCode: 0,
      down: true,
    });
    expect(imp.stdout).toContain("[transaction-control] 'BEGIN' removed");
  }, 300_000);

  it('goose: annotations, NO TRANSACTION, a Go migration reported and kept as an empty revision', async () => {
    const { imp } = await takeOver('goose', join(FIXTURES, 'goose'), applyGoose, { table: 'goose_db_version', importCode: 1, down: true });
    expect(imp.stdout).toContain('00003_seed_authors.go: [go-migration]');
  }, 300_000);

  it('node-pg-migrate (its own runner): SQL, JS reversed by itself, TS with down()', async () => {
    const { cwd } = await takeOver('node-pg-migrate', join(FIXTURES, 'node-pg-migrate'), applyNodePgMigrate, {
      table: 'pgmigrations',
      importCode: 0,
      down: true,
    });
    const js = readFileSync(join(cwd, 'migrations', '0002_author_email.sql'), 'utf8');
    expect(js).toMatch(/-- migrate:down\nDROP INDEX "authors_email_key";\nALTER TABLE "authors"\n\s+DROP "email";/);
  }, 300_000);

  it('kysely (its own Migrator): modules kept as Strata TypeScript migrations', async () => {
    const { cwd } = await takeOver('kysely', join(FIXTURES, 'kysely'), applyKysely, {
      table: 'kysely_migration',
      importCode: 0,
      down: true,
    });
    expect(readdirSync(join(cwd, 'migrations')).filter((f) => f.endsWith('.ts'))).toHaveLength(3);
  }, 300_000);

  it('prisma: no down (refused by name), a database two migrations behind is stamped there and brought up', async () => {
    const db = await createTestDatabase('e2e_import_prisma_behind');
    try {
      await applyPrisma(db.url, 2);
      const cwd = tempProject();
      const env = { DATABASE_URL: db.url, STRATA_NO_DOWNLOAD: '1' };
      expect((await runMigrate(['import', '--from', 'prisma', join(FIXTURES, 'prisma')], { cwd, env })).code).toBe(0);
      const stamped = await runMigrate(['stamp', '--from-history', 'prisma', ...shadow()], { cwd, env, timeoutMs: 120_000 });
      expect(stamped.code, `${stamped.stdout}\n${stamped.stderr}`).toBe(0);
      expect(stamped.stderr).toContain('says 20240102000000_author_email');
      expect((await runMigrate(['status', '--check'], { cwd, env })).code).toBe(1);
      expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
      const down = await runMigrate(['down'], { cwd, env });
      expect(down.code).toBe(2);
      expect(down.stderr).toContain("has no '-- migrate:down' section");
      const full = await createTestDatabase('e2e_import_prisma_full');
      try {
        await applyPrisma(full.url);
        expect(await schemaOf(db.url, '_prisma_migrations')).toBe(await schemaOf(full.url, '_prisma_migrations'));
      } finally {
        await full.drop();
      }
    } finally {
      await db.drop();
    }
    await takeOver('prisma', join(FIXTURES, 'prisma'), (u) => applyPrisma(u), { table: '_prisma_migrations', importCode: 0, down: false });
  }, 300_000);

  it('alembic (run by Alembic itself): branches and a merge kept, offline and static imports build the same schema', async () => {
    const offline = await takeOver('alembic', join(FIXTURES, 'alembic'), (u) => applyAlembic(u), {
      table: 'alembic_version',
      importCode: 0,
      down: true,
      importArgs: ['--alembic-mode', 'offline'],
    });
    const stat = await takeOver('alembic', join(FIXTURES, 'alembic'), (u) => applyAlembic(u), {
      table: 'alembic_version',
      importCode: 0,
      down: true,
      importArgs: ['--alembic-mode', 'static'],
    });
    const merge = readFileSync(
      join(offline.cwd, 'migrations', readdirSync(join(offline.cwd, 'migrations')).find((f) => f.includes('merge'))!),
      'utf8',
    );
    expect(merge).toContain('-- parents: b2c0ffee0002, c3c0ffee0003');
    // Same revisions, same graph; the bodies may differ only in layout.
    const heads = (cwd: string) =>
      readdirSync(join(cwd, 'migrations'))
        .filter((f) => f.endsWith('.sql'))
        .map((f) =>
          readFileSync(join(cwd, 'migrations', f), 'utf8')
            .split('\n')
            .slice(0, 2)
            .join(' '),
        );
    expect(heads(stat.cwd)).toEqual(heads(offline.cwd));
    const a = await createTestDatabase('e2e_import_alembic_a');
    const b = await createTestDatabase('e2e_import_alembic_b');
    try {
      expect((await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd: offline.cwd, env: { DATABASE_URL: a.url } })).code).toBe(0);
      expect((await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd: stat.cwd, env: { DATABASE_URL: b.url } })).code).toBe(0);
      expect(await describeSchema(b.url)).toBe(await describeSchema(a.url));
    } finally {
      await a.drop();
      await b.drop();
    }
  }, 300_000);

  it('alembic: a database on one branch is stamped there, and up brings the other branch and the merge', async () => {
    const db = await createTestDatabase('e2e_import_alembic_branch');
    try {
      applyAlembic(db.url, 'b2c0ffee0002');
      const cwd = tempProject();
      const env = { DATABASE_URL: db.url, STRATA_NO_DOWNLOAD: '1' };
      expect((await runMigrate(['import', '--from', 'alembic', join(FIXTURES, 'alembic')], { cwd, env })).code).toBe(0);
      const stamped = await runMigrate(['stamp', '--from-history', 'alembic', ...shadow()], { cwd, env, timeoutMs: 120_000 });
      expect({ code: stamped.code, err: stamped.stderr, out: stamped.stdout }).toMatchObject({
        code: 0,
        out: 'Stamped: base -> b2c0ffee0002.\n',
      });
      const up = await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd, env });
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      const full = await createTestDatabase('e2e_import_alembic_branch_full');
      try {
        applyAlembic(full.url);
        expect(await schemaOf(db.url, 'alembic_version')).toBe(await schemaOf(full.url, 'alembic_version'));
      } finally {
        await full.drop();
      }
    } finally {
      await db.drop();
    }
  }, 300_000);
});

describe('strata import: refusals', () => {
  it('a drifted database is not stamped: the drift is listed, exit 1, nothing recorded', async () => {
    const db = await createTestDatabase('e2e_import_drift');
    try {
      await applyFlyway(db.url);
      await exec(db.url, 'CREATE INDEX books_title ON books (title)');
      const cwd = tempProject();
      const env = { DATABASE_URL: db.url, STRATA_NO_DOWNLOAD: '1' };
      await runMigrate(['import', '--from', 'flyway', join(FIXTURES, 'flyway'), '--placeholder', 'owner=app'], { cwd, env });
      const r = await runMigrate(['stamp', '--from-history', 'flyway', ...shadow()], { cwd, env, timeoutMs: 120_000 });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('books_title');
      expect(r.stderr).toContain('Not stamped');
      expect(await query(db.url, "SELECT 1 FROM pg_namespace WHERE nspname = 'strata'")).toHaveLength(0);
    } finally {
      await db.drop();
    }
  }, 300_000);

  it('importing twice changes nothing; a folder with other migrations is refused unless --append', async () => {
    const cwd = tempProject();
    const dir = join(FIXTURES, 'dbmate');
    expect((await runMigrate(['import', '--from', 'dbmate', dir], { cwd })).code).toBe(0);
    const snap = () =>
      readdirSync(join(cwd, 'migrations'))
        .sort()
        .map((f) => `${f}\n${readFileSync(join(cwd, 'migrations', f), 'utf8')}`)
        .join('\n');
    const first = snap();
    const again = await runMigrate(['import', '--from', 'dbmate', dir], { cwd });
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain('Nothing to do');
    expect(snap()).toBe(first);

    const other = tempProject();
    expect((await runMigrate(['new', 'own table'], { cwd: other })).code).toBe(0);
    const before = readdirSync(join(other, 'migrations')).sort();
    const refused = await runMigrate(['import', '--from', 'dbmate', dir], { cwd: other });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--append');
    expect(readdirSync(join(other, 'migrations')).sort()).toEqual(before);
    const appended = await runMigrate(['import', '--from', 'dbmate', dir, '--append'], { cwd: other });
    expect(appended.code, `${appended.stdout}\n${appended.stderr}`).toBe(0);
    const appendedOnce = readdirSync(join(other, 'migrations'))
      .sort()
      .map((f) => readFileSync(join(other, 'migrations', f), 'utf8'))
      .join('\n');
    const appendAgain = await runMigrate(['import', '--from', 'dbmate', dir, '--append'], { cwd: other });
    expect(appendAgain.code, appendAgain.stderr).toBe(0);
    expect(appendAgain.stdout).toContain('Nothing to do');
    expect(
      readdirSync(join(other, 'migrations'))
        .sort()
        .map((f) => readFileSync(join(other, 'migrations', f), 'utf8'))
        .join('\n'),
    ).toBe(appendedOnce);
    const heads = await runMigrate(['heads'], { cwd: other });
    expect(heads.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readdirSync(join(other, 'migrations')).filter((f) => f.endsWith('.sql'))).toHaveLength(5);
  }, 300_000);

  it('an unknown tool, a missing folder: exit 2, nothing written', async () => {
    const cwd = tempProject();
    const bad = await runMigrate(['import', '--from', 'liquibase', 'x'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a tool import reads');
    const missing = await runMigrate(['import', '--from', 'dbmate', join(cwd, 'nope')], { cwd });
    expect(missing.code).toBe(2);
    expect(readdirSync(join(cwd, 'migrations'))).toEqual([]);
  }, 300_000);
});
