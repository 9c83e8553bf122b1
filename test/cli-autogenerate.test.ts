import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { describeSchema } from './support/catalogue.js';

describe('migrate new --autogenerate', () => {
  it('writes the migration that takes the head to the models, says so when nothing changed, and the result applies', async () => {
    const cwd = tempProject({
      'migrations/0001_users.sql': sqlMigration(
        'a00000000001',
        [],
        'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);',
        'DROP TABLE users;',
      ),
      'models.sql':
        'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, nickname text);\nCREATE INDEX ' +
        'users_nickname_idx ON users (nickname);\n',
    });
    const shadow = ['--shadow-url', testServerUrl()];
    // --concurrently: the index is on an existing table, which `up`'s lint gate would refuse otherwise.
    const r = await runMigrate(['new', 'add nickname', '--autogenerate', '--concurrently', '--models', 'models.sql', ...shadow], { cwd });
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 0 });
    const file = readdirSync(join(cwd, 'migrations')).find((f) => f.startsWith('0002_add_nickname'));
    expect(file).toBe('0002_add_nickname.sql');
    const text = readFileSync(join(cwd, 'migrations', file!), 'utf8');
    expect(text).toMatch(/^-- revision: [0-9a-f]{12}\n-- parents: a00000000001\n-- message: add nickname\n-- transactional: false\n/);
    expect(text).toContain('-- migrate:up\nALTER TABLE users ADD COLUMN nickname text;');
    expect(text).toContain('CREATE INDEX CONCURRENTLY users_nickname_idx ON');
    expect(text).toContain('-- migrate:down\n-- destructive: may lose data\nALTER TABLE users DROP COLUMN nickname;');

    const again = await runMigrate(['new', 'nothing', '--autogenerate', '--models', 'models.sql', ...shadow], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('No changes: the migrations head already matches the models. Nothing written.\n');
    expect(readdirSync(join(cwd, 'migrations')).filter((f) => f.endsWith('.sql'))).toHaveLength(2);

    // The generated migration applies, and the result is the models' schema.
    const db = await createTestDatabase('e2e_autogen');
    const models = await createTestDatabase('e2e_autogen_models');
    const up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect({ code: up.code, err: up.stderr }).toMatchObject({ code: 0 });
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: models.url });
    await c.connect();
    await c.query(readFileSync(join(cwd, 'models.sql'), 'utf8'));
    await c.end();
    expect(await describeSchema(db.url)).toBe(await describeSchema(models.url));
    const check = await runMigrate(['check', '--models', 'models.sql', ...shadow], { cwd });
    expect(check.code).toBe(0);
    await db.drop();
    await models.drop();
  });
});
