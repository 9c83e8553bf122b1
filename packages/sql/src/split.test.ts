import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { eachStatement, parseScript, parseScriptSync } from './split.js';
import type { SourceRange } from './types.js';

beforeAll(async () => {
  await loadParser();
});

interface SplitCase {
  name: string;
  source: string;
  texts: string[];
}

const SPLIT_CASES: SplitCase[] = [
  { name: 'two simple statements', source: 'SELECT 1;\nSELECT 2;\n', texts: ['SELECT 1', 'SELECT 2'] },
  { name: 'no trailing semicolon', source: 'SELECT 1;\nSELECT 2', texts: ['SELECT 1', 'SELECT 2'] },
  { name: 'empty statements ;;', source: ';;SELECT 1;;; ;\n;SELECT 2;;', texts: ['SELECT 1', 'SELECT 2'] },
  { name: 'only comments and semicolons', source: '-- nothing here;\n/* nor; here */ ;\n', texts: [] },
  { name: 'empty source', source: '', texts: [] },
  { name: 'whitespace only', source: ' \n\t\r\n ', texts: [] },
  {
    name: 'line comment with a semicolon',
    source: '-- drop it; later\nSELECT 1 -- trailing; comment\n, 2;\nSELECT 3;',
    texts: ['SELECT 1 -- trailing; comment\n, 2', 'SELECT 3'],
  },
  {
    name: 'block comment with semicolons, inside and before',
    source: '/* a; b; */ SELECT /* c; */ 1; /* d; */\nSELECT 2',
    texts: ['SELECT /* c; */ 1', 'SELECT 2'],
  },
  {
    name: 'nested block comments',
    source: '/* outer /* inner; */ still; comment */ SELECT 1;',
    texts: ['SELECT 1'],
  },
  {
    name: 'comment after the last statement is not part of it',
    source: 'SELECT 1\n-- the end; really\n',
    texts: ['SELECT 1'],
  },
  {
    name: 'block comment between the statement and its semicolon',
    source: 'SELECT 1 /* x; */ ;SELECT 2',
    texts: ['SELECT 1', 'SELECT 2'],
  },
  {
    name: 'a -- inside a string is not a comment',
    source: "SELECT '--not; a comment' ;",
    texts: ["SELECT '--not; a comment'"],
  },
  {
    name: '$$ dollar-quoted function body with semicolons',
    source: 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1; -- one;\nEND;\n$$;\nSELECT f();',
    texts: ['CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1; -- one;\nEND;\n$$', 'SELECT f()'],
  },
  {
    name: '$tag$ dollar quotes containing $$',
    source: "DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$; SELECT 1",
    texts: ["DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$", 'SELECT 1'],
  },
  {
    name: "E'' string with an escaped quote and semicolon",
    source: "INSERT INTO t VALUES (E'it\\'s; fine');\nSELECT 1;",
    texts: ["INSERT INTO t VALUES (E'it\\'s; fine')", 'SELECT 1'],
  },
  {
    name: 'standard string with doubled quote and semicolon',
    source: "SELECT 'a'';b';SELECT 2",
    texts: ["SELECT 'a'';b'", 'SELECT 2'],
  },
  {
    name: 'quoted identifiers containing semicolons',
    source: 'CREATE TABLE "we;ird" ("col;1" int);\nSELECT "col;1" FROM "we;ird";',
    texts: ['CREATE TABLE "we;ird" ("col;1" int)', 'SELECT "col;1" FROM "we;ird"'],
  },
  {
    name: 'CRLF line endings',
    source: 'SELECT 1;\r\n-- c\r\nSELECT\r\n  2;\r\n',
    texts: ['SELECT 1', 'SELECT\r\n  2'],
  },
  {
    name: 'a leading byte order mark is not part of the first statement',
    source: '\uFEFFSELECT 1;\nSELECT 2;',
    texts: ['SELECT 1', 'SELECT 2'],
  },
  {
    name: 'psql-style comment-only lines and blank lines between statements',
    source: '\n\n-- one\n\n-- two\n\nSELECT 1;\n\n\n-- three\nSELECT 2;\n\n-- end\n',
    texts: ['SELECT 1', 'SELECT 2'],
  },
  {
    name: 'BEGIN/COMMIT are statements of their own',
    source: 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;',
    texts: ['BEGIN', 'CREATE TABLE t (id int)', 'COMMIT'],
  },
];

describe('parseScript splitting', () => {
  it.each(SPLIT_CASES)('$name', ({ source, texts }) => {
    const script = parseScriptSync(source);
    expect(script.statements.map((s) => s.text)).toEqual(texts);
    expect(script.statements.map((s) => s.index)).toEqual(texts.map((_, i) => i));
    // The range is where the text is.
    for (const s of script.statements) expect(source.slice(s.range.start, s.range.end)).toBe(s.text);
  });
});

interface RangeCase {
  name: string;
  source: string;
  options?: { file?: string; startLine?: number; startColumn?: number };
  ranges: SourceRange[];
}

const RANGE_CASES: RangeCase[] = [
  {
    name: 'ASCII on several lines',
    source: 'SELECT 1;\n\n  CREATE TABLE t (\n    id int\n  );',
    ranges: [
      { start: 0, end: 8, line: 1, column: 1, endLine: 1, endColumn: 9 },
      { start: 13, end: 44, line: 3, column: 3, endLine: 5, endColumn: 4 },
    ],
  },
  {
    name: "non-ASCII 'café' in a comment before the statement",
    source: '-- café\nSELECT 1;',
    ranges: [{ start: 8, end: 16, line: 2, column: 1, endLine: 2, endColumn: 9 }],
  },
  {
    name: 'emoji and accents earlier on the same line count one column each',
    source: "SELECT 'café 😀'; SELECT 2;",
    // 'café 😀' is 7 code points but 8 UTF-16 units and 11 UTF-8 bytes.
    ranges: [
      { start: 0, end: 16, line: 1, column: 1, endLine: 1, endColumn: 16 },
      { start: 18, end: 26, line: 1, column: 18, endLine: 1, endColumn: 26 },
    ],
  },
  {
    name: 'multi-byte text across lines before a statement',
    source: "INSERT INTO t VALUES ('ü😀');\n/* ñ */ UPDATE t SET a = 'ß';",
    ranges: [
      { start: 0, end: 28, line: 1, column: 1, endLine: 1, endColumn: 28 },
      { start: 38, end: 58, line: 2, column: 9, endLine: 2, endColumn: 29 },
    ],
  },
  {
    name: 'CRLF: columns do not count the \\r',
    source: 'SELECT 1;\r\n  SELECT 2;\r\n',
    ranges: [
      { start: 0, end: 8, line: 1, column: 1, endLine: 1, endColumn: 9 },
      { start: 13, end: 21, line: 2, column: 3, endLine: 2, endColumn: 11 },
    ],
  },
  {
    name: 'section of a file starting at line 10 (migrate:up section)',
    source: 'ALTER TABLE t ADD COLUMN a int;\nSELECT 1;',
    options: { file: 'migrations/0002_x.sql', startLine: 10 },
    ranges: [
      { start: 0, end: 30, line: 10, column: 1, endLine: 10, endColumn: 31 },
      { start: 32, end: 40, line: 11, column: 1, endLine: 11, endColumn: 9 },
    ],
  },
  {
    name: 'string literal starting at line 7, column 15 (Python extractor)',
    source: 'SELECT 1; SELECT 2;\nSELECT 3',
    options: { startLine: 7, startColumn: 15 },
    ranges: [
      { start: 0, end: 8, line: 7, column: 15, endLine: 7, endColumn: 23 },
      { start: 10, end: 18, line: 7, column: 25, endLine: 7, endColumn: 33 },
      { start: 20, end: 28, line: 8, column: 1, endLine: 8, endColumn: 9 },
    ],
  },
];

describe('parseScript ranges', () => {
  it.each(RANGE_CASES)('$name', ({ source, options, ranges }) => {
    const script = parseScriptSync(source, options);
    expect(script.statements.map((s) => s.range)).toEqual(ranges);
  });

  it('keeps the file and the source on the result', async () => {
    const script = await parseScript('SELECT 1', { file: 'a.sql' });
    expect(script.file).toBe('a.sql');
    expect(script.source).toBe('SELECT 1');
    expect(script.statements).toHaveLength(1);
  });

  it('leaves file out when none is given', () => {
    expect('file' in parseScriptSync('SELECT 1')).toBe(false);
  });

  it('exposes the statement node as the ast', () => {
    const [stmt] = parseScriptSync('CREATE INDEX i ON t (a)').statements;
    expect(stmt?.kind).toBe('IndexStmt');
    expect(Object.keys(stmt?.ast ?? {})).toEqual(['IndexStmt']);
  });
});

describe('eachStatement with unparsed', () => {
  it('visits the statements it names without parsing them, in order with the parsed ones', async () => {
    await loadParser();
    const seen: [string, string][] = [];
    // The INSERT is not valid SQL: unparsed, it is not checked (the caller parsed it already).
    eachStatement('CREATE TABLE t (a int);\ninsert into t values (1 2);\nDROP TABLE t;', { unparsed: (w) => w === 'insert' }, (s) =>
      seen.push([s.kind, s.text]),
    );
    expect(seen).toEqual([
      ['CreateStmt', 'CREATE TABLE t (a int)'],
      ['Unparsed', 'insert into t values (1 2)'],
      ['DropStmt', 'DROP TABLE t'],
    ]);
    expect(() => eachStatement('insert into t values (1 2);', {}, () => {})).toThrow(/syntax error at or near "2"/);
  });
});

describe('eachStatement with syntaxOnly', () => {
  it('checks the statements it names without building their trees, in order, and still finds their syntax errors', async () => {
    await loadParser();
    const seen: [string, string][] = [];
    const src =
      'CREATE TABLE t (a int);\ninsert into t values (1);\nINSERT INTO t VALUES (2);\nUPDATE t SET a = 3;\ninsert into t values (4);';
    eachStatement(src, { syntaxOnly: (w) => w === 'insert' }, (s) => seen.push([s.kind, s.text]));
    expect(seen).toEqual([
      ['CreateStmt', 'CREATE TABLE t (a int)'],
      ['Unparsed', 'insert into t values (1)'],
      ['Unparsed', 'INSERT INTO t VALUES (2)'],
      ['UpdateStmt', 'UPDATE t SET a = 3'],
      ['Unparsed', 'insert into t values (4)'],
    ]);
    expect(() =>
      eachStatement(
        'insert into t values (1);\n\ninsert into t values (1 2);',
        { file: 'x.sql', syntaxOnly: (w) => w === 'insert' },
        () => {},
      ),
    ).toThrow('x.sql:3:25: syntax error at or near "2"');
  });
});
