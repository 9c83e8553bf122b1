#!/usr/bin/env node
// On-demand benchmark of issue 20's speed goals for the auditor, on issue 20's
// schema (bench/large-schema.mjs issue20Statements: 2,000 tables of 8 columns,
// 3 indexes and a foreign key each), every ratio against the peer tool measured
// in the same run, interleaved with it:
//   (a) introspect vs `pg_dump --schema-only` of the same database: time (median
//       of --repeat warm runs) <= 0.5x, and peak memory: the auditor's RSS above
//       Node's own baseline (a process with the auditor loaded) <= 2x pg_dump's
//       peak RSS (both from /usr/bin/time's or process.resourceUsage's maxRSS);
//   (b) a models .sql file of the same schema loaded into a fresh shadow
//       database as snapshotFrom does (`strata audit --models schema.sql`) vs
//       `psql -f` of the same file into a fresh database: <= 1.5x. The load time
//       is the one snapshotFrom reports in its 'models applied' debug event;
//       the whole snapshotFrom (create, load, introspect, drop) is printed too.
//       The load counts the parse of the file (parseMs in that event) and its application.
// --before DIR: a second build of the auditor (a copy of packages/auditor/dist,
// kept inside packages/auditor so that its imports resolve) measured in the same
// run, interleaved, for before/after figures.
// Needs `pnpm build` first. Runs on the newest system PostgreSQL with pg_dump and
// psql (pg_dump cannot dump a newer server; the embedded PostgreSQL ships none).
//   node bench/auditor-speed.mjs [--tables 2000] [--repeat 5] [--load-repeat 3] [--before DIR] [--bin-dir DIR] [--explain]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';
import { issue20Statements } from './large-schema.mjs';

const SELF = fileURLToPath(import.meta.url);
const AFTER = fileURLToPath(new URL('../packages/auditor/dist/index.js', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const mb = (kb) => (kb / 1024).toFixed(0);
const safe = (t) => String(t).replace(/postgres(ql)?:\/\/[^\s'"]+/g, 'postgres://***');

// ---- child: peak memory of one introspection in a process of its own ----
if (process.argv[2] === '--child') {
  const { introspect } = await import(pathToFileURL(process.argv[3]).href);
  const baseKb = process.resourceUsage().maxRSS;
  const snap = await introspect(process.env.BENCH_URL);
  const peakKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ baseKb, peakKb, tables: Object.keys(snap.tables).length })}\n`);
  process.exit(0);
}

const tables = Number(arg('tables', '2000'));
const repeat = Number(arg('repeat', '5'));
const loadRepeat = Number(arg('load-repeat', '3'));
const beforeDir = arg('before');
const builds = [{ name: 'after', file: AFTER }];
if (beforeDir) builds.unshift({ name: 'before', file: join(resolve(beforeDir), 'index.js') });
for (const b of builds) if (!existsSync(b.file)) throw new Error(`${b.file} not found: run pnpm build (or copy dist for --before)`);
for (const b of builds) b.mod = await import(pathToFileURL(b.file).href);

function binDir() {
  if (arg('bin-dir')) return arg('bin-dir');
  const root = '/usr/lib/postgresql';
  const dirs = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((x, y) => Number(y) - Number(x))
    : [];
  const complete = (x) => ['initdb', 'postgres', 'pg_dump', 'psql'].every((b) => existsSync(join(x, b)));
  const d = dirs.map((v) => join(root, v, 'bin')).find(complete);
  if (!d) throw new Error('needs a system PostgreSQL with pg_dump and psql (/usr/lib/postgresql/N/bin), or --bin-dir');
  return d;
}
const TIME = '/usr/bin/time';
/** Run a command under /usr/bin/time when present: wall ms and peak RSS (kB) of the child. */
function timed(cmd, args, env) {
  const useTime = existsSync(TIME);
  const t0 = performance.now();
  const how = { env, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' };
  const r = spawnSync(useTime ? TIME : cmd, useTime ? ['-f', 'MAXRSS %M', cmd, ...args] : args, how);
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${safe(r.stderr).slice(-500)}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { ms: wall, kb: m ? Number(m[1]) : NaN };
}
function child(file, url) {
  return new Promise((res, rej) => {
    const env = { ...process.env, BENCH_URL: url };
    const p = spawn(process.execPath, [SELF, '--child', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(safe(err).slice(0, 400)))));
  });
}

const bin = binDir();
const server = await startLocalServer({ binDir: bin });
const work = mkdtempSync(join(tmpdir(), 'strata-auditor-speed-'));
const rows = [];
const verdicts = [];
let psqlMs = NaN;
try {
  const statements = issue20Statements(tables);
  const sqlFile = join(work, 'schema.sql');
  writeFileSync(sqlFile, `${statements.join('\n\n')}\n`);
  console.log(
    `PostgreSQL ${server.major} (${bin}), ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; ` + `${tables} tables x 8 columns, 3 indexes, 1 foreign key; medians of ${repeat} warm runs (loads: ${loadRepeat})`,
  );
  const db = await createScratchDatabase(server.url, { prefix: 'bench_a20' });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  for (let i = 0; i < statements.length; i += 500) await c.query(statements.slice(i, i + 500).join('\n'));
  await c.query('ANALYZE');
  await c.end();

  // (a) introspection vs pg_dump -s, interleaved, one warm-up each.
  const u = new URL(db.url);
  const conn = ['-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username)];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
  const dumpArgs = ['--schema-only', ...conn, '-d', decodeURIComponent(u.pathname.slice(1))];
  const pgDump = join(bin, 'pg_dump');
  timed(pgDump, dumpArgs, env);
  const snaps = {};
  for (const b of builds) snaps[b.name] = JSON.stringify(await b.mod.introspect(db.url));
  if (beforeDir && snaps.before !== snaps.after) console.log('WARNING: the before and after Snapshots differ');
  const dumpRuns = [];
  const dumpKb = [];
  for (const b of builds) b.runs = [];
  for (let i = 0; i < repeat; i++) {
    for (const b of builds) {
      const t0 = performance.now();
      await b.mod.introspect(db.url);
      b.runs.push(performance.now() - t0);
    }
    const d = timed(pgDump, dumpArgs, env);
    dumpRuns.push(d.ms);
    dumpKb.push(d.kb);
  }
  const dumpMs = median(dumpRuns);
  rows.push({ what: `pg_dump --schema-only`, runs: dumpRuns });
  for (const b of builds) rows.push({ what: `introspect (${b.name})`, runs: b.runs, ratio: median(b.runs) / dumpMs, vs: 'pg_dump' });
  const dumpPeak = Math.max(...dumpKb);
  for (const b of builds) {
    const m = await child(b.file, db.url);
    const over = m.peakKb - m.baseKb;
    const line =
      `memory (${b.name}): peak ${mb(m.peakKb)} MB, Node + auditor baseline ${mb(m.baseKb)} MB, ` +
      `above it ${mb(over)} MB = ${(over / dumpPeak).toFixed(2)}x pg_dump's ${mb(dumpPeak)} MB`;
    verdicts.push(`${line}: goal <= 2x ${over <= 2 * dumpPeak ? 'met' : 'NOT MET'}`);
  }
  if (arg('explain') !== undefined || process.argv.includes('--explain')) {
    const times = [];
    const logger = { debug: (m, f) => m === 'catalogue query' && times.push(f), info() {}, warn() {}, error() {} };
    const t0 = performance.now();
    await builds.at(-1).mod.introspect(db.url, { logger });
    console.log(`\none introspection (after): ${ms(performance.now() - t0)} ms; its queries:`);
    for (const t of times.sort((x, y) => y.ms - x.ms)) {
      console.log(`  ${String(t.ms).padStart(5)} ms ${String(t.rows).padStart(6)} rows  ${t.kind ?? t.query}`);
    }
  }

  // (b) the models file: psql -f into a fresh database vs snapshotFrom's load into a fresh shadow database.
  if (loadRepeat > 0) {
    // A build whose event gives no parse time (the one before batching parsed the same way): parsed here, once.
    const { parseScript } = await import(new URL('../packages/sql/dist/index.js', import.meta.url).href);
    const p0 = performance.now();
    await parseScript(readFileSync(sqlFile, 'utf8'), { file: 'schema.sql', metaCommands: 'report' });
    const parseMs = performance.now() - p0;
    const psql = join(bin, 'psql');
    const psqlRuns = [];
    for (const b of builds) {
      b.loadRuns = [];
      b.wholeRuns = [];
    }
    for (let i = 0; i < loadRepeat; i++) {
      const target = await createScratchDatabase(server.url, { prefix: 'bench_psql' });
      const tu = new URL(target.url);
      const psqlArgs = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...conn, '-d', decodeURIComponent(tu.pathname.slice(1)), '-f', sqlFile];
      psqlRuns.push(timed(psql, psqlArgs, env).ms);
      await target.drop();
      for (const b of builds) {
        let applied = NaN;
        const debug = (m, f) => m === 'models applied' && (applied = f.ms + (f.parseMs ?? parseMs));
        const logger = { debug, info() {}, warn() {}, error() {} };
        const t0 = performance.now();
        const s = await b.mod.snapshotFrom(sqlFile, { shadowUrl: server.url, logger });
        b.wholeRuns.push(performance.now() - t0);
        const read = Object.keys(s.snapshot.tables).length;
        if (read !== tables) throw new Error(`snapshotFrom (${b.name}) read ${read} tables`);
        if (JSON.stringify(s.snapshot) !== snaps.after) console.log(`WARNING: snapshotFrom (${b.name}) differs from the database's`);
        b.loadRuns.push(applied);
      }
    }
    psqlMs = median(psqlRuns);
    rows.push({ what: 'psql -f schema.sql', runs: psqlRuns });
    for (const b of builds) {
      if (b.loadRuns.every((x) => Number.isFinite(x))) {
        rows.push({ what: `models load (${b.name})`, runs: b.loadRuns, ratio: median(b.loadRuns) / psqlMs, vs: 'psql -f' });
      } else rows.push({ what: `models load (${b.name}): no 'models applied' event`, runs: [NaN] });
      rows.push({ what: `snapshotFrom whole (${b.name})`, runs: b.wholeRuns, ratio: median(b.wholeRuns) / psqlMs, vs: 'psql -f' });
    }
  }
  await db.drop();

  console.log(`\n${'operation'.padEnd(34)} ${'median ms'.padStart(10)} ${'best'.padStart(6)}  ratio          runs`);
  for (const r of rows) {
    const ratio = r.ratio ? `${r.ratio.toFixed(2)}x ${r.vs}` : '';
    const figures = `${ms(median(r.runs)).padStart(10)} ${ms(Math.min(...r.runs)).padStart(6)}`;
    console.log(`${r.what.padEnd(34)} ${figures}  ${ratio.padEnd(14)} ${r.runs.map(ms).join(' / ')}`);
  }
  console.log('\ngoals (issue 20)');
  for (const b of builds) {
    const ri = median(b.runs) / dumpMs;
    console.log(`  introspect (${b.name}) / pg_dump -s = ${ri.toFixed(2)}x: goal <= 0.5x ${ri <= 0.5 ? 'met' : 'NOT MET'}`);
    if (loadRepeat === 0) continue;
    const rl = median(b.loadRuns) / psqlMs;
    console.log(`  models load (${b.name}) / psql -f = ${rl.toFixed(2)}x: goal <= 1.5x ${rl <= 1.5 ? 'met' : 'NOT MET'}`);
  }
  for (const v of verdicts) console.log(`  ${v}`);
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await server.stop();
}
