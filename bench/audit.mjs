#!/usr/bin/env node
// On-demand benchmark of the auditor (issue 3's speed targets) on a generated
// schema of 2,000 tables (20 columns, 3 indexes, 2 foreign keys each, a view on
// every tenth table, 20 enums; bench/large-schema.mjs):
//   - introspection, warm, median of --repeat runs, under 1.5 s and faster than
//     `pg_dump --schema-only` of the same database, timed in the same run
//     (interleaved with it);
//   - compare of two Snapshots (the database and a copy of it with drift on 50
//     tables), median, under 200 ms; plan between them, median;
//   - peak memory: the maximum RSS of a separate process that introspects the
//     database (process.resourceUsage().maxRSS), under 300 MB;
//   - @pgkit/migra diffing the database against the drifted copy, against
//     Strata's introspect + introspect + compare of the same two databases.
// Needs `pnpm build` first (it imports the built packages).
//   node bench/audit.mjs [--tables 2000] [--repeat 5] [--no-migra] [--migra-timeout 600]
//                        [--bin-dir DIR | --pg15 | --embedded] [--pg-dump PATH] [--explain]
// The server: --bin-dir DIR (initdb, postgres), --pg15 (/usr/lib/postgresql/15/bin) or
// --embedded (@pg-strata/pg-server's PostgreSQL 17). By default the embedded server when a
// pg_dump able to dump it is found, else the newest /usr/lib/postgresql/N/bin holding
// initdb, postgres and pg_dump (pg_dump cannot dump a newer server, and the embedded
// binaries ship no pg_dump), else the embedded server without the pg_dump ratio.
// --explain: where one introspection's time goes: each catalogue query's time and
// rows, the time outside the queries (building the Snapshot in JS), and
// EXPLAIN ANALYZE of the queries over 150 ms.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createScratchDatabase, embeddedBinDir, startLocalServer } from '@pg-strata/pg-server';
import { driftStatements, largeSchemaStatements } from './large-schema.mjs';

const AUDITOR = new URL('../packages/auditor/dist/index.js', import.meta.url).href;
const SELF = fileURLToPath(import.meta.url);

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flag = (name) => process.argv.includes(`--${name}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const safe = (t) => String(t).replace(/postgres(ql)?:\/\/[^\s'"]+/g, 'postgres://***');

// ---- child processes: peak memory and @pgkit/migra run apart from this process ----
if (process.argv[2] === '--child') {
  const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const mode = process.argv[3];
  const [urlA, urlB] = [process.env.BENCH_URL_A, process.env.BENCH_URL_B];
  if (mode === 'introspect') {
    const { introspect, compare } = await import(AUDITOR);
    const baseKb = process.resourceUsage().maxRSS; // node + the auditor's modules loaded
    const a = await introspect(urlA);
    const introspectKb = process.resourceUsage().maxRSS;
    const b = await introspect(urlB);
    const drift = compare(a, b);
    out({ baseKb, introspectKb, compareKb: process.resourceUsage().maxRSS, tables: Object.keys(a.tables).length, drift: drift.length });
  } else if (mode === 'migra') {
    const require = createRequire(import.meta.url);
    const { run } = require('@pgkit/migra');
    const { createClient } = createRequire(require.resolve('@pgkit/migra'))('@pgkit/client');
    const repeat = Number(process.env.BENCH_REPEAT ?? '2');
    const [a, b] = [createClient(urlA), createClient(urlB)];
    const runs = [];
    let statements = 0;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const m = await run(a, b, { unsafe: true });
      statements = m.sql.split(';\n').filter((s) => s.trim()).length;
      runs.push(performance.now() - t0);
    }
    out({ runs, statements, maxKb: process.resourceUsage().maxRSS });
    await Promise.allSettled([a.end(), b.end()]);
  }
  process.exit(0);
}

/** Run this script as a child in `mode`; resolves its JSON line, or throws with why. */
function child(mode, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SELF, '--child', mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1);
      if (code === 0 && line?.startsWith('{')) return resolve(JSON.parse(line));
      const why =
        signal === 'SIGKILL'
          ? `did not finish within ${timeoutMs / 1000} s`
          : `exited ${code ?? signal}: ${safe(stderr.trim().split('\n').slice(0, 3).join(' | ')).slice(0, 400)}`;
      reject(new Error(why));
    });
  });
}

const tables = Number(arg('tables', '2000'));
const repeat = Number(arg('repeat', '5'));
const migraTimeout = Number(arg('migra-timeout', '600')) * 1000;

function pgDumpMajor(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const m = r.status === 0 ? /\(PostgreSQL\)\s+(\d+)/.exec(r.stdout) : null;
  return m ? Number(m[1]) : null;
}
function serverMajorOf(binDir) {
  const r = spawnSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = r.status === 0 ? /(\d+)(\.\d+)?/.exec(r.stdout) : null;
  return m ? Number(m[1]) : null;
}
function systemBinDirs() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((x, y) => Number(y) - Number(x))
    .map((v) => join(root, v, 'bin'))
    .filter((d) => ['initdb', 'postgres', 'pg_dump'].every((b) => existsSync(join(d, b))));
}
/** A pg_dump able to dump a server of `major`: --pg-dump, beside the server, /usr/lib/postgresql/N, then PATH. */
function findPgDump(binDir, major) {
  const candidates = [arg('pg-dump'), join(binDir, 'pg_dump'), ...systemBinDirs().map((d) => join(d, 'pg_dump')), 'pg_dump'].filter(
    Boolean,
  );
  const seen = [];
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    const v = pgDumpMajor(c);
    if (v === null) continue;
    if (v >= major) return { path: c, major: v };
    seen.push(`${c} is ${v}`);
  }
  return {
    path: null,
    why:
      `no pg_dump of PostgreSQL ${major} or newer found (pg_dump cannot dump a newer server` +
      `${seen.length ? `; ${seen.join(', ')}` : ''}); pass --pg-dump PATH, or --pg15`,
  };
}
function chooseBinDir() {
  if (arg('bin-dir')) return arg('bin-dir');
  if (flag('pg15')) return '/usr/lib/postgresql/15/bin';
  const embedded = embeddedBinDir();
  if (flag('embedded')) return embedded;
  if (findPgDump(embedded, serverMajorOf(embedded) ?? 17).path) return embedded;
  return systemBinDirs()[0] ?? embedded;
}

async function runStatements(url, statements, batch = 200) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let i = 0; i < statements.length; i += batch) await c.query(statements.slice(i, i + batch).join('\n'));
  } finally {
    await c.end();
  }
}

/** One introspection through a recording client: per-query times, the rest, slow queries' plans. */
async function explain(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const seen = [];
    const rec = {
      query: async (sql, params) => {
        const q0 = performance.now();
        const r = await c.query(sql, params);
        seen.push({ sql, params: params ?? [], ms: performance.now() - q0, rows: r.rowCount ?? 0 });
        return r;
      },
    };
    const e0 = performance.now();
    await introspect(rec);
    const total = performance.now() - e0;
    const inQueries = seen.reduce((n, q) => n + q.ms, 0);
    const oneLine = (sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    console.log(
      `\none introspection through a recording client: ${ms(total)} ms, of which ${seen.length} ` +
        `queries ${ms(inQueries)} ms and the rest (JS, building the Snapshot) ${ms(total - inQueries)} ` +
        `ms`,
    );
    for (const q of [...seen].sort((x, y) => y.ms - x.ms))
      console.log(`  ${ms(q.ms).padStart(6)} ms ${String(q.rows).padStart(7)} rows  ${oneLine(q.sql)}`);
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await c.query("SELECT set_config('search_path', 'public', true), set_config('work_mem', '64MB', true)");
    for (const q of seen.filter((x) => x.ms > 150 && /^\s*(WITH|SELECT)/i.test(x.sql) && !x.sql.includes('set_config'))) {
      const r = await c.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q.sql}`, q.params);
      console.log(`---- ${ms(q.ms)} ms: ${oneLine(q.sql)}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
    }
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
}

const binDir = chooseBinDir();
const { introspect, compare, plan } = await import(AUDITOR);
const server = await startLocalServer({ binDir });
const dump = findPgDump(binDir, server.major);
const rows = [];
const notes = [];
try {
  console.log(
    `PostgreSQL ${server.major} (${binDir}), ${availableParallelism()} cores; ${tables} tables; ` +
      `timings are medians of ${repeat} warm runs unless said`,
  );
  const t0 = performance.now();
  const dbA = await createScratchDatabase(server.url, { prefix: 'bench_audit' });
  await runStatements(dbA.url, largeSchemaStatements(tables));
  const dbB = await createScratchDatabase(server.url, { prefix: 'bench_audit_drift', template: dbA.name });
  await runStatements(dbB.url, driftStatements(tables));
  for (const db of [dbA, dbB]) await runStatements(db.url, ['ANALYZE;']);
  console.log(`schema created in ${ms(performance.now() - t0)} ms (the database and a copy with drift)`);

  // Introspection interleaved with pg_dump --schema-only of the same database, after one warm-up each.
  const u = new URL(dbA.url);
  const dumpArgs = [
    '--schema-only',
    '-h',
    u.hostname,
    '-p',
    u.port,
    '-U',
    decodeURIComponent(u.username),
    '-d',
    decodeURIComponent(u.pathname.slice(1)),
  ];
  const dumpEnv = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
  const runDump = () => {
    const d0 = performance.now();
    const r = spawnSync(dump.path, dumpArgs, { env: dumpEnv, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`pg_dump failed (${r.status}): ${safe(r.stderr).slice(-500)}`);
    return performance.now() - d0;
  };
  let snapA = await introspect(dbA.url);
  if (dump.path) runDump();
  const introspectRuns = [];
  const dumpRuns = [];
  for (let i = 0; i < repeat; i++) {
    const i0 = performance.now();
    snapA = await introspect(dbA.url);
    introspectRuns.push(performance.now() - i0);
    if (dump.path) dumpRuns.push(runDump());
  }
  const snapB = await introspect(dbB.url);
  const introspectMs = median(introspectRuns);
  rows.push({ what: 'introspect', runs: introspectRuns });
  if (dump.path) rows.push({ what: `pg_dump --schema-only (${dump.major})`, runs: dumpRuns });
  else notes.push(`pg_dump: skipped, ${dump.why}`);

  const compareRuns = [];
  let drift = [];
  for (let i = 0; i < Math.max(repeat, 5); i++) {
    const c0 = performance.now();
    drift = compare(snapA, snapB);
    compareRuns.push(performance.now() - c0);
  }
  rows.push({ what: `compare (${drift.length} differences)`, runs: compareRuns });
  const planRuns = [];
  let steps = 0;
  for (let i = 0; i < Math.min(repeat, 3); i++) {
    const p0 = performance.now();
    steps = plan(snapA, snapB).up.length;
    planRuns.push(performance.now() - p0);
  }
  rows.push({ what: `plan (${steps} steps up)`, runs: planRuns });

  // The work migra does: read both databases, diff them.
  const auditRuns = [];
  for (let i = 0; i < Math.min(repeat, 3); i++) {
    const a0 = performance.now();
    compare(await introspect(dbA.url), await introspect(dbB.url));
    auditRuns.push(performance.now() - a0);
  }
  rows.push({ what: 'introspect x2 + compare', runs: auditRuns });

  if (flag('explain')) await explain(dbA.url);

  let memory = null;
  try {
    memory = await child('introspect', { BENCH_URL_A: dbA.url, BENCH_URL_B: dbB.url }, 600_000);
  } catch (err) {
    notes.push(`peak memory: not measured, the child ${err.message}`);
  }

  let migra = null;
  if (flag('no-migra')) notes.push('@pgkit/migra: skipped (--no-migra)');
  else {
    let installed = true;
    try {
      createRequire(import.meta.url).resolve('@pgkit/migra');
    } catch {
      installed = false;
      notes.push('@pgkit/migra: not installed (pnpm install in bench/), skipped');
    }
    if (installed) {
      try {
        migra = await child(
          'migra',
          { BENCH_URL_A: dbA.url, BENCH_URL_B: dbB.url, BENCH_REPEAT: String(Math.min(repeat, 3)) },
          migraTimeout,
        );
        rows.push({ what: `@pgkit/migra A -> B (${migra.statements} statements)`, runs: migra.runs });
      } catch (err) {
        notes.push(`@pgkit/migra: no figure, it ${err.message}`);
      }
    }
  }
  await dbB.drop();
  await dbA.drop();

  console.log(`\n${'operation'.padEnd(44)} ${'median ms'.padStart(10)} ${'best ms'.padStart(8)}  runs`);
  for (const r of rows)
    console.log(
      `${r.what.padEnd(44)} ${ms(median(r.runs)).padStart(10)} ${ms(Math.min(...r.runs)).padStart(8)}  ${r.runs.map(ms).join(' / ')}`,
    );
  const dumpMs = dump.path ? median(dumpRuns) : NaN;
  const compareMs = median(compareRuns);
  const verdict = (ok) => (ok ? 'met' : 'NOT MET');
  console.log('\ntargets (issue 3)');
  console.log(`  introspection < 1500 ms:          ${ms(introspectMs)} ms, ${verdict(introspectMs < 1500)}`);
  if (dump.path)
    console.log(
      `  introspection faster than pg_dump: introspect / pg_dump = ` +
        `${(introspectMs / dumpMs).toFixed(2)}x (pg_dump ${ms(dumpMs)} ms), ` +
        `${verdict(introspectMs < dumpMs)}`,
    );
  else console.log('  introspection faster than pg_dump: not measured (no usable pg_dump, see below)');
  console.log(`  compare < 200 ms:                 ${ms(compareMs)} ms, ${verdict(compareMs < 200)}`);
  if (memory) {
    const mb = (kb) => (kb / 1024).toFixed(0);
    console.log(
      `  peak RSS < 300 MB:                ${mb(memory.introspectKb)} MB after introspecting ` +
        `${memory.tables} tables, ${verdict(memory.introspectKb < 300 * 1024)} (process with the auditor ` +
        `loaded: ${mb(memory.baseKb)} MB; after a second introspection and compare: ` +
        `${mb(memory.compareKb)} MB)`,
    );
  } else console.log('  peak RSS < 300 MB:                not measured (see below)');
  if (migra) {
    const auditMs = median(auditRuns);
    const migraMs = median(migra.runs);
    console.log(
      `peers: (introspect x2 + compare) / @pgkit/migra = ${(auditMs / migraMs).toFixed(2)}x (` +
        `${ms(auditMs)} ms vs ${ms(migraMs)} ms, median of ${migra.runs.length}; migra's peak RSS ` +
        `${(migra.maxKb / 1024).toFixed(0)} MB)`,
    );
  }
  for (const n of notes) console.log(n);
} finally {
  await server.stop();
}
