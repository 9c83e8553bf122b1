#!/usr/bin/env node
// On-demand benchmark: `migrate lint` on N generated migrations, timed as a
// whole process (node start-up, WASM parser load, reading, parsing, rules).
// The target is under 3 s for 1,000 migrations.
// Then, on an embedded PostgreSQL at head, a no-op `migrate up` (which asks
// the database whether anything is pending before linting) against
// `migrate up --no-lint`: the lint gate must keep a no-op up cheap.
//   node bench/lint.mjs [--n 1000] [--repeat 3] [--no-up]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';
import { writeStrataMigrations } from './workload.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', '1000'));
const repeat = Number(arg('repeat', '3'));
const CLI = resolve(import.meta.dirname, '../apps/migrate/dist/bin.cjs');

// A realistic mix: new tables with indexes and foreign keys, added columns,
// concurrent indexes in non-transactional migrations, data fixes, some findings.
function body(i) {
  const t = `t${i}`;
  const prev = `t${i - ((i - 1) % 5)}`;
  switch (i % 5) {
    case 1:
      return {
        up:
          `CREATE TABLE ${t} (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n  created_at ` +
          `timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX ${t}_name ON ${t} (name);\nCOMMENT ON ` +
          `TABLE ${t} IS 'table ${i}';`,
        down: `DROP TABLE ${t};`,
      };
    case 2:
      return {
        up: `ALTER TABLE ${prev} ADD COLUMN note_${i} text;\nALTER TABLE ${prev} ADD COLUMN flag_${i} boolean NOT NULL DEFAULT false;`,
        down: `ALTER TABLE ${prev} DROP COLUMN flag_${i};\nALTER TABLE ${prev} DROP COLUMN note_${i};`,
      };
    case 3:
      return {
        header: '-- transactional: false\n',
        up: `CREATE INDEX CONCURRENTLY ${prev}_created_${i} ON ${prev} (created_at);`,
        down: `DROP INDEX CONCURRENTLY ${prev}_created_${i};`,
      };
    case 4:
      return {
        up:
          `UPDATE ${prev} SET note_${i - 2} = 'n/a' WHERE note_${i - 2} IS NULL;\nALTER TABLE ${prev} ADD ` +
          `CONSTRAINT ${prev}_chk_${i} CHECK (length(name) < 500) NOT VALID;`,
        down: `ALTER TABLE ${prev} DROP CONSTRAINT ${prev}_chk_${i};`,
      };
    default:
      return {
        up:
          `CREATE INDEX ${prev}_name_created_${i} ON ${prev} (name, created_at);\nALTER TABLE ${prev} ` +
          `RENAME COLUMN note_${i - 3} TO remark_${i};`,
        down: `ALTER TABLE ${prev} RENAME COLUMN remark_${i} TO note_${i - 3};\nDROP INDEX ${prev}_name_created_${i};`,
      };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'strata-bench-lint-'));
try {
  writeStrataMigrations(
    join(dir, 'migrations'),
    Array.from({ length: n }, (_, i) => body(i + 1)),
  );
  const times = [];
  let summary = '';
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'lint', '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`migrate lint failed (${r.status}):\n${r.stderr.slice(-2000)}`);
    const findings = JSON.parse(r.stdout).result.findings; // the --json envelope (docs/json.md)
    summary = `${findings.length} findings (${findings.filter((f) => f.severity === 'error').length} errors)`;
  }
  const best = Math.min(...times);
  console.log(
    `migrate lint, ${n} migrations: best ${best.toFixed(0)} ms, runs ` +
      `${times.map((t) => t.toFixed(0)).join(' / ')} ms; ${summary}; target < 3000 ms: ` +
      `${best < 3000 ? 'met' : 'MISSED'}`,
  );
  if (!process.argv.includes('--no-up')) {
    const server = await startLocalServer();
    try {
      const db = await createScratchDatabase(server.url, { prefix: 'bench_lint' });
      const env = { ...process.env, DATABASE_URL: db.url };
      const applied = spawnSync(process.execPath, [CLI, 'up', '--no-lint', '--allow-data-loss'], { cwd: dir, env, encoding: 'utf8' });
      if (applied.status !== 0) throw new Error(`migrate up failed (${applied.status}):\n${applied.stderr.slice(-2000)}`);
      const timeUp = (args) => {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [CLI, 'up', ...args], { cwd: dir, env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`migrate up ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
        return performance.now() - t0;
      };
      const gated = [];
      const plain = [];
      for (let k = 0; k < repeat; k++) {
        gated.push(timeUp([]));
        plain.push(timeUp(['--no-lint']));
      }
      console.log(
        `no-op migrate up at head, ${n} migrations: with the lint gate best ` +
          `${Math.min(...gated).toFixed(0)} ms, with --no-lint best ${Math.min(...plain).toFixed(0)} ms ` +
          `(runs ${gated.map((t) => t.toFixed(0)).join(' / ')} vs ` +
          `${plain.map((t) => t.toFixed(0)).join(' / ')} ms)`,
      );
      await db.drop();
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
