import { describe, expect, it } from 'vitest';
import { lintMigrations, lintSql, type LintableMigration } from './lint-migrations.js';
import { RULES } from './rules.js';
import type { LintOptions, RuleId } from './types.js';

/** A migration file: revision r<n>, the up section starts on line 5 (+1 per extra header line). */
function migration(up: string, down: string | null = 'SELECT 1;', header: Record<string, string> = {}, revision = 'r1'): string {
  const extra = Object.entries(header)
    .map(([k, v]) => `-- ${k}: ${v}\n`)
    .join('');
  return (
    `-- revision: ${revision}\n-- parents: none\n${extra}\n-- migrate:up\n${up}\n` +
    `${down === null ? '' : `\n-- migrate:down\n${down}\n`}`
  );
}

interface Case {
  up: string;
  down?: string | null;
  header?: Record<string, string>;
  /** Up sections of earlier migrations in the chain (linted for context, not reported). */
  before?: string[];
  options?: LintOptions;
  /** [line, column, message] of every finding of the rule, in order; [] when it must not fire. */
  expect: [number, number, string][];
}

async function findings(c: Case, rule: RuleId) {
  const text = migration(c.up, c.down === undefined ? 'SELECT 1;' : c.down, c.header ?? {}, `r${(c.before?.length ?? 0) + 1}`);
  let all;
  if (c.before?.length) {
    const ms: LintableMigration[] = [...c.before.map((up, i) => migration(up, 'SELECT 1;', {}, `r${i + 1}`)), text].map((source, i) => ({
      revision: `r${i + 1}`,
      file: `000${i + 1}_m.sql`,
      path: `/m/000${i + 1}_m.sql`,
      kind: 'sql' as const,
      source,
      transactional: c.header?.transactional === undefined ? undefined : c.header.transactional === 'true',
      lockTimeout: c.header?.lock_timeout,
    }));
    all = await lintMigrations(ms, { ...c.options, only: [`r${ms.length}`] });
  } else {
    all = await lintSql(text, { file: 'm.sql', ...c.options });
  }
  return all.filter((f) => f.rule === rule);
}

const OFF: LintOptions = { lockTimeout: '0' };
const reWrite = 'rewrites items and its indexes under an ACCESS EXCLUSIVE lock (reads and writes wait for the whole rewrite)';
const items = 'CREATE TABLE items (id int, name varchar(50), price numeric(10,2), code char(3), at timestamp(3), note text, addr cidr);';

const cases: Record<RuleId, { fire: Case[]; quiet: Case[] }> = {
  'create-index-non-concurrently': {
    fire: [
      {
        up: 'CREATE INDEX users_email ON users (email);',
        expect: [
          [5, 1, 'CREATE INDEX users_email on users without CONCURRENTLY blocks writes to users (SHARE lock) for the whole index build'],
        ],
      },
      {
        up: 'CREATE TABLE a (id int);\nCREATE UNIQUE INDEX ON users (lower(email));',
        expect: [[6, 1, 'CREATE UNIQUE INDEX on users without CONCURRENTLY blocks writes to users (SHARE lock) for the whole index build']],
      },
      {
        up: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
        expect: [
          [
            5,
            1,
            'ADD CONSTRAINT users_email_key UNIQUE on users builds its index without CONCURRENTLY, under an ' +
              'ACCESS EXCLUSIVE lock (reads and writes wait)',
          ],
        ],
      },
      {
        up: 'SELECT 1;  CREATE INDEX i ON app.users (x);',
        expect: [
          [5, 12, 'CREATE INDEX i on app.users without CONCURRENTLY blocks writes to app.users (SHARE lock) for the whole index build'],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN code text UNIQUE;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN code UNIQUE builds an index on users without CONCURRENTLY, under an ACCESS EXCLUSIVE lock (reads and writes wait)',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);', expect: [] },
      { up: 'CREATE INDEX CONCURRENTLY users_email ON users (email);', expect: [] },
      { up: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email;', expect: [] },
      { up: 'CREATE TABLE t (id int);\nALTER TABLE t ADD PRIMARY KEY (id);', expect: [] },
      { up: 'CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;\nCREATE INDEX ON u (id);', expect: [] },
    ],
  },
  'concurrently-in-transaction': {
    fire: [
      {
        header: { transactional: 'true' },
        up: 'CREATE INDEX CONCURRENTLY i ON users (email);',
        expect: [
          [
            6,
            1,
            'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, but this migration runs in ' +
              "one (its header says 'transactional: true')",
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN x int;\nCREATE INDEX CONCURRENTLY i ON users (x);',
        expect: [
          [
            6,
            1,
            'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, but this migration runs in ' +
              'one (it also has statements that need a transaction)',
          ],
        ],
      },
      {
        up: 'DROP INDEX CONCURRENTLY i;\nUPDATE users SET x = 1 WHERE id = 1;',
        expect: [
          [
            5,
            1,
            'DROP INDEX CONCURRENTLY cannot run inside a transaction block, but this migration runs in one ' +
              '(it also has statements that need a transaction)',
          ],
        ],
      },
      {
        header: { transactional: 'true' },
        up: 'REINDEX INDEX CONCURRENTLY i;',
        expect: [
          [
            6,
            1,
            'REINDEX CONCURRENTLY cannot run inside a transaction block, but this migration runs in one ' +
              "(its header says 'transactional: true')",
          ],
        ],
      },
    ],
    quiet: [
      { up: 'CREATE INDEX CONCURRENTLY i ON users (email);', expect: [] },
      {
        header: { transactional: 'false' },
        up: 'ALTER TABLE users ADD COLUMN x int;\nCREATE INDEX CONCURRENTLY i ON users (x);',
        expect: [],
      },
      { up: "-- CREATE INDEX CONCURRENTLY i ON users (x);\nCOMMENT ON TABLE users IS 'CONCURRENTLY';", expect: [] },
      { up: 'CREATE INDEX CONCURRENTLY a ON users (x);\nDROP INDEX CONCURRENTLY b;', expect: [] },
    ],
  },
  'add-column-not-null-without-default': {
    fire: [
      {
        up: 'ALTER TABLE users ADD COLUMN age integer NOT NULL;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN age integer NOT NULL without a DEFAULT fails on users as soon as it has a row (the existing rows would be NULL)',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN code varchar(10) NOT NULL;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN code varchar(10) NOT NULL without a DEFAULT fails on users as soon as it has a row ' +
              '(the existing rows would be NULL)',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users\n  ADD COLUMN a int,\n  ADD COLUMN b text NOT NULL;',
        expect: [
          [5, 1, 'ADD COLUMN b text NOT NULL without a DEFAULT fails on users as soon as it has a row (the existing rows would be NULL)'],
        ],
      },
    ],
    quiet: [
      { up: 'ALTER TABLE users ADD COLUMN age integer NOT NULL DEFAULT 0;', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN age integer;', expect: [] },
      { up: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN age integer NOT NULL;', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN n bigint NOT NULL GENERATED ALWAYS AS IDENTITY;', expect: [] },
    ],
  },
  'volatile-default': {
    fire: [
      {
        up: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
        expect: [
          [
            5,
            1,
            'ADD COLUMN token with DEFAULT gen_random_uuid() rewrites users under an ACCESS EXCLUSIVE lock ' +
              '(reads and writes wait): gen_random_uuid() is volatile, so every existing row gets its own ' +
              'value',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();',
        expect: [
          [
            5,
            1,
            'ADD COLUMN seen_at with DEFAULT clock_timestamp() rewrites users under an ACCESS EXCLUSIVE ' +
              'lock (reads and writes wait): clock_timestamp() is volatile, so every existing row gets its own ' +
              'value',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN score float8 DEFAULT (random() * 10);',
        expect: [
          [
            5,
            1,
            'ADD COLUMN score with DEFAULT random() rewrites users under an ACCESS EXCLUSIVE lock (reads ' +
              'and writes wait): random() is volatile, so every existing row gets its own value',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN n bigserial;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN n bigserial rewrites users under an ACCESS EXCLUSIVE lock (reads and writes wait): ' +
              'its default nextval() is volatile, so every existing row gets its own value',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN n GENERATED AS IDENTITY rewrites users under an ACCESS EXCLUSIVE lock (reads and ' +
              'writes wait): every existing row gets its own value from the sequence',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN l int GENERATED ALWAYS AS (length(email)) STORED;',
        expect: [
          [
            5,
            1,
            'ADD COLUMN l GENERATED ALWAYS AS (...) STORED rewrites users under an ACCESS EXCLUSIVE lock ' +
              '(reads and writes wait) to compute the value of every existing row',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;', expect: [] },
      { up: 'ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();', expect: [] },
      { up: 'CREATE TABLE t (id uuid DEFAULT gen_random_uuid(), n bigserial);', expect: [] },
      { up: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();', expect: [] },
    ],
  },
  'alter-column-type-rewrite': {
    fire: [
      {
        before: [items],
        up: 'ALTER TABLE items ALTER COLUMN id TYPE bigint;',
        expect: [[5, 1, `ALTER COLUMN id TYPE bigint (from integer) ${reWrite}`]],
      },
      {
        before: [items],
        up: 'ALTER TABLE items ALTER COLUMN name TYPE varchar(20);',
        expect: [[5, 1, `ALTER COLUMN name TYPE varchar(20) (from varchar(50)) ${reWrite}`]],
      },
      {
        before: [items],
        up: 'ALTER TABLE items ALTER COLUMN price TYPE numeric(12,4);',
        expect: [[5, 1, `ALTER COLUMN price TYPE numeric(12,4) (from numeric(10,2)) ${reWrite}`]],
      },
      {
        before: [items],
        up: 'ALTER TABLE items ALTER COLUMN code TYPE text;',
        expect: [[5, 1, `ALTER COLUMN code TYPE text (from char(3)) ${reWrite}`]],
      },
      {
        before: [items],
        up: 'ALTER TABLE items ALTER COLUMN name TYPE text USING trim(name);',
        expect: [[5, 1, `ALTER COLUMN name TYPE text USING ... ${reWrite}`]],
      },
      {
        up: 'ALTER TABLE items ALTER COLUMN x TYPE bigint;',
        expect: [[5, 1, `ALTER COLUMN x TYPE bigint ${reWrite}: no other type converts to bigint in place`]],
      },
      {
        before: [items, 'ALTER TABLE items ALTER COLUMN name TYPE varchar(80);'],
        up: 'ALTER TABLE items ALTER COLUMN name TYPE varchar(60);',
        expect: [[5, 1, `ALTER COLUMN name TYPE varchar(60) (from varchar(80)) ${reWrite}`]],
      },
    ],
    quiet: [
      { before: [items], up: 'ALTER TABLE items ALTER COLUMN name TYPE varchar(100);', expect: [] },
      { before: [items], up: 'ALTER TABLE items ALTER COLUMN name TYPE text;', expect: [] },
      { before: [items], up: 'ALTER TABLE items ALTER COLUMN price TYPE numeric(14,2);', expect: [] },
      { before: [items], up: 'ALTER TABLE items ALTER COLUMN at TYPE timestamp(6);', expect: [] },
      { before: [items], up: 'ALTER TABLE items ALTER COLUMN addr TYPE inet;', expect: [] },
      { up: 'ALTER TABLE other ALTER COLUMN x TYPE text;', expect: [] },
      { up: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;', expect: [] },
    ],
  },
  'set-not-null-without-check': {
    fire: [
      {
        up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [
          [
            5,
            1,
            'ALTER COLUMN email SET NOT NULL scans all of users under an ACCESS EXCLUSIVE lock (reads and writes wait) to look for NULLs',
          ],
        ],
      },
      {
        before: ['ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;'],
        up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [
          [
            5,
            1,
            'ALTER COLUMN email SET NOT NULL scans all of users under an ACCESS EXCLUSIVE lock (reads and writes wait) to look for NULLs',
          ],
        ],
      },
      {
        before: ['ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL) NOT VALID;', 'ALTER TABLE users VALIDATE CONSTRAINT c;'],
        up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [
          [
            5,
            1,
            'ALTER COLUMN email SET NOT NULL scans all of users under an ACCESS EXCLUSIVE lock (reads and writes wait) to look for NULLs',
          ],
        ],
      },
      {
        before: [
          'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;',
          'ALTER TABLE users VALIDATE CONSTRAINT c;',
          'ALTER TABLE users RENAME TO accounts;',
        ],
        up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [
          [
            5,
            1,
            'ALTER COLUMN email SET NOT NULL scans all of users under an ACCESS EXCLUSIVE lock (reads and writes wait) to look for NULLs',
          ],
        ],
      },
    ],
    quiet: [
      {
        before: ['ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;', 'ALTER TABLE users VALIDATE CONSTRAINT c;'],
        up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [],
      },
      {
        up:
          'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ' +
          'VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        expect: [],
      },
      {
        before: [
          'ALTER TABLE users ADD CHECK (email IS NOT NULL AND name IS NOT NULL) NOT VALID;',
          'ALTER TABLE users VALIDATE CONSTRAINT users_email_check;',
        ],
        up: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;',
        expect: [],
      },
      { up: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;', expect: [] },
      {
        before: [
          'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;',
          'ALTER TABLE users VALIDATE CONSTRAINT c;',
          'ALTER TABLE users RENAME TO accounts;',
        ],
        up: 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;',
        expect: [],
      },
    ],
  },
  'add-foreign-key-without-not-valid': {
    fire: [
      {
        up: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
        expect: [
          [
            5,
            1,
            'ADD CONSTRAINT orders_user_fk FOREIGN KEY on orders checks every existing row while holding ' +
              'SHARE ROW EXCLUSIVE locks on orders and users (writes to both wait)',
          ],
        ],
      },
      {
        up: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;',
        expect: [
          [
            5,
            1,
            'ADD FOREIGN KEY on orders checks every existing row while holding SHARE ROW EXCLUSIVE locks on ' +
              'orders and users (writes to both wait)',
          ],
        ],
      },
      {
        up: 'ALTER TABLE app.orders ADD FOREIGN KEY (user_id) REFERENCES app.users (id);',
        expect: [
          [
            5,
            1,
            'ADD FOREIGN KEY on app.orders checks every existing row while holding SHARE ROW EXCLUSIVE ' +
              'locks on app.orders and app.users (writes to both wait)',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;', expect: [] },
      { up: 'CREATE TABLE orders (id int, user_id int REFERENCES users);', expect: [] },
      { up: 'CREATE TABLE orders (id int, user_id int);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);', expect: [] },
      { up: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;', expect: [] },
    ],
  },
  'add-check-without-not-valid': {
    fire: [
      {
        up: 'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);',
        expect: [
          [
            5,
            1,
            'ADD CONSTRAINT age_positive CHECK on users checks every existing row while holding an ACCESS ' +
              'EXCLUSIVE lock (reads and writes wait)',
          ],
        ],
      },
      {
        up: "ALTER TABLE users ADD CHECK (email <> '');",
        expect: [[5, 1, 'ADD CHECK on users checks every existing row while holding an ACCESS EXCLUSIVE lock (reads and writes wait)']],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);',
        expect: [
          [
            6,
            1,
            'ADD CONSTRAINT c CHECK on users checks every existing row while holding an ACCESS EXCLUSIVE lock (reads and writes wait)',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;', expect: [] },
      { up: 'CREATE TABLE t (age int);\nALTER TABLE t ADD CHECK (age > 0);', expect: [] },
      { up: 'ALTER TABLE users VALIDATE CONSTRAINT age_positive;', expect: [] },
    ],
  },
  'drop-table': {
    fire: [
      {
        up: 'DROP TABLE users;',
        expect: [
          [5, 1, 'DROP TABLE users loses all its rows, and the application still running during the deploy fails on queries that use it'],
        ],
      },
      {
        up: 'DROP TABLE IF EXISTS a, b;',
        expect: [
          [5, 1, 'DROP TABLE a loses all its rows, and the application still running during the deploy fails on queries that use it'],
          [5, 1, 'DROP TABLE b loses all its rows, and the application still running during the deploy fails on queries that use it'],
        ],
      },
      {
        up: 'SELECT 1;\nDROP TABLE public.users CASCADE;',
        expect: [
          [
            6,
            1,
            'DROP TABLE public.users loses all its rows, and the application still running during the deploy fails on queries that use it',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE tmp (id int);\nDROP TABLE tmp;', expect: [] },
      { up: 'DROP VIEW v;\nDROP INDEX i;', expect: [] },
      { up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;', expect: [] },
    ],
  },
  'drop-column': {
    fire: [
      {
        up: 'ALTER TABLE users DROP COLUMN legacy;',
        expect: [
          [
            5,
            1,
            "DROP COLUMN users.legacy loses the column's data, and the application still running during the " +
              'deploy fails on queries that name it',
          ],
        ],
      },
      {
        up: 'ALTER TABLE users DROP COLUMN IF EXISTS a, DROP COLUMN b;',
        expect: [
          [
            5,
            1,
            "DROP COLUMN users.a loses the column's data, and the application still running during the " +
              'deploy fails on queries that name it',
          ],
          [
            5,
            1,
            "DROP COLUMN users.b loses the column's data, and the application still running during the " +
              'deploy fails on queries that name it',
          ],
        ],
      },
      {
        up: 'ALTER TABLE app.users DROP COLUMN x;',
        expect: [
          [
            5,
            1,
            "DROP COLUMN app.users.x loses the column's data, and the application still running during the " +
              'deploy fails on queries that name it',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;', expect: [] },
      { up: 'ALTER TABLE users DROP CONSTRAINT users_email_key;', expect: [] },
    ],
  },
  truncate: {
    fire: [
      { up: 'TRUNCATE users;', expect: [[5, 1, 'TRUNCATE users deletes every row, under an ACCESS EXCLUSIVE lock']] },
      {
        up: 'TRUNCATE TABLE a, b;',
        expect: [
          [5, 1, 'TRUNCATE a deletes every row, under an ACCESS EXCLUSIVE lock'],
          [5, 1, 'TRUNCATE b deletes every row, under an ACCESS EXCLUSIVE lock'],
        ],
      },
      { up: 'TRUNCATE ONLY users RESTART IDENTITY;', expect: [[5, 1, 'TRUNCATE users deletes every row, under an ACCESS EXCLUSIVE lock']] },
    ],
    quiet: [
      { up: 'CREATE TABLE t (id int);\nTRUNCATE t;', expect: [] },
      { up: 'DELETE FROM users WHERE id = 1;', expect: [] },
      { up: '-- TRUNCATE users;\nSELECT 1;', expect: [] },
    ],
  },
  'delete-without-where': {
    fire: [
      {
        up: 'DELETE FROM sessions;',
        expect: [[5, 1, 'DELETE FROM sessions without WHERE deletes every row and keeps them all locked until the migration commits']],
      },
      {
        up: 'DELETE FROM app.sessions;',
        expect: [[5, 1, 'DELETE FROM app.sessions without WHERE deletes every row and keeps them all locked until the migration commits']],
      },
      {
        up: 'WITH x AS (DELETE FROM sessions RETURNING *) SELECT count(*) FROM x;',
        expect: [[5, 1, 'DELETE FROM sessions without WHERE deletes every row and keeps them all locked until the migration commits']],
      },
    ],
    quiet: [
      { up: 'DELETE FROM sessions WHERE expires_at < now();', expect: [] },
      { up: 'CREATE TABLE t (id int);\nDELETE FROM t;', expect: [] },
      { up: 'DELETE FROM s USING t WHERE s.id = t.id;', expect: [] },
    ],
  },
  'update-without-where': {
    fire: [
      {
        up: 'UPDATE users SET active = true;',
        expect: [[5, 1, 'UPDATE users without WHERE rewrites every row and keeps them all locked until the migration commits']],
      },
      {
        up: 'UPDATE app.users SET n = n + 1;',
        expect: [[5, 1, 'UPDATE app.users without WHERE rewrites every row and keeps them all locked until the migration commits']],
      },
      {
        up: 'WITH u AS (UPDATE users SET a = 1 RETURNING id) SELECT 1;',
        expect: [[5, 1, 'UPDATE users without WHERE rewrites every row and keeps them all locked until the migration commits']],
      },
    ],
    quiet: [
      { up: 'UPDATE users SET active = true WHERE active IS NULL;', expect: [] },
      { up: 'CREATE TABLE t (a int);\nUPDATE t SET a = 1;', expect: [] },
      { up: 'UPDATE users SET a = 1 WHERE id IN (SELECT id FROM x);', expect: [] },
    ],
  },
  'rename-table': {
    fire: [
      {
        up: 'ALTER TABLE users RENAME TO accounts;',
        expect: [[5, 1, 'RENAME users TO accounts breaks the application still running during the deploy: it queries users']],
      },
      {
        up: 'ALTER TABLE IF EXISTS app.users RENAME TO accounts;',
        expect: [[5, 1, 'RENAME app.users TO accounts breaks the application still running during the deploy: it queries app.users']],
      },
      {
        up: 'SELECT 1;',
        down: 'ALTER TABLE accounts RENAME TO users;',
        expect: [[8, 1, 'RENAME accounts TO users breaks the application still running during the deploy: it queries accounts']],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;', expect: [] },
      { up: 'ALTER INDEX users_pkey RENAME TO users_pk;', expect: [] },
      { up: 'ALTER TABLE users RENAME CONSTRAINT a TO b;', expect: [] },
    ],
  },
  'rename-column': {
    fire: [
      {
        up: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
        expect: [[5, 1, 'RENAME COLUMN users.name TO full_name breaks the application still running during the deploy: it queries name']],
      },
      {
        up: 'ALTER TABLE users RENAME name TO full_name;',
        expect: [[5, 1, 'RENAME COLUMN users.name TO full_name breaks the application still running during the deploy: it queries name']],
      },
      {
        up: 'ALTER TABLE app.users RENAME COLUMN a TO b;',
        expect: [[5, 1, 'RENAME COLUMN app.users.a TO b breaks the application still running during the deploy: it queries a']],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users RENAME COLUMN tmp TO kept;', expect: [] },
      { up: 'ALTER TABLE users RENAME TO accounts;', expect: [] },
    ],
  },
  'no-lock-timeout': {
    fire: [
      {
        options: OFF,
        up: 'ALTER TABLE users ADD COLUMN a int;',
        expect: [
          [
            5,
            1,
            "this migration sets no lock_timeout and Strata's default is switched off (lockTimeout: '0'): " +
              'ALTER TABLE waits for its ACCESS EXCLUSIVE lock behind any long-running transaction, and every ' +
              'query on the table queues behind it',
          ],
        ],
      },
      {
        options: { lockTimeout: '0s' },
        up: 'INSERT INTO audit VALUES (1);\nCREATE INDEX CONCURRENTLY i ON users (a);',
        expect: [
          [
            6,
            1,
            "this migration sets no lock_timeout and Strata's default is switched off (lockTimeout: '0s'): " +
              'CREATE INDEX waits for its SHARE UPDATE EXCLUSIVE lock behind any long-running transaction, and ' +
              'every query on the table queues behind it',
          ],
        ],
      },
      {
        options: OFF,
        header: { lock_timeout: '0' },
        up: 'DROP TABLE old;',
        expect: [
          [
            6,
            1,
            "this migration sets no lock_timeout and Strata's default is switched off (lockTimeout: '0'): " +
              'DROP TABLE waits for its ACCESS EXCLUSIVE lock behind any long-running transaction, and every ' +
              'query on the table queues behind it',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'ALTER TABLE users ADD COLUMN a int;', expect: [] },
      { options: OFF, header: { lock_timeout: '5s' }, up: 'ALTER TABLE users ADD COLUMN a int;', expect: [] },
      { options: OFF, up: "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a int;", expect: [] },
      { options: OFF, up: 'INSERT INTO users (id) VALUES (1);', expect: [] },
    ],
  },
  'transaction-nesting': {
    fire: [
      {
        up: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;',
        expect: [
          [
            5,
            1,
            'BEGIN inside a migration: Strata already runs each migration in its own transaction, so this ' +
              'ends or nests it (the runner refuses it)',
          ],
          [
            7,
            1,
            'COMMIT inside a migration: Strata already runs each migration in its own transaction, so this ' +
              'ends or nests it (the runner refuses it)',
          ],
        ],
      },
      {
        up: 'SAVEPOINT a;',
        expect: [
          [
            5,
            1,
            'SAVEPOINT inside a migration: Strata already runs each migration in its own transaction, so ' +
              'this ends or nests it (the runner refuses it)',
          ],
        ],
      },
      {
        up: 'SELECT 1;\n  ROLLBACK;',
        expect: [
          [
            6,
            3,
            'ROLLBACK inside a migration: Strata already runs each migration in its own transaction, so ' +
              'this ends or nests it (the runner refuses it)',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'DO $$ BEGIN PERFORM 1; END $$;', expect: [] },
      { up: 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;', expect: [] },
      { up: '-- BEGIN;\nSELECT 1;', expect: [] },
    ],
  },
  'missing-down': {
    fire: [
      { up: 'CREATE TABLE t (id int);', down: null, expect: [[1, 1, "m.sql has no '-- migrate:down' section: it cannot be reverted"]] },
      {
        up: 'ALTER TABLE users ADD COLUMN a int;',
        down: '',
        expect: [
          [7, 1, "the '-- migrate:down' section of m.sql is empty although the up changes the schema: reverting would change nothing"],
        ],
      },
      {
        up: 'UPDATE users SET a = 1 WHERE a IS NULL;',
        down: null,
        expect: [[1, 1, "m.sql has no '-- migrate:down' section: it cannot be reverted"]],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;', expect: [] },
      { up: 'UPDATE users SET a = 1 WHERE a IS NULL;', down: '', expect: [] },
      {
        header: { 'strata-lint-ignore missing-down': 'the backfill cannot be undone, on purpose' },
        up: 'CREATE TABLE t (id int);',
        down: null,
        expect: [],
      },
    ],
  },
  'down-loses-data': {
    fire: [
      {
        up: 'ALTER TABLE users ADD COLUMN a int;',
        down: 'DROP TABLE users;',
        expect: [[8, 1, 'reverting loses data that existed before the migration ran: DROP TABLE users loses all its rows']],
      },
      {
        up: 'CREATE TABLE t (id int);',
        down: 'DROP TABLE t;\nTRUNCATE users;',
        expect: [[9, 1, 'reverting loses data that existed before the migration ran: TRUNCATE users loses all its rows']],
      },
      {
        up: 'ALTER TABLE users ADD COLUMN a int;',
        down: 'ALTER TABLE users DROP COLUMN email;',
        expect: [
          [
            8,
            1,
            "reverting loses data that existed before the migration ran: ALTER TABLE users DROP COLUMN email loses that column's data",
          ],
        ],
      },
      {
        up: 'ALTER TABLE users ALTER COLUMN name TYPE text;',
        down: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(10);',
        expect: [
          [
            8,
            1,
            'reverting loses data that existed before the migration ran: ALTER TABLE users ALTER COLUMN ' +
              'name TYPE varchar(10) may truncate, round or reject existing values',
          ],
        ],
      },
    ],
    quiet: [
      { up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;', expect: [] },
      { up: 'ALTER TABLE users ADD COLUMN a int;', down: 'ALTER TABLE users DROP COLUMN a;', expect: [] },
      { up: 'INSERT INTO roles VALUES (1);', down: 'DELETE FROM roles WHERE id = 1;', expect: [] },
    ],
  },
  'invalid-ignore': {
    fire: [
      {
        up: '-- strata-lint-ignore drop-table\nDROP TABLE users;',
        expect: [[5, 1, 'strata-lint-ignore drop-table has no reason, so it is not applied']],
      },
      {
        up: '-- strata-lint-ignore drop-tables: typo\nDROP TABLE users;',
        expect: [[5, 1, "strata-lint-ignore names an unknown rule 'drop-tables'"]],
      },
      {
        up: 'SELECT 1;\n  -- strata-lint-ignore drop-table:   \nDROP TABLE users;',
        expect: [[6, 3, 'strata-lint-ignore drop-table has no reason, so it is not applied']],
      },
      { up: '-- strata-lint-ignore: no rule named\nSELECT 1;', expect: [[5, 1, 'strata-lint-ignore names no rule']] },
    ],
    quiet: [
      { up: '-- strata-lint-ignore drop-table: archived to S3 in OPS-12\nDROP TABLE users;', expect: [] },
      { up: '-- strata-lint-ignore drop-table, truncate: obsolete since 2024\nDROP TABLE users;', expect: [] },
      { up: 'DROP TABLE users; -- strata-lint-ignore is only read on whole lines', expect: [] },
    ],
  },
};

describe('every rule has cases', () => {
  it('covers each rule with at least 3 firing and 3 quiet cases', () => {
    for (const r of RULES) {
      expect(cases[r.id].fire.length, r.id).toBeGreaterThanOrEqual(3);
      expect(cases[r.id].quiet.length, r.id).toBeGreaterThanOrEqual(3);
    }
  });
});

for (const rule of RULES) {
  describe(rule.id, () => {
    it.each(cases[rule.id].fire.map((c) => [c.up.split('\n').at(-1)!, c] as const))('fires: %s', async (_name, c) => {
      const got = await findings(c, rule.id);
      expect(got.map((f) => [f.line, f.column, f.message])).toEqual(c.expect);
      for (const f of got) {
        expect(f.severity).toBe(rule.defaultSeverity);
        expect(f.hint.length).toBeGreaterThan(20);
      }
    });
    it.each(cases[rule.id].quiet.map((c) => [c.up.split('\n').at(-1)!, c] as const))('stays quiet: %s', async (_name, c) => {
      expect(await findings(c, rule.id)).toEqual([]);
    });
  });
}
