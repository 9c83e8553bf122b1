import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { downgrade, history, offlineScript, upgrade } from '@pg-strata/runner';
import { catalogue, query, sqlMigration, tempMigrations } from './helpers.js';

const m = tempMigrations();
const dirs: { rm(): void }[] = [m];
afterAll(() => dirs.forEach((d) => d.rm()));

m.write(
  '0001_users.sql',
  sqlMigration(
    'o1',
    [],
    "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\nINSERT INTO users VALUES (1, 'it''s me');",
    'DROP TABLE users;',
  ),
);
m.write(
  '0002_posts.ts',
  `import { sql, type Kysely } from 'kysely';

export const revision = 'o2';
export const parents = ['o1'];
export const message = 'posts, with the schema builder and a sql template';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.references('users.id').notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo('untitled'))
    .execute();
  await db.schema.createIndex('posts_user_id').on('posts').column('user_id').execute();
  await sql\`COMMENT ON TABLE posts IS 'written by a TypeScript migration'\`.execute(db);
  await db.insertInto('posts').values({ id: 1, user_id: 1, title: "O'Brien" }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('posts').execute();
}
`,
);
m.write(
  '0003_idx.sql',
  sqlMigration('o3', ['o2'], 'CREATE INDEX CONCURRENTLY users_name ON users (name);', 'DROP INDEX CONCURRENTLY users_name;'),
);
m.write(
  '0004_tags.sql',
  sqlMigration(
    'o4',
    ['o3'],
    'CREATE TABLE tags (id int PRIMARY KEY, label text);',
    'DROP TABLE tags;',
    '-- lock_timeout: 3s\n-- statement_timeout: 1min',
  ),
);

const created: { drop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const d of created) await d.drop();
});
async function fresh() {
  const d = await createTestDatabase('runner_offline');
  created.push(d);
  return d.url;
}

describe('TypeScript migrations', () => {
  it('get a Kysely bound to the migration transaction: schema builder, sql template and queries work', async () => {
    const url = await fresh();
    const r = await upgrade({ url, migrationsDir: m.dir, target: 'o2' });
    expect(r.ok).toBe(true);
    expect(await query(url, `SELECT id, user_id, title FROM posts`)).toEqual([{ id: '1', user_id: '1', title: "O'Brien" }]);
    expect(await query(url, `SELECT obj_description('posts'::regclass) AS c`)).toEqual([{ c: 'written by a TypeScript migration' }]);
    const h = await history({ url, migrationsDir: m.dir, limit: 1 });
    expect(h[0]).toMatchObject({
      revision: 'o2',
      file: '0002_posts.ts',
      message: 'posts, with the schema builder and a sql template',
      outcome: 'applied',
    });
    // TypeScript migrations are compiled with the recording Kysely first, so data loss is seen in them too.
    const refused = await downgrade({ url, migrationsDir: m.dir }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'DATA_LOSS_REFUSED' });
    expect((refused as Error).message).toContain('  0002_posts.ts: DROP TABLE');
    expect((refused as Error).message).toContain('(compiled from down())');
    expect((await downgrade({ url, migrationsDir: m.dir, allowDataLoss: true })).ok).toBe(true);
    expect(await query(url, `SELECT to_regclass('posts') AS t`)).toEqual([{ t: null }]);
  });

  it('a TypeScript migration building an index concurrently must say transactional = false', async () => {
    const t = tempMigrations();
    try {
      const url = await fresh();
      const body =
        `export const parents = [];\nexport async function up(db) {\n  await ` +
        `db.schema.createTable('cic').addColumn('id', 'integer').execute();\n}\n`;
      t.write('0001_a.ts', `export const revision = 'k1';\n${body}`);
      t.write(
        '0002_b.ts',
        `import { sql } from 'kysely';\nexport const revision = 'k2';\nexport const parents = ` +
          `['k1'];\nexport async function up(db) {\n  await sql\`CREATE INDEX CONCURRENTLY cic_id ON cic ` +
          `(id)\`.execute(db);\n}\n`,
      );
      const err = await upgrade({ url, migrationsDir: t.dir }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'MIGRATION_MIXED_TRANSACTIONALITY' });
      expect((err as Error).message).toBe(
        '0002_b.ts (revision k2) runs CREATE INDEX in up(), which PostgreSQL refuses inside a ' +
          'transaction. Add `export const transactional = false;` to run it outside one.',
      );
      t.write(
        '0002_b.ts',
        `import { sql } from 'kysely';\nexport const revision = 'k2';\nexport const parents = ` +
          `['k1'];\nexport const transactional = false;\nexport async function up(db) {\n  await ` +
          `sql\`CREATE INDEX CONCURRENTLY cic_id ON cic (id)\`.execute(db);\n}\n`,
      );
      const r = await upgrade({ url, migrationsDir: t.dir });
      expect(r.ok).toBe(true);
      expect(await query(url, `SELECT indexname FROM pg_indexes WHERE tablename = 'cic'`)).toEqual([{ indexname: 'cic_id' }]);
    } finally {
      t.rm();
    }
  });

  it('a failing TypeScript migration is rolled back as a whole', async () => {
    const t = tempMigrations();
    try {
      const url = await fresh();
      t.write(
        '0001_a.ts',
        `export const revision = 't1';\nexport const parents = [];\nexport async function up(db) {\n  ` +
          `await db.schema.createTable('half').addColumn('id', 'integer').execute();\n  await ` +
          `db.insertInto('missing').values({ id: 1 }).execute();\n}\n`,
      );
      const r = await upgrade({ url, migrationsDir: t.dir });
      expect(r.ok).toBe(false);
      expect(r.steps[0]!.error!.message.split('\n').slice(0, 2)).toEqual([
        '0001_a.ts: applying revision t1 failed: relation "missing" does not exist (SQLSTATE 42P01)',
        'While running: insert into "missing" ("id") values ($1)',
      ]);
      expect(await query(url, `SELECT to_regclass('half') AS t`)).toEqual([{ t: null }]);
    } finally {
      t.rm();
    }
  });
});

describe('offline scripts', () => {
  it('up --sql applied with psql gives the same catalogue and version as an online up', async () => {
    const online = await fresh();
    expect((await upgrade({ url: online, migrationsDir: m.dir })).ok).toBe(true);

    const script = await offlineScript({ migrationsDir: m.dir, direction: 'up', from: 'base' });
    expect(script).toContain("BEGIN;\nSET LOCAL lock_timeout = '10s';\nSET LOCAL statement_timeout = '0';");
    expect(script).toContain("SET LOCAL lock_timeout = '3s';\nSET LOCAL statement_timeout = '1min';");
    expect(script).toContain('CREATE TABLE IF NOT EXISTS strata.strata_version');
    expect(script).toContain(
      `create table "posts" ("id" bigint primary key, "user_id" bigint not null references "users" ` +
        `("id"), "title" text default 'untitled' not null);`,
    );
    expect(script).toContain(`insert into "posts" ("id", "user_id", "title") values (1, 1, 'O''Brien');`);
    expect(script).toContain('-- 0003_idx.sql (revision o3, up): o3\n-- runs outside a transaction, one statement at a time');
    const offline = await fresh();
    const scripts = tempMigrations();
    dirs.push(scripts);
    const file = join(scripts.dir, 'up.sql');
    writeFileSync(file, script);
    execFileSync('psql', ['-X', '-q', '-f', file, offline], { stdio: 'pipe' });
    expect(await catalogue(offline)).toEqual(await catalogue(online));
    expect(await query(offline, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'o4' }]);
    expect(
      await query(offline, `SELECT revision, direction, outcome, meta->>'mode' AS mode FROM strata.strata_history ORDER BY id`),
    ).toEqual(['o1', 'o2', 'o3', 'o4'].map((revision) => ({ revision, direction: 'up', outcome: 'applied', mode: 'offline' })));
    // the database the script built is at head for the online runner
    expect((await upgrade({ url: offline, migrationsDir: m.dir })).steps).toEqual([]);

    // down --sql reads the current state from the database when no `from` is given
    const down = await offlineScript({ url: offline, migrationsDir: m.dir, direction: 'down', target: 'o1', allowDataLoss: true });
    writeFileSync(file, down);
    execFileSync('psql', ['-X', '-q', '-f', file, offline], { stdio: 'pipe' });
    expect(await query(offline, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: 'o1' }]);
    expect(await query(offline, `SELECT to_regclass('posts') AS p, to_regclass('tags') AS t`)).toEqual([{ p: null, t: null }]);
  });

  it('refuses a TypeScript migration that reads data, naming it', async () => {
    const t = tempMigrations();
    try {
      t.write(
        '0001_a.ts',
        `export const revision = 'r1';\nexport const parents = [];\nexport async function up(db) {\n  ` +
          `const rows = await db.selectFrom('users').selectAll().execute();\n}\n`,
      );
      const err = await offlineScript({ migrationsDir: t.dir, direction: 'up', from: 'base' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'MIGRATION_OFFLINE_UNSUPPORTED' });
      expect((err as Error).message).toBe(
        '0001_a.ts (revision r1) reads data (select * from "users"), so it cannot be turned into an ' +
          'offline script: the result is only known when it runs. Run it online (strata up without --sql), ' +
          'or rewrite it so it only writes.',
      );
    } finally {
      t.rm();
    }
  });
});
