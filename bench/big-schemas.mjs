#!/usr/bin/env node
// Issue 20, "what must be shown" 2: big public schemas, round-tripped through the auditor.
// For each schema: load it with psql (ON_ERROR_STOP) into one database, write Strata's
// `diff --from <empty> --to <loaded> --sql`, apply that to an empty database with psql
// (ON_ERROR_STOP), re-diff (must say no drift), and compare `pg_dump -s` of both.
//
//   node bench/big-schemas.mjs --url postgres://postgres@127.0.0.1:5432/postgres \
//     [--pagila DIR] [--musicbrainz DIR] [--osm DIR] [--write docs/big-schemas.md]
//
// Each DIR is a bare git snapshot (the `fetch` tool's folder, or any clone's .git) of
// devrimgunduz/pagila, metabrainz/musicbrainz-server or openstreetmap/openstreetmap-website.
// Their SQL is read from the snapshot at run time and never copied into this repository.
// The server needs the contrib extensions and PostGIS (Debian: postgresql-15-postgis-3),
// and pg_dump of the server's major on PATH (or --bindir).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../apps/migrate/dist/bin.cjs');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = opt('url') ?? process.env.BIG_SCHEMAS_URL;
if (!url) {
  console.error('usage: node bench/big-schemas.mjs --url postgres://... [--pagila DIR] [--musicbrainz DIR] [--osm DIR] [--write FILE]');
  process.exit(2);
}
const bindir = opt('bindir') ?? execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
const dbUrl = (db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const safe = (s) => s.replace(/postgres(ql)?:\/\/\S+/g, 'postgres://***');

const git = (dir, ...a) => execFileSync('git', [`--git-dir=${dir}`, ...a], { encoding: 'utf8', maxBuffer: 256 << 20 });
const show = (dir, commit, path) => git(dir, 'show', `${commit}:${path}`);

/**
 * How each project builds its schema, in its own order. `commit`: the newest pagila needs
 * PostgreSQL 18 (uuidv7()) and pgvector, so the last commit before that is used.
 */
const RECIPES = {
  pagila: {
    commit: () => '23f7fe7',
    load: (dir, commit) => [{ sql: show(dir, commit, 'pagila-schema.sql') }],
  },
  musicbrainz: {
    commit: (dir) => git(dir, 'rev-parse', 'HEAD').trim(),
    load: (dir, commit) => {
      const schemas = [
        'musicbrainz',
        'cover_art_archive',
        'documentation',
        'event_art_archive',
        'json_dump',
        'report',
        'sitemaps',
        'statistics',
        'wikidocs',
        'dbmirror2',
      ];
      const sub = ['caa', 'eaa', 'documentation', 'json_dump', 'report', 'sitemaps', 'statistics', 'wikidocs'];
      const have = new Set(git(dir, 'ls-tree', '-r', '--name-only', commit, 'admin/sql').split('\n'));
      const files = (name, dirs = sub) =>
        [`admin/sql/${name}.sql`, ...dirs.map((d) => `admin/sql/${d}/${name}.sql`)].filter((f) => have.has(f));
      const order = [
        'admin/sql/Extensions.sql',
        'admin/sql/CreateCollations.sql',
        'admin/sql/CreateTypes.sql',
        ...files('CreateTables'),
        ...files('CreatePrimaryKeys'),
        'admin/sql/CreateSearchConfiguration.sql',
        ...files('CreateFunctions'),
        ...files('CreateIndexes'),
        ...files('CreateFKConstraints'),
        ...files('CreateEditFKConstraints'),
        'admin/sql/CreateConstraints.sql',
        ...files('CreateViews'),
        ...files('CreateTriggers'),
        'admin/sql/CreateSearchIndexes.sql',
      ].filter((f) => have.has(f));
      return [
        { sql: schemas.map((s) => `CREATE SCHEMA ${s};`).join('\n') },
        ...order.map((f) => ({ sql: show(dir, commit, f), name: f, searchPath: 'musicbrainz, public' })),
      ];
    },
  },
  osm: {
    commit: (dir) => git(dir, 'rev-parse', 'HEAD').trim(),
    load: (dir, commit) => [{ sql: show(dir, commit, 'db/structure.sql') }],
  },
};

function psql(db, sql, searchPath) {
  const env = { ...process.env, PGOPTIONS: searchPath ? `-c search_path=${searchPath.replace(/ /g, '')}` : '' };
  const r = spawnSync(join(bindir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(db), '-f', '-'], {
    input: sql,
    env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return { ok: r.status === 0, err: safe(r.stderr ?? '') };
}
function strata(...a) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, ...a], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, SHADOW_DATABASE_URL: url },
  });
  return { code: r.status, out: r.stdout, err: safe(r.stderr), seconds: (performance.now() - t) / 1000 };
}
function admin(sql) {
  const r = spawnSync(join(bindir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(safe(r.stderr));
}
function count(db, sql) {
  return spawnSync(join(bindir, 'psql'), ['-X', '-At', '-d', dbUrl(db), '-c', sql], { encoding: 'utf8' }).stdout.trim();
}
/** `pg_dump -s`, as a multiset of statements without comments, so the order of equal objects does not count. */
function dump(db) {
  const t = performance.now();
  const text = execFileSync(join(bindir, 'pg_dump'), ['-s', '--no-owner', '-d', dbUrl(db)], { encoding: 'utf8', maxBuffer: 512 << 20 });
  const seconds = (performance.now() - t) / 1000;
  const statements = text
    .split(/;\n/)
    .map((s) => s.replace(/^--.*$|^\\(un)?restrict .*$/gm, '').trim())
    .filter((s) => s && !/^SET |^SELECT pg_catalog\.set_config/.test(s));
  return { statements, seconds };
}
function multisetDiff(a, b) {
  const m = new Map();
  for (const s of a) m.set(s, (m.get(s) ?? 0) + 1);
  for (const s of b) m.set(s, (m.get(s) ?? 0) - 1);
  const onlyA = [];
  const onlyB = [];
  for (const [s, n] of m) for (let i = 0; i < Math.abs(n); i++) (n > 0 ? onlyA : onlyB).push(s);
  return { onlyA, onlyB };
}

const rows = [];
const work = mkdtempSync(join(tmpdir(), 'strata-big-'));
for (const [name, recipe] of Object.entries(RECIPES)) {
  const dir = opt(name);
  if (!dir) continue;
  const commit = recipe.commit(dir);
  const src = `big_${name}_src`;
  const dst = `big_${name}_dst`;
  const ref = `big_${name}_pgdump`;
  for (const db of [src, dst, ref]) {
    admin(`DROP DATABASE IF EXISTS ${db}`);
    admin(`CREATE DATABASE ${db}`);
  }
  const row = { name, commit: commit.slice(0, 12) };
  rows.push(row);
  let loaded = true;
  for (const step of recipe.load(dir, commit)) {
    const r = psql(src, step.sql, step.searchPath);
    if (!r.ok) {
      row.error = `loading ${step.name ?? 'the schema'} failed: ${r.err.trim().split('\n').slice(-3).join(' ')}`;
      loaded = false;
      break;
    }
  }
  if (!loaded) continue;
  row.tables = count(
    src,
    'SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind ' +
      "IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND NOT EXISTS (SELECT " +
      "FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')",
  );
  row.functions = count(
    src,
    'SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname ' +
      "NOT IN ('pg_catalog','information_schema') AND NOT EXISTS (SELECT FROM pg_depend d WHERE " +
      "d.objid = p.oid AND d.deptype = 'e')",
  );
  row.triggers = count(src, 'SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal');
  row.views = count(
    src,
    'SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind ' +
      "IN ('v','m') AND n.nspname NOT IN ('pg_catalog','information_schema') AND NOT EXISTS (SELECT " +
      "FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')",
  );
  const diff = strata('diff', '--from', dbUrl(dst), '--to', dbUrl(src), '--sql', '--privileges');
  row.diffSeconds = diff.seconds;
  if (diff.code !== 0 && diff.code !== 1) {
    row.error = `diff --sql exited ${diff.code}: ${diff.err.trim().split('\n').slice(0, 3).join(' ')}`;
    continue;
  }
  row.notHandled = (diff.out.match(/^-- not handled: .*$/gm) ?? []).concat(diff.err.match(/not handled: .*$/gm) ?? []);
  const file = join(work, `${name}.sql`);
  writeFileSync(file, diff.out);
  row.statements = (diff.out.match(/;\s*$/gm) ?? []).length;
  const applied = psql(dst, readFileSync(file, 'utf8'));
  row.applies = applied.ok;
  if (!applied.ok) {
    row.error = `the generated SQL failed: ${applied.err.trim().split('\n').slice(0, 3).join(' ')}`;
    continue;
  }
  const re = strata('diff', '--from', dbUrl(dst), '--to', dbUrl(src), '--privileges', '--exit-code');
  row.rediffEmpty = re.code === 0;
  if (!row.rediffEmpty) row.rediff = (re.out + re.err).trim().split('\n').slice(0, 8);
  const a = dump(src);
  const b = dump(dst);
  row.pgDumpSeconds = a.seconds;
  // pg_dump's own round trip, as the reference: PostgreSQL does not print every definition
  // in the form it reads back (a CHECK's ARRAY[...]::text[] comes back with the casts
  // pushed into the elements), so some differences are the server's, not the tool's.
  const restored = psql(
    ref,
    execFileSync(join(bindir, 'pg_dump'), ['-s', '--no-owner', '-d', dbUrl(src)], { encoding: 'utf8', maxBuffer: 512 << 20 }),
  );
  const own = restored.ok ? multisetDiff(a.statements, dump(ref).statements) : undefined;
  const alsoPgDump = new Set(own ? [...own.onlyA, ...own.onlyB] : []);
  const d = multisetDiff(a.statements, b.statements);
  row.dumpOnlySource = d.onlyA.filter((x) => !alsoPgDump.has(x));
  row.dumpOnlyRebuilt = d.onlyB.filter((x) => !alsoPgDump.has(x));
  row.dumpSameAsPgDump = d.onlyA.length + d.onlyB.length - row.dumpOnlySource.length - row.dumpOnlyRebuilt.length;
  row.pgDumpOwn = own ? own.onlyA.length + own.onlyB.length : 'restore failed';
  const audit = strata('audit', '--url', dbUrl(src), '--models', file);
  row.auditSeconds = audit.seconds;
  row.auditClean = audit.code === 0;
}
rmSync(work, { recursive: true, force: true });

const lines = [
  '| schema | commit | tables | views | functions | triggers | `diff --sql` | statements | applies (ON_ERROR_STOP) | re-diff | ' +
    '`pg_dump -s` statements that differ | audit of the loaded schema against the generated SQL |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of rows) {
  if (r.error && r.applies === undefined) {
    lines.push(`| ${r.name} | ${r.commit} | ${r.tables ?? '?'} | | | | ${r.error} | | | | | |`);
    continue;
  }
  const dumpDiff = r.dumpOnlySource
    ? `${r.dumpOnlySource.length + r.dumpOnlyRebuilt.length} (besides ${r.dumpSameAsPgDump} that ` +
      `pg_dump's own dump and restore also has: ${r.pgDumpOwn})`
    : '';
  lines.push(
    `| ${r.name} | ${r.commit} | ${r.tables} | ${r.views} | ${r.functions} | ${r.triggers} | ` +
      `${r.diffSeconds.toFixed(2)} s | ${r.statements} | ` +
      `${r.applies ? 'yes' : `no: ${r.error}`} | ` +
      `${r.rediffEmpty === undefined ? '' : r.rediffEmpty ? 'empty' : 'NOT empty'} | ${dumpDiff} | ` +
      `${r.auditClean === undefined ? '' : `${r.auditClean ? 'no drift' : 'DRIFT'} (${r.auditSeconds.toFixed(1)} s)`} |`,
  );
}
console.log(lines.join('\n'));
for (const r of rows) {
  if (r.notHandled?.length) console.log(`\n${r.name}: not handled:\n  ${r.notHandled.join('\n  ')}`);
  if (r.rediff) console.log(`\n${r.name}: re-diff:\n  ${r.rediff.join('\n  ')}`);
  if (r.dumpOnlySource?.length || r.dumpOnlyRebuilt?.length) {
    console.log(
      `\n${r.name}: pg_dump -s, only in the source:\n  ${r.dumpOnlySource.map((s) => s.replace(/\s+/g, ' ').slice(0, 160)).join('\n  ')}`,
    );
    console.log(
      `${r.name}: pg_dump -s, only in the rebuilt:\n  ${r.dumpOnlyRebuilt.map((s) => s.replace(/\s+/g, ' ').slice(0, 160)).join('\n  ')}`,
    );
  }
}
const out = opt('write');
if (out) writeFileSync(out, `${lines.join('\n')}\n`);
