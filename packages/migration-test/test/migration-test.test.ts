import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testServerUrl } from '@pg-strata/testkit';
import { testMigrations } from '@pg-strata/migration-test';

const repo = resolve(import.meta.dirname, '../../..');

function mig(revision: string, parents: string[], up: string, down: string | null): string {
  return (
    `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n\n-- ` +
    `migrate:up\n${up}\n${down === null ? '' : `\n-- migrate:down\n${down}\n`}`
  );
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-migtest-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const base = {
  'migrations/0001_orgs.sql': mig('a1', [], 'CREATE TABLE orgs (id serial PRIMARY KEY, name text NOT NULL);', 'DROP TABLE orgs;'),
};

describe('migrate test on shadow databases', () => {
  it("passes on the repository's own migrations/, models included (legacy/models/create_all.sql)", async () => {
    const r = await testMigrations({
      migrationsDir: join(repo, 'migrations'),
      shadowUrl: testServerUrl(),
      models: join(repo, 'legacy/models/create_all.sql'),
    });
    expect(r.failures).toEqual([]);
    expect(r.checks.map((c) => [c.name, c.status])).toEqual([
      ['single-head', 'passed'],
      ['upgrade', 'passed'],
      ['models', 'passed'],
      ['downgrade', 'passed'],
      ['stairway', 'passed'],
    ]);
    const files = readdirSync(join(repo, 'migrations')).filter((f) => /^\d{4}_.*\.(sql|ts)$/.test(f));
    expect(r).toMatchObject({ ok: true, migrations: files.length });
  });

  it('finds a down section that forgets to drop an index', async () => {
    const dir = folder({
      ...base,
      'migrations/0002_orgs_note.sql': mig(
        'a2',
        ['a1'],
        'ALTER TABLE orgs ADD COLUMN note text;\nCREATE INDEX orgs_name ON orgs (name);',
        'ALTER TABLE orgs DROP COLUMN note;',
      ),
    });
    const r = await testMigrations({ migrationsDir: join(dir, 'migrations'), shadowUrl: testServerUrl() });
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([
      {
        check: 'stairway',
        revision: 'a2',
        file: '0002_orgs_note.sql',
        message:
          'Reverting 0002_orgs_note.sql (revision a2) does not restore the schema from before it: its ' +
          'down section does not undo its up section (1 difference). Applying it again then fails ' +
          '(0002_orgs_note.sql:6:1: applying revision a2 failed: relation "orgs_name" already exists ' +
          '(SQLSTATE 42P07)); the stairway stops here.',
        differences: [
          'the schema after reverting 0002_orgs_note.sql has an extra index orgs_name that the schema before it does not define',
        ],
      },
    ]);
    expect(r.checks.find((c) => c.name === 'downgrade')!.status).toBe('passed');
  });

  it('finds an up that cannot be reverted: no down section, and a down that fails', async () => {
    const dir = folder({
      ...base,
      'migrations/0002_no_down.sql': mig('a2', ['a1'], 'ALTER TABLE orgs ADD COLUMN plan text;', null),
      'migrations/0003_bad_down.sql': mig('a3', ['a2'], 'ALTER TABLE orgs ADD COLUMN slug text;', 'ALTER TABLE orgs DROP COLUMN slugg;'),
    });
    const r = await testMigrations({ migrationsDir: join(dir, 'migrations'), shadowUrl: testServerUrl() });
    expect(r.ok).toBe(false);
    const stair = r.failures.filter((f) => f.check === 'stairway');
    expect(stair.map((f) => [f.revision, f.file])).toEqual([
      ['a2', '0002_no_down.sql'],
      ['a3', '0003_bad_down.sql'],
    ]);
    expect(stair[0]!.message).toBe(
      "Reverting 0002_no_down.sql (revision a2) failed: 0002_no_down.sql (revision a2) has no '-- " +
        "migrate:down' section, so it cannot be reverted. Add one (it may be empty if reverting needs no " +
        'SQL), or use `strata stamp` to move the version without running it.',
    );
    expect(stair[1]!.message).toMatch(
      new RegExp(
        /^Reverting 0003_bad_down\.sql \(revision a3\) failed at 0003_bad_down\.sql \(revision a3/.source +
          /\): 0003_bad_down\.sql:8:1: reverting revision a3 failed: column "slugg" of relation /.source +
          /"orgs" does not exist \(SQLSTATE 42703\)/.source,
      ),
    );
    const down = r.failures.find((f) => f.check === 'downgrade')!;
    expect(down).toMatchObject({ revision: 'a2', file: '0002_no_down.sql' });
  });

  it('finds two heads, and still runs the other checks over both branches', async () => {
    const dir = folder({
      ...base,
      'migrations/0002_left.sql': mig('b2', ['a1'], 'CREATE TABLE lefts (id int);', 'DROP TABLE lefts;'),
      'migrations/0002_right.sql': mig('c2', ['a1'], 'CREATE TABLE rights (id int);', 'DROP TABLE rights;'),
    });
    const r = await testMigrations({ migrationsDir: join(dir, 'migrations'), shadowUrl: testServerUrl() });
    expect(r.failures).toEqual([
      {
        check: 'single-head',
        message:
          'The migrations have 2 heads: 0002_left.sql (revision b2), 0002_right.sql (revision c2). Merge ' +
          'them with `strata merge` so every database ends at the same schema.',
        differences: [],
      },
    ]);
    expect(r.checks.map((c) => c.status)).toEqual(['failed', 'passed', 'skipped', 'passed', 'passed']);
  });

  it('finds a head that differs from the models, and an upgrade that fails (naming the revision)', async () => {
    const dir = folder({
      ...base,
      'schema.sql': 'CREATE TABLE orgs (id serial PRIMARY KEY, name text NOT NULL, plan text);',
    });
    const r = await testMigrations({ migrationsDir: join(dir, 'migrations'), shadowUrl: testServerUrl(), models: 'schema.sql', cwd: dir });
    expect(r.failures).toEqual([
      {
        check: 'models',
        message: 'The schema the migrations build at head differs from the models (schema.sql) in 1 way.',
        differences: ['the migrations head is missing the column orgs.plan that the models define'],
      },
    ]);

    const broken = folder({ ...base, 'migrations/0002_typo.sql': mig('a2', ['a1'], 'ALTER TABLE orgz ADD COLUMN x int;', 'SELECT 1;') });
    const b = await testMigrations({ migrationsDir: join(broken, 'migrations'), shadowUrl: testServerUrl() });
    expect(b.failures).toHaveLength(1);
    expect(b.failures[0]).toMatchObject({ check: 'upgrade', revision: 'a2', file: '0002_typo.sql' });
    expect(b.failures[0]!.message).toMatch(
      new RegExp(
        /^Upgrading from base to head failed at 0002_typo\.sql \(revision a2\): 0002_typo/.source +
          /\.sql:5:1: applying revision a2 failed: relation "orgz" does not exist/.source,
      ),
    );
    expect(b.checks.map((c) => c.status)).toEqual(['passed', 'failed', 'skipped', 'skipped', 'skipped']);
  });

  it('finds what a downgrade to base leaves behind', async () => {
    const dir = folder({
      ...base,
      'migrations/0002_ext.sql': mig(
        'a2',
        ['a1'],
        'CREATE SCHEMA reporting;\nCREATE TABLE reporting.daily (d date);',
        'DROP TABLE reporting.daily;',
      ),
    });
    const r = await testMigrations({ migrationsDir: join(dir, 'migrations'), shadowUrl: testServerUrl() });
    expect(r.failures.map((f) => [f.check, f.message, f.differences])).toEqual([
      [
        'downgrade',
        "Downgrading to base leaves 1 object behind besides Strata's own schema.",
        ['the database downgraded to base has an extra schema reporting that an empty database does not define'],
      ],
      [
        'stairway',
        'Reverting 0002_ext.sql (revision a2) does not restore the schema from before it: its down ' +
          'section does not undo its up section (1 difference). Applying it again then fails ' +
          '(0002_ext.sql:5:1: applying revision a2 failed: schema "reporting" already exists (SQLSTATE ' +
          '42P06)); the stairway stops here.',
        ['the schema after reverting 0002_ext.sql has an extra schema reporting that the schema before it does not define'],
      ],
    ]);
  });
});
