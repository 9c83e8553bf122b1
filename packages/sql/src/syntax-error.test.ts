import { isStrataError, type StrataError } from '@pg-strata/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { parseScriptSync } from './split.js';
import type { ParseScriptOptions } from './types.js';

beforeAll(async () => {
  await loadParser();
});

function syntaxErrorOf(source: string, options?: ParseScriptOptions): StrataError {
  try {
    parseScriptSync(source, options);
  } catch (err) {
    if (isStrataError(err)) return err;
    throw err;
  }
  throw new Error('expected a syntax error');
}

interface ErrorCase {
  name: string;
  source: string;
  options?: ParseScriptOptions;
  line: number;
  column: number;
  message: string;
}

const ERROR_CASES: ErrorCase[] = [
  {
    name: 'on line 1, column 1',
    source: 'SELEC 1;',
    line: 1,
    column: 1,
    message: ['<input>:1:1: syntax error at or near "SELEC"', '1 | SELEC 1;', '  | ^'].join('\n'),
  },
  {
    name: 'on line 1, further right, with a file',
    source: 'SELECT * FORM users;',
    options: { file: 'fix_users.sql' },
    line: 1,
    column: 10,
    message: ['fix_users.sql:1:10: syntax error at or near "FORM"', '1 | SELECT * FORM users;', '  |          ^'].join('\n'),
  },
  {
    name: 'on a later line, after valid statements',
    source: 'SELECT 1;\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN FROM int;\n',
    options: { file: 'a.sql' },
    line: 3,
    column: 26,
    message: [
      'a.sql:3:26: syntax error at or near "FROM"',
      '3 | ALTER TABLE t ADD COLUMN FROM int;',
      '  |                          ^',
    ].join('\n'),
  },
  {
    name: 'after non-ASCII text on the same line (byte offset converted to characters)',
    source: "INSERT INTO t VALUES ('café 😀') RETURNIN id;",
    line: 1,
    column: 33,
    message: [
      '<input>:1:33: syntax error at or near "RETURNIN"',
      "1 | INSERT INTO t VALUES ('café 😀') RETURNIN id;",
      '  |                                 ^',
    ].join('\n'),
  },
  {
    name: 'after non-ASCII text on earlier lines',
    source: "-- ünïcödé 😀\nSELECT 'ß';\nSELECT * FROM WHERE;",
    line: 3,
    column: 15,
    message: ['<input>:3:15: syntax error at or near "WHERE"', '3 | SELECT * FROM WHERE;', '  |               ^'].join('\n'),
  },
  {
    name: 'inside a section starting at line 12 (gutter shows file lines)',
    source: 'ALTER TABLE t\n  ADD COLUMN x int,\n  DROP;\n',
    options: { file: 'migrations/0003_x.sql', startLine: 12 },
    line: 14,
    column: 7,
    message: ['migrations/0003_x.sql:14:7: syntax error at or near ";"', '14 |   DROP;', '   |       ^'].join('\n'),
  },
  {
    name: 'inside a string literal section starting at line 5, column 20 (first line shifts right)',
    source: 'UPDATE t SET a = 1 WHER id = 2',
    options: { file: 'fix.py', startLine: 5, startColumn: 20 },
    line: 5,
    column: 39,
    message: ['fix.py:5:39: syntax error at or near "WHER"', '5 | UPDATE t SET a = 1 WHER id = 2', '  |                    ^'].join('\n'),
  },
  {
    name: 'at end of input points just after the last character, not past the newline',
    source: 'SELECT 1;\nSELECT * FROM t WHERE\n\n',
    line: 2,
    column: 22,
    message: ['<input>:2:22: syntax error at end of input', '2 | SELECT * FROM t WHERE', '  |                      ^'].join('\n'),
  },
  {
    name: 'unterminated dollar quote',
    source: 'SELECT 1;\nDO $$ BEGIN NULL; END;\n',
    line: 2,
    column: 4,
    message: [
      '<input>:2:4: unterminated dollar-quoted string at or near "$$ BEGIN NULL; END;',
      '"',
      '2 | DO $$ BEGIN NULL; END;',
      '  |    ^',
    ].join('\n'),
  },
  {
    name: 'unterminated quoted string',
    source: "SELECT 'abc",
    line: 1,
    column: 8,
    message: ['<input>:1:8: unterminated quoted string at or near "\'abc"', "1 | SELECT 'abc", '  |        ^'].join('\n'),
  },
  {
    name: 'many emoji before the error (code points, not bytes or UTF-16 units)',
    source: "SELECT '😀😀😀😀' FRM x y",
    line: 1,
    column: 19,
    message: ['<input>:1:19: syntax error at or near "x"', "1 | SELECT '😀😀😀😀' FRM x y", '  |                   ^'].join('\n'),
  },
  {
    name: 'an error PostgreSQL 18 reports with a position points at the clause, in the failing statement',
    source: 'SELECT 1;\n-- next\n  SELECT a FROM t FETCH FIRST 1 ROW WITH TIES;\nSELECT 3;',
    line: 3,
    column: 37,
    message: [
      '<input>:3:37: WITH TIES cannot be specified without ORDER BY clause',
      '3 |   SELECT a FROM t FETCH FIRST 1 ROW WITH TIES;',
      '  |                                     ^',
    ].join('\n'),
  },
  {
    name: 'tabs in the line keep the caret aligned',
    source: '\tSELECT\t* FORM t',
    line: 1,
    column: 11,
    message: ['<input>:1:11: syntax error at or near "FORM"', '1 | \tSELECT\t* FORM t', '  | \t      \t  ^'].join('\n'),
  },
];

describe('syntax errors', () => {
  it.each(ERROR_CASES)('$name', ({ source, options, line, column, message }) => {
    const err = syntaxErrorOf(source, options);
    expect(err.code).toBe('SQL_SYNTAX');
    expect(err.meta['line']).toBe(line);
    expect(err.meta['column']).toBe(column);
    expect(err.meta['file']).toBe(options?.file);
    expect(err.message).toBe(message);
  });

  it('keeps the parser message and the libpg-query error as cause', () => {
    const err = syntaxErrorOf('SELECT * FORM t');
    expect(err.meta['parserMessage']).toBe('syntax error at or near "FORM"');
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.isInputError).toBe(true);
  });

  it('is serialisable', () => {
    const err = syntaxErrorOf('SELECT * FORM t', { file: 'x.sql' });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'SQL_SYNTAX',
      message: err.message,
      meta: { file: 'x.sql', line: 1, column: 10, offset: 9, parserMessage: 'syntax error at or near "FORM"' },
    });
  });

  it('cuts very long lines to a window around the column', () => {
    const long = `INSERT INTO t VALUES ${Array.from({ length: 60 }, (_, i) => `(${i})`).join(', ')} RETURNIN id`;
    const err = syntaxErrorOf(long);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe(`<input>:1:${long.indexOf('RETURNIN') + 1}: syntax error at or near "RETURNIN"`);
    expect(lines[1]?.length).toBeLessThanOrEqual(4 + 3 + 120 + 3);
    // The caret sits under the R of RETURNIN.
    const caret = lines[2]?.indexOf('^') ?? -1;
    expect(lines[1]?.slice(caret, caret + 8)).toBe('RETURNIN');
  });
});
