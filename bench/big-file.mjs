#!/usr/bin/env node
// On-demand benchmark: one big migration (10 MB and 50 MB of ordinary
// statements: INSERTs, UPDATEs, a few DDL) through `migrate up` and
// `migrate lint`, beside `psql -f` of the same statements on the same server
// in the same run. Prints wall time and peak memory (max RSS of the process,
// from /usr/bin/time) and the ratios. Goals (issue 16): memory <= 3x the file
// size, time <= 1.3x psql.
//   node bench/big-file.mjs [--sizes 10,50]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '10,50').split(',').map(Number);
const CLI = resolve(import.meta.dirname, '../apps/migrate/dist/bin.cjs');
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error('needs /usr/bin/time (Debian package "time") for peak memory');
const psql = ['/usr/lib/postgresql/15/bin/psql', 'psql'].find((p) => p === 'psql' || existsSync(p));

/** Ordinary statements, about `mb` megabytes: what a data migration or a dump of inserts looks like. */
function statements(mb) {
  const out = ['CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload jsonb, note text);'];
  let size = out[0].length;
  for (let i = 1; size < mb * 1e6; i++) {
    const s =
      i % 50 === 0
        ? `UPDATE events SET note = 'checked ${i}' WHERE id = ${i - 1};`
        : `INSERT INTO events (id, kind, payload, note) VALUES (${i}, 'signup', '{"plan": "free", "n": ` +
          `${i}, "tags": ["a", "b"]}', 'imported -- from the old system; row ${i}');`;
    out.push(s);
    size += s.length + 1;
  }
  return out.join('\n');
}

/**
 * Run a command under /usr/bin/time: wall seconds and max RSS in MB. Asynchronous on purpose: the
 * embedded server's log pipe is read by this process, and a blocked event loop would stall its backends.
 */
function measure(cmd, args, opts) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TIME, ['-f', '%e %M', cmd, ...args], { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      const [wall, rssKb] = last.split(' ').map(Number);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-1500)}`));
      else resolvePromise({ seconds: wall, rssMb: rssKb / 1024 });
    });
  });
}

const server = await startLocalServer();
try {
  for (const mb of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-big-'));
    try {
      const body = statements(mb);
      writeFileSync(join(dir, 'plain.sql'), `BEGIN;\n${body}\nCOMMIT;\n`);
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(
        join(dir, 'migrations', '0001_load.sql'),
        `-- revision: big000000001\n-- parents: none\n\n-- migrate:up\n${body}\n\n-- migrate:down\nDROP TABLE events;\n`,
      );
      const fileMb = statSync(join(dir, 'migrations', '0001_load.sql')).size / 1e6;
      const a = await createScratchDatabase(server.url, { prefix: 'bench_big_psql' });
      const b = await createScratchDatabase(server.url, { prefix: 'bench_big_strata' });
      try {
        const p = await measure(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(dir, 'plain.sql'), a.url], { cwd: dir });
        const up = await measure(process.execPath, [CLI, 'up', '--allow-data-loss'], {
          cwd: dir,
          env: { ...process.env, DATABASE_URL: b.url },
        });
        const lint = await measure(process.execPath, [CLI, 'lint', 'migrations/0001_load.sql'], { cwd: dir, env: { ...process.env } });
        const row = (name, m) =>
          `  ${name.padEnd(14)} ${m.seconds.toFixed(1).padStart(6)} s ${m.rssMb.toFixed(0).padStart(6)} ` +
          `MB peak (${(m.rssMb / fileMb).toFixed(2)}x the file)`;
        console.log(`${fileMb.toFixed(1)} MB migration, ${body.split('\n').length} statements:`);
        console.log(row('psql -f', p));
        console.log(
          `${row('migrate up', up)}  time ${(up.seconds / p.seconds).toFixed(2)}x psql (goal <= 1.3x), ` +
            `memory goal <= 3x: ${up.rssMb <= 3 * fileMb ? 'met' : 'MISSED'}`,
        );
        console.log(`${row('migrate lint', lint)}  memory goal <= 3x: ${lint.rssMb <= 3 * fileMb ? 'met' : 'MISSED'}`);
      } finally {
        await a.drop();
        await b.drop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await server.stop();
}
