import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { createScratchDatabase } from '@pg-strata/pg-server';
import { testServerUrl } from '@pg-strata/testkit';
import { catalogFingerprint, testMigrations, type ProgressEvent } from '@pg-strata/migration-test';

// The stairway compares catalogue fingerprints and introspects only when two
// differ (stats.fullCompares counts those steps). These tests show that the
// failures it finds that way carry the same messages as a full compare after
// every step did, and that a chain long enough to be cut into parts (one
// database each, forked with CREATE DATABASE ... TEMPLATE) reports a failure
// in a later part, and stops where a single run would.

function mig(revision: string, parents: string[], up: string, down: string | null): string {
  return (
    `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n\n-- ` +
    `migrate:up\n${up}\n${down === null ? '' : `\n-- migrate:down\n${down}\n`}`
  );
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-migtest-fast-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, 'migrations');
}

const r = (i: number) => `f${String(i).padStart(11, '0')}`;
const file = (i: number, slug: string) => `migrations/${String(i).padStart(4, '0')}_${slug}.sql`;

/** A chain of `n` good migrations: tables, columns with an index, updates. */
function chain(n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const parents = i === 1 ? [] : [r(i - 1)];
    if (i % 3 === 1)
      out[file(i, `t${i}`)] = mig(
        r(i),
        parents,
        `CREATE TABLE t${i} (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO t${i} (name) VALUES ('a'), ('b');`,
        `DROP TABLE t${i};`,
      );
    else if (i % 3 === 2)
      out[file(i, `c${i}`)] = mig(
        r(i),
        parents,
        `ALTER TABLE t${i - 1} ADD COLUMN c${i} int;\nCREATE INDEX t${i - 1}_c${i} ON t${i - 1} (c${i});`,
        `DROP INDEX t${i - 1}_c${i};\nALTER TABLE t${i - 1} DROP COLUMN c${i};`,
      );
    else out[file(i, `u${i}`)] = mig(r(i), parents, `UPDATE t${i - 2} SET name = upper(name);`, `UPDATE t${i - 2} SET name = lower(name);`);
  }
  return out;
}

describe('the stairway on catalogue fingerprints', () => {
  it('passes a good chain of 40 on two databases without a single full compare, one progress event per step', async () => {
    const events: ProgressEvent[] = [];
    const res = await testMigrations({
      migrationsDir: folder(chain(40)),
      shadowUrl: testServerUrl(),
      concurrency: 2,
      onProgress: (e) => events.push(e),
    });
    expect(res.failures).toEqual([]);
    expect(res.stairway).toEqual({ steps: 40, skipped: 0, workers: 2, fullCompares: 0, rechecked: 0 });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.index)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(steps.map((e) => e.revision)).size).toBe(40);
    expect(steps.every((e) => e.ok && e.total === 40 && !e.fullCompare)).toBe(true);
    expect(events.filter((e) => e.type === 'check-finished').map((e) => e.check)).toEqual([
      'single-head',
      'upgrade',
      'models',
      'downgrade',
      'stairway',
    ]);
  });

  it('finds a down that leaves a column behind, in the second part of the chain, with the same message', async () => {
    const files = chain(30);
    files[file(23, 'c23')] = mig(
      r(23),
      [r(22)],
      'ALTER TABLE t22 ADD COLUMN c23 int;\nCREATE INDEX t22_c23 ON t22 (c23);',
      'DROP INDEX t22_c23;',
    );
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 2 });
    expect(res.stairway).toMatchObject({ workers: 2, fullCompares: 1 });
    expect(res.failures).toEqual([
      {
        check: 'stairway',
        revision: r(23),
        file: '0023_c23.sql',
        message:
          `Reverting 0023_c23.sql (revision ${r(23)}) does not restore the schema from before it: its ` +
          `down section does not undo its up section (1 difference). Applying it again then fails ` +
          `(0023_c23.sql:5:1: applying revision ${r(23)} failed: column "c23" of relation "t22" already ` +
          `exists (SQLSTATE 42701)); the stairway stops here.`,
        differences: ['the schema after reverting 0023_c23.sql has an extra column t22.c23 that the schema before it does not define'],
      },
    ]);
    // The downgrade to base drops t22 with the column: it passes.
    expect(res.checks.find((c) => c.name === 'downgrade')!.status).toBe('passed');
  });

  it('finds a down that leaves an index behind, and an up that stops the first part hides nothing a single run would report', async () => {
    const files = chain(24);
    files[file(5, 'c5')] = mig(
      r(5),
      [r(4)],
      'ALTER TABLE t4 ADD COLUMN c5 int;\nCREATE INDEX t4_c5 ON t4 (c5);',
      'ALTER TABLE t4 DROP COLUMN c5;\nSELECT 1;',
    );
    // DROP COLUMN drops the index on it too: this one is fine. The index on name is not.
    files[file(8, 'c8')] = mig(
      r(8),
      [r(7)],
      'ALTER TABLE t7 ADD COLUMN c8 int;\nCREATE INDEX t7_name ON t7 (name);',
      'ALTER TABLE t7 DROP COLUMN c8;',
    );
    files[file(20, 'c20')] = mig(r(20), [r(19)], 'ALTER TABLE t19 ADD COLUMN c20 int;', 'SELECT 1;');
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 2 });
    // Part two (revisions 14 to 24) found its own failure at 20, but the stairway stopped at 8 in part one, as a single run would.
    expect(res.failures).toEqual([
      {
        check: 'stairway',
        revision: r(8),
        file: '0008_c8.sql',
        message:
          `Reverting 0008_c8.sql (revision ${r(8)}) does not restore the schema from before it: its down ` +
          `section does not undo its up section (1 difference). Applying it again then fails ` +
          `(0008_c8.sql:6:1: applying revision ${r(8)} failed: relation "t7_name" already exists (SQLSTATE ` +
          `42P07)); the stairway stops here.`,
        differences: ['the schema after reverting 0008_c8.sql has an extra index t7_name that the schema before it does not define'],
      },
    ]);
    const single = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 1 });
    expect(single.failures).toEqual(res.failures);
    expect(single.stairway).toMatchObject({ workers: 1 });
  });

  it('finds an up that gives another schema the second time (a part ends off a plain upgrade), with the same message', async () => {
    // The second up sees the row the first one marked and creates an index the first did not: the down is right.
    const sneaky = (t: string) =>
      `DO $$ BEGIN IF EXISTS (SELECT 1 FROM ${t} WHERE name = 'again') THEN CREATE INDEX ${t}_again ON ${t} (name); END IF; END $$;\n` +
      `UPDATE ${t} SET name = 'again' WHERE id = 1;`;
    const files = chain(24);
    files[file(5, 'c5')] = mig(r(5), [r(4)], sneaky('t4'), `DROP INDEX IF EXISTS t4_again;`);
    files[file(20, 'c20')] = mig(r(20), [r(19)], sneaky('t19'), `DROP INDEX IF EXISTS t19_again;`);
    const expected = (
      [
        [5, 't4'],
        [20, 't19'],
      ] as const
    ).map(([i, t]) => {
      const name = file(i, `c${i}`).replace('migrations/', '');
      return {
        check: 'stairway',
        revision: r(i),
        file: name,
        message:
          `Applying ${name} (revision ${r(i)}) again after reverting it ` + 'gives a different schema than the first time (1 difference).',
        differences: [
          `the schema after re-applying ${name} has an extra index ${t}_again ` +
            'that the schema after applying it the first time does not define',
        ],
      };
    });
    // Two parts: the first ends where the second starts (plainly upgraded), the second where the upgrade check's head is.
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 2 });
    expect(res.failures).toEqual(expected);
    expect(res.stairway).toMatchObject({ workers: 2, rechecked: 2 });
    // On one database, the index 0005 left behind is still there at 0020, and the first up's schema is rebuilt by a plain
    // upgrade: 0020's failure names both (as the walk with three fingerprints per step did before, on one database too).
    const single = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 1 });
    const both = [...expected[1]!.differences, expected[1]!.differences[0]!.replace('t19_again', 't4_again')];
    const second = { ...expected[1]!, message: expected[1]!.message.replace('(1 difference)', '(2 differences)'), differences: both };
    expect(single.failures).toEqual([expected[0], second]);
    expect(single.stairway).toMatchObject({ workers: 1, rechecked: 1 });
  });

  it('finds a data migration that cannot be reverted: no down section, and a down that refuses', async () => {
    const files = chain(12);
    files[file(13, 'backfill')] = mig(r(13), [r(12)], "UPDATE t10 SET name = 'x' || name;", null);
    files[file(14, 'squash')] = mig(
      r(14),
      [r(13)],
      "DELETE FROM t10 WHERE name = 'xb';",
      "DO $$ BEGIN RAISE EXCEPTION 'irreversible: the deleted rows are gone'; END $$;",
    );
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 2 });
    const stair = res.failures.filter((f) => f.check === 'stairway');
    expect(stair.map((f) => [f.revision, f.file])).toEqual([
      [r(13), '0013_backfill.sql'],
      [r(14), '0014_squash.sql'],
    ]);
    expect(stair[0]!.message).toBe(
      `Reverting 0013_backfill.sql (revision ${r(13)}) failed: 0013_backfill.sql (revision ${r(13)}) ` +
        `has no '-- migrate:down' section, so it cannot be reverted. Add one (it may be empty if ` +
        `reverting needs no SQL), or use \`strata stamp\` to move the version without running it.`,
    );
    expect(stair[1]!.message).toMatch(
      new RegExp(
        `^Reverting 0014_squash\\.sql \\(revision ${r(14)}\\) failed at 0014_squash\\.sql \\(revision ` +
          `${r(14)}\\): 0014_squash\\.sql:8:1: reverting revision ${r(14)} failed: irreversible: the ` +
          `deleted rows are gone`,
      ),
    );
    expect(res.stairway).toMatchObject({ fullCompares: 0 });
  });

  it('finds a second head, and the stairway goes over both branches', async () => {
    const files = chain(10);
    files[file(11, 'left')] = mig(r(11), [r(10)], 'CREATE TABLE lefts (id int);', 'DROP TABLE lefts;');
    files[file(12, 'right')] = mig(r(12), [r(10)], 'CREATE TABLE rights (id int);', 'DROP TABLE rights;');
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), concurrency: 2 });
    expect(res.failures).toEqual([
      {
        check: 'single-head',
        message:
          `The migrations have 2 heads: 0011_left.sql (revision ${r(11)}), 0012_right.sql (revision ` +
          `${r(12)}). Merge them with \`strata merge\` so every database ends at the same schema.`,
        differences: [],
      },
    ]);
    expect(res.checks.map((c) => c.status)).toEqual(['failed', 'passed', 'skipped', 'passed', 'passed']);
    expect(res.stairway).toMatchObject({ steps: 12, workers: 2, fullCompares: 0 });
  });

  it('since a revision: only the revisions after it go up, down and up', async () => {
    const files = chain(12);
    files[file(12, 'u12')] = mig(r(12), [r(11)], 'CREATE INDEX t10_name ON t10 (name);', 'SELECT 1;');
    const events: ProgressEvent[] = [];
    const res = await testMigrations({
      migrationsDir: folder(files),
      shadowUrl: testServerUrl(),
      since: r(9),
      onProgress: (e) => events.push(e),
    });
    expect(res.stairway).toEqual({ steps: 3, skipped: 9, workers: 1, fullCompares: 1, rechecked: 0 });
    expect(events.filter((e) => e.type === 'step').map((e) => e.revision)).toEqual([r(10), r(11), r(12)]);
    expect(res.failures.map((f) => [f.check, f.revision])).toEqual([['stairway', r(12)]]);
    expect(res.failures[0]!.differences).toEqual([
      'the schema after reverting 0012_u12.sql has an extra index t10_name that the schema before it does not define',
    ]);
  });

  it('stairwayOnly: revisions in between are applied plainly; a selected one is compared with the schema just before it', async () => {
    const files = chain(12);
    const up8 = 'ALTER TABLE t7 ADD COLUMN c8 int;\nCREATE INDEX t7_name ON t7 (name);';
    files[file(8, 'c8')] = mig(r(8), [r(7)], up8, 'ALTER TABLE t7 DROP COLUMN c8;');
    // 0005 would fail the stairway (its down leaves an index behind) but is not selected: applied once, never reverted.
    const up5 = 'ALTER TABLE t4 ADD COLUMN c5 int;\nCREATE INDEX t4_name ON t4 (name);';
    files[file(5, 'c5')] = mig(r(5), [r(4)], up5, 'ALTER TABLE t4 DROP COLUMN c5;');
    const res = await testMigrations({ migrationsDir: folder(files), shadowUrl: testServerUrl(), stairwayOnly: [r(3), r(8), r(11)] });
    expect(res.stairway).toEqual({ steps: 3, skipped: 9, workers: 1, fullCompares: 1, rechecked: 0 });
    expect(res.failures.filter((f) => f.check === 'stairway')).toEqual([
      {
        check: 'stairway',
        revision: r(8),
        file: '0008_c8.sql',
        message:
          `Reverting 0008_c8.sql (revision ${r(8)}) does not restore the schema from before it: ` +
          'its down section does not undo its up section (1 difference). ' +
          `Applying it again then fails (0008_c8.sql:6:1: applying revision ${r(8)} failed: ` +
          'relation "t7_name" already exists (SQLSTATE 42P07)); the stairway stops here.',
        differences: ['the schema after reverting 0008_c8.sql has an extra index t7_name that the schema before it does not define'],
      },
    ]);
  });

  it('the fingerprint is the same after a revert and a re-apply, and differs when anything a Snapshot holds differs', async () => {
    const db = await createScratchDatabase(testServerUrl(), { prefix: 'strata_fp' });
    try {
      await withConnection({ url: db.url }, async (c) => {
        const fp = () => catalogFingerprint(c, 'strata');
        await c.query('CREATE TABLE a (id serial PRIMARY KEY, x int)');
        const start = await fp();
        await c.query("ALTER TABLE a ADD COLUMN y text DEFAULT 'z'; CREATE INDEX a_y ON a (y)");
        const after = await fp();
        expect(after).not.toBe(start);
        await c.query('DROP INDEX a_y; ALTER TABLE a DROP COLUMN y');
        expect(await fp()).toBe(start);
        await c.query("ALTER TABLE a ADD COLUMN y text DEFAULT 'z'; CREATE INDEX a_y ON a (y)");
        expect(await fp()).toBe(after);
        for (const [change, undo] of [
          ["COMMENT ON COLUMN a.x IS 'n'", 'COMMENT ON COLUMN a.x IS NULL'],
          ['ALTER TABLE a ALTER COLUMN x SET NOT NULL', 'ALTER TABLE a ALTER COLUMN x DROP NOT NULL'],
          ["ALTER TABLE a ALTER COLUMN y SET DEFAULT 'w'", "ALTER TABLE a ALTER COLUMN y SET DEFAULT 'z'"],
          ['ALTER TABLE a ADD CONSTRAINT a_x CHECK (x > 0)', 'ALTER TABLE a DROP CONSTRAINT a_x'],
          ["CREATE TYPE mood AS ENUM ('a')", 'DROP TYPE mood'],
          ['CREATE VIEW v AS SELECT x FROM a', 'DROP VIEW v'],
          ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', 'DROP FUNCTION f()'],
          ['CREATE SCHEMA s', 'DROP SCHEMA s'],
          ['ALTER TABLE a ENABLE ROW LEVEL SECURITY', 'ALTER TABLE a DISABLE ROW LEVEL SECURITY'],
        ]) {
          await c.query(change!);
          expect(await fp(), change).not.toBe(after);
          await c.query(undo!);
          expect(await fp(), undo).toBe(after);
        }
        // A GRANT changes it; REVOKE leaves an explicit ACL where there was none, which only a full compare can call equal.
        await c.query('GRANT SELECT ON a TO PUBLIC');
        expect(await fp()).not.toBe(after);
        await c.query('REVOKE SELECT ON a FROM PUBLIC');
        const revoked = await fp();
        // Strata's own schema is left out.
        await c.query('CREATE SCHEMA strata; CREATE TABLE strata.strata_version (revision text)');
        expect(await fp()).toBe(revoked);
      });
    } finally {
      await db.drop();
    }
  });
});
