import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { createMigration, loadMigrations, buildGraph, mergeHeads, status, upgrade } from '@pg-strata/runner';
import { readFileSync } from 'node:fs';
import { query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_branches');
const m = tempMigrations();
afterAll(() => m.rm());

describe('branches and merges', () => {
  it('refuses two heads, applies both branches after a merge, and applies a branch merged late', async () => {
    const url = db().url;
    const opts = { url, migrationsDir: m.dir };
    m.write('0001_base.sql', sqlMigration('b0', [], 'CREATE TABLE base (id int);'));
    m.write('0002_main.sql', sqlMigration('b1', ['b0'], 'CREATE TABLE main_a (id int);'));
    expect((await upgrade(opts)).to).toEqual(['b1']);

    // A feature branch written off b0 arrives after b1 is applied: two heads.
    m.write('0003_feature.sql', sqlMigration('f1', ['b0'], 'CREATE TABLE feature (id int);'));
    m.write('0004_main_more.sql', sqlMigration('b2', ['b1'], 'CREATE TABLE main_b (id int);'));
    const err = await upgrade(opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MIGRATION_MULTIPLE_HEADS' });
    expect((err as Error).message).toBe(
      "Cannot upgrade to 'head': the migrations have 2 heads: f1 (0003_feature.sql), b2 " +
        '(0004_main_more.sql). Run `strata merge` to write a merge migration, or name a target (a ' +
        "revision, or 'heads' to apply every branch).",
    );
    const noNew = await createMigration(m.dir, 'x').catch((e: unknown) => e);
    expect(noNew).toMatchObject({ code: 'MIGRATION_MULTIPLE_HEADS' });
    expect(await query(url, `SELECT to_regclass('public.feature') AS t`)).toEqual([{ t: null }]);

    const merged = await mergeHeads(m.dir);
    expect(merged.parents).toEqual(['f1', 'b2']);
    expect(merged.path).toMatch(/0005_merge_f1_b2\.sql$/);
    expect(readFileSync(merged.path, 'utf8')).toContain(`-- parents: f1, b2`);
    const r = await upgrade(opts);
    expect(r.ok).toBe(true);
    // Applied is set membership: f1 (numbered before b2, merged late) is applied, not skipped.
    expect(r.steps.map((s) => s.revision)).toEqual(['f1', 'b2', merged.revision]);
    expect(r.to).toEqual([merged.revision]);
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('feature', 'main_b')`)).toEqual([{ n: 2 }]);
    const st = await status(opts);
    expect(st.atHead).toBe(true);
    expect(st.current).toEqual([merged.revision]);

    // The next migration gets the merge as its parent and the next number.
    const next = await createMigration(m.dir, 'Add the Widgets table!');
    expect(next.path).toMatch(/0006_add_the_widgets_table\.sql$/);
    expect(next.revision).toMatch(/^[0-9a-f]{12}$/);
    const graph = buildGraph(await loadMigrations(m.dir));
    expect(graph.get(next.revision)!.parents).toEqual([merged.revision]);
    const ts = await createMigration(m.dir, 'ts one', { ts: true });
    expect(ts.path).toMatch(/0007_ts_one\.ts$/);
    expect(buildGraph(await loadMigrations(m.dir)).get(ts.revision)!.parents).toEqual([next.revision]);
  });

  it("upgrades to 'heads' or to one branch when asked, without a merge", async () => {
    const t = tempMigrations();
    try {
      const schema = 'strata_heads';
      t.write('0001_a.sql', sqlMigration('h0', [], 'CREATE SCHEMA heads_app;'));
      t.write('0002_b.sql', sqlMigration('h1', ['h0'], 'CREATE TABLE heads_app.b (id int);'));
      t.write('0003_c.sql', sqlMigration('h2', ['h0'], 'CREATE TABLE heads_app.c (id int);'));
      const opts = { url: db().url, migrationsDir: t.dir, schema };
      const one = await upgrade({ ...opts, target: 'h2' });
      expect(one.steps.map((s) => s.revision)).toEqual(['h0', 'h2']);
      const all = await upgrade({ ...opts, target: 'heads' });
      expect(all.steps.map((s) => s.revision)).toEqual(['h1']);
      expect(all.to).toEqual(['h1', 'h2']);
      const st = await status(opts);
      expect(st.current).toEqual(['h1', 'h2']);
      expect(st.atHead).toBe(true);
    } finally {
      t.rm();
    }
  });
});
