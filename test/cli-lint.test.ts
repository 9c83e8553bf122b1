import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

const rev = (i: number) => `e${String(i).padStart(11, '0')}`;

/** users, then an index built without CONCURRENTLY on it (an error-level finding), then a column drop (a warning). */
function project(extra: Record<string, string> = {}): string {
  return tempProject({
    'migrations/0001_users.sql': sqlMigration(
      rev(1),
      [],
      'CREATE TABLE users (id int PRIMARY KEY, email text, legacy text);\nCREATE INDEX users_id ON users (id);',
      'DROP TABLE users;',
    ),
    'migrations/0002_email_index.sql': sqlMigration(
      rev(2),
      [rev(1)],
      'CREATE INDEX users_email ON users (email);',
      'DROP INDEX users_email;',
    ),
    'migrations/0003_drop_legacy.sql': sqlMigration(
      rev(3),
      [rev(2)],
      'ALTER TABLE users DROP COLUMN legacy;',
      'ALTER TABLE users ADD COLUMN legacy text;',
    ),
    ...extra,
  });
}

const INDEX_MESSAGE =
  'CREATE INDEX users_email on users without CONCURRENTLY blocks writes to users (SHARE lock) for the whole index build';
const INDEX_HINT =
  "Use CREATE INDEX CONCURRENTLY, in a migration of its own with the header '-- transactional: " +
  "false' (CONCURRENTLY cannot run in a transaction).";
const DROP_MESSAGE =
  "DROP COLUMN users.legacy loses the column's data, and the application still running during the deploy fails on queries that name it";

describe('migrate lint', () => {
  it('reports each finding with file:line:column, rule, message and hint; exit 1 on an error-level finding', async () => {
    const cwd = project();
    const r = await runMigrate(['lint'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'migrations/0002_email_index.sql:5:1  error  create-index-non-concurrently',
        `  ${INDEX_MESSAGE}.`,
        `  hint: ${INDEX_HINT}`,
        'migrations/0003_drop_legacy.sql:5:1  warning  drop-column',
        `  ${DROP_MESSAGE}.`,
        '  hint: Stop using the column in one release (remove it from the models too), then drop it in ' +
          'a later migration once nothing reads it.',
        '1 error, 1 warning in migrations/.',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
  });

  it('--format json and --format github (workflow annotations)', async () => {
    const cwd = project();
    const json = await runMigrate(['lint', '--format', 'json'], { cwd });
    expect(json.code).toBe(1);
    expect(envelope(json.stdout)).toEqual({
      version: 1,
      command: 'lint',
      ok: false,
      result: {
        findings: [
          {
            rule: 'create-index-non-concurrently',
            severity: 'error',
            file: 'migrations/0002_email_index.sql',
            line: 5,
            column: 1,
            message: INDEX_MESSAGE,
            hint: INDEX_HINT,
            revision: rev(2),
          },
          expect.objectContaining({
            rule: 'drop-column',
            severity: 'warning',
            file: 'migrations/0003_drop_legacy.sql',
            line: 5,
            column: 1,
            revision: rev(3),
          }),
        ],
      },
    });
    const gh = await runMigrate(['lint', '--format', 'github'], { cwd });
    expect(gh.code).toBe(1);
    expect(gh.stdout.split('\n')[0]).toBe(
      `::error file=migrations/0002_email_index.sql,line=5,col=1,title=create-index-non-concurrently::` +
        `${INDEX_MESSAGE}. Hint: ${INDEX_HINT}`,
    );
    expect(gh.stdout.split('\n')[1]).toMatch(
      /^::warning file=migrations\/0003_drop_legacy\.sql,line=5,col=1,title=drop-column::DROP COLUMN users\.legacy loses/,
    );
  });

  it('takes rule levels from lint.rules in the config file; unknown rules are a config error', async () => {
    const cwd = project({
      'migrate.config.json': JSON.stringify({ lint: { rules: { 'create-index-non-concurrently': 'warning', 'drop-column': 'off' } } }),
    });
    const r = await runMigrate(['lint', '--json'], { cwd });
    expect(envelope(r.stdout).result.findings.map((f: { rule: string; severity: string }) => [f.rule, f.severity])).toEqual([
      ['create-index-non-concurrently', 'warning'],
    ]);
    expect(r.code).toBe(0);
    writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ lint: { rules: { 'no-such-rule': 'error' } } }));
    const bad = await runMigrate(['lint'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: lint\.rules names an unknown rule 'no-such-rule'\. Known rules: create-index-non-concurrently, /);
  });

  it('lints given files: a migration of the folder (with the chain before it as context) and a loose SQL script', async () => {
    const cwd = project({
      'fix.sql':
        '-- a hotfix someone ran by hand\nUPDATE users SET email = lower(email);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    });
    const r = await runMigrate(['lint', 'migrations/0003_drop_legacy.sql', 'fix.sql', '--json'], { cwd });
    expect(
      envelope(r.stdout).result.findings.map(
        (f: { file: string; line: number; column: number; rule: string }) => `${f.file}:${f.line}:${f.column} ${f.rule}`,
      ),
    ).toEqual([
      'migrations/0003_drop_legacy.sql:5:1 drop-column',
      'fix.sql:2:1 update-without-where',
      'fix.sql:3:1 set-not-null-without-check',
    ]);
    expect(r.code).toBe(1);
  });

  it('a strata-lint-ignore with a reason silences a statement; without one it is itself an error', async () => {
    const ok = project({
      'migrations/0002_email_index.sql': sqlMigration(
        rev(2),
        [rev(1)],
        '-- strata-lint-ignore create-index-non-concurrently: users has 12 rows\nCREATE INDEX users_email ON users (email);',
        'DROP INDEX users_email;',
      ),
    });
    expect((await runMigrate(['lint'], { cwd: ok })).code).toBe(0);
    const bad = project({
      'migrations/0002_email_index.sql': sqlMigration(
        rev(2),
        [rev(1)],
        '-- strata-lint-ignore create-index-non-concurrently\nCREATE INDEX users_email ON users (email);',
        'DROP INDEX users_email;',
      ),
    });
    const r = await runMigrate(['lint', '--json'], { cwd: bad });
    expect(
      envelope(r.stdout).result.findings.map((f: { rule: string; line: number; message: string }) => [f.rule, f.line, f.message]),
    ).toEqual([
      ['invalid-ignore', 5, 'strata-lint-ignore create-index-non-concurrently has no reason, so it is not applied'],
      ['create-index-non-concurrently', 6, INDEX_MESSAGE],
      ['drop-column', 5, DROP_MESSAGE],
    ]);
  });

  it("finds nothing at error level in the repository's own migrations/", async () => {
    const r = await runMigrate(['lint', '--json', '--migrations', join(import.meta.dirname, '../migrations')]);
    expect(r.code).toBe(0);
    expect(envelope(r.stdout).result.findings.map((f: { rule: string; severity: string }) => `${f.severity} ${f.rule}`)).toEqual([
      'warning rename-column',
      'warning rename-column',
      'warning drop-column',
    ]);
  });
});

describe('migrate up lints the pending migrations first', () => {
  it('refuses error-level findings (exit 2, nothing run); --no-lint runs them; at head it does not lint at all', async () => {
    const db = await createTestDatabase('e2e_lint_up');
    const cwd = project();
    const env = { DATABASE_URL: db.url };
    const refused = await runMigrate(['up', '--allow-data-loss'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`migrations/0002_email_index.sql:5:1  error  create-index-non-concurrently\n  ${INDEX_MESSAGE}.\n`);
    expect(refused.stderr).toContain(
      'error: refusing to run: 1 error, 1 warning in the 3 pending migrations. Nothing was run. Fix ' +
        "the migrations, silence a statement with '-- strata-lint-ignore <rule>: <reason>' on the line " +
        "above it, set the rule's level in the config (lint.rules), or run with --no-lint.",
    );
    expect(await query(db.url, `SELECT to_regclass('strata.strata_version') AS t, to_regclass('public.users') AS u`)).toEqual([
      { t: null, u: null },
    ]);

    // Only what this run applies is linted: up to revision 1 is clean.
    const first = await runMigrate(['up', rev(1)], { cwd, env });
    expect({ code: first.code, err: first.stderr }).toMatchObject({ code: 0, err: expect.not.stringContaining('error') });

    const json = await runMigrate(['up', '--json', '--allow-data-loss'], { cwd, env });
    expect(json.code).toBe(2);
    expect(envelope(json.stdout)).toMatchObject({
      command: 'up',
      ok: false,
      result: {
        refused: 'lint',
        findings: [
          { rule: 'create-index-non-concurrently', revision: rev(2) },
          { rule: 'drop-column', revision: rev(3) },
        ],
      },
      error: { code: 'LINT_REFUSED' },
    });

    const forced = await runMigrate(['up', '--no-lint', '--allow-data-loss'], { cwd, env });
    expect({ code: forced.code, err: forced.stderr }).toMatchObject({ code: 0 });
    expect(await query(db.url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: rev(3) }]);

    // At head nothing is pending: no lint, no refusal, even though 0002 would still be an error.
    const again = await runMigrate(['up'], { cwd, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Nothing to do: the database is at ${rev(3)}.\n`);
    expect(again.stderr).toBe('');
    await db.drop();
  });

  it('warnings do not stop up; they are listed on stderr', async () => {
    const db = await createTestDatabase('e2e_lint_warn');
    const cwd = project({ 'migrate.config.json': JSON.stringify({ lint: { rules: { 'create-index-non-concurrently': 'off' } } }) });
    const r = await runMigrate(['up', '--allow-data-loss'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`migrations/0003_drop_legacy.sql:5:1  warning  drop-column\n  ${DROP_MESSAGE}.\n`);
    expect(r.stdout).toMatch(/^3 migration\(s\) applied in .*; now at e00000000003\.\n$/);
    await db.drop();
  });
});

describe('migrate test', () => {
  it('passes on good migrations and exits 1 naming the revision and the objects when a down forgets an index', async () => {
    const good = tempProject({
      'migrations/0001_users.sql': sqlMigration(rev(1), [], 'CREATE TABLE users (id int PRIMARY KEY, email text);', 'DROP TABLE users;'),
      'migrations/0002_email.sql': sqlMigration(rev(2), [rev(1)], 'CREATE INDEX users_email ON users (email);', 'DROP INDEX users_email;'),
    });
    const ok = await runMigrate(['test', '--shadow-url', testServerUrl()], { cwd: good });
    expect({ code: ok.code, out: ok.stdout }).toMatchObject({
      code: 0,
      out: expect.stringMatching(/strata test: all checks passed \(2 migrations\)\.\n$/),
    });
    expect(ok.stdout).toMatch(/^passed {3}single-head \([^)]+\)\n/);
    expect(ok.stdout).toContain('skipped  models (no models source configured)\n');

    writeFileSync(
      join(good, 'migrations/0002_email.sql'),
      sqlMigration(
        rev(2),
        [rev(1)],
        'CREATE INDEX users_email ON users (email);\nALTER TABLE users ADD COLUMN name text;',
        'ALTER TABLE users DROP COLUMN name;',
      ),
    );
    const bad = await runMigrate(['test', '--shadow-url', testServerUrl()], { cwd: good });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      new RegExp(
        `FAILED {3}stairway \\([^)]+\\)\\n  Reverting 0002_email\\.sql \\(revision ${rev(2)}\\) does ` +
          `not restore the schema from before it: its down section does not undo its up section \\(1 ` +
          `difference\\)\\.`,
      ),
    );
    expect(bad.stdout).toContain(
      '    - the schema after reverting 0002_email.sql has an extra index users_email that the schema before it does not define\n',
    );
    expect(bad.stdout).toMatch(/strata test: 1 of 5 checks failed \(2 migrations\)\.\n$/);
    const json = await runMigrate(['test', '--json', '--shadow-url', testServerUrl()], { cwd: good });
    expect(envelope(json.stdout)).toMatchObject({
      command: 'test',
      ok: false,
      result: { failures: [{ check: 'stairway', revision: rev(2), file: '0002_email.sql' }] },
    });
  });

  it('finds two heads and a models mismatch (--models)', async () => {
    const cwd = tempProject({
      'migrations/0001_users.sql': sqlMigration(rev(1), [], 'CREATE TABLE users (id int PRIMARY KEY);', 'DROP TABLE users;'),
      'migrations/0002_a.sql': sqlMigration(rev(2), [rev(1)], 'CREATE TABLE a (id int);', 'DROP TABLE a;'),
      'migrations/0002_b.sql': sqlMigration(rev(3), [rev(1)], 'CREATE TABLE b (id int);', 'DROP TABLE b;'),
      'models.sql': 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE a (id int);\n',
    });
    const r = await runMigrate(['test', '--models', 'models.sql', '--shadow-url', testServerUrl()], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED {3}single-head \([^)]+\)\n/);
    expect(r.stdout).toContain(
      `\n  The migrations have 2 heads: 0002_a.sql (revision ${rev(2)}), 0002_b.sql (revision ` +
        `${rev(3)}). Merge them with \`strata merge\` so every database ends at the same schema.\n`,
    );
    expect(r.stdout).toMatch(/FAILED {3}models \([^)]+\)\n/);
    expect(r.stdout).toContain(
      '\n  The schema the migrations build at head differs from the models (models.sql) in 1 ' +
        'way.\n    - the migrations head has an extra table b that the models do not define\n',
    );
  });
});
