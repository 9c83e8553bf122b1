#!/usr/bin/env node
// Adds the golden entries of new fixture pairs, and only theirs, so that the other entries stay
// byte for byte as recorded (and several branches adding fixtures can each run it after a merge):
//   - test/golden/snapshots.json.gz: the Snapshot of each side (what introspect-golden checks);
//   - test/golden/inputs.json.gz: the pair as a plan input named `fixture NAME` (what plan-golden and plan-facts run).
// Then record the plan outputs: STRATA_GOLDEN=record npx vitest run packages/auditor/test/plan-golden.test.ts
// (check first that plan-golden passes without the new inputs: recording must not change the others).
//
//   pnpm turbo run build --filter=@pg-strata/auditor && node scripts/golden-add-fixtures.mjs 110-rules 111-statistics
//
// Needs the built packages; starts its own embedded PostgreSQL (the test server's major, 17).
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { withConnection } from '@pg-strata/core';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';
import { introspect, serializeSnapshot } from '@pg-strata/auditor';

const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => !/^\d+-[\w-]+$/.test(n))) {
  console.error('usage: node scripts/golden-add-fixtures.mjs NNN-name [...] (fixture pairs of packages/auditor/test/fixtures)');
  process.exit(2);
}
const dir = new URL('../packages/auditor/test/', import.meta.url);
const read = (f) => JSON.parse(gunzipSync(readFileSync(new URL(f, dir))).toString('utf8'));
const write = (f, v) => writeFileSync(new URL(f, dir), gzipSync(JSON.stringify(v, null, 1)));
const byKey = (o) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));

const server = await startLocalServer();
try {
  const snapshots = read('golden/snapshots.json.gz');
  const inputs = read('golden/inputs.json.gz');
  for (const name of names) {
    const pair = {};
    for (const side of ['a', 'b']) {
      const file = `${name}.${side}.sql`;
      const db = await createScratchDatabase(server.url, { prefix: 'golden' });
      try {
        const sql = readFileSync(new URL(`fixtures/${file}`, dir), 'utf8');
        await withConnection({ url: db.url }, (c) => c.query(sql));
        const snap = await introspect(db.url);
        snapshots[file] = serializeSnapshot(snap);
        pair[side] = JSON.parse(serializeSnapshot(snap));
      } finally {
        await db.drop();
      }
    }
    const entry = { name: `fixture ${name}`, a: pair.a, b: pair.b, options: {} };
    const at = inputs.findIndex((x) => x.name === entry.name);
    if (at >= 0) inputs[at] = entry;
    else inputs.push(entry);
    console.log(`${name}: snapshots and plan input ${at >= 0 ? 'replaced' : 'added'}`);
  }
  write('golden/snapshots.json.gz', byKey(snapshots));
  write('golden/inputs.json.gz', inputs);
} finally {
  await server.stop();
}
