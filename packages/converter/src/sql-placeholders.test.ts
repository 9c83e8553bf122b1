import { describe, expect, it } from 'vitest';
import { rewritePlaceholders } from './sql-placeholders.js';

describe('rewritePlaceholders', () => {
  it.each([
    { style: 'pyformat', sql: 'SELECT %s, %s', out: 'SELECT $1, $2', count: 2 },
    { style: 'pyformat', sql: "SELECT '100%%', %(a)s, %(b)s, %(a)s", out: "SELECT '100%', $1, $2, $1", count: 2 },
    { style: 'pyformat', sql: 'SELECT 7 %% 3 -- 50%% off %s\n', out: 'SELECT 7 % 3 -- 50%% off %s\n', count: 0 },
    { style: 'pyformat', sql: 'SELECT $x$%s$x$, %s', out: 'SELECT $x$%s$x$, $1', count: 1 },
    {
      style: 'named',
      sql: "SELECT :id, '{}'::jsonb, ':nope', x::text, :id",
      out: "SELECT $1, '{}'::jsonb, ':nope', x::text, $1",
      count: 1,
    },
    { style: 'named', sql: 'SELECT "a:b", :b /* :c */', out: 'SELECT "a:b", $1 /* :c */', count: 1 },
    { style: 'question', sql: "SELECT ?, data ?| array['a'], '?' , ?? , ?", out: "SELECT $1, data ?| array['a'], '?' , ?? , $2", count: 2 },
    { style: 'dollar', sql: 'SELECT $1, $3, $$ $2 $$', out: 'SELECT $1, $3, $$ $2 $$', count: 3 },
    { style: 'pyformat', sql: "SELECT E'it\\'s %s', %s", out: "SELECT E'it\\'s %s', $1", count: 1 },
  ] as const)('$style: $sql', ({ style, sql, out, count }) => {
    const r = rewritePlaceholders(sql, style);
    expect(r.sql).toBe(out);
    expect(r.count).toBe(count);
    expect(r.found).toBe(count > 0);
  });
});
