#!/usr/bin/env node
// Where a stairway step's time goes, query by query (issue 22): the generated
// chain (bench/workload.mjs) is upgraded to revision --at of --n on a scratch
// database, then --k steps are walked as the stairway walks them (up, down,
// fingerprint, up, fingerprint, with an extra down so each step starts from
// the same place; that down is counted apart). Every query the runner
// session and the fingerprint connection send is timed: wall milliseconds,
// and the CPU of the backend that served it, read from /proc/<pid>/schedstat
// (nanoseconds on the CPU, Linux; the server runs on this machine), plus this
// process's CPU per run. Queries are grouped by what they are.
//   node bench/migrate-test-queries.mjs [--n 200] [--at 120] [--k 40] [--exclusive]
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
  return i > 0 ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', 200));
const at = Number(arg('at', Math.floor(n * 0.6)));
const k = Number(arg('k', 40));
const sessionOptions = process.argv.includes('--exclusive') ? { exclusive: true } : {};
if (!(at >= 1 && at < n)) throw new Error(`--at must be between 1 and ${n - 1}`);

/** Nanoseconds a process has spent on a CPU, from /proc/<pid>/schedstat. */
const onCpu = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
const nodeCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** What a query is, from its text. */
function label(text) {
  const t = text.trimStart();
  const rules = [
    [/^WITH ns AS/, 'fingerprint'],
    [/pg_try_advisory_lock/, 'lock'],
    [/pg_advisory_unlock/, 'unlock'],
    [/^DISCARD ALL/, 'DISCARD ALL (reset)'],
    [/^CLOSE ALL; SET SESSION AUTHORIZATION/, 'reset (exclusive: DISCARD ALL but the lock)'],
    [/client_connection_check_interval/, 'connection check + version'],
    [/^CREATE SCHEMA IF NOT EXISTS/, 'CREATE ... IF NOT EXISTS (tables)'],
    [/^PREPARE/, 'PREPARE step DML'],
    [/strata_summary.*INSERT|INSERT INTO [^ ]*strata_summary/s, 'summary row'],
    [/^(-- strata|BEGIN)/, 'migration (BEGIN .. COMMIT, with its rows)'],
    [/strata_version/, 'state read'],
  ];
  for (const [re, name] of rules) if (re.test(t)) return name;
  return `other: ${t.slice(0, 60).replace(/\s+/g, ' ')}`;
}

const stats = new Map();
let recording = false;
/** Wrap client.query: wall and backend CPU per labelled query, while recording. */
function instrument(client, pid, prefix) {
  const query = client.query.bind(client);
  client.query = async (...args) => {
    const text = typeof args[0] === 'string' ? args[0] : args[0].text;
    const t0 = performance.now();
    const c0 = onCpu(pid);
    try {
      return await query(...args);
    } finally {
      if (recording) {
        const key = `${prefix}${label(text)}`;
        const s = stats.get(key) ?? { count: 0, wall: 0, cpu: 0 };
        s.count++;
        s.wall += performance.now() - t0;
        s.cpu += onCpu(pid) - c0;
        stats.set(key, s);
      }
    }
  };
}

const root = mkdtempSync(join(tmpdir(), 'strata-bench-mtest-queries-'));
writeStrataMigrations(join(root, 'migrations'), workload(n));
const server = await startLocalServer();
try {
  const db = await createScratchDatabase(server.url, { prefix: 'bench_mtest_queries' });
  const session = await openRunSession({ url: db.url, migrationsDir: join(root, 'migrations'), allowDataLoss: true, ...sessionOptions });
  const reader = await connect({ url: db.url });
  try {
    const revs = session.graph.order.map((m) => m.revision);
    const up = await session.upgrade({ target: revs[at - 1] });
    if (!up.ok) throw new Error(`upgrading to revision ${at} failed`);
    const pidOf = async (c) => (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
    instrument(session.client, await pidOf(session.client), 'run: ');
    instrument(reader, await pidOf(reader), 'reader: ');
    const fp = () => catalogFingerprint(reader, 'strata', { prepared: true });
    const runs = { wall: 0, node: 0, count: 0 };
    const timed = async (fn) => {
      const t0 = performance.now();
      const c0 = nodeCpu();
      const r = await fn();
      if (!r.ok) throw new Error(`a run failed: ${r.error?.message}`);
      runs.wall += performance.now() - t0;
      runs.node += nodeCpu() - c0;
      runs.count++;
    };
    const step = async () => {
      await timed(() => session.upgrade({ target: revs[at] }));
      await timed(() => session.downgrade({ target: '-1' }));
      await fp();
      await timed(() => session.upgrade({ target: revs[at] }));
      await fp();
      // Back to the start: not part of a stairway step.
      recording = false;
      const r = await session.downgrade({ target: '-1' });
      if (!r.ok) throw new Error('the extra down failed');
    };
    for (let i = 0; i < 3; i++) await step();
    const t0 = performance.now();
    let inSteps = 0;
    for (let i = 0; i < k; i++) {
      recording = true;
      const s0 = performance.now();
      await step();
      inSteps += performance.now() - s0;
    }
    const wall = performance.now() - t0;
    console.log(`revision ${at + 1} of ${n}, ${k} steps (up, down, fingerprint, up, fingerprint), per step:`);
    console.log(`${'query'.padEnd(52)} ${'count'.padStart(6)} ${'wall ms'.padStart(8)} ${'server CPU ms'.padStart(14)}`);
    let total = { wall: 0, cpu: 0 };
    for (const [key, s] of [...stats].sort((a, b) => b[1].cpu - a[1].cpu)) {
      total = { wall: total.wall + s.wall, cpu: total.cpu + s.cpu };
      console.log(
        `${key.padEnd(52)} ${(s.count / k).toFixed(1).padStart(6)} ${(s.wall / k).toFixed(2).padStart(8)} ` +
          `${(s.cpu / k / 1e6).toFixed(2).padStart(14)}`,
      );
    }
    const all = `${(total.wall / k).toFixed(2).padStart(8)} ${(total.cpu / k / 1e6).toFixed(2).padStart(14)}`;
    console.log(`${'all queries'.padEnd(52)} ${''.padStart(6)} ${all}`);
    console.log(
      `runs: ${(runs.count / (k + 3)).toFixed(0)} a step, Node.js CPU ${(runs.node / runs.count / 1e6).toFixed(2)} ms and wall ` +
        `${(runs.wall / runs.count).toFixed(2)} ms a run; a step's wall ${(inSteps / k).toFixed(1)} ms ` +
        `(${(wall / k).toFixed(1)} with the extra down)`,
    );
  } finally {
    await closeConnection(reader);
    await session.close();
    await db.drop();
  }
} finally {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}
