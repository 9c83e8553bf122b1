import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConnection } from '@strata/core';
import type { Step } from '../src/index.js';

/** Directory of the schema-pair fixtures. */
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The fixture pairs `NN-name.a.sql` / `NN-name.b.sql`, sorted. */
export function fixturePairs(): { name: string; a: string; b: string }[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.a.sql'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.a.sql'.length);
      return { name, a: readFileSync(`${fixturesDir}${name}.a.sql`, 'utf8'), b: readFileSync(`${fixturesDir}${name}.b.sql`, 'utf8') };
    });
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
