import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testServerUrl } from '@pg-strata/testkit';
import { CLI, envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';

const rev = (i: number) => `a${String(i).padStart(11, '0')}`;
const table = (i: number) =>
  sqlMigration(rev(i), i === 1 ? [] : [rev(i - 1)], `CREATE TABLE t${i} (id int PRIMARY KEY, name text);`, `DROP TABLE t${i};`);
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });

describe('migrate test --since, --format github, progress', () => {
  it(
    '--since <git ref>: only the migration files added since the ref go through the stairway, ' + 'failures annotated on the file',
    async () => {
      const files: Record<string, string> = {};
      for (let i = 1; i <= 6; i++) files[`migrations/000${i}_t${i}.sql`] = table(i);
      // An old migration whose down is broken: before the ref, so the stairway does not take it.
      files['migrations/0003_t3.sql'] = sqlMigration(
        rev(3),
        [rev(2)],
        'CREATE TABLE t3 (id int);\nCREATE INDEX t3_id ON t3 (id);',
        'DROP TABLE t3;\nDROP INDEX t3_id;',
      );
      const cwd = tempProject(files);
      git(cwd, 'init', '-q', '-b', 'main');
      git(cwd, 'add', '.');
      git(cwd, 'commit', '-q', '-m', 'base');
      // The pull request: one committed migration, one only in the working tree (untracked).
      writeFileSync(join(cwd, 'migrations/0007_t7.sql'), table(7));
      git(cwd, 'checkout', '-q', '-b', 'pr');
      git(cwd, 'add', '.');
      git(cwd, 'commit', '-q', '-m', 'pr');
      writeFileSync(
        join(cwd, 'migrations/0008_t8.sql'),
        sqlMigration(rev(8), [rev(7)], 'CREATE TABLE t8 (id int);\nALTER TABLE t7 ADD COLUMN note text;', 'DROP TABLE t8;'),
      );

      const r = await runMigrate(['test', '--since', 'main', '--format', 'github', '--shadow-url', testServerUrl()], { cwd });
      expect(r.code).toBe(1);
      // The broken down of 0003 fails the downgrade check (every revision), never the stairway (only 0007 and 0008).
      const lines = r.stdout.trim().split('\n');
      expect(lines.filter((l) => l.startsWith('::error file=migrations/0003_t3.sql,line='))).toHaveLength(1);
      expect(lines).toContain(
        // The line the re-apply failed on; the message and its difference, as the text format prints them.
        `::error file=migrations/0008_t8.sql,line=6,title=strata test%3A stairway::Reverting ` +
          `0008_t8.sql (revision ${rev(8)}) does not restore the schema from before it: its down section ` +
          `does not undo its up section (1 difference). Applying it again then fails (0008_t8.sql:6:1: ` +
          `applying revision ${rev(8)} failed: column "note" of relation "t7" already exists (SQLSTATE ` +
          `42701)); the stairway stops here.%0A- the schema after reverting 0008_t8.sql has an extra ` +
          `column t7.note that the schema before it does not define`,
      );
      expect(lines.some((l) => l.includes('0003_t3.sql') && l.includes('stairway'))).toBe(false);
      expect(lines.at(-1)).toBe('strata test: 2 of 5 checks failed (8 migrations).');
      expect(r.stderr).toContain('strata test --since main: the stairway takes the 2 revisions whose files git shows added since.');
      expect(r.stderr).toContain('strata test: stairway over 2 revisions on 1 database, 6 applied plainly\n');
      expect(r.stderr).not.toContain(testServerUrl());

      // A revision instead of a ref: the revisions after it.
      const j = await runMigrate(['test', '--since', rev(6), '--json', '--shadow-url', testServerUrl()], { cwd });
      const events = j.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; revision?: string; index?: number; total?: number });
      expect(events.filter((e) => e.type === 'step').map((e) => [e.index, e.total, e.revision])).toEqual([
        [1, 2, rev(7)],
        [2, 2, rev(8)],
      ]);
      expect(envelope(j.stdout)).toMatchObject({ command: 'test', ok: false, result: { stairway: { steps: 2, skipped: 6 } } });

      const bad = await runMigrate(['test', '--since', 'no-such-ref', '--shadow-url', testServerUrl()], { cwd });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('no-such-ref is neither a revision of the migrations nor a git commit');
    },
  );

  it('off a terminal: one progress line per check on stderr, the report on stdout', async () => {
    const cwd = tempProject({ 'migrations/0001_t1.sql': table(1), 'migrations/0002_t2.sql': table(2) });
    const r = await runMigrate(['test', '--shadow-url', testServerUrl()], { cwd });
    expect(r.code).toBe(0);
    expect(
      r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/\(\d[^)]*\)/, '(t)')),
    ).toEqual([
      'strata test: single-head passed (t)',
      'strata test: upgrade passed (t)',
      'strata test: models skipped (no models source configured)',
      'strata test: downgrade passed (t)',
      'strata test: stairway over 2 revisions on 1 database',
      'strata test: stairway passed (t)',
    ]);
    expect(r.stdout).toMatch(/strata test: all checks passed \(2 migrations\)\.\n$/);
  });

  it('on a terminal: one progress line, rewritten (step N of M, file, revision, elapsed)', () => {
    const cwd = tempProject({ 'migrations/0001_t1.sql': table(1), 'migrations/0002_t2.sql': table(2) });
    // util-linux script(1) gives the CLI a terminal; its typescript goes to stdout.
    const out = execFileSync(
      'script',
      ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} test --shadow-url "$SHADOW"`, '/dev/null'],
      {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', SHADOW: testServerUrl() },
      },
    );
    expect(out).toMatch(new RegExp(String.raw`\r\u001b\[2Kstairway: step 1 of 2, 0001_t1\.sql \(revision ${rev(1)}\), \d+(\.\d+)? m?s`));
    expect(out).toMatch(new RegExp(String.raw`\r\u001b\[2Kstairway: step 2 of 2, 0002_t2\.sql \(revision ${rev(2)}\), \d+(\.\d+)? m?s`));
    expect(out).toContain('strata test: all checks passed (2 migrations).');
    expect(out).not.toContain(testServerUrl());
  });
});
