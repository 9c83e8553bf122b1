#!/usr/bin/env node
// CPU profile of one stairway step (issue 22), as the README's "Two
// fingerprints per step" table: the generated chain (bench/workload.mjs) is
// upgraded to revision --at of --n, then --k steps are timed in each of two
// shapes, alternately: up, fingerprint, down, fingerprint, up, fingerprint
// (three, the walk before) and the same without the first fingerprint (two).
// Each step ends with an extra down so the next starts from the same place.
// CPU time is read from /proc (Linux) for the fingerprint connection's backend,
// the run session's backend and this process: on a shared machine the wall
// time moves with the load, CPU time much less.
//   node bench/migrate-test-profile.mjs [--n 200] [--at 120] [--k 30]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeConnection, connect } from '@pg-strata/core';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';
import { openRunSession } from '@pg-strata/runner';
import { catalogFingerprint } from '../packages/migration-test/dist/index.js';
import { workload, writeStrataMigrations } from './workload.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : dflt);
};
const n = arg('n', 200);
const at = arg('at', Math.floor(n * 0.6));
const k = arg('k', 30);
if (!(at >= 1 && at < n)) throw new Error(`--at must be between 1 and ${n - 1}`);

/** CPU milliseconds (user + system) of a process, from /proc/<pid>/stat; 10 ms resolution. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const root = mkdtempSync(join(tmpdir(), 'strata-bench-mtest-profile-'));
writeStrataMigrations(join(root, 'migrations'), workload(n));
const server = await startLocalServer();
try {
  const db = await createScratchDatabase(server.url, { prefix: 'bench_mtest_profile' });
  const session = await openRunSession({ url: db.url, migrationsDir: join(root, 'migrations'), allowDataLoss: true });
  const reader = await connect({ url: db.url });
  try {
    const revs = session.graph.order.map((m) => m.revision);
    const up = await session.upgrade({ target: revs[at - 1] });
    if (!up.ok) throw new Error(`upgrading to revision ${at} failed`);
    const pidOf = async (c) => (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
    const readerPid = await pidOf(reader);
    const runPid = await pidOf(session.client);
    const own = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const fp = () => catalogFingerprint(reader, 'strata', { prepared: true });
    const step = async (fingerprints) => {
      await session.upgrade({ target: revs[at] });
      if (fingerprints === 3) await fp();
      await session.downgrade({ target: '-1' });
      await fp();
      await session.upgrade({ target: revs[at] });
      await fp();
      await session.downgrade({ target: '-1' });
    };
    await step(3);
    console.log(`revision ${at + 1} of ${n}, ${k} steps each (each step: up, down, up, and a down to start again), per step:`);
    for (const shape of [3, 2, 3, 2]) {
      const c0 = [cpuMs(readerPid), cpuMs(runPid), own()];
      const t0 = performance.now();
      for (let i = 0; i < k; i++) await step(shape);
      const c1 = [cpuMs(readerPid), cpuMs(runPid), own()];
      const per = (j) => ((c1[j] - c0[j]) / k).toFixed(1);
      const wall = ((performance.now() - t0) / k).toFixed(1);
      console.log(`${shape} fingerprints: wall ${wall} ms; CPU ms: fingerprints ${per(0)}, runs' server ${per(1)}, Node.js ${per(2)}`);
    }
  } finally {
    await closeConnection(reader);
    await session.close();
    await db.drop();
  }
} finally {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}
