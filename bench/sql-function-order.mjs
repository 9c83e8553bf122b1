#!/usr/bin/env node
// Issue 20 (helper D): LANGUAGE sql functions whose string bodies call each other, on material nobody here wrote:
// the contrib extension scripts of the server (read at run time from `pg_config --sharedir`/extension, never copied).
// Each script is loaded into a scratch database as user objects (not as an extension: `\echo` lines dropped,
// @extschema@ -> public, MODULE_PATHNAME -> $libdir/<name>), after the extensions it requires. Then Strata's
// `diff --from <empty> --to <loaded> --sql` is applied to an empty database with psql ON_ERROR_STOP *without* the
// plan's `SET check_function_bodies = off`, so each SQL body is checked when it is created: that passes only if every
// function comes after the functions it calls. The re-diff must be empty.
//
//   node bench/sql-function-order.mjs --url postgres://postgres@localhost:5432/postgres [--extdir DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asUserObjects } from './contrib-scripts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../apps/migrate/dist/bin.cjs');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = opt('url');
if (!url) {
  console.error('usage: node bench/sql-function-order.mjs --url postgres://... [--extdir DIR]');
  process.exit(2);
}
const extdir = opt('extdir') ?? join(execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim(), 'extension');
const dbUrl = (db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const psql = (u, input) => spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', u], { input, encoding: 'utf8' });
const strata = (...a) => spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8' });

// Scripts with LANGUAGE sql functions, and the extensions they need installed first.
const CASES = [
  { script: 'earthdistance--1.1.sql', requires: ['cube'] },
  { script: 'citext--1.4.sql', requires: [] },
  { script: 'lo--1.1.sql', requires: [] },
];

const tmp = mkdtempSync(join(tmpdir(), 'strata-sqlfn-'));
const rows = [];
try {
  for (const c of CASES) {
    const name = c.script.split('--')[0];
    const text = asUserObjects(readFileSync(join(extdir, c.script), 'utf8'), { module: `$libdir/${name}` });
    const sqlFunctions = (text.match(/LANGUAGE\s+'?sql'?/gi) ?? []).length;
    const [src, dst] = [`sqlfn_src_${name}`, `sqlfn_dst_${name}`];
    for (const db of [src, dst]) psql(url, `DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db};`);
    const load = psql(dbUrl(src), `${c.requires.map((e) => `CREATE EXTENSION ${e};`).join('\n')}\n${text}`);
    if (load.status !== 0) throw new Error(`${c.script} did not load: ${load.stderr}`);
    const diff = strata('diff', '--from', dbUrl(dst), '--to', dbUrl(src), '--sql');
    // Exit 1 with "-- not handled: ..." lines first when the script has kinds Strata does not write yet (operators...).
    if (diff.status !== 0 && !/^-- not handled: /m.test(diff.stdout)) throw new Error(`diff failed for ${c.script}: ${diff.stderr}`);
    const notHandled = (diff.stdout.match(/^-- not handled: .*$/gm) ?? []).map((l) => l.slice(3));
    const up = diff.stdout.replace(/^SET check_function_bodies = off;\n/m, '');
    if (args.includes('--show'))
      console.error(
        up
          .split('\n')
          .filter((l) => l.startsWith('CREATE OR REPLACE FUNCTION'))
          .join('\n'),
      );
    writeFileSync(join(tmp, `${name}.sql`), up);
    const applied = psql(dbUrl(dst), up);
    const rediff = strata('diff', '--from', dbUrl(dst), '--to', dbUrl(src));
    rows.push({
      script: c.script,
      sqlFunctions,
      notHandled,
      applied: applied.status === 0 ? 'yes' : `no: ${applied.stderr.split('\n').find((l) => l.includes('ERROR')) ?? applied.stderr}`,
      rediff: rediff.stdout.trim().split('\n')[0],
    });
    for (const db of [src, dst]) psql(url, `DROP DATABASE IF EXISTS ${db};`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log('| script | LANGUAGE sql functions | not handled (left out) | applied with check_function_bodies on | re-diff |');
console.log('|---|---|---|---|---|');
const byKind = (list) => {
  const n = new Map();
  for (const l of list) {
    const kind =
      /^not handled: (operator class|operator family|foreign-data wrapper|foreign table|statistics object|access method|\w+)/.exec(
        l,
      )?.[1] ?? l;
    n.set(kind, (n.get(kind) ?? 0) + 1);
  }
  return [...n].map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
};
for (const r of rows)
  console.log(`| ${r.script} | ${r.sqlFunctions} | ${byKind(r.notHandled)} | ${r.applied} | ${r.rediff.replace(/postgres\S*/g, '…')} |`);
process.exitCode = rows.every((r) => r.applied === 'yes' && r.rediff.startsWith('No drift')) ? 0 : 1;
