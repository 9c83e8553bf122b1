import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, introspect, migrationText, plan, renderSteps, type Snapshot } from '../src/index.js';
import { runSql } from './helpers.js';

/** Introspect the Snapshot of an SQL script on a fresh database. */
async function snapshotOf(sql: string): Promise<Snapshot> {
  const db = await createTestDatabase('plan_out');
  try {
    await runSql(db.url, sql);
    return await introspect(db.url);
  } finally {
    await db.drop();
  }
}

/**
 * A view's body as the server prints it (pg_get_viewdef), which the plan
 * writes unchanged: PostgreSQL 16 stopped qualifying columns there
 * (`SELECT id` where 13-15 print `SELECT docs.id`).
 */
function viewBody(s: Snapshot, key: string): string {
  const v = s.views[key];
  if (!v) throw new Error(`no view ${key}`);
  return v.definition.trim().replace(/;$/, '');
}

describe('plan output reads like a careful person wrote it', () => {
  it('adds enum values in place, each marked to run outside a transaction', async () => {
    const a = await snapshotOf(`CREATE TYPE mood AS ENUM ('sad', 'happy');`);
    const b = await snapshotOf(`CREATE TYPE mood AS ENUM ('angry', 'sad', 'ok', 'happy', 'ecstatic');`);
    const p = plan(a, b);
    expect(p.up.map((s) => s.sql)).toEqual([
      "ALTER TYPE mood ADD VALUE 'angry' BEFORE 'sad'",
      "ALTER TYPE mood ADD VALUE 'ok' AFTER 'sad'",
      "ALTER TYPE mood ADD VALUE 'ecstatic'",
    ]);
    expect(p.up.every((s) => s.transactional === false && !s.destructive)).toBe(true);
    const text = migrationText(p);
    expect(text.transactional).toBe(false);
    expect(text.destructive).toBe(false);
    expect(text.up.split('\n').slice(0, 4)).toEqual([
      '-- a new enum value cannot be used in the transaction that adds it: commit before using it',
      '-- run outside a transaction block',
      "ALTER TYPE mood ADD VALUE 'angry' BEFORE 'sad';",
      '',
    ]);
    expect(migrationText(plan(a, a))).toEqual({ empty: true, up: '', down: '', destructive: false, transactional: true });
    // Going back removes values: the type is built again.
    expect(p.down.map((s) => s.sql)).toEqual([
      'ALTER TYPE mood RENAME TO mood_old',
      "CREATE TYPE mood AS ENUM ('sad', 'happy')",
      'DROP TYPE mood_old',
    ]);
  });

  it('rebuilds an enum that loses a value, converting columns through text around their default and views', async () => {
    const common = `CREATE TABLE docs (id int PRIMARY KEY, status status NOT NULL DEFAULT 'draft');
      CREATE VIEW published AS SELECT id FROM docs WHERE status = 'published';`;
    const a = await snapshotOf(`CREATE TYPE status AS ENUM ('draft', 'review', 'published'); ${common}`);
    const b = await snapshotOf(`CREATE TYPE status AS ENUM ('draft', 'published'); ${common}`);
    const p = plan(a, b);
    expect(renderSteps(p.up)).toBe(
      [
        'DROP VIEW published;',
        '',
        'ALTER TABLE docs ALTER COLUMN status DROP DEFAULT;',
        '',
        "-- enum status loses 'review': it is built again",
        'ALTER TYPE status RENAME TO status_old;',
        '',
        "CREATE TYPE status AS ENUM ('draft', 'published');",
        '',
        "-- fails if a row still holds 'review'",
        '-- destructive: may lose data',
        'ALTER TABLE docs ALTER COLUMN status TYPE status USING status::text::status;',
        '',
        "ALTER TABLE docs ALTER COLUMN status SET DEFAULT 'draft'::status;",
        '',
        'DROP TYPE status_old;',
        '',
        'CREATE VIEW published AS',
        `${viewBody(b, 'public.published')};`,
        '',
      ].join('\n'),
    );
  });

  it('changes a column type under a view: drops the view, alters with USING when needed, recreates the view', async () => {
    const a = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email varchar(255) NOT NULL, age text);
      CREATE VIEW user_emails AS SELECT id, email FROM users;`);
    const b = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, age integer);
      CREATE VIEW user_emails AS SELECT id, email FROM users;`);
    const p = plan(a, b);
    expect(p.up).toEqual([
      { sql: 'DROP VIEW user_emails', destructive: false },
      { sql: 'ALTER TABLE users ALTER COLUMN email TYPE text', destructive: false, comment: 'varchar(255) -> text' },
      { sql: 'ALTER TABLE users ALTER COLUMN age TYPE integer USING age::integer', destructive: true, comment: 'text -> integer' },
      { sql: `CREATE VIEW user_emails AS\n${viewBody(b, 'public.user_emails')}`, destructive: false },
    ]);
    expect(p.down.map((s) => s.sql)).toEqual([
      'DROP VIEW user_emails',
      'ALTER TABLE users ALTER COLUMN email TYPE character varying(255)',
      'ALTER TABLE users ALTER COLUMN age TYPE text',
      `CREATE VIEW user_emails AS\n${viewBody(a, 'public.user_emails')}`,
    ]);
    expect(p.down.map((s) => s.destructive)).toEqual([false, true, false, false]);
  });

  it('never guesses a rename: it drops and adds, and says it may be a rename', async () => {
    const a = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, name text); CREATE TABLE old_logs (id int, msg text);`);
    const b = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, full_name text); CREATE TABLE logs (id int, msg text);`);
    const p = plan(a, b);
    expect(p.up).toEqual([
      { sql: 'DROP TABLE old_logs', destructive: true },
      { sql: 'ALTER TABLE users DROP COLUMN name', destructive: true },
      { sql: 'CREATE TABLE logs (\n    id integer,\n    msg text\n)', destructive: false },
      { sql: 'ALTER TABLE users ADD COLUMN full_name text', destructive: false },
    ]);
    expect(p.hints).toEqual([
      {
        kind: 'possible-rename',
        message:
          'column users.name is dropped and users.full_name added with the same type text: if this is a ' +
          'rename, replace both steps with ALTER TABLE users RENAME COLUMN name TO full_name to keep the ' +
          'data',
      },
      {
        kind: 'possible-rename',
        message:
          'table old_logs is dropped and logs created with the same columns: if this is a rename, replace ' +
          'both steps with ALTER TABLE old_logs RENAME TO logs to keep the data',
      },
    ]);
  });

  it('builds indexes on existing tables CONCURRENTLY when asked, and foreign keys after every table', async () => {
    const a = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email text);`);
    const b = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email text);
      CREATE INDEX users_email_lower_idx ON users (lower(email)) WHERE email IS NOT NULL;
      CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE CASCADE);
      CREATE INDEX posts_user_idx ON posts (user_id);`);
    const p = plan(a, b, { concurrently: true });
    expect(p.up).toEqual([
      {
        sql: 'CREATE TABLE posts (\n    id integer NOT NULL,\n    user_id integer NOT NULL,\n    CONSTRAINT posts_pkey PRIMARY KEY (id)\n)',
        destructive: false,
      },
      { sql: 'CREATE INDEX posts_user_idx ON posts (user_id)', destructive: false },
      {
        sql: 'CREATE INDEX CONCURRENTLY users_email_lower_idx ON users (lower(email)) WHERE (email IS NOT NULL)',
        destructive: false,
        concurrently: true,
        transactional: false,
      },
      {
        sql: 'ALTER TABLE posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
        destructive: false,
      },
    ]);
    expect(p.down.map((s) => s.sql)).toEqual(['DROP INDEX CONCURRENTLY users_email_lower_idx', 'DROP TABLE posts']);
  });
});

describe('drift messages', () => {
  let prod: Snapshot;
  let models: Snapshot;
  beforeAll(async () => {
    prod = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email varchar(255), legacy text, created timestamp);
      CREATE INDEX idx_users_email_lower ON users (lower(email));
      CREATE TYPE mood AS ENUM ('a', 'b');`);
    models = await snapshotOf(`CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, created timestamptz DEFAULT now());
      COMMENT ON TABLE users IS 'people';
      CREATE TABLE orders (id int);
      CREATE TYPE mood AS ENUM ('a', 'b', 'c');`);
  });
  afterAll(() => {});

  it('says what differs in sentences that name both sides', () => {
    const drift = compare(prod, models, { left: 'production', right: 'the models' });
    expect(drift.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      'error: enum mood has values (a, b) in production but (a, b, c) in the models',
      'error: production is missing the table orders that the models define',
      'info: table users has no comment in production but has one in the models',
      'error: column users.email is varchar(255) in production but text in the models',
      'error: column users.email is nullable in production but NOT NULL in the models',
      'error: production has an extra column users.legacy that the models do not define',
      'error: column users.created is timestamp in production but timestamptz in the models',
      'warning: column users.created has no default in production but defaults to now() in the models',
      'warning: production has an extra index idx_users_email_lower that the models do not define',
    ]);
    expect(drift[3]).toEqual({
      kind: 'different',
      objectType: 'column',
      name: 'users.email',
      attribute: 'type',
      from: 'character varying(255)',
      to: 'text',
      severity: 'error',
      message: 'column users.email is varchar(255) in production but text in the models',
    });
  });

  it('is empty for equal schemas and agrees with itself reversed', () => {
    expect(compare(models, structuredClone(models))).toEqual([]);
    const back = compare(models, prod, { left: 'staging', right: 'production' });
    expect(back.find((d) => d.name === 'users.legacy')?.message).toBe('staging is missing the column users.legacy that production defines');
  });
});
