#!/usr/bin/env node
// Real casts (and any rules, statistics objects, conversions) nobody here wrote: the install scripts of
// PostgreSQL's contrib extensions, read at run time from the server's extension folder (never copied here)
// and loaded as plain user objects (the extension wrapper stripped: \echo lines dropped, @extschema@ ->
// public, MODULE_PATHNAME -> the control file's module_pathname). For each script:
//   casts up:    diff --from <the script, then its casts and rules dropped> --to <the script> --sql,
//                applied with psql ON_ERROR_STOP, then the re-diff must be empty;
//   casts down:  the same from the script to the script without its casts;
//   from empty:  diff --from <empty> --to <the script> --sql applied to an empty database (this needs
//                every kind the script holds: base types are not handled yet, so it is reported, not required).
// Results go in packages/auditor/README.md.
//
//   pnpm turbo run build --filter=strata-migrate...
//   node bench/contrib-casts.mjs --url postgresql://postgres@localhost:5432/postgres [--extdir DIR] [name ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asUserObjects, controlModule } from './contrib-scripts.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values, positionals } = parseArgs({
  options: { url: { type: 'string' }, extdir: { type: 'string' } },
  allowPositionals: true,
});
if (!values.url) {
  console.error('usage: node bench/contrib-casts.mjs --url URL (a superuser on a scratch server) [--extdir DIR] [extension ...]');
  process.exit(2);
}
const extdir = values.extdir ?? join(execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim(), 'extension');
const cli = join(root, 'apps/migrate/dist/bin.cjs');
if (!existsSync(cli)) {
  console.error(`${cli} is missing: build first (pnpm turbo run build --filter=strata-migrate...)`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'contrib-casts-'));
const dbUrl = (name) => {
  const u = new URL(values.url);
  u.pathname = `/${name}`;
  return u.toString();
};
const psql = (url, args, input) =>
  spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
const admin = (sql) => {
  const r = psql(values.url, ['-c', sql]);
  if (r.status !== 0) throw new Error(r.stderr);
};
const fresh = (name) => {
  admin(`DROP DATABASE IF EXISTS ${name}`);
  admin(`CREATE DATABASE ${name}`);
  return dbUrl(name);
};
const firstError = (text) => (text.split('\n').find((l) => /ERROR/.test(l)) ?? text.split('\n')[0] ?? '').slice(0, 160);
/** diff --sql from one database to another; the SQL goes to a file. */
const diffSql = (from, to, file) => {
  const r = spawnSync('node', [cli, 'diff', '--from', from, '--to', to, '--sql'], {
    encoding: 'utf8',
    env: { ...process.env, SHADOW_DATABASE_URL: values.url },
    maxBuffer: 1 << 28,
  });
  writeFileSync(file, r.stdout);
  return r;
};
/** The differences left between two databases, apart from the kinds listed as not handled on both sides (operator classes...). */
const drift = (from, to) => {
  const r = spawnSync('node', [cli, 'diff', '--from', from, '--to', to, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const all = JSON.parse(r.stdout).result.differences;
  const left = all.filter((d) => !(d.objectType === 'not handled' && d.kind === 'different'));
  return { left, uncompared: all.length - left.length };
};
const said = (d) => (d.left.length === 0 ? `empty (${d.uncompared} not-handled objects on both sides)` : `NOT empty: ${d.left[0].message}`);
const apply = (url, file) => psql(url, ['-f', file]);
const count = (url, sql) => Number(psql(url, ['-tAc', sql]).stdout.trim());

/** The install script of an extension as plain SQL (after those of the extensions it requires), or null when there is none. */
function script(name, seen = new Set([name])) {
  const control = readFileSync(join(extdir, `${name}.control`), 'utf8');
  const version = /default_version\s*=\s*'([^']+)'/.exec(control)?.[1];
  const module = controlModule(extdir, name);
  const schema = /^\s*schema\s*=\s*'?(\w+)'?/m.exec(control)?.[1] ?? 'public';
  const requires = (/^\s*requires\s*=\s*'?([^'\n]*)'?/m.exec(control)?.[1] ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r && !seen.has(r) && existsSync(join(extdir, `${r}.control`)));
  const base = readdirSync(extdir)
    .filter((f) => new RegExp(`^${name}--[^-]+\\.sql$`).test(f))
    .sort((x, y) => (x === `${name}--${version}.sql` ? -1 : y === `${name}--${version}.sql` ? 1 : 0));
  if (base.length === 0) return null;
  const first = requires.map((r) => (seen.add(r), script(r, seen)?.text ?? '')).join('\n');
  const text = asUserObjects(readFileSync(join(extdir, base[0]), 'utf8'), { schema, module });
  const own = schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS ${schema};\nSET search_path = ${schema}, public;\n`;
  return { file: base[0], text: `${first}\n${own}${text}\n${own ? 'RESET search_path;\n' : ''}` };
}

const KINDS = /^\s*CREATE\s+(CAST|(DEFAULT\s+)?CONVERSION|(OR\s+REPLACE\s+)?RULE|STATISTICS)\b/im;
const names = positionals.length
  ? positionals
  : readdirSync(extdir)
      .filter((f) => f.endsWith('.control'))
      .map((f) => f.slice(0, -'.control'.length))
      .filter((n) => {
        const s = script(n);
        return s !== null && KINDS.test(s.text);
      })
      .sort();

const rows = [];
for (const name of names) {
  const s = script(name);
  const row = { extension: name, file: s?.file ?? '-' };
  rows.push(row);
  if (!s) continue;
  // The same objects without their casts and rules: the script, then each of them dropped (later statements of a
  // script may need its casts, so they cannot simply be left out of it).
  const withoutCasts =
    `${s.text}\nDO $$ DECLARE c record; BEGIN FOR c IN SELECT castsource, casttarget FROM pg_cast WHERE oid >= 16384 LOOP ` +
    `EXECUTE format('DROP CAST (%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)); END LOOP;\n` +
    `FOR c IN SELECT rulename, ev_class FROM pg_rewrite WHERE rulename <> '_RETURN' AND oid >= 16384 LOOP ` +
    `EXECUTE format('DROP RULE %I ON %s', c.rulename, c.ev_class::regclass); END LOOP; END $$;\n`;
  writeFileSync(join(work, `${name}.sql`), s.text);
  writeFileSync(join(work, `${name}.nocasts.sql`), withoutCasts);
  const full = fresh('cc_full');
  let r = apply(full, join(work, `${name}.sql`));
  if (r.status !== 0) {
    row.loads = `no: ${firstError(r.stderr)}`;
    continue;
  }
  row.loads = 'yes';
  row.casts = count(full, 'SELECT count(*) FROM pg_cast WHERE oid >= 16384');
  row.rules = count(full, "SELECT count(*) FROM pg_rewrite WHERE rulename <> '_RETURN' AND oid >= 16384");
  row.statistics = count(full, 'SELECT count(*) FROM pg_statistic_ext');
  row.conversions = count(full, 'SELECT count(*) FROM pg_conversion WHERE oid >= 16384');
  for (const [dir, fromSql, toSql] of [
    ['up', `${name}.nocasts.sql`, `${name}.sql`],
    ['down', `${name}.sql`, `${name}.nocasts.sql`],
  ]) {
    const from = fresh('cc_from');
    const to = fresh('cc_to');
    const loaded = [apply(from, join(work, fromSql)), apply(to, join(work, toSql))].find((x) => x.status !== 0);
    if (loaded) {
      row[dir] = `the script without its casts does not load: ${firstError(loaded.stderr)}`;
      continue;
    }
    const sql = join(work, `${name}.${dir}.sql`);
    r = diffSql(from, to, sql);
    const lines = readFileSync(sql, 'utf8').split('\n');
    const steps = lines.filter((l) => /^(CREATE|DROP) (CAST|RULE)/.test(l)).length;
    if (r.status !== 0 && r.status !== 1) {
      row[dir] = `diff exit ${r.status}: ${firstError(r.stderr || r.stdout)}`;
      continue;
    }
    const a = apply(from, sql);
    if (a.status !== 0) {
      row[dir] = `${steps} cast and rule statements; apply fails: ${firstError(a.stderr)}`;
      continue;
    }
    const again = drift(from, to);
    row[dir] = `${steps} cast and rule statements, applied; re-diff ${said(again)}`;
  }
  const empty = fresh('cc_empty');
  const sql = join(work, `${name}.empty.sql`);
  r = diffSql(empty, full, sql);
  const notHandled = (r.stdout + r.stderr).split('\n').filter((l) => /not handled/.test(l)).length;
  const a = apply(empty, sql);
  row['from empty'] =
    a.status === 0
      ? `applied; re-diff ${said(drift(empty, full))}`
      : `fails${notHandled ? ` (${notHandled} not handled listed)` : ''}: ${firstError(a.stderr)}`;
}
for (const db of ['cc_full', 'cc_from', 'cc_to', 'cc_empty']) admin(`DROP DATABASE IF EXISTS ${db}`);
console.log(JSON.stringify(rows, null, 2));
console.log(`(scripts and plans kept in ${work})`);
