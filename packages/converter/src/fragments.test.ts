import { describe, expect, it } from 'vitest';
import { extractSql } from './extract.js';
import { fragmentPosition } from './fragments.js';

describe('fragmentPosition', () => {
  const py =
    'cur.execute("""\n    ALTER TABLE documents\n        ADD COLUMN summary TEXT\n        ADD COLUMN summarised_at TIMESTAMPTZ\n""")\n';

  it.each([
    {
      name: 'on the literal’s first line',
      src: 'x = 1; cur.execute("SELEC 1")',
      needle: 'SELEC',
      at: { line: 1, column: 21, exact: true },
    },
    {
      name: 'on a later line of a triple-quoted string',
      src: py,
      needle: 'ADD COLUMN summarised_at',
      at: { line: 4, column: 9, exact: true },
    },
    {
      name: 'in a shell heredoc',
      src: "psql <<'SQL'\nSELECT 1;\nSELEC 2;\nSQL\n",
      needle: 'SELEC 2',
      at: { line: 3, column: 1, exact: true },
      path: 'fix.sh',
    },
    {
      name: 'in an SQL file',
      src: '-- x\nALTER TABLE t\n  ADD c int\n  ADD d int;',
      needle: 'ADD d',
      at: { line: 4, column: 3, exact: true },
      path: 'fix.sql',
    },
    {
      name: 'approximate fragments give their start',
      src: 'T = "t"\ncur.execute("ALTER TABLE " + T + " ADD c int")',
      needle: 'ADD',
      at: { line: 2, column: 14, exact: false },
    },
  ])('$name', ({ src, needle, at, path }) => {
    const [f] = extractSql({ path: path ?? 'fix.py', text: src }).fragments;
    expect(fragmentPosition(f!, f!.sql!.indexOf(needle))).toEqual(at);
    if (at.exact)
      expect(
        src
          .split('\n')
          [at.line - 1]!.slice(at.column - 1)
          .startsWith(needle),
      ).toBe(true);
  });
});
