// The planner's kinds share facts (src/plan/context.ts) in the order of kinds/registry.ts.
// This checks that order on every captured plan input: a kind that reads a fact without
// writing it is registered after every kind that writes it. (Kinds that accumulate into
// one fact, like typeChanged or defaultDropped, read it too, so as not to do a thing twice.)
// A kind registered too early (reading a fact before its writer ran) fails here.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/index.js';
import { PlanContext, type PlanFacts } from '../src/plan/context.js';
import { KINDS } from '../src/plan/kinds/registry.js';
import { analyzeTables } from '../src/plan/kinds/table.js';

const inputs = JSON.parse(gunzipSync(readFileSync(new URL('./golden/inputs.json.gz', import.meta.url))).toString('utf8')) as {
  a: Snapshot;
  b: Snapshot;
}[];

const WRITES = new Set(['add', 'set', 'push', 'delete', 'clear', 'splice']);

/** Record who reads and writes each fact: `fact -> kind -> 'r' | 'w'`. */
function watch(ctx: PlanContext, log: Map<string, Map<string, Set<'r' | 'w'>>>): void {
  const note = (fact: string, how: 'r' | 'w') => {
    let byKind = log.get(fact);
    if (!byKind) log.set(fact, (byKind = new Map()));
    let hows = byKind.get(ctx.kind);
    if (!hows) byKind.set(ctx.kind, (hows = new Set()));
    hows.add(how);
  };
  const facts = ctx.facts as unknown as Record<string, unknown>;
  for (const name of Object.keys(facts)) {
    const target = facts[name];
    if (!(target instanceof Set || target instanceof Map || Array.isArray(target))) continue;
    facts[name] = new Proxy(target as object, {
      get(t, prop) {
        const v = Reflect.get(t, prop, t);
        if (typeof prop === 'string' && WRITES.has(prop)) note(name, 'w');
        else note(name, 'r');
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  }
}

describe('planner facts follow the registry order', () => {
  it('on every captured input, both directions', () => {
    const log = new Map<string, Map<string, Set<'r' | 'w'>>>();
    for (const x of inputs) {
      for (const [a, b] of [
        [x.a, x.b],
        [x.b, x.a],
      ] as const) {
        for (const options of [{}, { privileges: true }]) {
          const ctx = new PlanContext(a, b, options, []);
          ctx.kind = '(up front)';
          analyzeTables(ctx);
          watch(ctx, log);
          for (const kind of KINDS) {
            ctx.kind = kind.name;
            kind.plan(ctx);
          }
        }
      }
    }
    const rank = (k: string) => (k === '(up front)' ? -1 : KINDS.findIndex((x) => x.name === k));
    const late: string[] = [];
    for (const [fact, byKind] of log) {
      const writers = [...byKind].filter(([, h]) => h.has('w')).map(([k]) => k);
      for (const [reader, hows] of byKind) {
        // A writer reads the fact too when several kinds accumulate into it (the first to drop a default does it once).
        if (!hows.has('r') || hows.has('w')) continue;
        for (const w of writers) if (rank(w) > rank(reader)) late.push(`${fact}: read by ${reader}, written later by ${w}`);
      }
    }
    expect(late).toEqual([]);
    // The shared facts are used at all (the watch sees them).
    const seen = [...log.keys()] as (keyof PlanFacts)[];
    expect(seen).toEqual(expect.arrayContaining(['droppedTables', 'droppedColumns', 'recreatedFunctions', 'typeChanged', 'rebuiltViews']));
  });
});
