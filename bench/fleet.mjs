#!/usr/bin/env node
// On-demand benchmark (issue 7): a fleet of 50 databases x 20 migrations with
// `migrate up --targets --concurrency 8`, against the slowest single-database
// run of the same migrations times 50/8 (the bound: within 1.5x).
//   node bench/fleet.mjs [--dbs 50] [--migrations 20] [--concurrency 8]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalServer, createScratchDatabase } from '@pg-strata/pg-server';
import { workload, writeStrataMigrations } from './workload.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : dflt);
};
const DBS = arg('dbs', 50);
const M = arg('migrations', 20);
const CONCURRENCY = arg('concurrency', 8);
const CLI = resolve(import.meta.dirname, '../apps/migrate/dist/bin.cjs');

function run(args, cwd) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(
      `migrate ${args[0]} failed (${r.status}): ${(r.stderr || r.stdout).replace(/postgres(ql)?:\/\/\S+/g, 'postgres://***').slice(-1500)}`,
    );
  return ms;
}

const server = await startLocalServer();
const work = mkdtempSync(join(tmpdir(), 'strata-bench-fleet-'));
try {
  writeStrataMigrations(join(work, 'migrations'), workload(M));
  const singles = [];
  for (let i = 0; i < 3; i++) {
    const db = await createScratchDatabase(server.url, { prefix: 'single' });
    writeFileSync(join(work, 'one.txt'), `${db.url}\n`);
    singles.push(run(['up', '--no-lint', '--targets', 'one.txt'], work));
    await db.drop();
  }
  const fleet = [];
  for (let i = 0; i < DBS; i++) fleet.push(await createScratchDatabase(server.url, { prefix: `tenant${i}` }));
  writeFileSync(join(work, 'targets.txt'), `${fleet.map((d) => d.url).join('\n')}\n`);
  const fleetMs = run(['up', '--no-lint', '--targets', 'targets.txt', '--concurrency', String(CONCURRENCY)], work);
  for (const d of fleet) await d.drop();
  const slowest = Math.max(...singles);
  const ideal = (slowest * DBS) / CONCURRENCY;
  console.log(`fleet: ${DBS} databases x ${M} migrations, --concurrency ${CONCURRENCY}, ${availableParallelism()} cores`);
  console.log(`  single database (whole process, slowest of 3): ${slowest.toFixed(0)} ms`);
  console.log(`  fleet (whole process):                         ${fleetMs.toFixed(0)} ms`);
  console.log(`  ratio to slowest x ${DBS}/${CONCURRENCY} = ${ideal.toFixed(0)} ms: ${(fleetMs / ideal).toFixed(2)}x (target <= 1.5x)`);
} finally {
  rmSync(work, { recursive: true, force: true });
  await server.stop();
}
