#!/usr/bin/env node
// On-demand benchmark (pnpm bench): whole processes, same server, same run.
// Strata's `migrate` against node-pg-migrate and Kysely's Migrator, each as a
// ratio to `psql -1 -f` of the same SQL (the lower bound).
//   node bench/run.mjs [--n 200,1000] [--repeat 3] [--unset VAR,...]
// --unset removes environment variables from every timed process, the peers'
// and psql's alike: e.g. --unset NODE_EXTRA_CA_CERTS where a machine's
// environment makes each Node.js start load a certificate bundle (~40 ms here)
// that none of the tools uses against a loopback server.
// Strata runs with --no-lint: the workload indexes existing tables without
// CONCURRENTLY (the peers do not lint), and linting is timed in bench/lint.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalServer, createScratchDatabase } from '@pg-strata/pg-server';
import { workload, writeStrataMigrations } from './workload.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('n', '200,1000').split(',').map(Number);
const unset = arg('unset', '').split(',').filter(Boolean);
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !unset.includes(k)));
const repeat = Number(arg('repeat', '3'));
const here = import.meta.dirname;
const CLI = resolve(here, '../apps/migrate/dist/bin.cjs');
const NPM_BIN = resolve(here, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js');
const psql = process.env.PSQL ?? 'psql';

function time(cmd, args, env, cwd) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: { ...baseEnv, ...env }, cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const dt = performance.now() - t0;
  if (r.status !== 0) {
    const safe = (t) => t.replace(/postgres(ql)?:\/\/[^\s]+/g, 'postgres://***');
    throw new Error(`${cmd} ${safe(args.join(' '))} failed (${r.status}):\n${safe((r.stderr || r.stdout).slice(-2000))}`);
  }
  return dt;
}

function writeNpm(dir, migs) {
  mkdirSync(dir, { recursive: true });
  migs.forEach((m, i) =>
    writeFileSync(join(dir, `${String(1000000 + i + 1)}_m${i + 1}.sql`), `-- Up Migration\n${m.up}\n\n-- Down Migration\n${m.down}\n`),
  );
}
function writeKysely(dir, migs) {
  mkdirSync(join(dir, 'm'), { recursive: true });
  const kysely = JSON.stringify(import.meta.resolve('kysely'));
  migs.forEach((m, i) =>
    writeFileSync(
      join(dir, 'm', `${String(i + 1).padStart(5, '0')}_m.mjs`),
      `import { sql } from ${kysely};\nexport async function up(db) { await sql.raw(` +
        `${JSON.stringify(m.up)}).execute(db); }\nexport async function down(db) { await sql.raw(` +
        `${JSON.stringify(m.down)}).execute(db); }\n`,
    ),
  );
  const kyselyUrl = import.meta.resolve('kysely');
  const pgUrl = import.meta.resolve('pg');
  writeFileSync(
    join(dir, 'run.mjs'),
    `import { Kysely, Migrator, PostgresDialect, FileMigrationProvider, NO_MIGRATIONS } from ${JSON.stringify(kyselyUrl)};
import pg from ${JSON.stringify(pgUrl)};
import { promises as fs } from 'node:fs'; import path from 'node:path';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 }) }) });
const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, ` +
      `migrationFolder: path.join(import.meta.dirname, 'm') }) });
const r = process.argv[2] === 'down' ? await migrator.migrateTo(NO_MIGRATIONS) : await migrator.migrateToLatest();
await db.destroy();
if (r.error) { console.error(r.error); process.exit(1); }
`,
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startLocalServer();
const results = [];
try {
  for (const n of sizes) {
    const migs = workload(n);
    const root = mkdtempSync(join(tmpdir(), 'strata-bench-'));
    writeFileSync(join(root, 'all.sql'), migs.map((m) => m.up).join('\n'));
    writeStrataMigrations(join(root, 'strata', 'migrations'), migs);
    writeNpm(join(root, 'npm', 'migrations'), migs);
    writeKysely(join(root, 'kysely'), migs);
    const row = (tool, op, samples) => results.push({ n, tool, op, ms: median(samples) });
    const fresh = async () => createScratchDatabase(server.url, { prefix: 'bench' });
    const runs = {
      node: [],
      psql: [],
      strataUp: [],
      strataStatus: [],
      strataNoop: [],
      strataDown: [],
      npmUp: [],
      npmNoop: [],
      npmDown: [],
      kyUp: [],
      kyNoop: [],
      kyDown: [],
    };
    for (let r = 0; r < repeat; r++) {
      // The floor under every Node.js tool here: starting node and doing nothing.
      runs.node.push(time('node', ['-e', ''], {}));
      let db = await fresh();
      runs.psql.push(time(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', join(root, 'all.sql'), db.url], {}));
      await db.drop();

      db = await fresh();
      const sEnv = { DATABASE_URL: db.url };
      const sCwd = join(root, 'strata');
      runs.strataUp.push(time('node', [CLI, 'up', '--no-lint'], sEnv, sCwd));
      runs.strataStatus.push(time('node', [CLI, 'status'], sEnv, sCwd));
      runs.strataNoop.push(time('node', [CLI, 'up', '--no-lint'], sEnv, sCwd));
      runs.strataDown.push(time('node', [CLI, 'down', 'base', '--allow-data-loss'], sEnv, sCwd));
      await db.drop();

      db = await fresh();
      const nEnv = { DATABASE_URL: db.url };
      const nCwd = join(root, 'npm');
      const nArgs = ['--no-verbose', '--single-transaction', 'false', '--migrations-dir', 'migrations'];
      runs.npmUp.push(time('node', [NPM_BIN, 'up', ...nArgs], nEnv, nCwd));
      runs.npmNoop.push(time('node', [NPM_BIN, 'up', ...nArgs], nEnv, nCwd));
      runs.npmDown.push(time('node', [NPM_BIN, 'down', String(n), ...nArgs], nEnv, nCwd));
      await db.drop();

      db = await fresh();
      const kEnv = { DATABASE_URL: db.url };
      runs.kyUp.push(time('node', [join(root, 'kysely', 'run.mjs')], kEnv));
      runs.kyNoop.push(time('node', [join(root, 'kysely', 'run.mjs')], kEnv));
      runs.kyDown.push(time('node', [join(root, 'kysely', 'run.mjs'), 'down'], kEnv));
      await db.drop();
    }
    row('psql -1 -f (lower bound)', 'up', runs.psql);
    row("node -e '' (Node.js start)", 'nothing', runs.node);
    row('strata', 'up', runs.strataUp);
    row('strata', 'status', runs.strataStatus);
    row('strata', 'no-op up', runs.strataNoop);
    row('strata', 'down base', runs.strataDown);
    row('node-pg-migrate', 'up', runs.npmUp);
    row('node-pg-migrate', 'no-op up', runs.npmNoop);
    row('node-pg-migrate', 'down all', runs.npmDown);
    row('kysely Migrator', 'up', runs.kyUp);
    row('kysely Migrator', 'no-op up', runs.kyNoop);
    row('kysely Migrator', 'down all', runs.kyDown);
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await server.stop();
}

for (const n of sizes) {
  const base = results.find((r) => r.n === n && r.tool.startsWith('psql')).ms;
  console.log(
    `\nN = ${n} migrations (median of ${repeat}; ratios against psql -1 -f of the same SQL = ` +
      `${base.toFixed(0)} ms)` +
      `${unset.length ? `; unset in every timed process: ${unset.join(', ')}` : ''}`,
  );
  console.log(`${'tool'.padEnd(26)} ${'operation'.padEnd(10)} ${'ms'.padStart(8)}  ratio`);
  for (const r of results.filter((x) => x.n === n)) {
    console.log(`${r.tool.padEnd(26)} ${r.op.padEnd(10)} ${r.ms.toFixed(0).padStart(8)}  ${(r.ms / base).toFixed(2)}x`);
  }
}
