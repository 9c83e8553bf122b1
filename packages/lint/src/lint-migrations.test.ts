import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintMigrations, lintSql } from './lint-migrations.js';

function mig(revision: string, parents: string[], up: string, down = 'SELECT 1;', header = ''): string {
  return (
    `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n` +
    `${header}\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`
  );
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-lint-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const at = (f: { file: string; line: number; column: number; rule: string }) => `${f.file}:${f.line}:${f.column} ${f.rule}`;

describe('lintMigrations', () => {
  it('walks the chain in graph order, not file order: the table is new only in the migration that creates it', async () => {
    // 0001 is the child of 0002 (numbers order people, parents order execution).
    const dir = folder({
      '0001_index.sql': mig('b', ['a'], 'CREATE INDEX t_x ON t (x);'),
      '0002_table.sql': mig('a', [], 'CREATE TABLE t (x int);\nCREATE INDEX t_x0 ON t (x);', 'DROP TABLE t;'),
    });
    const findings = await lintMigrations(dir);
    expect(findings.map(at)).toEqual(['0001_index.sql:5:1 create-index-non-concurrently']);
    expect(findings[0]).toMatchObject({ revision: 'b', severity: 'error' });
  });

  it('reads column types through the chain, including renames of the table and the column', async () => {
    const dir = folder({
      '0001_a.sql': mig('a', [], 'CREATE TABLE items (name varchar(50));'),
      '0002_b.sql': mig('b', ['a'], 'ALTER TABLE items RENAME TO products;\nALTER TABLE products RENAME COLUMN name TO title;'),
      '0003_c.sql': mig(
        'c',
        ['b'],
        'ALTER TABLE products ALTER COLUMN title TYPE varchar(40);\nALTER TABLE products ALTER COLUMN title TYPE varchar(200);',
      ),
    });
    const findings = await lintMigrations(dir, { rules: { 'rename-table': 'off', 'rename-column': 'off' } });
    expect(findings.map((f) => `${at(f)} ${f.message}`)).toEqual([
      '0003_c.sql:5:1 alter-column-type-rewrite ALTER COLUMN title TYPE varchar(40) (from ' +
        'varchar(50)) rewrites products and its indexes under an ACCESS EXCLUSIVE lock (reads and writes ' +
        'wait for the whole rewrite)',
    ]);
  });

  it('applies rule levels, reports only the revisions asked for, and shows files relative to cwd', async () => {
    const dir = folder({
      '0001_a.sql': mig('a', [], 'CREATE TABLE t (x int);\nDROP TABLE old;'),
      '0002_b.sql': mig('b', ['a'], 'DROP TABLE older;\nALTER TABLE t RENAME COLUMN x TO y;'),
    });
    const all = await lintMigrations(dir, { rules: { 'drop-table': 'error', 'rename-column': 'off' }, cwd: join(dir, '..') });
    const rel = dir.slice(dir.lastIndexOf('/') + 1);
    expect(all.map((f) => `${at(f)} ${f.severity}`)).toEqual([
      `${rel}/0001_a.sql:6:1 drop-table error`,
      `${rel}/0002_b.sql:5:1 drop-table error`,
    ]);
    expect((await lintMigrations(dir, { only: ['0002_b.sql'] })).map(at)).toEqual([
      '0002_b.sql:5:1 drop-table',
      '0002_b.sql:6:1 rename-column',
    ]);
    expect((await lintMigrations(dir, { only: ['a'] })).map(at)).toEqual(['0001_a.sql:6:1 drop-table']);
  });

  it('refuses unknown rules and levels in the options', async () => {
    await expect(lintSql('SELECT 1;', { file: 'x.sql', rules: { 'drop-tables': 'error' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^lint\.rules names an unknown rule 'drop-tables'\. Known rules: create-index-non-concurrently, /),
    });
    await expect(lintSql('SELECT 1;', { file: 'x.sql', rules: { 'drop-table': 'fatal' as 'error' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: "lint.rules.drop-table must be 'off', 'warning' or 'error', not 'fatal'.",
    });
  });

  it('reports a syntax error with file:line:column instead of linting around it', async () => {
    const dir = folder({ '0001_a.sql': mig('a', [], 'CREATE TABLE t (x int);\nALTER TABEL t ADD y int;') });
    await expect(lintMigrations(dir)).rejects.toMatchObject({
      code: 'SQL_SYNTAX',
      message: expect.stringMatching(/^0001_a\.sql:6:7: syntax error at or near "TABEL"/),
    });
  });

  it('checks TypeScript migrations for a down() only', async () => {
    const dir = folder({
      '0001_a.ts':
        "export const revision = 'a';\nexport const parents = [];\nexport async function up(db) { await " +
        "db.schema.dropTable('users').execute(); }\n",
      '0002_b.ts':
        "export const revision = 'b';\nexport const parents = ['a'];\nexport async function up(db) {}\nexport async function down(db) {}\n",
    });
    expect((await lintMigrations(dir)).map((f) => `${at(f)} ${f.message}`)).toEqual([
      '0001_a.ts:1:1 missing-down 0001_a.ts exports no down(): it cannot be reverted',
    ]);
  });
});

describe('lintSql', () => {
  it('lints a plain script as one section, reading a transactional header if it has one', async () => {
    const text = '-- transactional: true\nCREATE INDEX CONCURRENTLY i ON users (email);\n';
    expect((await lintSql(text, { file: 'fix.sql' })).map((f) => `${at(f)} ${f.message}`)).toEqual([
      'fix.sql:2:1 concurrently-in-transaction CREATE INDEX CONCURRENTLY cannot run inside a ' +
        "transaction block, but this migration runs in one (its header says 'transactional: true')",
    ]);
    expect(await lintSql('CREATE INDEX CONCURRENTLY i ON users (email);', { file: 'fix.sql' })).toEqual([]);
  });

  it('positions count code points and lines of the whole file, CRLF included', async () => {
    const text = mig('a', [], "SELECT '😀';  DROP TABLE users;").replaceAll('\n', '\r\n');
    expect((await lintSql(text, { file: 'm.sql' })).map(at)).toEqual(['m.sql:5:14 drop-table']);
  });
});
