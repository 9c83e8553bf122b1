import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { CLI, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

/**
 * Issue 17, "crash windows closed": `migrate up` of a mixed 30-migration
 * chain (transactional DDL, data updates, CREATE INDEX CONCURRENTLY with and
 * without IF NOT EXISTS, a non-transactional migration ending in ANALYZE)
 * SIGKILLed at 20 points drawn with a fixed seed over the length of an
 * uninterrupted run. After each kill the database is checked for
 * consistency (each migration's effects present exactly when it is
 * recorded, no data update applied twice, at most one interrupted
 * migration, no lock left), `status` must show an interruption, and the
 * next `up` must reach head or refuse naming one step, which, taken, lets
 * `up` reach head. The outcome counts are in packages/runner/README.md.
 */

const rev = (i: number) => `k${String(i).padStart(11, '0')}`;
type Kind = 'base' | 'ddl' | 'data' | 'cic' | 'cic2' | 'cic-plain' | 'analyze';
const KINDS: Kind[] = ['base'];
for (let i = 2; i <= 30; i++)
  KINDS.push((['ddl', 'data', 'cic', 'ddl', 'data', 'cic-plain', 'cic2', 'data', 'analyze', 'ddl'] as const)[(i - 2) % 10]!);
const COUNT = KINDS.length;
const DATA = KINDS.map((k, i) => (k === 'data' ? i + 1 : 0)).filter((i) => i > 0);
/** Indexes each migration builds (outside a transaction). */
const INDEXES = (i: number): string[] => {
  const k = KINDS[i - 1];
  if (k === 'cic' || k === 'cic-plain') return [`items_c${i}`];
  if (k === 'cic2' || k === 'analyze') return [`items_c${i}a`, `items_c${i}b`];
  return [];
};

export function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; i <= COUNT; i++) {
    const k = KINDS[i - 1]!;
    let up: string;
    let down: string;
    const extra: Record<string, string> = {};
    switch (k) {
      case 'base':
        up =
          `CREATE TABLE marks (rev int PRIMARY KEY);\nCREATE TABLE items (id int PRIMARY KEY, n int NOT ` +
          `NULL DEFAULT 0, tag text);\nINSERT INTO items SELECT g, 0, md5(g::text) FROM generate_series(1, ` +
          `3000) g;\nINSERT INTO marks VALUES (1);`;
        down = 'DROP TABLE items;\nDROP TABLE marks;';
        break;
      case 'ddl':
        up = `CREATE TABLE t${i} (id int PRIMARY KEY, item int REFERENCES items(id));\nINSERT INTO marks VALUES (${i});`;
        down = `DROP TABLE t${i};\nDELETE FROM marks WHERE rev = ${i};`;
        break;
      case 'data':
        up = `UPDATE items SET n = n + 1 WHERE id > 0;\nINSERT INTO marks VALUES (${i});`;
        down = `UPDATE items SET n = n - 1 WHERE id > 0;\nDELETE FROM marks WHERE rev = ${i};`;
        break;
      case 'cic':
        extra.transactional = 'false';
        up = `CREATE INDEX CONCURRENTLY IF NOT EXISTS items_c${i} ON items (n, tag);`;
        down = `DROP INDEX CONCURRENTLY IF EXISTS items_c${i};`;
        break;
      case 'cic-plain':
        extra.transactional = 'false';
        up = `CREATE INDEX CONCURRENTLY items_c${i} ON items (tag, n);`;
        down = `DROP INDEX CONCURRENTLY items_c${i};`;
        break;
      case 'cic2':
        extra.transactional = 'false';
        up =
          `CREATE INDEX CONCURRENTLY items_c${i}a ON items (tag);\nCREATE UNIQUE INDEX CONCURRENTLY IF ` +
          `NOT EXISTS items_c${i}b ON items (id, n);`;
        down = `DROP INDEX CONCURRENTLY items_c${i}b;\nDROP INDEX CONCURRENTLY items_c${i}a;`;
        break;
      case 'analyze':
        extra.transactional = 'false';
        up =
          `CREATE INDEX CONCURRENTLY items_c${i}a ON items (n);\nANALYZE items;\nCREATE INDEX ` +
          `CONCURRENTLY items_c${i}b ON items (tag, id);\nANALYZE items;`;
        down = `DROP INDEX CONCURRENTLY items_c${i}b;\nDROP INDEX CONCURRENTLY items_c${i}a;`;
        break;
    }
    out[`migrations/${String(i).padStart(4, '0')}_${k}_${i}.sql`] = sqlMigration(rev(i), i > 1 ? [rev(i - 1)] : [], up, down, extra);
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so the kill points are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How far the database got, and every inconsistency found (an empty list is a consistent state). */
async function inspect(url: string): Promise<{ applied: number; running: { revision: string; done: number }[]; problems: string[] }> {
  const problems: string[] = [];
  const strata = (await query(url, `SELECT to_regclass('strata.strata_version')::text AS v`))[0]!.v !== null;
  const heads = strata ? (await query(url, 'SELECT revision FROM strata.strata_version')).map((r) => r.revision as string) : [];
  if (heads.length > 1) problems.push(`${heads.length} heads: ${heads.join(', ')}`);
  const applied = heads.length ? Number(heads[0]!.slice(1)) : 0;
  const running = strata
    ? (
        await query(
          url,
          `SELECT revision, coalesce((meta->>'statementsDone')::int, 0) AS done FROM strata.strata_history WHERE outcome = 'running'`,
        )
      ).map((r) => ({ revision: r.revision as string, done: r.done as number }))
    : [];
  if (running.length > 1) problems.push(`${running.length} running rows`);
  for (const r of running) if (r.revision !== rev(applied + 1)) problems.push(`running row for ${r.revision} while at ${applied}`);
  if (strata) {
    const twice = await query(
      url,
      `SELECT revision, count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied' AND ` +
        `direction = 'up' GROUP BY revision HAVING count(*) > 1`,
    );
    for (const t of twice) problems.push(`${t.revision} applied ${t.n} times`);
    const hist = await query(
      url,
      `SELECT count(DISTINCT revision)::int AS n FROM strata.strata_history WHERE outcome = 'applied' AND direction = 'up'`,
    );
    if (hist[0]!.n !== applied) problems.push(`history records ${hist[0]!.n} applied, version table ${applied}`);
  }
  const items = (await query(url, `SELECT to_regclass('public.items')::text AS t`))[0]!.t !== null;
  if (applied === 0 && items) problems.push('items exists with nothing recorded');
  if (items) {
    const marks = (await query(url, 'SELECT rev FROM marks ORDER BY rev')).map((r) => r.rev as number);
    const expected = KINDS.map((k, i) => i + 1).filter(
      (i) => i <= applied && (KINDS[i - 1] === 'ddl' || KINDS[i - 1] === 'data' || KINDS[i - 1] === 'base'),
    );
    if (JSON.stringify(marks) !== JSON.stringify(expected)) problems.push(`marks ${marks.join(',')} but expected ${expected.join(',')}`);
    const n = await query(url, 'SELECT min(n)::int AS lo, max(n)::int AS hi FROM items');
    const want = DATA.filter((i) => i <= applied).length;
    if (n[0]!.lo !== want || n[0]!.hi !== want)
      problems.push(`items.n in [${n[0]!.lo}, ${n[0]!.hi}], expected ${want} (data updates applied)`);
    for (let i = 1; i <= applied; i++) {
      for (const ix of INDEXES(i)) {
        const v = await query(url, `SELECT indisvalid AS v FROM pg_index WHERE indexrelid = to_regclass($1)`, [ix]);
        if (v[0]?.v !== true) problems.push(`${ix} of applied migration ${i} is ${v.length ? 'INVALID' : 'missing'}`);
      }
    }
  }
  const locks = await query(
    url,
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE ` +
      `l.locktype = 'advisory' AND d.datname = current_database()`,
  );
  if (locks[0]!.n !== 0) problems.push(`${locks[0]!.n} advisory locks held`);
  return { applied, running, problems };
}

/** Wait until the killed runner's sessions are gone from the server (it notices the dead client within a second). */
async function waitForSessions(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const rows = await query(
      url,
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'strata-migrate' AND datname = current_database()`,
    );
    if (rows.length === 0) return;
    await sleep(100);
  }
  throw new Error("the killed runner's session is still on the server after 10 s");
}

const projects: string[] = [];
afterAll(() => {
  for (const p of projects) rmSync(p, { recursive: true, force: true });
});

describe('kill loop: SIGKILL at 20 random points of a mixed 30-migration up (seed 17)', () => {
  it('every kill leaves a consistent database; the next up reaches head or names the one step to take', { timeout: 600_000 }, async () => {
    const cwd = tempProject(files());
    projects.push(cwd);
    // How long an uninterrupted run takes here: the kill points spread over it.
    const ref = await createTestDatabase('kill_ref');
    const t0 = Date.now();
    const full = await runMigrate(['up'], { cwd, env: { DATABASE_URL: ref.url } });
    const runMs = Date.now() - t0;
    expect({ code: full.code, stderr: full.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect((await inspect(ref.url)).problems).toEqual([]);
    await ref.drop();

    const random = prng(17);
    const outcomes: Record<string, number> = {};
    const count = (k: string) => void (outcomes[k] = (outcomes[k] ?? 0) + 1);
    const log: string[] = [];
    for (let k = 0; k < 20; k++) {
      const delay = Math.round(random() * runMs);
      if (process.env.STRATA_DEBUG_KILL_LOOP) process.stderr.write(`kill ${k} at ${delay} ms (run ${runMs} ms)\n`);
      const db = await createTestDatabase(`kill_${k}`);
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, NO_COLOR: '1' };
      const child = spawn(process.execPath, [CLI, 'up'], { cwd, env, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await sleep(delay);
      child.kill('SIGKILL');
      const exitCode = await exited;
      await waitForSessions(db.url);

      const after = await inspect(db.url);
      expect({ kill: k, delay, problems: after.problems }).toEqual({ kill: k, delay, problems: [] });
      const where =
        exitCode === 0
          ? 'finished before the kill'
          : after.applied === 0 && after.running.length === 0
            ? 'killed before the first migration'
            : `killed at ${after.applied}/${COUNT}` +
              `${
                after.running.length
                  ? ` inside non-transactional ${after.running[0]!.revision} (${after.running[0]!.done} ` + `statement(s) done)`
                  : ''
              }`;

      if (process.env.STRATA_DEBUG_KILL_LOOP) process.stderr.write(`  ${where}\n`);
      const st = await runMigrate(['status'], { cwd, env: { DATABASE_URL: db.url } });
      expect(st.code).toBe(0);
      if (after.running.length) expect(st.stdout).toContain('INTERRUPTED');

      let up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
      let outcome: string;
      if (up.code === 0) {
        outcome = after.running.length ? 'next up resumed the interrupted migration and reached head' : 'next up reached head';
      } else {
        // One step, named in the message: take it as a person would, then up again.
        expect({ kill: k, code: up.code, stderr: up.stderr }).toMatchObject({
          kill: k,
          code: 2,
          stderr: expect.stringContaining('was interrupted'),
        });
        const step = /To go on: (.*)$/m.exec(up.stderr)?.[1] ?? '';
        const drop = /DROP INDEX CONCURRENTLY IF EXISTS (\S+);/.exec(step);
        if (drop) {
          await query(db.url, `DROP INDEX CONCURRENTLY IF EXISTS ${drop[1]}`);
          outcome = 'next up named one step: drop the INVALID index';
        } else {
          expect(step).toContain(`strata resolve ${rev(after.applied + 1)} --applied`);
          // The statement in doubt is an ANALYZE: whether it ran changes nothing. Finish the rest by hand, as the message says.
          const r = after.running[0]!;
          if (r.done < 2) await query(db.url, `CREATE INDEX CONCURRENTLY IF NOT EXISTS items_c${after.applied + 1}b ON items (tag, id)`);
          const res = await runMigrate(['resolve', rev(after.applied + 1), '--applied'], { cwd, env: { DATABASE_URL: db.url } });
          expect({ code: res.code, stderr: res.stderr }).toMatchObject({ code: 0 });
          outcome = 'next up named one step: strata resolve --applied';
        }
        up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
        expect({ kill: k, code: up.code, stderr: up.stderr }).toMatchObject({ kill: k, code: 0 });
      }
      const end = await inspect(db.url);
      expect({ kill: k, applied: end.applied, running: end.running, problems: end.problems }).toEqual({
        kill: k,
        applied: COUNT,
        running: [],
        problems: [],
      });
      count(outcome);
      const inside = where.includes('inside')
        ? 'killed inside a non-transactional migration'
        : 'killed between or inside transactional migrations';
      count(`(${where.startsWith('killed at') ? inside : where})`);
      log.push(`kill ${k + 1} at ${delay} ms: ${where}; ${outcome}`);
      await db.drop();
    }
    // The numbers for packages/runner/README.md.
    process.stdout.write(`kill loop (uninterrupted run ${runMs} ms):\n${log.join('\n')}\n${JSON.stringify(outcomes, null, 2)}\n`);
    expect(
      Object.entries(outcomes)
        .filter(([k]) => !k.startsWith('('))
        .reduce((a, [, n]) => a + n, 0),
    ).toBe(20);
  });
});
