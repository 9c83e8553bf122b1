import { isStrataError } from '@pg-strata/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { inspectDoBlock, parsePlpgsql, parsePlpgsqlSync } from './plpgsql.js';
import { parseScriptSync } from './split.js';
import type { SqlStatement } from './types.js';

beforeAll(async () => {
  await loadParser();
});

function doBlock(source: string, startLine = 1): SqlStatement {
  const stmt = parseScriptSync(source, { startLine }).statements.find((s) => s.kind === 'DoStmt');
  if (stmt === undefined) throw new Error('no DO statement');
  return stmt;
}

describe('inspectDoBlock', () => {
  it('finds a guarded ALTER TABLE behind IF NOT EXISTS (information_schema)', () => {
    const source = [
      'SELECT 1;',
      'DO $$',
      'BEGIN',
      "  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'x') THEN",
      '    ALTER TABLE users ADD COLUMN x int;',
      '  END IF;',
      'END $$;',
    ].join('\n');
    expect(inspectDoBlock(doBlock(source))).toEqual({
      statements: [
        {
          sql: 'ALTER TABLE users ADD COLUMN x int',
          guard: {
            negated: true,
            conditionSql: "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'x')",
          },
          line: 5,
        },
      ],
      dynamic: false,
    });
  });

  it('reports lines in the file when the script is a section starting later', () => {
    const source = 'DO $$\nBEGIN\n  CREATE TABLE t (a int);\nEND $$';
    expect(inspectDoBlock(doBlock(source, 20)).statements).toEqual([{ sql: 'CREATE TABLE t (a int)', line: 22 }]);
  });

  it('reads constant EXECUTE strings, and marks non-constant ones dynamic', () => {
    const source = [
      'DO $$',
      'DECLARE tbl text := $q$users$q$;',
      'BEGIN',
      "  EXECUTE 'CREATE INDEX i ON t (a)';",
      "  EXECUTE 'ALTER TABLE t ' || 'ADD COLUMN b int';",
      "  EXECUTE format('DROP TABLE %I', tbl);",
      'END $$',
    ].join('\n');
    expect(inspectDoBlock(doBlock(source))).toEqual({
      statements: [
        { sql: 'CREATE INDEX i ON t (a)', line: 4 },
        { sql: 'ALTER TABLE t ADD COLUMN b int', line: 5 },
      ],
      dynamic: true,
    });
  });

  it('a positive IF, its ELSE branch (negated) and ELSIF', () => {
    const source = [
      'DO $$',
      'BEGIN',
      "  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'old') THEN",
      '    DROP TABLE old;',
      '  ELSIF a_flag() THEN',
      '    PERFORM pg_sleep(0);',
      '  ELSE',
      '    CREATE TABLE old (id int);',
      '  END IF;',
      'END $$',
    ].join('\n');
    const cond = "EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'old')";
    expect(inspectDoBlock(doBlock(source)).statements).toEqual([
      { sql: 'DROP TABLE old', guard: { negated: false, conditionSql: cond }, line: 4 },
      { sql: 'SELECT pg_sleep(0)', guard: { negated: false, conditionSql: 'a_flag()' }, line: 6 },
      { sql: 'CREATE TABLE old (id int)', guard: { negated: true, conditionSql: cond }, line: 8 },
    ]);
  });

  it('does not strip a NOT that covers only part of the condition', () => {
    const source = 'DO $$ BEGIN IF NOT a() AND b() THEN DELETE FROM t WHERE x; END IF; END $$';
    expect(inspectDoBlock(doBlock(source)).statements).toEqual([
      { sql: 'DELETE FROM t WHERE x', guard: { negated: false, conditionSql: 'NOT a() AND b()' }, line: 1 },
    ]);
  });

  it('walks loops, nested blocks and exception handlers', () => {
    const source = [
      'DO $$',
      'DECLARE r record;',
      'BEGIN',
      '  FOR r IN SELECT id FROM t LOOP',
      '    UPDATE t SET n = n + 1 WHERE id = r.id;',
      '  END LOOP;',
      '  BEGIN',
      '    INSERT INTO t (id) VALUES (1);',
      '  EXCEPTION WHEN unique_violation THEN',
      '    RAISE NOTICE $m$dup$m$;',
      '    DELETE FROM t WHERE id = 1;',
      '  END;',
      'END $$',
    ].join('\n');
    expect(inspectDoBlock(doBlock(source))).toEqual({
      statements: [
        { sql: 'UPDATE t SET n = n + 1 WHERE id = r.id', line: 5 },
        { sql: 'INSERT INTO t (id) VALUES (1)', line: 8 },
        { sql: 'DELETE FROM t WHERE id = 1', line: 11 },
      ],
      dynamic: false,
    });
  });

  it('lists CALL, COMMIT and ROLLBACK', () => {
    const source = 'DO $$ BEGIN CALL batch(1); COMMIT; CALL batch(2); ROLLBACK AND CHAIN; END $$';
    expect(inspectDoBlock(doBlock(source)).statements.map((s) => s.sql)).toEqual([
      'CALL batch(1)',
      'COMMIT',
      'CALL batch(2)',
      'ROLLBACK AND CHAIN',
    ]);
  });

  it('FOR ... IN EXECUTE is dynamic', () => {
    const source = "DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'SELECT 1' LOOP END LOOP; END $$";
    expect(inspectDoBlock(doBlock(source)).dynamic).toBe(true);
  });

  it('a DO block in another language is opaque', () => {
    expect(inspectDoBlock(doBlock("DO LANGUAGE plperl $$ print 'x' $$"))).toEqual({ statements: [], dynamic: true });
  });

  it('refuses a statement that is not DO', () => {
    const [stmt] = parseScriptSync('SELECT 1').statements;
    expect(() => inspectDoBlock(stmt as SqlStatement)).toThrow('inspectDoBlock() needs a DO statement, got SELECT');
  });

  it('a PL/pgSQL syntax error is SQL_SYNTAX with the parser message', () => {
    const stmt = doBlock('DO $$ BEGIN IF x THEN SELEC 1; END IF; END $$');
    let caught: unknown;
    try {
      inspectDoBlock(stmt);
    } catch (err) {
      caught = err;
    }
    expect(isStrataError(caught) && caught.code).toBe('SQL_SYNTAX');
    expect((caught as Error).message).toBe('PL/pgSQL body does not compile: syntax error at or near "SELEC"');
  });
});

describe('parsePlpgsql', () => {
  it('takes a bare body, even one containing $body$', async () => {
    const body = "\nBEGIN\n  RAISE NOTICE '$body$';\n  ALTER TABLE t DROP COLUMN c;\nEND\n";
    expect(await parsePlpgsql(body)).toEqual({ statements: [{ sql: 'ALTER TABLE t DROP COLUMN c', line: 4 }], dynamic: false });
  });

  it('CASE WHEN branches are guarded by their condition', () => {
    const body = 'BEGIN CASE WHEN current_setting($s$x$s$) = $v$1$v$ THEN TRUNCATE t; ELSE NULL; END CASE; END';
    expect(parsePlpgsqlSync(body).statements).toEqual([
      { sql: 'TRUNCATE t', guard: { negated: false, conditionSql: 'current_setting($s$x$s$) = $v$1$v$' }, line: 1 },
    ]);
  });
});
