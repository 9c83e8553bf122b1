#!/usr/bin/env node
// Issue 20: the auditor's wrappers, servers, languages and access methods on material nobody here
// wrote: the CREATE statements of PostgreSQL's own contrib extension scripts, loaded as plain user
// objects (the extension wrapper stripped: @extschema@ -> a schema, MODULE_PATHNAME -> $libdir/<module>,
// \echo lines dropped), so that they are not extension members. For each script: load it with psql
// (ON_ERROR_STOP) into one database, write `strata diff --from <empty> --to <loaded> --sql`, apply
// that to an empty database with psql (ON_ERROR_STOP), then re-diff (must be empty) and compare the
// two databases' `pg_dump -s`. The scripts are read from the server's extension folder at run time.
//
//   node bench/contrib-foreign.mjs --url postgres://postgres@127.0.0.1:5432/postgres \
//     [--ext-dir DIR] [--bindir DIR] [--servers] [names...]
//
// --ext-dir defaults to the server's share/extension folder ($(pg_config --sharedir)/extension);
// names default to every script there that creates a wrapper, language or access method. With
// --servers each wrapper also gets a server, a user mapping (with a password, which must not
// appear in the SQL) and a foreign table.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asUserObjects, controlModule } from './contrib-scripts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../apps/migrate/dist/bin.cjs');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = opt('url') ?? process.env.CONTRIB_KINDS_URL;
if (!url) {
  console.error('usage: node bench/contrib-foreign.mjs --url postgres://... [--ext-dir DIR] [--bindir DIR] [--servers] [names...]');
  process.exit(2);
}
const valued = new Set(['--url', '--ext-dir', '--bindir']);
const names = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1] ?? ''));
const bindir = opt('bindir') ?? execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
// psql and pg_dump from --bindir, else from PATH (embedded servers ship neither).
const tool = (t) => (existsSync(join(bindir, t)) ? join(bindir, t) : t);
const extDir = opt('ext-dir') ?? join(execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim(), 'extension');
const withServers = args.includes('--servers');
const SECRET = 'contrib-foreign-secret-9f1c';
const dbUrl = (db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const safe = (s) => s.replace(/postgres(ql)?:\/\/\S+/g, 'postgres://***');

function psql(db, sql) {
  const r = spawnSync(tool('psql'), [dbUrl(db), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: sql, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      safe(r.stderr || `psql exited ${r.status}`)
        .trim()
        .split('\n')
        .slice(0, 3)
        .join(' / '),
    );
  return r.stdout;
}
function strata(...cmd) {
  const r = spawnSync(process.execPath, [cli, ...cmd], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: safe(r.stderr) };
}
function recreate(db) {
  psql('postgres', `DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db};`);
}

/** The newest full-install script of an extension (`name--1.2.sql`, not an update `name--1.0--1.1.sql`). */
function baseScript(name) {
  const version = (f) =>
    f
      .slice(name.length + 2, -4)
      .split('.')
      .map(Number);
  const files = readdirSync(extDir)
    .filter((f) => f.startsWith(`${name}--`) && /^[\d.]+$/.test(f.slice(name.length + 2, -4)))
    .sort((x, y) => {
      const [a, b] = [version(x), version(y)];
      for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
      return 0;
    });
  return files.at(-1);
}

function userScript(name) {
  const file = baseScript(name);
  if (!file) throw new Error(`no install script for ${name} in ${extDir}`);
  const schema = `ext_${name.replace(/\W/g, '_')}`;
  const body = asUserObjects(readFileSync(join(extDir, file), 'utf8'), { schema, module: controlModule(extDir, name) });
  return { file, sql: `CREATE SCHEMA ${schema};\nSET search_path = ${schema}, public;\n${body}\nRESET search_path;\n` };
}

/** A server, a user mapping with a password and a foreign table for each wrapper the script made. */
function serversFor(db) {
  const wrappers = psql(db, 'COPY (SELECT fdwname FROM pg_foreign_data_wrapper) TO STDOUT;').split('\n').filter(Boolean);
  return wrappers
    .map(
      (w, i) =>
        `CREATE SERVER srv_${i} FOREIGN DATA WRAPPER ${w};\n` +
        // A libpq wrapper takes a user and password; file_fdw's validator refuses every mapping option but wants a file.
        (w === 'file_fdw'
          ? `CREATE USER MAPPING FOR PUBLIC SERVER srv_${i};\n` +
            `CREATE FOREIGN TABLE public.ft_${i} (id int NOT NULL, label text) SERVER srv_${i} OPTIONS ` +
            `(filename '/dev/null', format 'csv');\n`
          : `CREATE USER MAPPING FOR PUBLIC SERVER srv_${i} OPTIONS (user 'app', password '${SECRET}');\n` +
            `CREATE FOREIGN TABLE public.ft_${i} (id int NOT NULL, label text) SERVER srv_${i};\n`) +
        `CREATE VIEW public.ft_${i}_labels AS SELECT label FROM public.ft_${i};\n`,
    )
    .join('');
}

const candidates =
  names.length > 0
    ? names
    : [
        ...new Set(
          readdirSync(extDir)
            .filter((f) => f.endsWith('.sql') && !f.startsWith('plpgsql--'))
            .filter((f) =>
              /CREATE\s+(FOREIGN DATA WRAPPER|ACCESS METHOD|(TRUSTED\s+)?LANGUAGE)/i.test(readFileSync(join(extDir, f), 'utf8')),
            )
            .map((f) => f.slice(0, f.indexOf('--'))),
        ),
      ].sort();

const rows = [];
for (const name of candidates) {
  const row = { name, file: '', objects: '', sqlLines: 0, applied: '', rediff: '', dump: '', leak: 'no' };
  rows.push(row);
  try {
    const { file, sql } = userScript(name);
    row.file = file;
    recreate('ck_src');
    recreate('ck_empty');
    recreate('ck_dst');
    psql('ck_src', sql);
    if (withServers) psql('ck_src', serversFor('ck_src'));
    row.objects = psql(
      'ck_src',
      `COPY (SELECT concat_ws(', ', nullif((SELECT count(*) FROM pg_foreign_data_wrapper)::text || ' wrapper(s)', '0 wrapper(s)'),
         nullif((SELECT count(*) FROM pg_foreign_server)::text || ' server(s)', '0 server(s)'),
         nullif((SELECT count(*) FROM pg_class WHERE relkind = 'f')::text || ' foreign table(s)', '0 foreign table(s)'),
         nullif((SELECT count(*) FROM pg_language WHERE oid >= 16384 AND lanname <> 'plpgsql')::text || ' language(s)', '0 language(s)'),
         nullif((SELECT count(*) FROM pg_am WHERE oid >= 16384)::text || ' access method(s)', '0 access method(s)'),
         (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ` +
        `n.nspname LIKE 'ext\\_%')::text || ' function(s)')) TO STDOUT;`,
    ).trim();
    const diff = strata('diff', '--from', dbUrl('ck_empty'), '--to', dbUrl('ck_src'), '--sql', '--privileges');
    if (diff.code !== 0) {
      const why = `${diff.err}\n${diff.out}`.split('\n').filter((l) => /not handled|error/i.test(l));
      throw new Error(`diff --sql exited ${diff.code}: ${why.slice(0, 3).join(' / ').trim()}`);
    }
    if (diff.out.includes(SECRET) || diff.err.includes(SECRET)) row.leak = 'YES';
    row.sqlLines = diff.out.split('\n').length;
    try {
      psql('ck_dst', diff.out);
      row.applied = 'yes';
    } catch (err) {
      row.applied = `no: ${err.message}`;
      continue;
    }
    // What the plan's note asks a person to do by hand: set the secrets it never reads.
    const secrets = [...new Set([...diff.out.matchAll(/set (?:it|them) by hand \((ALTER USER MAPPING [^\n]*?)\)$/gm)].map((m) => m[1]))];
    if (secrets.length) {
      psql('ck_dst', secrets.map((s) => `${s.replaceAll("'...'", `'${SECRET}'`)};`).join('\n'));
      row.applied += `, ${secrets.length} secret(s) set by hand as the plan's note says`;
    }
    const again = strata('diff', '--from', dbUrl('ck_dst'), '--to', dbUrl('ck_src'), '--exit-code', '--privileges');
    if (again.out.includes(SECRET) || again.err.includes(SECRET)) row.leak = 'YES';
    const left = again.out
      .trim()
      .split('\n')
      .filter((l) => l.trim() && !/^no differences/i.test(l));
    row.rediff = again.code === 0 ? 'empty' : `${left.length} line(s): ${left.slice(0, 3).join(' / ')}`;
    const dump = (db) =>
      execFileSync(tool('pg_dump'), ['-s', '--no-owner', dbUrl(db)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')
        .filter((l) => !l.startsWith('--') && !l.startsWith('\\restrict') && !l.startsWith('\\unrestrict') && l.trim() !== '')
        .sort()
        .join('\n');
    try {
      row.dump = dump('ck_src') === dump('ck_dst') ? 'equal' : 'differs';
    } catch (err) {
      row.dump = `not compared (${
        safe(String(err.stderr ?? err.message))
          .trim()
          .split('\n')[0]
      })`;
    }
  } catch (err) {
    row.applied ||= `not run: ${safe(err.message)}`;
  }
}
if (!args.includes('--keep')) for (const db of ['ck_src', 'ck_empty', 'ck_dst']) psql('postgres', `DROP DATABASE IF EXISTS ${db};`);

console.log(
  `| script | user objects loaded | diff --sql lines | applied (ON_ERROR_STOP) | re-diff | ` +
    `pg_dump -s (sorted lines) | secret in output |`,
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.file || r.name} | ${r.objects} | ${r.sqlLines} | ${r.applied} | ${r.rediff} | ${r.dump} | ${r.leak} |`);
if (rows.some((r) => r.applied !== 'yes' || r.rediff !== 'empty' || r.leak !== 'no')) process.exitCode = 1;
