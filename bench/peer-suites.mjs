#!/usr/bin/env node
// Runs the peers' own test suites against Strata's auditor (issue 20 point 6).
// The peers' cases are read at run time from snapshots given as arguments (a bare
// git directory, optionally DIR@commit, or a checked-out folder); nothing of them is
// copied into this repository:
//   - migra: tests/FIXTURES/<name>/{a,b}.sql;
//   - pg-schema-diff: internal/migration_acceptance_tests/*_cases_test.go, Go struct
//     literals read by a small tolerant reader (name, oldSchemaDDL, newSchemaDDL,
//     expectedDBSchemaDDL, roles, planOpts, expected errors).
// For every case: the old schema goes into one scratch database, the new one into
// another, plan(old, new) is applied to the old database (one transaction unless a
// step must run outside one, then statement by statement, as the runner does; the
// first error stops), and the database is introspected again: it must compare equal
// to the new one. Needs `pnpm build` first (it imports the built auditor).
//   node bench/peer-suites.mjs SNAPSHOT[@commit]... [--url URL] [--jobs 2] [--only SUBSTRING]
//                              [--verbose] [--write-readme]
// --url: an existing server (a role that may create databases and roles), else an
// embedded PostgreSQL 17 is started and stopped. --verbose prints the plan of failures.
// --write-readme: writes the counts and failures into packages/auditor/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createScratchDatabase, startLocalServer } from '@pg-strata/pg-server';

const AUDITOR = new URL('../packages/auditor/dist/index.js', import.meta.url);
const README = new URL('../packages/auditor/README.md', import.meta.url);
const { introspect, compare, plan, renderSteps } = await import(AUDITOR.href);

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const valued = new Set(['--url', '--jobs', '--only']);
const sources = argv.filter((a, i) => !a.startsWith('--') && !valued.has(argv[i - 1]));
if (sources.length === 0) {
  console.error('usage: node bench/peer-suites.mjs SNAPSHOT[@commit]... [--url URL] [--jobs N] [--only TEXT] [--verbose] [--write-readme]');
  process.exit(2);
}

/** Files of a snapshot: a bare git directory (read at a commit) or a folder. */
function openSnapshot(spec) {
  const at = spec.lastIndexOf('@');
  const dir = at > 0 && /^[0-9a-f]{7,40}$/i.test(spec.slice(at + 1)) ? spec.slice(0, at) : spec;
  const commit = dir === spec ? 'HEAD' : spec.slice(at + 1);
  if (!existsSync(dir)) throw new Error(`no such snapshot folder: ${dir}`);
  if (existsSync(join(dir, 'objects')) && existsSync(join(dir, 'HEAD'))) {
    const git = (...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const resolved = git('rev-parse', commit).trim();
    const files = git('ls-tree', '-r', '--name-only', resolved).split('\n').filter(Boolean);
    return { label: `${dir}@${resolved.slice(0, 12)}`, files, read: (p) => git('show', `${resolved}:${p}`) };
  }
  const files = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(dir, rel))) {
      if (e === '.git' || e === 'node_modules') continue;
      const r = rel ? `${rel}/${e}` : e;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else files.push(r);
    }
  };
  walk('');
  return { label: dir, files, read: (p) => readFileSync(join(dir, p), 'utf8') };
}

// ---- migra: tests/FIXTURES/<name>/{a,b}.sql, options as its test_migra.py passes them.
const MIGRA_PRIVILEGES = new RegExp(
  '^(everything|collations|identitycols|partitioning|privileges|enumdefaults|enumdeps|seq|' +
    'inherit2?|triggers\\d?|dependencies\\d?|constraints|generated|rls2?)$',
);
function migraCases(snap) {
  const names = [...new Set(snap.files.map((f) => /^tests\/FIXTURES\/([^/]+)\/a\.sql$/.exec(f)?.[1]).filter(Boolean))].sort();
  return names.map((name) => {
    const options = {};
    if (name === 'singleschema') options.schemas = ['goodschema'];
    if (name === 'excludeschema') options.excludeSchemas = ['excludedschema'];
    return {
      suite: 'migra',
      name,
      roles: ['schemainspect_test_role'],
      oldDDL: [snap.read(`tests/FIXTURES/${name}/a.sql`)],
      newDDL: [snap.read(`tests/FIXTURES/${name}/b.sql`)],
      introspect: options,
      privileges: MIGRA_PRIVILEGES.test(name),
    };
  });
}

// ---- pg-schema-diff: a tolerant reader of the acceptanceTestCase literals.
function goTokens(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (src.startsWith('//', i)) i = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    else if (src.startsWith('/*', i)) i = src.indexOf('*/', i + 2) + 2;
    else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      while (src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else v += src[j++];
      }
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w.]*/.exec(src.slice(i, i + 200));
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      out.push({ t: 'p', v: c });
      i++;
    }
  }
  return out;
}

/** Tokens of one value, up to the `,` or `}` that ends it at depth 0. */
function readValue(toks, i) {
  const start = i;
  let depth = 0;
  for (; i < toks.length; i++) {
    const v = toks[i].t === 'p' ? toks[i].v : '';
    if (depth === 0 && (v === ',' || v === '}')) break;
    if (v === '{' || v === '(' || v === '[') depth++;
    if (v === '}' || v === ')' || v === ']') depth--;
  }
  return [toks.slice(start, i), i];
}

/** `[]string{ "a" + "b", `c` }` as ['ab', 'c']; a lone string expression as [it]. */
function stringList(val) {
  const open = val.findIndex((t) => t.t === 'p' && t.v === '{');
  const inner = open >= 0 ? val.slice(open + 1, -1) : val;
  const list = [];
  let cur;
  for (const t of inner) {
    if (t.t === 'str') cur = (cur ?? '') + t.v;
    else if (t.t === 'p' && t.v === ',') {
      if (cur !== undefined) list.push(cur);
      cur = undefined;
    }
  }
  if (cur !== undefined) list.push(cur);
  return list;
}

function schemaDiffCases(snap) {
  const dir = 'internal/migration_acceptance_tests/';
  const cases = [];
  for (const file of snap.files.filter((f) => f.startsWith(dir) && f.endsWith('_cases_test.go')).sort()) {
    const toks = goTokens(snap.read(file));
    const group = file.slice(dir.length, -'_cases_test.go'.length);
    for (let i = 0; i < toks.length - 4; i++) {
      if (!(toks[i].v === '[' && toks[i + 1].v === ']' && toks[i + 2].v === 'acceptanceTestCase' && toks[i + 3].v === '{')) continue;
      i += 4;
      while (i < toks.length && toks[i].v !== '}') {
        if (toks[i].t === 'id') i++; // an explicit element type
        if (toks[i].v !== '{') throw new Error(`${file}: unexpected ${toks[i].v} in the case list`);
        i++;
        const fields = {};
        while (toks[i].v !== '}') {
          const key = toks[i].v;
          if (toks[i + 1].v !== ':') throw new Error(`${file}: expected a field name, found ${key}`);
          const [val, next] = readValue(toks, i + 2);
          fields[key] = val;
          i = toks[next].v === ',' ? next + 1 : next;
        }
        i++;
        if (toks[i]?.v === ',') i++;
        const str = (k) => (fields[k] ? stringList(fields[k]) : undefined);
        const raw = (k) => (fields[k] ? fields[k].map((t) => (t.t === 'str' ? JSON.stringify(t.v) : t.v)).join('') : undefined);
        const newDDL = str('newSchemaDDL')?.length ? str('newSchemaDDL') : str('expectedDBSchemaDDL');
        const roles = str('roles') ?? [];
        cases.push({
          suite: 'pg-schema-diff',
          name: `${group}/${str('name')?.[0] ?? '?'}`,
          roles,
          oldDDL: str('oldSchemaDDL') ?? [],
          newDDL: newDDL ?? [],
          introspect: {},
          privileges: roles.length > 0 || group === 'privilege',
          expectsError: Boolean(fields.expectedPlanErrorIs || fields.expectedPlanErrorContains),
          planOpts: raw('planOpts'),
        });
      }
    }
  }
  return cases;
}

// ---- running a case
async function query(url, sql) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** As the runner applies a migration: one transaction, or statement by statement when a step must run outside one. */
async function applySteps(url, steps) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const inTx = steps.every((s) => s.transactional !== false);
  try {
    if (inTx) await c.query('BEGIN');
    for (const s of steps) {
      try {
        await c.query(s.sql);
      } catch (err) {
        throw new Error(`${err.message} (in: ${s.sql.replace(/\s+/g, ' ').slice(0, 160)})`);
      }
    }
    if (inTx) await c.query('COMMIT');
  } finally {
    await c.end();
  }
}

// pg-schema-diff runs `CREATE ROLE <role>` with the role as written (quotes included): so does this.
const ensuredRoles = new Map();
async function ensureRole(adminUrl, role) {
  if (!ensuredRoles.has(role)) {
    ensuredRoles.set(
      role,
      query(adminUrl, `CREATE ROLE ${role}`).catch((err) => {
        if (err.code !== '42710') throw err; // duplicate_object: made by an earlier case
      }),
    );
  }
  await ensuredRoles.get(role);
}

async function runCase(adminUrl, tc) {
  if (tc.newDDL.length === 0 && tc.oldDDL.length === 0) return { status: 'skipped', reason: 'no DDL in the case literal' };
  for (const r of tc.roles) await ensureRole(adminUrl, r);
  const dbs = [];
  const db = async () => {
    const d = await createScratchDatabase(adminUrl, { prefix: 'peer' });
    dbs.push(d);
    return d;
  };
  let p;
  try {
    const [oldDb, newDb] = [await db(), await db()];
    for (const [d, ddl, side] of [
      [oldDb, tc.oldDDL, 'old'],
      [newDb, tc.newDDL, 'new'],
    ]) {
      for (const sql of ddl) {
        try {
          await query(d.url, sql);
        } catch (err) {
          return { status: 'setup', reason: `the ${side} schema does not load: ${err.message}` };
        }
      }
    }
    const opts = { privileges: tc.privileges };
    const a = await introspect(oldDb.url, tc.introspect);
    const b = await introspect(newDb.url, tc.introspect);
    p = plan(a, b, opts);
    try {
      await applySteps(oldDb.url, p.up);
    } catch (err) {
      return { status: 'fail', reason: `apply: ${err.message}`, plan: p };
    }
    const after = await introspect(oldDb.url, tc.introspect);
    const left = compare(after, b, { ...opts, left: 'after', right: 'new' });
    const more = left.length > 1 ? ` (+${left.length - 1})` : '';
    if (left.length > 0) return { status: 'fail', reason: `re-diff: ${left[0].message}${more}`, plan: p };
    return { status: 'pass', steps: p.up.length };
  } catch (err) {
    return { status: 'fail', reason: `error: ${err.message}`, plan: p };
  } finally {
    for (const d of dbs) await d.drop().catch(() => {});
  }
}

// ---- main
const snaps = sources.map(openSnapshot);
const cases = [];
for (const snap of snaps) {
  if (snap.files.some((f) => f.startsWith('tests/FIXTURES/'))) cases.push(...migraCases(snap));
  else if (snap.files.some((f) => f.startsWith('internal/migration_acceptance_tests/'))) cases.push(...schemaDiffCases(snap));
  else throw new Error(`${snap.label}: neither migra's tests/FIXTURES nor pg-schema-diff's acceptance tests`);
}
const only = option('only');
const selected = only ? cases.filter((c) => `${c.suite}:${c.name}`.includes(only)) : cases;

const server = option('url') ? undefined : await startLocalServer({ settings: { max_connections: 100 } });
const adminUrl = option('url') ?? server.url;
const version = (await query(adminUrl, 'SHOW server_version')).rows[0].server_version.split(' ')[0];
const t0 = performance.now();
const results = new Array(selected.length);
let next = 0;
const jobs = Math.max(1, Number(option('jobs', '2')));
try {
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < selected.length) {
        const i = next++;
        results[i] = await runCase(adminUrl, selected[i]);
        if (flag('verbose') && results[i].status === 'fail') {
          console.log(`--- ${selected[i].suite}: ${selected[i].name}: ${results[i].reason}`);
          if (results[i].plan) console.log(renderSteps(results[i].plan.up));
        }
      }
    }),
  );
} finally {
  await server?.stop();
}
const seconds = ((performance.now() - t0) / 1000).toFixed(0);

const suites = [...new Set(selected.map((c) => c.suite))];
const summary = [];
for (const suite of suites) {
  const idx = selected.map((c, i) => (c.suite === suite ? i : -1)).filter((i) => i >= 0);
  const count = (s) => idx.filter((i) => results[i].status === s).length;
  const failures = idx.filter((i) => results[i].status !== 'pass' && results[i].status !== 'skipped');
  summary.push({ suite, total: idx.length, pass: count('pass'), skipped: count('skipped'), setup: count('setup'), failures });
  console.log(`${suite}: ${count('pass')}/${idx.length} pass` + (count('skipped') ? `, ${count('skipped')} skipped` : ''));
  for (const i of failures) {
    const expects = selected[i].expectsError ? ' [the peer expects an error here]' : '';
    console.log(`  ${results[i].status === 'setup' ? 'SETUP' : 'FAIL'} ${selected[i].name}: ${results[i].reason.split('\n')[0]}${expects}`);
  }
}
console.log(`${selected.length} cases in ${seconds} s, ${jobs} at a time`);

if (flag('write-readme')) {
  const clip = (s) => s.split('\n')[0].replace(/\|/g, '\\|').slice(0, 200);
  const lines = [
    '<!-- peer-suites:start (written by `node bench/peer-suites.mjs --write-readme`) -->',
    `Measured ${new Date().toISOString().slice(0, 10)} on PostgreSQL ${version} ` +
      `(${snaps.map((s) => s.label.replace(/^.*\/\.mirror\//, '')).join(', ')}):`,
    '',
    '| suite | cases | pass |',
    '| --- | --- | --- |',
    ...summary.map((s) => `| ${s.suite} | ${s.total} | ${s.pass}${s.skipped ? ` (${s.skipped} skipped)` : ''} |`),
    '',
    ...summary.flatMap((s) =>
      s.failures.map((i) => {
        const expects = selected[i].expectsError ? ' (the peer expects an error)' : '';
        return `- ${s.suite} \`${selected[i].name}\`${expects}: ${clip(results[i].reason)}`;
      }),
    ),
    '<!-- peer-suites:end -->',
  ];
  const text = readFileSync(README, 'utf8');
  const re = /<!-- peer-suites:start[^]*?<!-- peer-suites:end -->/;
  if (!re.test(text)) throw new Error('packages/auditor/README.md has no peer-suites markers');
  writeFileSync(README, text.replace(re, lines.join('\n')));
  console.log('wrote the results into packages/auditor/README.md');
}
