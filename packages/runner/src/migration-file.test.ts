import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksumOf, migrationFromSource, sqlSection } from './migration-file.js';

const sql = (header: string, rest = '\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 2;\n') => header + rest;

describe('SQL headers', () => {
  it('reads every key', () => {
    const m = migrationFromSource(
      '0003_add_email.sql',
      '/m/0003_add_email.sql',
      sql(
        '-- revision: 3f2a9c1e7b40\n-- parents: 1a2b3c4d5e6f, 0a0a0a0a0a0a\n-- message: add ' +
          'users.email_verified\n-- transactional: false\n-- lock_timeout: 5s\n-- statement_timeout: ' +
          '1min\n-- a free comment\n',
      ),
    );
    expect(m).toMatchObject({
      revision: '3f2a9c1e7b40',
      parents: ['1a2b3c4d5e6f', '0a0a0a0a0a0a'],
      message: 'add users.email_verified',
      transactional: false,
      lockTimeout: '5s',
      statementTimeout: '1min',
      kind: 'sql',
      number: 3,
    });
  });

  it.each<[string, string, string]>([
    ['no revision', sql('-- parents: none\n'), "0001_a.sql: no revision: add a '-- revision: <id>' header line."],
    [
      'no parents',
      sql('-- revision: abc\n'),
      "0001_a.sql: no parents: add a '-- parents: <id>[, <id>...]' header line ('none' for the first migration).",
    ],
    [
      'bad revision',
      sql('-- revision: a-b\n-- parents: none\n'),
      "0001_a.sql:1: revision 'a-b' is not a revision id (letters, digits and _ only).",
    ],
    ['self parent', sql('-- revision: abc\n-- parents: abc\n'), '0001_a.sql: revision abc lists itself as a parent.'],
    [
      'bad transactional',
      sql('-- revision: abc\n-- parents: none\n-- transactional: maybe\n'),
      "0001_a.sql:3: transactional must be true or false, not 'maybe'.",
    ],
    ['no up section', '-- revision: abc\n-- parents: none\nSELECT 1;\n', "0001_a.sql: no '-- migrate:up' section line."],
    [
      'an indented up marker ending the header',
      '-- revision: abc\n-- parents: none\n  -- migrate:up\nSELECT 1;\n',
      "0001_a.sql: no '-- migrate:up' section line.",
    ],
  ])('%s', (_n, text, message) => {
    expect(() => migrationFromSource('0001_a.sql', '/m/0001_a.sql', text)).toThrow(
      expect.objectContaining({ code: 'MIGRATION_FILE_INVALID', message }),
    );
  });

  it('finds the up marker after the header ended at the down marker', () => {
    const m = migrationFromSource(
      '0001_a.sql',
      '/m/0001_a.sql',
      '-- revision: abc\n-- parents: none\n-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n',
    );
    expect(m.revision).toBe('abc');
  });

  it('ignores a byte-order mark before the header (the checksum still covers it)', () => {
    const m = migrationFromSource('0001_a.sql', '/m/0001_a.sql', '\uFEFF-- revision: bom1\n-- parents: none\n-- migrate:up\nSELECT 1;\n');
    expect(m.revision).toBe('bom1');
    expect(m.checksum).toBe(checksumOf('\uFEFF-- revision: bom1\n-- parents: none\n-- migrate:up\nSELECT 1;\n'));
    expect(m.checksum).not.toBe(checksumOf('-- revision: bom1\n-- parents: none\n-- migrate:up\nSELECT 1;\n'));
  });

  it('splits sections with their file offsets and lines', () => {
    const m = migrationFromSource(
      '0001_a.sql',
      '/m/0001_a.sql',
      '-- revision: a\n-- parents: none\n\n-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n',
    );
    expect(sqlSection(m, 'up')).toEqual({ direction: 'up', text: 'CREATE TABLE t (id int);\n\n', offset: 47, line: 5, markerLine: 4 });
    expect(sqlSection(m, 'down')).toEqual({ direction: 'down', text: 'DROP TABLE t;\n', offset: 89, line: 8, markerLine: 7 });
    const upOnly = migrationFromSource('0001_a.sql', '/m/0001_a.sql', '-- revision: a\n-- parents: none\n-- migrate:up\nSELECT 1;');
    expect(sqlSection(upOnly, 'down')).toBeNull();
  });
});

describe('TypeScript headers are read without importing the module', () => {
  it('reads literal exports', () => {
    const m = migrationFromSource(
      '0002_posts.ts',
      '/m/0002_posts.ts',
      `import type { Kysely } from 'kysely';\nexport const revision = 'abc123';\nexport const ` +
        `parents: string[] = ['def456', "ghi789"];\nexport const message = "it's \\"quoted\\"";\nexport ` +
        `const transactional = false;\nexport async function up(db: Kysely<any>) {}\n`,
    );
    expect(m).toMatchObject({
      revision: 'abc123',
      parents: ['def456', 'ghi789'],
      message: 'it\'s "quoted"',
      transactional: false,
      kind: 'ts',
    });
    expect(migrationFromSource('0001_a.ts', '/m/0001_a.ts', `export const revision = 'r';\nexport const parents = [];\n`).parents).toEqual(
      [],
    );
  });

  it('refuses computed parents', () => {
    expect(() =>
      migrationFromSource('0001_a.ts', '/m/0001_a.ts', `export const revision = 'r';\nexport const parents = [PREV];\n`),
    ).toThrow("0001_a.ts: parents must be a literal array of revision ids, e.g. export const parents = ['1a2b3c4d5e6f']; found PREV.");
  });
});

describe('checksums', () => {
  it('are sha256 of the bytes as written, CRLF and all', () => {
    const crlf = '-- revision: a\r\n-- parents: none\r\n-- migrate:up\r\nSELECT 1;\r\n';
    const lf = crlf.replaceAll('\r\n', '\n');
    expect(checksumOf(new TextEncoder().encode('a\r\nb\r\n'))).toBe(createHash('sha256').update('a\r\nb\r\n').digest('hex'));
    expect(checksumOf('a\r\nb\n')).not.toBe(checksumOf('a\nb\n'));
    expect(checksumOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const m = migrationFromSource('0001_a.sql', '/m/0001_a.sql', Buffer.from(crlf));
    expect(m.source).toBe(crlf);
    expect(m.checksum).toBe(createHash('sha256').update(Buffer.from(crlf)).digest('hex'));
    // What earlier versions recorded for this file (CRLF normalised) still matches; another file's does not.
    expect(m.matchesChecksum(checksumOf(lf))).toBe(true);
    expect(m.matchesChecksum(checksumOf(`${lf}SELECT 2;\n`))).toBe(false);
  });

  it('cover a byte order mark', () => {
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('-- revision: a\n-- parents: none\n-- migrate:up\nSELECT 1;\n'),
    ]);
    const m = migrationFromSource('0001_a.sql', '/m/0001_a.sql', bom);
    expect(m.revision).toBe('a');
    expect(m.checksum).toBe(createHash('sha256').update(bom).digest('hex'));
  });
});

describe('encodings', () => {
  const latin1 = (header = '') =>
    Buffer.from(`-- revision: a\n-- parents: none\n${header}-- migrate:up\nINSERT INTO t VALUES ('caf\u00e9');\n`, 'latin1');

  it('refuses a file that is not UTF-8, with its line and byte offset', () => {
    const bytes = latin1();
    expect(() => migrationFromSource('0001_a.sql', '/m/0001_a.sql', bytes)).toThrow(
      `0001_a.sql:4: byte offset ${bytes.indexOf(0xe9)}: not valid UTF-8 (0xE9 0x27 0x29 0x3B). Strata reads migrations as UTF-8`,
    );
  });

  it('decodes a file whose header declares its encoding, checksumming its bytes', () => {
    const bytes = latin1('-- encoding: latin1\n');
    const m = migrationFromSource('0001_a.sql', '/m/0001_a.sql', bytes);
    expect(m.source).toContain("VALUES ('caf\u00e9')");
    expect(m.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(() => migrationFromSource('0001_a.sql', '/m/0001_a.sql', latin1('-- encoding: klingon\n'))).toThrow(
      "'-- encoding: klingon' is not an encoding",
    );
  });
});

describe('loadMigrations', () => {
  it('reads a folder in number order, ignores helpers, and refuses a stray .sql file', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadMigrations } = await import('./migration-file.js');
    const dir = mkdtempSync(join(tmpdir(), 'strata-load-'));
    try {
      writeFileSync(join(dir, '10_b.sql'), '-- revision: b\n-- parents: a\n-- migrate:up\n');
      writeFileSync(join(dir, '9_a.sql'), '-- revision: a\n-- parents: none\n-- migrate:up\n');
      // Same number: by name. No number prefix cannot happen (not a migration name).
      writeFileSync(join(dir, '10_a.sql'), '-- revision: b2\n-- parents: a\n-- migrate:up\n');
      writeFileSync(join(dir, '0100_c.sql'), '-- revision: c\n-- parents: b, b2\n-- migrate:up\n');
      writeFileSync(join(dir, 'README.md'), '# hi');
      writeFileSync(join(dir, 'helpers.ts'), 'export const x = 1;');
      expect((await loadMigrations(dir)).migrations.map((m) => m.file)).toEqual(['9_a.sql', '10_a.sql', '10_b.sql', '0100_c.sql']);
      writeFileSync(join(dir, 'add_users.sql'), 'CREATE TABLE users ();');
      await expect(loadMigrations(dir)).rejects.toThrow(
        `add_users.sql in ${dir} does not look like a migration (NNNN_slug.sql). Rename it (\`strata ` +
          `new\` writes the right name) or move it out of the migrations folder.`,
      );
      await expect(loadMigrations(join(dir, 'nope'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
