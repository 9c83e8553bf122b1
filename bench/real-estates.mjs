#!/usr/bin/env node
// `migrate convert` on real estates written by other people (issue 18).
//
// Given a folder of snapshots (one sub-folder per estate, the project's files
// as of one commit), for each estate:
//   1. builds its "production" on a scratch database of a system PostgreSQL
//      (with the extensions installed there, PostGIS included) by running its
//      own scripts in order: `.sql` files with psql (a failing statement is
//      reported and the rest goes on, as it did when people ran them), Python
//      scripts with the system python3 and DATABASE_URL set, shell scripts with
//      bash; each step with a time limit. The order is the converter's own
//      (numbers, dates in names, then paths) unless the estate lists one;
//   2. runs `migrate convert --write --json` (the built CLI) against it, timed;
//   3. applies every written migration (baseline first) with `migrate up` on an
//      empty database, and reads the verify step's "baseline = production";
//   4. counts the scripts found against the files that hold SQL or call psql.
// Prints a Markdown table (for docs/real-estates.md) and writes a JSON report.
//
// Snapshots are made from local git mirrors, never copied into this repository:
//   node bench/real-estates.mjs --snapshots /tmp/estates --mirrors /work/.mirror [--only name] [--json out.json]
// A missing snapshot folder is filled with `git archive <commit>` from
// <mirrors>/<owner>+<name>/repo when that mirror exists. Needs `pnpm build`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startLocalServer, createScratchDatabase } from '@pg-strata/pg-server';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '../apps/migrate/dist/bin.cjs');

/** The estates: public projects with fix_/migrate_/add_ scripts next to SQLAlchemy models and raw SQL. */
export const ESTATES = [
  { name: 'jyotiflow-ai', repo: 'voicebootix/jyotiflow-ai', commit: '1c388073' },
  { name: 'L1', repo: 'AdityaLanka04/L1', commit: '58aca168' },
  { name: 'Commuto', repo: 'Aryan-B-Parikh/Commuto', commit: '1a72015a' },
  { name: 'opendatamanager', repo: 'PepeluiMoreno/opendatamanager', commit: '55432923' },
  { name: 'grovi_backend', repo: 'Bigbossmskub/grovi_backend', commit: '979a5293' },
  { name: 'blockflow_v5', repo: 'kavyanshverma047-maker/blockflow_v5', commit: '5cdee8d9' },
  { name: 'legacy (this repository)', local: join(here, '../legacy'), productionRecipe: true },
];

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SKIP_DIRS = new Set(['node_modules', '.git', 'archived', 'venv', '.venv', '__pycache__', 'dist', 'build', 'site-packages']);
const DB_TEXT = new RegExp(
  String.raw`\b(?:ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX|CREATE\s+TABLE|DROP\s+(?:TABLE|INDEX)|` +
    String.raw`INSERT\s+INTO|UPDATE\s+["\w.]+\s+SET|DELETE\s+FROM)\b`,
  'i',
);
const RUNS_SQL = /\.execute\w*\s*\(|\bpsql\b|\.query\s*\(|exec_driver_sql|\bsqlite3\b|\bexecutescript\b/;

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Files that change a database by their text: SQL files with DDL/DML, code that runs such SQL. */
function presentScripts(root) {
  const out = [];
  for (const f of walk(root)) {
    const ext = extname(f).toLowerCase();
    if (!['.py', '.sql', '.sh'].includes(ext)) continue;
    if (/(^|\/)(tests?|alembic\/versions)\//.test(relative(root, f)) || /(^|\/)test_[^/]*$/.test(relative(root, f))) continue;
    if (statSync(f).size > 2_000_000) continue;
    const text = readFileSync(f, 'utf8');
    if (!DB_TEXT.test(text)) continue;
    if (ext !== '.sql' && !RUNS_SQL.test(text)) continue;
    out.push(relative(root, f));
  }
  return out.sort();
}

function snapshot(estate, dir, mirrors) {
  if (estate.local) return estate.local;
  const target = join(dir, estate.name);
  if (existsSync(target)) return target;
  const gitDir = join(mirrors ?? '', `${estate.repo.replace('/', '+')}`, 'repo');
  if (!mirrors || !existsSync(gitDir)) return null;
  // Only the text files a conversion reads (a mirror may lack its largest blobs, so no `git archive`).
  mkdirSync(target, { recursive: true });
  const listing = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-l', estate.commit], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wanted = listing
    .split('\n')
    .map((l) => /^\d+ blob ([0-9a-f]+)\s+(\d+|-)\t(.*)$/.exec(l))
    .filter(
      (m) =>
        m !== null &&
        /\.(py|sql|sh|js|ts|mjs|cjs|txt|toml|cfg|ini|md)$/i.test(m[3]) &&
        Number(m[2]) < 2_000_000 &&
        !m[3].split('/').some((part) => SKIP_DIRS.has(part)),
    );
  const batch = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
    input: wanted.map((m) => m[1]).join('\n') + '\n',
    maxBuffer: 1 << 30,
  });
  const buf = batch.stdout;
  let at = 0;
  for (const m of wanted) {
    const nl = buf.indexOf(10, at);
    const head = buf.subarray(at, nl).toString();
    at = nl + 1;
    if (/ missing$/.test(head)) continue;
    const size = Number(head.split(' ')[2]);
    const file = join(target, m[3]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, buf.subarray(at, at + size));
    at += size + 1;
  }
  return target;
}

// Asynchronous on purpose: the scratch server's log goes through this process, and a
// blocked event loop (spawnSync) would stop it, and with it every backend that logs.
const run = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const t = performance.now();
    const { input, timeout = 600_000, ...rest } = opts;
    const child = spawn(cmd, args, { ...rest, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 128 : (code ?? 1), stdout, stderr, ms: performance.now() - t });
    });
  });

function applyMessage(r) {
  try {
    const j = JSON.parse(r.stdout);
    return String(j.error?.message ?? JSON.stringify(j).slice(0, 400));
  } catch {
    return (r.stderr || r.stdout).split('\n').filter(Boolean).slice(0, 3).join(' ').slice(0, 400);
  }
}

/** Run the estate's own scripts, in the converter's order, on `url`: what production went through. */
async function buildProduction(root, order, url, psqlBin) {
  const env = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    PGOPTIONS: '-c statement_timeout=20s -c lock_timeout=5s',
    DATABASE_URL: url,
    POSTGRES_URL: url,
    SQLALCHEMY_DATABASE_URL: url,
    DB_URL: url,
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const steps = [];
  for (const path of order) {
    const abs = join(root, path);
    const ext = extname(path).toLowerCase();
    let r;
    if (ext === '.sql')
      r = await run(join(psqlBin, 'psql'), ['-X', '-q', '-d', url, '-f', abs], {
        env: { ...env, PGOPTIONS: '-c statement_timeout=20s -c lock_timeout=5s' },
        timeout: 30_000,
        input: '',
      });
    else if (ext === '.py') r = await run('/usr/bin/python3', [abs], { cwd: dirname(abs), env, timeout: 8_000, input: '' });
    else if (ext === '.sh')
      r = await run('bash', [abs], { cwd: dirname(abs), env: { ...env, PATH: `${psqlBin}:${env.PATH}` }, timeout: 8_000, input: '' });
    else continue;
    const errors = (r.stderr.match(/ERROR: /g) ?? []).length;
    steps.push({
      path,
      code: r.code,
      errors,
      ok: r.code === 0 && errors === 0,
      note:
        r.code === 0 && errors === 0
          ? ''
          : (r.stderr.split('\n').find((l) => /ERROR|Error|error/.test(l)) ?? r.stderr.split('\n').filter(Boolean).at(-1) ?? '').slice(
              0,
              160,
            ),
    });
  }
  return steps;
}

async function main() {
  const snapshots = arg('snapshots', join(tmpdir(), 'strata-estates'));
  const mirrors = arg('mirrors');
  const only = arg('only');
  const jsonOut = arg('json');
  mkdirSync(snapshots, { recursive: true });
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm turbo run build first.`);
  const psqlBin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  const server = await startLocalServer({ binDir: psqlBin });
  const results = [];
  try {
    for (const estate of ESTATES) {
      if (only && estate.name !== only) continue;
      const root = snapshot(estate, snapshots, mirrors);
      if (root === null) {
        results.push({ name: estate.name, skipped: 'no snapshot and no mirror' });
        continue;
      }
      const work = mkdtempSync(join(tmpdir(), 'strata-estate-'));
      const copy = join(work, 'estate');
      execFileSync('cp', ['-r', root, copy]);
      const prod = await createScratchDatabase(server.url, { prefix: 'estate_prod' });
      const empty = await createScratchDatabase(server.url, { prefix: 'estate_apply' });
      try {
        // The order the converter assumes (a dry run), then production built by running the scripts in it.
        const dry = await run(process.execPath, [CLI, 'convert', copy, '--url', prod.url, '--out', join(work, 'migrations'), '--json'], {
          cwd: work,
        });
        let order = [];
        try {
          order = JSON.parse(dry.stdout)
            .result.plan.scripts.map((s) => [s.order.position, s.path])
            .sort((a, b) => a[0] - b[0])
            .map((x) => x[1]);
        } catch {
          // a crash: reported below by the real run
        }
        let steps;
        if (estate.productionRecipe) {
          const { buildProduction: recipe } = await import(join(estate.local, 'production/build.mjs'));
          await recipe(prod.url, { pg });
          steps = [{ path: 'production/recipe.json', ok: true, code: 0, errors: 0, note: '' }];
        } else steps = await buildProduction(copy, order, prod.url, psqlBin);
        const convert = await run(
          process.execPath,
          [
            CLI,
            'convert',
            copy,
            '--url',
            prod.url,
            '--out',
            join(work, 'migrations'),
            '--write',
            '--shadow-url',
            server.url,
            '--json',
            ...(estate.local ? ['--file', 'backend/main.py'] : []),
          ],
          { cwd: work, timeout: 240_000 },
        );
        let out = null;
        try {
          // The --json envelope (docs/json.md): a result unless the command failed (exit 2, 3).
          out = JSON.parse(convert.stdout).result ?? null;
        } catch {
          out = null;
        }
        const crashed = convert.code === 4 || (out === null && convert.code !== 2 && convert.code !== 3 && convert.code !== 128);
        const timedOut = convert.code === 128;
        const apply = out?.written
          ? await run(process.execPath, [CLI, 'up', '--url', empty.url, '--migrations', join(work, 'migrations'), '--json'], { cwd: work })
          : null;
        const baselineRow = out?.verify?.rows?.find((r) => r.check.startsWith('baseline'));
        const present = presentScripts(copy);
        const found = out?.plan?.scripts?.map((s) => s.path) ?? [];
        results.push({
          name: estate.name,
          repo: estate.repo ?? 'legacy/',
          commit: estate.commit ?? 'working tree',
          present: present.length,
          found: found.length,
          missed: present.filter((p) => !found.includes(p)),
          counts: out?.plan?.counts ?? null,
          crashed,
          timedOut,
          exit: convert.code,
          error:
            out === null ? convert.stderr.split('\n').filter(Boolean).slice(0, 3).join(' ') || convert.stdout.slice(0, 300) : undefined,
          migrations: out?.written?.migrations?.length ?? 0,
          applies: apply === null ? null : apply.code === 0,
          applyError: apply && apply.code !== 0 ? applyMessage(apply) : undefined,
          baselineEqualsProduction: baselineRow ? baselineRow.ok : null,
          baselineDifferences: baselineRow && !baselineRow.ok ? baselineRow.differences.slice(0, 5).map((d) => d.message) : undefined,
          productionSteps: { run: steps.length, clean: steps.filter((s) => s.ok).length },
          convertSeconds: Number((convert.ms / 1000).toFixed(2)),
        });
      } finally {
        await prod.drop().catch(() => {});
        await empty.drop().catch(() => {});
        rmSync(work, { recursive: true, force: true });
      }
      const r = results.at(-1);
      console.error(
        `${r.name}: found ${r.found}/${r.present}, crashed ${r.crashed}, exit ${r.exit}, applies ` +
          `${r.applies}, baseline=production ${r.baselineEqualsProduction}, ${r.convertSeconds}s`,
      );
    }
  } finally {
    await server.stop();
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
  const cls = (c) =>
    c
      ? Object.entries(c)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')
      : '';
  console.log(
    '| estate | scripts found / present | classes | crashed | exit | migrations apply | baseline = ' +
      'production | production steps clean | convert time |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (r.skipped) {
      console.log(`| ${r.name} | skipped: ${r.skipped} | | | | | | | |`);
      continue;
    }
    console.log(
      `| ${r.name} (${r.repo}@${r.commit}) | ${r.found} / ${r.present} | ${cls(r.counts)} | ` +
        `${r.crashed ? 'yes' : r.timedOut ? 'timed out' : 'no'} | ${r.exit} | ` +
        `${r.applies === null ? 'n/a' : r.applies ? `yes (${r.migrations})` : 'NO'} | ` +
        `${r.baselineEqualsProduction === null ? 'n/a' : r.baselineEqualsProduction ? 'yes' : 'NO'} | ` +
        `${r.productionSteps.clean} / ${r.productionSteps.run} | ${r.convertSeconds} s |`,
    );
  }
}

await main();
