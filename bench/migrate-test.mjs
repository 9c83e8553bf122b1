#!/usr/bin/env node
// On-demand benchmark of `migrate test` (issue 22): whole processes, same
// server, same run. For each size, the generated chain (bench/workload.mjs:
// tables with keys, foreign keys and indexes, ADD COLUMN + index, small
// UPDATEs) is applied by a plain `migrate up --no-lint` on a fresh database,
// then tested by `migrate test --json` on the same server; the ratio of the
// two and each check's own duration are printed.
//   node bench/migrate-test.mjs [--n 200,1000] [--repeat 1] [--cpu-prof DIR] [--baseline PATH/bin.cjs]
// --cpu-prof writes a V8 CPU profile of each `migrate test` process into DIR.
// --concurrency N is passed to `migrate test` (default: its own, the CPUs up to 4).
// --baseline also times `migrate test` of another build (e.g. a worktree of
// the commit before a change) on the same chain, server and run.
// Besides wall times, each process's CPU time is printed (the CLI's own, and
// the server's: its backends as they exit, counted by the postmaster): on a
// shared machine the wall time moves with the load, the CPU time much less.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalServer, createScratchDatabase } from '@pg-strata/pg-server';
import { workload, writeStrataMigrations } from './workload.mjs';

/** `test --json`'s result with its ok: from the envelope (docs/json.md), or a baseline build's bare document. */
function resultOf(stdout) {
  const doc = JSON.parse(stdout);
  return doc.version === 1 && 'command' in doc ? { ...doc.result, ok: doc.ok } : doc;
}

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('n', '200,1000').split(',').map(Number);
const repeat = Number(arg('repeat', '1'));
const prof = arg('cpu-prof', '');
const CLI = resolve(import.meta.dirname, '../apps/migrate/dist/bin.cjs');
const baseline = arg('baseline', '');
const concurrency = arg('concurrency', '');
const safe = (t) => t.replace(/postgres(ql)?:\/\/[^\s"']+/g, 'postgres://***');

/** CPU seconds (user + system) of a process and of its children it has waited for, from /proc (Linux); 0 elsewhere. */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14-17 of stat (utime, stime, cutime, cstime), in clock ticks (100 a second on Linux).
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}
let postmaster = 0;
/** CPU seconds of `migrate` processes run so far and of the server's exited backends. */
const cpu = () => {
  const own = process.cpuUsage();
  return { cli: cpuOf(process.pid) - (own.user + own.system) / 1e6, server: cpuOf(postmaster) };
};

function run(args, env, cwd, okCodes = [0], cli = CLI) {
  const c0 = cpu();
  const t0 = performance.now();
  const r = spawnSync('node', [...(prof && args[0] === 'test' ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), cli, ...args], {
    env: { ...process.env, ...env },
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t0;
  const c1 = cpu();
  const cpuS = { cli: c1.cli - c0.cli, server: c1.server - c0.server };
  if (!okCodes.includes(r.status))
    throw new Error(`migrate ${args[0]} failed (${r.status}):\n${safe((r.stderr || r.stdout).slice(-3000))}`);
  return { ms, stdout: r.stdout, cpu: cpuS };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await startLocalServer();
postmaster = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
const rows = [];
try {
  for (const n of sizes) {
    const root = mkdtempSync(join(tmpdir(), 'strata-bench-mtest-'));
    writeStrataMigrations(join(root, 'migrations'), workload(n));
    const up = [];
    const test = [];
    const stair = [];
    const base = [];
    const baseStair = [];
    const cpus = { up: [], test: [], base: [] };
    const fmtCpu = (c) => `${c.cli.toFixed(1)}+${c.server.toFixed(1)}`;
    for (let i = 0; i < repeat; i++) {
      const db = await createScratchDatabase(server.url, { prefix: 'bench_mtest' });
      const u = run(['up', '--no-lint'], { DATABASE_URL: db.url }, root);
      up.push(u.ms);
      cpus.up.push(fmtCpu(u.cpu));
      await db.drop();
      const t = run(
        ['test', '--json', ...(concurrency ? ['--concurrency', concurrency] : [])],
        { SHADOW_DATABASE_URL: server.url, DATABASE_URL: '' },
        root,
      );
      // The --json envelope (docs/json.md); a baseline build from before it printed the bare result.
      const result = resultOf(t.stdout);
      if (!result.ok)
        throw new Error(`migrate test found failures on the generated chain: ${JSON.stringify(result.failures).slice(0, 2000)}`);
      test.push(t.ms);
      cpus.test.push(fmtCpu(t.cpu));
      stair.push(result.checks.find((c) => c.name === 'stairway').durationMs);
      if (baseline) {
        const b = run(['test', '--json'], { SHADOW_DATABASE_URL: server.url, DATABASE_URL: '' }, root, [0], baseline);
        base.push(b.ms);
        cpus.base.push(fmtCpu(b.cpu));
        baseStair.push(resultOf(b.stdout).checks.find((c) => c.name === 'stairway').durationMs);
      }
    }
    const baseRow = baseline ? { base: median(base), baseStair: median(baseStair) } : {};
    rows.push({ n, cpus, up: median(up), test: median(test), stair: median(stair), ...baseRow });
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await server.stop();
}
console.log(
  `migrate test against a plain migrate up of the same chain (median of ${repeat}, ${(await import('node:os')).cpus().length} CPUs)`,
);
console.log(
  `${'N'.padStart(6)} ${'up ms'.padStart(9)} ${'test ms'.padStart(9)} ${'stairway ms'.padStart(12)} ${'ms/step'.padStart(8)}  test/up`,
);
for (const r of rows) {
  console.log(
    `${String(r.n).padStart(6)} ${r.up.toFixed(0).padStart(9)} ${r.test.toFixed(0).padStart(9)} ` +
      `${String(r.stair).padStart(12)} ${(r.stair / r.n).toFixed(1).padStart(8)}  ` +
      `${(r.test / r.up).toFixed(1)}x`,
  );
  const baseCpu = r.base !== undefined ? `; baseline test ${r.cpus.base.join(', ')}` : '';
  const upCpu = r.cpus.up.join(', ');
  console.log(`${''.padStart(6)} CPU seconds (migrate + server), each run: up ${upCpu}; test ${r.cpus.test.join(', ')}${baseCpu}`);
  if (r.base !== undefined)
    console.log(
      `${''.padStart(6)} baseline: test ${r.base.toFixed(0)} ms, stairway ${r.baseStair} ms (` +
        `${(r.baseStair / r.n).toFixed(1)} ms/step), ${(r.base / r.up).toFixed(1)}x up; this build ` +
        `${(r.base / r.test).toFixed(1)}x faster`,
    );
}
