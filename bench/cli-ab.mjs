#!/usr/bin/env node
// Two builds of the CLI, one command, same database, interleaved runs: did a
// change make `status` (or another read-only command) slower?
//   node bench/cli-ab.mjs --a apps/migrate/dist-before/bin.cjs [--b apps/migrate/dist/bin.cjs]
//                         [--n 1000] [--runs 41] [--args status]
// The database is brought to head once with build B; then A and B alternate
// (A, B, B, A, ...) so drift of the machine (other processes, caches) hits
// both alike. Prints min, p25, median and p75 of each, in milliseconds, and
// the ratio of the medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalServer, createScratchDatabase } from '@pg-strata/pg-server';
import { workload, writeStrataMigrations } from './workload.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const A = resolve(arg('a', ''));
const B = resolve(arg('b', resolve(import.meta.dirname, '../apps/migrate/dist/bin.cjs')));
const n = Number(arg('n', '1000'));
const runs = Number(arg('runs', '41'));
const args = arg('args', 'status').split(' ');
if (!arg('a', '')) throw new Error('--a <bin.cjs of the build to compare with> is required');

function time(bin, cliArgs, env, cwd) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...cliArgs], { env: { ...process.env, ...env }, cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const dt = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(
      `${bin} ${cliArgs.join(' ')} failed (${r.status}):\n` +
        `${(r.stderr || r.stdout).slice(-2000).replace(/postgres(ql)?:\/\/\S+/g, 'postgres://***')}`,
    );
  return dt;
}
const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const show = (xs) =>
  `min ${q(xs, 0).toFixed(1)}  p25 ${q(xs, 0.25).toFixed(1)}  median ${q(xs, 0.5).toFixed(1)}  p75 ${q(xs, 0.75).toFixed(1)}`;

const server = await startLocalServer();
try {
  const root = mkdtempSync(join(tmpdir(), 'strata-ab-'));
  writeStrataMigrations(join(root, 'migrations'), workload(n));
  const db = await createScratchDatabase(server.url, { prefix: 'bench_ab' });
  const env = { DATABASE_URL: db.url };
  time(B, ['up', '--no-lint'], env, root);
  // Warm both (file cache, Node's compile cache).
  for (let i = 0; i < 3; i++) time(A, args, env, root), time(B, args, env, root);
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) a.push(time(A, args, env, root)), b.push(time(B, args, env, root));
    else b.push(time(B, args, env, root)), a.push(time(A, args, env, root));
  }
  await db.drop();
  console.log(`\`${args.join(' ')}\` at head, ${n} migrations, ${runs} interleaved runs each, Node ${process.versions.node}`);
  console.log(`A ${A}\n  ${show(a)}`);
  console.log(`B ${B}\n  ${show(b)}`);
  console.log(`B/A median ${(q(b, 0.5) / q(a, 0.5)).toFixed(3)}`);
} finally {
  await server.stop();
}
