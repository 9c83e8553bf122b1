import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

describe('migrate stamp --verify', () => {
  it('stamps a database whose schema is exactly the migrations at that revision, and refuses one that drifted', async () => {
    const db = await createTestDatabase('e2e_stamp_verify');
    const cwd = tempProject({
      'migrations/0001_base.sql': sqlMigration(
        'b00000000001',
        [],
        'CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE);',
        'DROP TABLE users;',
      ),
      'migrations/0002_next.sql': sqlMigration(
        'b00000000002',
        ['b00000000001'],
        'ALTER TABLE users ADD COLUMN name text;',
        'ALTER TABLE users DROP COLUMN name;',
      ),
    });
    const env = { DATABASE_URL: db.url };
    // An existing database built by some create_all, with one index nobody scripted.
    await query(
      db.url,
      'CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE); CREATE INDEX ' +
        'users_email_lower ON users (lower(email))',
    );
    const refused = await runMigrate(['stamp', 'b00000000001', '--verify', '--shadow-url', testServerUrl()], { cwd, env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('the database has an extra index users_email_lower');
    expect(refused.stderr).toContain('Not stamped: the database is not at b00000000001.');
    expect(await query(db.url, `SELECT 1 FROM pg_namespace WHERE nspname = 'strata'`)).toHaveLength(0);

    await query(db.url, 'DROP INDEX users_email_lower');
    const ok = await runMigrate(['stamp', 'b00000000001', '--verify', '--shadow-url', testServerUrl()], { cwd, env });
    expect({ code: ok.code, err: ok.stderr }).toMatchObject({ code: 0 });
    expect(ok.stdout).toBe('Stamped: base -> b00000000001.\n');
    const up = await runMigrate(['up'], { cwd, env });
    expect(up.code).toBe(0);
    expect(await query(db.url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1`)).toEqual([
      { column_name: 'email' },
      { column_name: 'id' },
      { column_name: 'name' },
    ]);
    await db.drop();
  });
});
