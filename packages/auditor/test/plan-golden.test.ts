// Golden harness for the planner (issue 21's redesign must not change a byte).
//
// test/golden/inputs.json.gz holds every (a, b, options) that plan() received while the
// auditor's tests, the converter's estate tests (legacy/ and the other estates) and the
// CLI's diff / autogenerate tests ran (captured once, with a temporary hook in plan()).
// test/golden/expected.json.gz holds what plan() returned for each of them, under the
// options it was called with and also with `concurrently` and `privileges` switched on.
// The fixtures added since (named `fixture NNN-name`, with the options their round trip uses) were
// appended to the inputs once, from Snapshots of their two sides.
//
//   check:  npx vitest run packages/auditor/test/plan-golden.test.ts
//   record: STRATA_GOLDEN=record npx vitest run packages/auditor/test/plan-golden.test.ts
//
// Record only when a change of output is intended (a bug fix), and say so in the commit.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { plan, renderSteps, type PlanOptions, type Snapshot } from '../src/index.js';

const dir = new URL('./golden/', import.meta.url);
const inputs = JSON.parse(gunzipSync(readFileSync(new URL('inputs.json.gz', dir))).toString('utf8')) as {
  name: string;
  a: Snapshot;
  b: Snapshot;
  options: PlanOptions;
}[];

/** Each input under its own options and with each option switched on (once each). */
function cases(): { id: string; a: Snapshot; b: Snapshot; options: PlanOptions }[] {
  const out = new Map<string, { id: string; a: Snapshot; b: Snapshot; options: PlanOptions }>();
  for (const x of inputs) {
    for (const o of [x.options, { ...x.options, concurrently: true }, { ...x.options, privileges: true }]) {
      // `owners` only where an input has it (the inputs captured before it existed keep their ids).
      const options: PlanOptions = {
        concurrently: Boolean(o.concurrently),
        privileges: Boolean(o.privileges),
        ...(o.owners ? { owners: true } : {}),
      };
      const id = `${x.name} ${JSON.stringify(options)}`;
      out.set(id, { id, a: x.a, b: x.b, options });
    }
  }
  return [...out.values()];
}

/** Everything a plan holds, written so that a difference reads as SQL. */
function output(a: Snapshot, b: Snapshot, options: PlanOptions): string {
  const p = plan(structuredClone(a), structuredClone(b), options);
  const flags = (steps: typeof p.up) =>
    steps.map((s, i) => `${i}:${s.concurrently ? 'C' : ''}${s.transactional === false ? 'T' : ''}${s.destructive ? 'D' : ''}`).join(' ');
  return [
    '-- up',
    renderSteps(p.up),
    `-- up flags ${flags(p.up)}`,
    '-- down',
    renderSteps(p.down),
    `-- down flags ${flags(p.down)}`,
    '-- hints',
    ...p.hints.map((h) => `${h.kind}: ${h.message}`),
  ].join('\n');
}

describe('planner golden output', () => {
  const all = cases();
  it(`covers the captured plan inputs (${inputs.length} inputs, ${all.length} cases)`, () => {
    expect(inputs.length).toBeGreaterThan(200);
  });
  if (process.env.STRATA_GOLDEN === 'record') {
    it('records', () => {
      const expected = Object.fromEntries(all.map((c) => [c.id, output(c.a, c.b, c.options)]));
      writeFileSync(new URL('expected.json.gz', dir), gzipSync(JSON.stringify(expected, null, 1)));
    });
    return;
  }
  const expected = JSON.parse(gunzipSync(readFileSync(new URL('expected.json.gz', dir))).toString('utf8')) as Record<string, string>;
  it('has one expected output per case', () => {
    expect(Object.keys(expected).sort()).toEqual(all.map((c) => c.id).sort());
  });
  it('gives byte-identical output on every case', () => {
    const differ: { id: string; got: string }[] = [];
    for (const c of all) {
      const got = output(c.a, c.b, c.options);
      if (got !== expected[c.id]) differ.push({ id: c.id, got });
    }
    // The first difference in full, then how many.
    if (differ.length) expect(differ[0]!.got, `${differ[0]!.id} (${differ.length} cases differ)`).toBe(expected[differ[0]!.id]);
  });
});
