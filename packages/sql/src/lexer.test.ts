import { describe, expect, it } from 'vitest';
import { splitStatements } from './lexer.js';

/** The statements' texts, as the splitter cuts them. */
function texts(source: string, options = {}): string[] {
  return splitStatements(source, options).statements.map((s) => source.slice(s.start, s.end));
}

describe('the statement splitter', () => {
  it('cuts at top-level semicolons and drops empty statements and comments around them', () => {
    expect(texts('  -- lead\n SELECT 1; /* c */ ;; select 2 -- t\n;\n')).toEqual(['SELECT 1', 'select 2']);
    expect(texts('SELECT 1')).toEqual(['SELECT 1']);
    expect(texts('-- only a comment\n/* and another */')).toEqual([]);
  });

  it('keeps semicolons inside strings, identifiers, comments and dollar quotes', () => {
    const src = `SELECT 'a;b', "c;d", E'e\\';f', U&'g;h', $$i;j$$, $tag$ k; $$ ; $tag$; /* x; /* nested; */ y; */ SELECT 2`;
    expect(texts(src)).toEqual([`SELECT 'a;b', "c;d", E'e\\';f', U&'g;h', $$i;j$$, $tag$ k; $$ ; $tag$`, 'SELECT 2']);
  });

  it('does not take an identifier ending in $ for a dollar quote, nor a parameter', () => {
    expect(texts('SELECT a$$b, $1; SELECT 2')).toEqual(['SELECT a$$b, $1', 'SELECT 2']);
  });

  it('treats a backslash as an escape only in E strings while standard_conforming_strings is on', () => {
    expect(texts(`SELECT 'a\\'; SELECT 2`)).toEqual([`SELECT 'a\\'`, 'SELECT 2']);
    expect(texts(`SELECT e'a\\'; b'; SELECT 2`)).toEqual([`SELECT e'a\\'; b'`, 'SELECT 2']);
  });

  it('follows SET standard_conforming_strings in the script', () => {
    const src =
      `SET standard_conforming_strings = off; INSERT INTO t VALUES ('it\\'s; ok'); RESET ` + `standard_conforming_strings; SELECT 'a\\'`;
    const { statements } = splitStatements(src);
    expect(statements.map((s) => src.slice(s.start, s.end))).toEqual([
      'SET standard_conforming_strings = off',
      `INSERT INTO t VALUES ('it\\'s; ok')`,
      'RESET standard_conforming_strings',
      `SELECT 'a\\'`,
    ]);
    expect(statements[1]!.backslashStrings).toEqual([src.indexOf(`'it`)]);
    expect(texts(`SELECT 'x\\'; y'; SELECT 2`, { standardConformingStrings: false })).toEqual([`SELECT 'x\\'; y'`, 'SELECT 2']);
  });

  it('keeps a BEGIN ATOMIC body whole, CASE ... END inside it included', () => {
    const fn =
      'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 3; END';
    expect(texts(`${fn}; BEGIN; SELECT 1; END;`)).toEqual([fn, 'BEGIN', 'SELECT 1', 'END']);
    const proc = 'create procedure p() begin atomic insert into t values (1); end';
    expect(texts(`${proc};select 1`)).toEqual([proc, 'select 1']);
  });

  it('keeps semicolons inside parentheses (rules with several actions)', () => {
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))';
    expect(texts(`${rule}; SELECT 1`)).toEqual([rule, 'SELECT 1']);
  });

  it('reports psql meta-commands and does not send them', () => {
    const src =
      '\\echo Use "CREATE EXTENSION x" to load this file. \\quit\nCREATE TABLE t (a int);\n\\i ' +
      'other.sql\nSELECT 1;\n\\set ON_ERROR_STOP 1\n';
    const { statements, metaCommands } = splitStatements(src);
    expect(statements.map((s) => src.slice(s.start, s.end))).toEqual(['CREATE TABLE t (a int)', 'SELECT 1']);
    expect(metaCommands.map((m) => [m.line, m.command])).toEqual([
      [1, '\\echo'],
      [3, '\\i'],
      [5, '\\set'],
    ]);
  });

  it('runs an unterminated string, comment or dollar quote to the end instead of failing', () => {
    expect(texts("SELECT 'abc; SELECT 2")).toEqual(["SELECT 'abc; SELECT 2"]);
    expect(texts('SELECT 1 /* open; SELECT 2')).toEqual(['SELECT 1']);
    expect(texts('DO $$ BEGIN; SELECT 2')).toEqual(['DO $$ BEGIN; SELECT 2']);
  });

  it('keeps CRLF line endings inside statements and counts lines', () => {
    const src = 'SELECT 1;\r\nCREATE FUNCTION f() RETURNS int AS $$\r\nSELECT 1\r\n$$ LANGUAGE sql;\r\n';
    const { statements } = splitStatements(src);
    expect(src.slice(statements[1]!.start, statements[1]!.end)).toBe(
      'CREATE FUNCTION f() RETURNS int AS $$\r\nSELECT 1\r\n$$ LANGUAGE sql',
    );
    expect(statements.map((s) => s.line)).toEqual([1, 2]);
  });

  it('skips a byte order mark', () => {
    expect(texts('\ufeffSELECT 1;')).toEqual(['SELECT 1']);
  });
});
