#!/usr/bin/env node
// Issue 20: PostgreSQL's own contrib extension scripts as real material for the auditor's operator,
// operator class / family and text search parser / template kinds. Each extension's install script
// (and the update scripts up to its default version) is read at run time from the server's
// extension directory, the extension wrapper stripped (`\echo`, ALTER EXTENSION, @extschema@ ->
// public, MODULE_PATHNAME -> the control file's module), and loaded with psql ON_ERROR_STOP into
// a scratch database: NOT as an extension, so every object is the user's. Then Strata's
// `diff --from <empty> --to <loaded> --sql` is applied to an empty database with psql
// ON_ERROR_STOP, and `diff --exit-code` between the two must find no drift.
//
// Base types (CREATE TYPE with INPUT / OUTPUT functions) and casts are kinds Strata does not
// create yet: their statements (with the functions they name) form a prelude that is loaded into
// the empty and the destination database too, so that what is measured is everything else.
//
//   node bench/contrib-kinds.mjs --url postgres://postgres@127.0.0.1:5432/postgres \
//     [--extdir "$(pg_config --sharedir)/extension"] [--only btree_gist,cube] [--keep]
//
// Nothing of the scripts is copied into this repository; the table it prints goes to the auditor README.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asUserObjects } from './contrib-scripts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../apps/migrate/dist/bin.cjs');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = opt('url') ?? process.env.CONTRIB_KINDS_URL;
if (!url) {
  console.error('usage: node bench/contrib-kinds.mjs --url postgres://... [--extdir DIR] [--only a,b] [--keep]');
  process.exit(2);
}
const extdir = opt('extdir') ?? join(execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim(), 'extension');
/** The contrib extensions that hold operators, classes, families, parsers or templates (and what they need). */
const DEFAULT = [
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dict_int',
  'dict_xsyn',
  'earthdistance',
  'hstore',
  'intarray',
  'isn',
  'ltree',
  'pg_trgm',
  'seg',
  'unaccent',
];
const only = opt('only')?.split(',') ?? DEFAULT;
const dbUrl = (db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const safe = (s) => s.replace(/postgres(ql)?:\/\/\S+/g, 'postgres://***');
const psql = (db, file) =>
  spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(db), '-f', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
const psqlC = (db, sql) => execFileSync('psql', ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(db), '-c', sql], { encoding: 'utf8' });
const strata = (...a) => spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8', maxBuffer: 256 << 20 });

/** The control file's settings (`default_version`, `module_pathname`, `requires`). */
function control(ext) {
  const out = {};
  for (const line of readFileSync(join(extdir, `${ext}.control`), 'utf8').split('\n')) {
    const m = /^\s*(\w+)\s*=\s*'?(.*?)'?\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The scripts that install `ext` at its default version: a full script, then the updates from it (shortest path). */
function scripts(ext, target) {
  const files = readdirSync(extdir).filter((f) => f.startsWith(`${ext}--`) && f.endsWith('.sql'));
  const parts = files.map((f) => f.slice(0, -'.sql'.length).split('--'));
  const full = parts.filter((p) => p.length === 2).map((p) => p[1]);
  const updates = parts.filter((p) => p.length === 3);
  let best;
  for (const v of full) {
    const queue = [[v, [`${ext}--${v}.sql`]]];
    const seen = new Set([v]);
    while (queue.length) {
      const [at, path] = queue.shift();
      if (at === target) {
        if (!best || path.length < best.length) best = path;
        break;
      }
      for (const [, from, to] of updates)
        if (from === at && !seen.has(to)) {
          seen.add(to);
          queue.push([to, [...path, `${ext}--${from}--${to}.sql`]]);
        }
    }
  }
  if (!best) throw new Error(`no install path to ${ext} ${target}`);
  return best;
}

/** An extension script as plain SQL in public (contrib-scripts.mjs). */
const unwrap = (text, module) => asUserObjects(text, { module });

/** SQL statements, split at top-level semicolons (quotes, dollar quotes and comments respected). */
function statements(sql) {
  const out = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      i = sql.indexOf(ch, i + 1);
      while (i >= 0 && sql[i + 1] === ch) i = sql.indexOf(ch, i + 2);
      if (i < 0) break;
    } else if (ch === '-' && sql[i + 1] === '-') i = sql.indexOf('\n', i);
    else if (ch === '/' && sql[i + 1] === '*') i = sql.indexOf('*/', i) + 1;
    else if (ch === '$') {
      const tag = /^\$\w*\$/.exec(sql.slice(i))?.[0];
      if (tag) i = sql.indexOf(tag, i + tag.length) + tag.length - 1;
    } else if (ch === ';') {
      out.push(sql.slice(start, i + 1).trim());
      start = i + 1;
    }
    if (i < 0) break;
  }
  return out.filter((x) => x.replace(/--.*$/gm, '').trim() !== ';' && x.replace(/--.*$/gm, '').trim() !== '');
}

/** The statements of kinds Strata does not create (base types, casts) and the functions they name, in script order. */
function prelude(sql) {
  const stmts = statements(sql);
  const code = (x) =>
    x
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--.*$/gm, '')
      .trim();
  const names = new Set();
  const picked = stmts.filter((x) => {
    const c = code(x);
    const type = /^CREATE\s+TYPE\s+[\w.]+\s*(;|\([^;]*\bINPUT\s*=)/i.test(c) || /^ALTER\s+TYPE\s+[\w.]+\s+SET\s*\(/i.test(c);
    const cast = /^CREATE\s+CAST\b/i.test(c);
    if (type)
      for (const m of c.matchAll(/\b(?:INPUT|OUTPUT|RECEIVE|SEND|TYPMOD_IN|TYPMOD_OUT|ANALYZE|SUBSCRIPT)\s*=\s*([\w.]+)/gi))
        names.add(m[1].replace(/^.*\./, '').toLowerCase());
    if (cast) for (const m of c.matchAll(/WITH\s+FUNCTION\s+([\w.]+)/gi)) names.add(m[1].replace(/^.*\./, '').toLowerCase());
    return type || cast;
  });
  const fnName = (c) => /^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([\w.]+)/i.exec(c)?.[1]?.replace(/^.*\./, '').toLowerCase();
  const alterFn = (c) => /^ALTER\s+FUNCTION\s+([\w.]+)/i.exec(c)?.[1]?.replace(/^.*\./, '').toLowerCase();
  return stmts.filter((x) => picked.includes(x) || names.has(fnName(code(x))) || names.has(alterFn(code(x)))).join('\n');
}

function load(ext, db, tmp, done, pre) {
  if (done.has(ext)) return [];
  done.add(ext);
  const c = control(ext);
  const req = (c.requires ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const used = req.flatMap((r) => load(r, db, tmp, done, pre));
  const module = c.module_pathname ?? `$libdir/${ext}`;
  const files = scripts(ext, c.default_version);
  const sql = `SET search_path = public;\n${files.map((f) => unwrap(readFileSync(join(extdir, f), 'utf8'), module)).join('\n')}`;
  const file = join(tmp, `${ext}.sql`);
  writeFileSync(file, sql);
  pre.push(`SET search_path = public;\n${prelude(sql)}`);
  const r = psql(db, file);
  if (r.status !== 0) throw new Error(`loading ${ext} failed: ${safe(r.stderr).slice(0, 400)}`);
  return [...used, ...files];
}

const COUNT = `SELECT (SELECT count(*) FROM pg_operator WHERE oprnamespace = 'public'::regnamespace AND oprcode <> 0),
  (SELECT count(*) FROM pg_opclass WHERE opcnamespace = 'public'::regnamespace),
  (SELECT count(*) FROM pg_opfamily WHERE opfnamespace = 'public'::regnamespace),
  (SELECT count(*) FROM pg_ts_parser WHERE prsnamespace = 'public'::regnamespace)
   + (SELECT count(*) FROM pg_ts_template WHERE tmplnamespace = 'public'::regnamespace),
  (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)`;

const tmp = mkdtempSync(join(tmpdir(), 'contrib-kinds-'));
const rows = [];
const started = Date.now();
try {
  for (const ext of only) {
    if (!existsSync(join(extdir, `${ext}.control`))) {
      rows.push({ ext, result: 'not installed on this server' });
      continue;
    }
    const [src, empty, dst] = ['src', 'empty', 'dst'].map((s) => `ck_${ext}_${s}`);
    for (const db of [src, empty, dst]) {
      psqlC('postgres', `DROP DATABASE IF EXISTS ${db}`);
      psqlC('postgres', `CREATE DATABASE ${db}`);
    }
    const row = { ext };
    try {
      const pre = [];
      row.scripts = load(ext, src, tmp, new Set(), pre).length;
      const preFile = join(tmp, `${ext}.prelude.sql`);
      writeFileSync(preFile, pre.join('\n'));
      row.prelude = (pre.join('\n').match(/^\s*CREATE\s+(TYPE|CAST)\b/gim) ?? []).length;
      for (const db of [empty, dst]) {
        const r = psql(db, preFile);
        if (r.status !== 0) throw new Error(`loading the prelude failed: ${safe(r.stderr).slice(0, 400)}`);
      }
      const [ops, classes, families, ts, fns] = psqlC(src, COUNT).trim().split('|').map(Number);
      Object.assign(row, { ops, classes, families, ts, fns });
      const t0 = Date.now();
      const d = strata('diff', '--from', dbUrl(empty), '--to', dbUrl(src), '--sql');
      row.diffMs = Date.now() - t0;
      if (d.status !== 0) throw new Error(`diff --sql exited ${d.status}: ${safe(d.stderr).slice(0, 400)}`);
      const file = join(tmp, `${ext}.up.sql`);
      writeFileSync(file, d.stdout);
      row.statements = (d.stdout.split('-- down')[0].match(/;\s*$/gm) ?? []).length;
      const applied = psql(dst, file);
      if (applied.status !== 0) throw new Error(`applying the plan failed: ${safe(applied.stderr).slice(0, 400)}`);
      // The prelude's base types and casts are on both sides, listed as not handled (warnings): anything else is drift.
      const re = strata('diff', '--from', dbUrl(dst), '--to', dbUrl(src), '--format', 'json');
      const drift = JSON.parse(re.stdout).result.differences;
      const left = drift.filter((x) => !(x.objectType === 'not handled' && x.kind === 'different'));
      row.uncompared = drift.length - left.length;
      row.result =
        left.length === 0
          ? 'round trip, re-diff empty'
          : `re-diff: ${left
              .slice(0, 4)
              .map((x) => safe(x.message))
              .join(' / ')}`;
    } catch (err) {
      row.result = `FAILED: ${safe(err.message).split('\n').slice(0, 3).join(' / ')}`;
    }
    rows.push(row);
    if (!args.includes('--keep')) for (const db of [src, empty, dst]) psqlC('postgres', `DROP DATABASE IF EXISTS ${db}`);
    console.error(`${ext}: ${row.result}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const ok = rows.filter((r) => r.result === 'round trip, re-diff empty').length;
const HEAD = ['extension', 'scripts', 'operators', 'classes', 'families', 'ts parsers+templates', 'functions', 'prelude types+casts'];
console.log(`| ${[...HEAD, 'statements', 'listed as not handled (both sides)', 'diff ms', 'result'].join(' | ')} |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`);
for (const r of rows)
  console.log(
    `| ${r.ext} | ${r.scripts ?? ''} | ${r.ops ?? ''} | ${r.classes ?? ''} | ${r.families ?? ''} | ${r.ts ?? ''} | ${r.fns ?? ''} | ` +
      `${r.prelude ?? ''} | ` +
      `${r.statements ?? ''} | ${r.uncompared ?? ''} | ${r.diffMs ?? ''} | ${r.result} |`,
  );
console.log(`\n${ok} of ${rows.length} round-trip (${((Date.now() - started) / 1000).toFixed(0)} s).`);
process.exit(ok === rows.length ? 0 : 1);
