import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { withConnection } from '@pg-strata/core';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, introspect, plan, renderSteps, type Snapshot, type Step } from '../src/index.js';

/** Directory of the schema-pair fixtures. */
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A schema-pair fixture. */
export interface FixturePair {
  name: string;
  a: string;
  b: string;
  /**
   * The oldest PostgreSQL major whose syntax it uses, from a first line
   * `-- requires: PostgreSQL N (why)` in either file; 0 when there is none.
   */
  requires: number;
  /** Compare and plan options from a line `-- options: privileges owners` in either file (owners are then introspected too). */
  options: RoundTripOptions;
}

/** Options of a round trip: compared and planned with, and owners read when `owners`. */
export interface RoundTripOptions {
  privileges?: boolean;
  owners?: boolean;
}

const OPTIONS = /^-- options:(.*)$/m;

function fixtureOptions(...texts: string[]): RoundTripOptions {
  const words = texts.flatMap((t) => (OPTIONS.exec(t)?.[1] ?? '').trim().split(/[\s,]+/));
  return {
    ...(words.includes('privileges') ? { privileges: true } : {}),
    ...(words.includes('owners') ? { owners: true } : {}),
  };
}

const REQUIRES = /^-- requires: PostgreSQL (\d+)\b/;

/** The fixture pairs `NN-name.a.sql` / `NN-name.b.sql`, sorted. */
export function fixturePairs(): FixturePair[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.a.sql'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.a.sql'.length);
      const a = readFileSync(`${fixturesDir}${name}.a.sql`, 'utf8');
      const b = readFileSync(`${fixturesDir}${name}.b.sql`, 'utf8');
      const requires = Math.max(Number(REQUIRES.exec(a)?.[1] ?? 0), Number(REQUIRES.exec(b)?.[1] ?? 0));
      return { name, a, b, requires, options: fixtureOptions(a, b) };
    });
}

/** The major version of the server at `url` (e.g. 13 for 13.23). */
export async function serverMajor(url: string): Promise<number> {
  return await withConnection({ url }, async (c) => {
    const r = await c.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    return Math.floor(r.rows[0]!.v / 10_000);
  });
}

/**
 * The round trip of a fixture on a server of the given major; a fixture that
 * needs a newer server is instead checked to be refused by this one, so that
 * its `-- requires:` line stays true (and nothing is skipped silently).
 */
export async function roundTripOn(major: number, pair: FixturePair, newDb: () => Promise<ScratchDatabase>): Promise<void> {
  if (pair.requires <= major) return await roundTrip(pair.a, pair.b, newDb, pair.options);
  let refused = false;
  for (const sql of [pair.a, pair.b]) {
    const db = await newDb();
    try {
      await runSql(db.url, sql).catch(() => (refused = true));
    } finally {
      await db.drop();
    }
  }
  expect(refused, `${pair.name} says it requires PostgreSQL ${pair.requires}, but PostgreSQL ${major} accepts both its sides`).toBe(true);
}

/** Run an SQL script (simple-query protocol, several statements). */
export async function runSql(url: string, sql: string): Promise<void> {
  await withConnection({ url }, async (c) => {
    await c.query(sql);
  });
}

/** Apply plan steps one by one on one connection (each in autocommit, as a runner would for non-transactional steps). */
export async function applySteps(url: string, steps: readonly Step[]): Promise<void> {
  await withConnection({ url }, async (c) => {
    for (const s of steps) {
      try {
        await c.query(s.sql);
      } catch (err) {
        throw new Error(`step failed: ${s.sql}\n-> ${(err as Error).message}`, { cause: err });
      }
    }
  });
}

function columnsByName(s: Snapshot): Snapshot {
  const copy = structuredClone(s);
  for (const t of Object.values(copy.tables)) t.columns.sort((x, y) => (x.name < y.name ? -1 : 1));
  return copy;
}

/**
 * The property that ties compare and plan together: applying plan(a, b).up to
 * a database built from `a` gives one whose Snapshot compares equal (and is
 * deep-equal, up to column order) to b's; applying .down takes it back to a.
 */
export async function roundTrip(
  a: string,
  b: string,
  newDb: () => Promise<ScratchDatabase>,
  options: RoundTripOptions = {},
): Promise<void> {
  const read = options.owners ? { owners: true } : {};
  const dbA = await newDb();
  const dbB = await newDb();
  try {
    await runSql(dbA.url, a);
    await runSql(dbB.url, b);
    const sa = await introspect(dbA.url, read);
    const sb = await introspect(dbB.url, read);
    expect(compare(sa, sb, options).length, 'the two sides of a fixture must differ').toBeGreaterThan(0);
    const p = plan(sa, sb, options);

    await applySteps(dbA.url, p.up);
    const afterUp = await introspect(dbA.url, read);
    expect(compare(afterUp, sb, { left: 'after up', right: 'b', ...options }), renderSteps(p.up)).toEqual([]);
    // Beyond compare: the Snapshots are deep-equal, up to column order (ADD COLUMN appends).
    expect(columnsByName(afterUp)).toEqual(columnsByName(sb));

    await applySteps(dbA.url, p.down);
    const afterDown = await introspect(dbA.url, read);
    expect(compare(afterDown, sa, { left: 'after down', right: 'a', ...options }), renderSteps(p.down)).toEqual([]);
  } finally {
    await dbA.drop();
    await dbB.drop();
  }
}

/** The Snapshots of two fresh databases built from the SQL `a` and `b`; the databases are dropped afterwards. */
export async function introspectPair(a: string, b: string, prefix: string): Promise<[Snapshot, Snapshot]> {
  const dbs: ScratchDatabase[] = [];
  try {
    for (const sql of [a, b]) {
      const db = await createTestDatabase(prefix);
      dbs.push(db);
      await runSql(db.url, sql);
    }
    return [await introspect(dbs[0]!.url), await introspect(dbs[1]!.url)];
  } finally {
    for (const db of dbs) await db.drop();
  }
}
