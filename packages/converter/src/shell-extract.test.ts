import { describe, expect, it } from 'vitest';
import { extractSql } from './extract.js';
import { lexShell } from './shell-words.js';
import type { SqlFragment } from './types.js';

interface Case {
  name: string;
  src: string;
  fragments: Partial<SqlFragment>[];
  warnings?: string[];
  absent?: (keyof SqlFragment)[];
}

const loc = (line: number, column: number, endLine: number, endColumn: number) => ({ line, column, endLine, endColumn });

const cases: Case[] = [
  {
    name: 'psql -c with a double-quoted statement: exact location inside the quotes',
    src: 'psql "$DATABASE_URL" -c "ALTER TABLE t ADD c int"\n',
    fragments: [{ sql: 'ALTER TABLE t ADD c int', dynamic: false, via: 'psql -c', loc: loc(1, 26, 1, 49), mapping: 'exact' }],
    absent: ['callLoc', 'reason'],
  },
  {
    name: 'psql -c with a single-quoted statement holding double quotes',
    src: `psql -d app -c 'ALTER TABLE "Users" RENAME TO users'`,
    fragments: [{ sql: 'ALTER TABLE "Users" RENAME TO users', loc: loc(1, 17, 1, 52), mapping: 'exact' }],
  },
  {
    name: '--command=...',
    src: `psql --command="VACUUM ANALYZE"`,
    fragments: [{ sql: 'VACUUM ANALYZE', via: 'psql -c', loc: loc(1, 17, 1, 31) }],
  },
  {
    name: '-c glued to its value',
    src: `psql -c'SELECT 1'`,
    fragments: [{ sql: 'SELECT 1', loc: loc(1, 9, 1, 17) }],
  },
  {
    name: 'several -c options: one fragment each, in order',
    src: `psql -c "SELECT 1" -c "SELECT 2"`,
    fragments: [{ sql: 'SELECT 1' }, { sql: 'SELECT 2' }],
  },
  {
    name: '$VAR and ${VAR} assigned a literal earlier are substituted',
    src: 'TABLE=documents\nIDX="idx_${TABLE}_deleted"\npsql -c "CREATE INDEX $IDX ON ${TABLE} (deleted_at)"\n',
    fragments: [
      {
        sql: 'CREATE INDEX idx_documents_deleted ON documents (deleted_at)',
        dynamic: false,
        mapping: 'approximate',
        loc: loc(3, 10, 3, 52),
      },
    ],
  },
  {
    name: 'export NAME=value counts as an assignment',
    src: 'export SCHEMA=\'app\'\npsql -c "CREATE SCHEMA IF NOT EXISTS $SCHEMA"',
    fragments: [{ sql: 'CREATE SCHEMA IF NOT EXISTS app', dynamic: false }],
  },
  {
    name: 'a variable never assigned in the script: dynamic, kept as written',
    src: 'psql -c "ALTER TABLE ${TABLE} ADD c int"',
    fragments: [
      {
        sql: 'ALTER TABLE ${TABLE} ADD c int',
        dynamic: true,
        reason: 'shell variable $TABLE is not assigned a literal earlier in the script',
      },
    ],
  },
  {
    name: 'a variable assigned from a command substitution is not a literal',
    src: 'T=$(cat table.txt)\npsql -c "TRUNCATE $T"',
    fragments: [{ sql: 'TRUNCATE $T', dynamic: true }],
  },
  {
    name: 'command substitution inside the SQL',
    src: 'psql -c "$(cat fix.sql)"',
    fragments: [{ sql: '$(cat fix.sql)', dynamic: true, reason: '$(cat fix.sql) is computed at run time' }],
  },
  {
    name: '\\$ inside double quotes is a literal dollar (dollar quoting survives)',
    src: 'psql -c "DO \\$\\$ BEGIN PERFORM 1; END \\$\\$"',
    fragments: [{ sql: 'DO $$ BEGIN PERFORM 1; END $$', dynamic: false, mapping: 'approximate' }],
  },
  {
    name: 'dollar quotes inside single quotes are plain text',
    src: `psql -c 'DO $$ BEGIN RAISE NOTICE $m$hi$m$; END $$'`,
    fragments: [{ sql: 'DO $$ BEGIN RAISE NOTICE $m$hi$m$; END $$', dynamic: false, mapping: 'exact' }],
  },
  {
    name: 'escaped double quotes inside double quotes',
    src: 'psql -c "ALTER TABLE \\"Order\\" ADD c int"',
    fragments: [{ sql: 'ALTER TABLE "Order" ADD c int', mapping: 'approximate' }],
  },
  {
    name: "$'...' ANSI-C quoting with escapes",
    src: "psql -c $'SELECT \\'a\\';\\nSELECT 2'",
    fragments: [{ sql: "SELECT 'a';\nSELECT 2", dynamic: false, mapping: 'approximate', loc: loc(1, 11, 1, 34) }],
  },
  {
    name: 'concatenated quoting styles in one word',
    src: `psql -c 'SELECT '"'x'"' AS y'`,
    fragments: [{ sql: "SELECT 'x' AS y", mapping: 'approximate' }],
  },
  {
    name: 'line continuations between arguments',
    src: 'psql "$URL" \\\n  -v ON_ERROR_STOP=1 \\\n  -c "CREATE INDEX i ON t (a)"\n',
    fragments: [{ sql: 'CREATE INDEX i ON t (a)', loc: loc(3, 7, 3, 30), mapping: 'exact', callLoc: { line: 1, column: 1 } }],
  },
  {
    name: 'psql -f file: a reference, no SQL',
    src: 'psql "$DATABASE_URL" -f migrations/003_tags.sql',
    fragments: [{ sql: null, dynamic: false, includes: 'migrations/003_tags.sql', via: 'psql -f', loc: loc(1, 25, 1, 48) }],
  },
  {
    name: '--file= with a variable assigned earlier',
    src: 'DIR=/app/sql\npsql --file="$DIR/fix.sql"',
    fragments: [{ sql: null, dynamic: false, includes: '/app/sql/fix.sql' }],
  },
  {
    name: 'psql < file',
    src: 'psql -X app < schema/functions.sql',
    fragments: [{ sql: null, includes: 'schema/functions.sql', via: 'psql <' }],
  },
  {
    name: 'heredoc with a quoted delimiter: no expansion, exact mapping',
    src: "psql \"$URL\" <<'SQL'\nUPDATE t SET price = '$5';\nSQL\necho done\n",
    fragments: [
      {
        sql: "UPDATE t SET price = '$5';\n",
        dynamic: false,
        via: 'heredoc',
        loc: loc(2, 1, 3, 1),
        mapping: 'exact',
        callLoc: { line: 1, column: 13 },
      },
    ],
  },
  {
    name: 'heredoc with an unquoted delimiter: variables expand',
    src: 'T=users\npsql <<EOF\nALTER TABLE $T ADD COLUMN x int;\nEOF\n',
    fragments: [{ sql: 'ALTER TABLE users ADD COLUMN x int;\n', dynamic: false, mapping: 'approximate', loc: loc(3, 1, 4, 1) }],
  },
  {
    name: 'heredoc with an unquoted delimiter and an unknown variable',
    src: 'psql <<EOF\nGRANT SELECT ON t TO $ROLE;\nEOF\n',
    fragments: [{ sql: 'GRANT SELECT ON t TO $ROLE;\n', dynamic: true }],
  },
  {
    name: '<<- strips leading tabs',
    src: 'if true; then\n\tpsql <<-EOF\n\t\tCREATE TABLE a (id int);\n\tEOF\nfi\n',
    fragments: [{ sql: 'CREATE TABLE a (id int);\n', dynamic: false, loc: loc(3, 3, 4, 1) }],
  },
  {
    name: 'two heredocs in a row, and a command after them',
    src: "psql <<'A'\nSELECT 1;\nA\npsql <<'B'\nSELECT 2;\nB\npsql -c 'SELECT 3'\n",
    fragments: [{ sql: 'SELECT 1;\n' }, { sql: 'SELECT 2;\n' }, { sql: 'SELECT 3' }],
  },
  {
    name: 'here-string',
    src: `psql <<< "REFRESH MATERIALIZED VIEW stats"`,
    fragments: [{ sql: 'REFRESH MATERIALIZED VIEW stats', via: 'here-string', loc: loc(1, 11, 1, 42) }],
  },
  {
    name: 'echo ... | psql',
    src: `echo "DELETE FROM sessions WHERE expires_at < now()" | psql "$URL"`,
    fragments: [{ sql: 'DELETE FROM sessions WHERE expires_at < now()', via: 'pipe', loc: loc(1, 7, 1, 52) }],
  },
  {
    name: 'cat <<EOF | psql',
    src: "cat <<'EOF' | psql -q\nANALYZE;\nEOF\n",
    fragments: [{ sql: 'ANALYZE;\n', via: 'heredoc' }],
  },
  {
    name: 'psql reading from another program: dynamic',
    src: 'pg_dump old | psql new',
    fragments: [{ sql: null, dynamic: true, via: 'pipe', reason: 'psql reads its SQL from `pg_dump old`' }],
  },
  {
    name: 'psql behind sudo, env assignments and options with values',
    src: 'PGPASSWORD=secret sudo -u postgres /usr/bin/psql -h db -p 5432 -U app -d app -c "SELECT 1"',
    fragments: [{ sql: 'SELECT 1' }],
  },
  {
    name: 'psql meta-commands are not SQL',
    src: `psql -c '\\dt'`,
    fragments: [],
  },
  {
    name: 'commented-out psql lines and SQL in echo are ignored',
    src: '# psql -c "DROP TABLE users"\necho "DROP TABLE users"\npsql -c "SELECT 1" # DROP TABLE x\n',
    fragments: [{ sql: 'SELECT 1', loc: loc(3, 10, 3, 18) }],
  },
  {
    name: 'commands joined with && and ; on one line',
    src: `cd /app && psql -c 'SELECT 1'; psql -c 'SELECT 2' || exit 1`,
    fragments: [{ sql: 'SELECT 1' }, { sql: 'SELECT 2' }],
  },
  {
    name: 'a for loop over literal words: one fragment per iteration',
    src: 'for t in users documents; do\n  psql -c "ANALYZE $t"\ndone\npsql -c "SELECT 1"\n',
    fragments: [
      { sql: 'ANALYZE users', iteration: { t: 'users' } },
      { sql: 'ANALYZE documents', iteration: { t: 'documents' } },
      { sql: 'SELECT 1' },
    ],
  },
  {
    name: 'a loop whose body does not use the variable gives one fragment',
    src: 'for i in 1 2 3; do psql -c "SELECT pg_sleep(1)"; done',
    fragments: [{ sql: 'SELECT pg_sleep(1)' }],
    absent: ['iteration'],
  },
  {
    name: 'a for loop over a run-time list: dynamic',
    src: 'for f in $(ls migrations/*.sql); do psql -f "$f"; done',
    fragments: [{ sql: null, includes: '$f', dynamic: true, reason: 'shell variable $f is not assigned a literal earlier in the script' }],
  },
  {
    name: 'unterminated double quote: a warning and a dynamic fragment',
    src: 'psql -c "ALTER TABLE t ADD c int\necho done\n',
    fragments: [
      { sql: 'ALTER TABLE t ADD c int\necho done\n', dynamic: true, reason: 'unterminated quote: the SQL runs to the end of the file' },
    ],
    warnings: ['unterminated double quote'],
  },
  {
    name: 'unterminated heredoc: a warning and a dynamic fragment',
    src: 'psql <<EOF\nSELECT 1;\n',
    fragments: [{ sql: 'SELECT 1;\n', dynamic: true, reason: 'here-document not terminated by EOF' }],
    warnings: ['here-document not terminated by EOF'],
  },
  {
    name: "non-ASCII before the SQL: columns count code points (as SQL errors do), not UTF-16 units or the parser's UTF-8 bytes",
    src: "echo 'é€😀'; psql -c 'SELECT 1'",
    fragments: [{ sql: 'SELECT 1', loc: loc(1, 22, 1, 30), mapping: 'exact' }],
  },
  {
    name: 'a delimiter quoted with a backslash (<<\\EOF): no expansion in the body',
    src: 'psql <<\\EOF\nSELECT $1;\nEOF\n',
    fragments: [{ sql: 'SELECT $1;\n', dynamic: false, mapping: 'exact', loc: loc(2, 1, 3, 1) }],
  },
  {
    name: 'a syntax error: a warning at its place, and the commands around it still read',
    src: 'psql -c "SELECT 1"\necho )\npsql -c "SELECT 2"\n',
    fragments: [{ sql: 'SELECT 1' }, { sql: 'SELECT 2', loc: loc(3, 10, 3, 18) }],
    warnings: ['shell syntax: a command can only contain words and redirects'],
  },
  {
    name: 'a heredoc inside a function body',
    src: 'run() {\n  psql "$URL" <<-SQL\n\t\tCREATE INDEX i ON t (a);\n\tSQL\n}\n',
    fragments: [
      { sql: 'CREATE INDEX i ON t (a);\n', dynamic: false, mapping: 'exact', loc: loc(3, 3, 4, 1), callLoc: { line: 2, column: 15 } },
    ],
  },
  {
    name: 'an arithmetic for loop: its variable is a run-time value',
    src: 'for ((i = 0; i < 3; i++)); do psql -c "SELECT $i"; done\n',
    fragments: [{ sql: 'SELECT $i', dynamic: true, reason: 'shell variable $i is not assigned a literal earlier in the script' }],
  },
];

describe('extractSql: shell', () => {
  it.each(cases)('$name', (c) => {
    const e = extractSql({ path: 'fix_case.sh', text: c.src });
    expect(e.language).toBe('shell');
    expect(e.fragments).toHaveLength(c.fragments.length);
    c.fragments.forEach((f, i) => expect(e.fragments[i]).toMatchObject(f));
    for (const key of c.absent ?? []) for (const f of e.fragments) expect(f).not.toHaveProperty(key);
    expect(e.warnings.map((w) => w.message)).toEqual((c.warnings ?? []).map((w) => expect.stringContaining(w)));
  });
});

describe('lexShell', () => {
  it('splits words, operators and redirections with positions', () => {
    const { tokens, problems } = lexShell('a "b c" d>out 2>&1 | e; f && g\n');
    expect(problems).toEqual([]);
    expect(
      tokens.map((t) => (t.kind === 'word' ? `w:${t.raw}` : t.kind === 'op' ? `op:${t.op === '\n' ? '\\n' : t.op}` : `r:${t.op}`)),
    ).toEqual(['w:a', 'w:"b c"', 'w:d', 'r:>', 'r:>&', 'op:|', 'w:e', 'op:;', 'w:f', 'op:&&', 'w:g', 'op:\\n']);
  });

  it('attaches here-document bodies to their redirections', () => {
    const { tokens } = lexShell("cat <<A <<-'B'\none $x\nA\n\ttwo $y\n\tB\n");
    const docs = tokens.flatMap((t) => (t.kind === 'redirect' && t.heredoc ? [t.heredoc] : []));
    expect(docs.map((d) => ({ delimiter: d.delimiter, literal: d.literal, stripTabs: d.stripTabs, terminated: d.terminated }))).toEqual([
      { delimiter: 'A', literal: false, stripTabs: false, terminated: true },
      { delimiter: 'B', literal: true, stripTabs: true, terminated: true },
    ]);
    expect(docs[0]!.segments.map((s) => (s.kind === 'text' ? s.text : `<${s.name}>`))).toEqual(['one ', '<x>', '\n']);
    expect(docs[1]!.segments.map((s) => (s.kind === 'text' ? s.text : s.raw))).toEqual(['two $y\n']);
  });
});
