#!/usr/bin/env node
// What an application replica pays to import the start-up shim, beside the
// runner alone, in the same run: wall time and peak memory of a process that
// only imports the package (median of N runs each, alternated). Goal (issue
// 21): the shim costs <= 1.2x the runner. Run after `pnpm build`.
//   node bench/shim-import.mjs [--runs 15]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 15);
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error('needs /usr/bin/time (Debian package "time")');
const targets = {
  runner: resolve(import.meta.dirname, '../packages/runner/dist/index.js'),
  shim: resolve(import.meta.dirname, '../packages/fallback/dist/index.js'),
};
const samples = { runner: [], shim: [] };
for (let i = 0; i < runs; i++) {
  for (const [name, file] of Object.entries(targets)) {
    const t0 = performance.now();
    const r = spawnSync(TIME, ['-f', '%M', process.execPath, '--input-type=module', '-e', `await import(${JSON.stringify(file)});`], {
      encoding: 'utf8',
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(r.stderr);
    samples[name].push({ ms, mb: Number(r.stderr.trim().split('\n').pop()) / 1024 });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(
  Object.entries(samples).map(([k, v]) => [k, { ms: median(v.map((s) => s.ms)), mb: median(v.map((s) => s.mb)) }]),
);
for (const [k, v] of Object.entries(m))
  console.log(`import ${k.padEnd(6)} ${v.ms.toFixed(0).padStart(5)} ms ${v.mb.toFixed(0).padStart(4)} MB (median of ${runs})`);
const ratio = m.shim.ms / m.runner.ms;
console.log(
  `shim / runner: ${ratio.toFixed(2)}x time, ${(m.shim.mb / m.runner.mb).toFixed(2)}x memory; ` +
    `goal <= 1.2x: ${ratio <= 1.2 ? 'met' : 'MISSED'}`,
);
