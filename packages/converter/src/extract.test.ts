import { describe, expect, it } from 'vitest';
import { detectLanguage, extractSql } from './extract.js';

describe('extractSql: SQL files', () => {
  it.each([
    {
      name: 'the whole file is one fragment, mapped exactly from line 1 column 1',
      text: '-- add a column\nALTER TABLE t ADD c int;\n',
      loc: { line: 1, column: 1, endLine: 3, endColumn: 1 },
    },
    {
      name: 'a file with a syntax error is still one fragment (the split comes later)',
      text: 'ALTER TABLE documents\n    ADD COLUMN summary TEXT\n    ADD COLUMN summarised_at TIMESTAMPTZ;',
      loc: { line: 1, column: 1, endLine: 3, endColumn: 42 },
    },
    {
      name: 'dollar-quoted DO blocks and comments are kept verbatim',
      text: "DO $$\nBEGIN\n  -- ALTER TABLE x DROP y;\n  RAISE NOTICE 'ok';\nEND $$;",
      loc: { line: 1, column: 1, endLine: 5, endColumn: 8 },
    },
  ])('$name', ({ text, loc }) => {
    const e = extractSql({ path: 'migrations/001_x.sql', text });
    expect(e).toEqual({
      path: 'migrations/001_x.sql',
      language: 'sql',
      fragments: [{ sql: text, dynamic: false, loc, mapping: 'exact', via: 'file' }],
      warnings: [],
    });
  });

  it('an empty or blank file has no fragment', () => {
    expect(extractSql({ path: 'fix_empty.sql', text: '  \n\n' }).fragments).toEqual([]);
  });

  it('a byte-order mark is not part of the SQL', () => {
    expect(extractSql({ path: 'fix_bom.sql', text: '\uFEFFSELECT 1;' }).fragments[0]?.sql).toBe('SELECT 1;');
  });

  it('an explicit language wins over the extension', () => {
    const e = extractSql({ path: 'fix_weird.txt', text: 'cur.execute("SELECT 1")', language: 'python' });
    expect(e.language).toBe('python');
    expect(e.fragments.map((f) => f.sql)).toEqual(['SELECT 1']);
  });
});

describe('extractSql: psql meta-commands in SQL files', () => {
  it("blanks them (positions stay the file's), turns \\i into an include and warns about those that change what runs", () => {
    const text =
      '\\set ON_ERROR_STOP on\n\\echo adding columns\nALTER TABLE t ADD COLUMN c int;\n\\i ' +
      'more/fix_b.sql\n\\c otherdb\nUPDATE t SET c = 1;\n';
    const e = extractSql({ path: 'fix_a.sql', text });
    const sql = e.fragments[0]!.sql!;
    expect(sql.length).toBe(text.length);
    expect(sql.trim().split(/\s*\n\s*/)).toEqual(['ALTER TABLE t ADD COLUMN c int;', 'UPDATE t SET c = 1;']);
    expect(sql.indexOf('UPDATE')).toBe(text.indexOf('UPDATE'));
    expect(e.fragments[1]).toMatchObject({ sql: null, includes: 'more/fix_b.sql', loc: { line: 4, column: 1 } });
    expect(e.warnings).toEqual([{ message: 'psql meta-command \\c (\\c otherdb) is not SQL and is not converted', line: 5, column: 1 }]);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['fix_a.py', '', 'python'],
    ['migrations/001.sql', '', 'sql'],
    ['entrypoint.sh', '', 'shell'],
    ['fix.bash', '', 'shell'],
    ['fix_a.js', '', 'javascript'],
    ['fix_a.mjs', '', 'javascript'],
    ['fix_a.ts', '', 'typescript'],
    ['fix_a.mts', '', 'typescript'],
    ['fix_noext', '#!/usr/bin/env python3\nprint(1)', 'python'],
    ['fix_noext', '#!/bin/bash\nset -e', 'shell'],
    ['fix_noext', '#!/usr/bin/env node\n', 'javascript'],
    ['fix_noext', 'SELECT 1', undefined],
  ] as const)('%s %j -> %s', (path, text, language) => {
    expect(detectLanguage(path, text)).toBe(language);
  });
});
