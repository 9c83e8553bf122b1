#!/usr/bin/env node
// Project rules that no off-the-shelf linter knows (README.md, "Layout"), checked per package:
// - libraries never call process.exit and never read process.env (only apps do;
//   testkit's global setup is the documented exception);
// - nothing reaches into another package's src/ (imports go through package names);
// - import specifiers in TypeScript are relative with a .js extension, or a package name;
// - no import circle among the package's source files (madge; README.md, "Layout", says why madge).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const isApp = root.includes(`${join('apps', '')}`) || pkg.name === '@pg-strata/testkit';
const problems = [];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

for (const file of walk(join(root, 'src'))) {
  const isTest = file.endsWith('.test.ts');
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = `${relative(root, file)}:${i + 1}`;
    if (/^\s*(\/\/|\*)/.test(line)) return;
    if (!isApp && !isTest && /\bprocess\.exit\s*\(/.test(line))
      problems.push(`${at}: libraries must not call process.exit (return a result; the CLI exits)`);
    if (!isApp && !isTest && /\bprocess\.env\b/.test(line) && !/lint-allow-env/.test(line))
      problems.push(`${at}: libraries take resolved options; only apps read process.env`);
    const m = /\bfrom\s+['"]([^'"]+)['"]/.exec(line) ?? /\bimport\(\s*['"]([^'"]+)['"]\s*\)/.exec(line);
    if (m) {
      const spec = m[1];
      if (/(^|\/)(packages|apps)\/[^/]+\/src\//.test(spec) || /^\.\.\/\.\.\/\.\.\//.test(spec))
        problems.push(`${at}: import '${spec}' reaches into another package; import it by name`);
      if (spec.startsWith('.') && !/\.(js|json|mjs)$/.test(spec))
        problems.push(`${at}: relative import '${spec}' needs a .js extension (nodenext)`);
    }
  });
}

// Import circles: static, dynamic (import()) and type-only imports alike, tests
// included. Between packages there can be none (they import each other by
// name and pnpm's workspace graph is acyclic), so one package at a time covers
// every packages/*/src and apps/*/src.
const { default: madge } = await import('madge');
const graph = await madge(join(root, 'src'), {
  fileExtensions: ['ts', 'mts', 'cts'],
  tsConfig: join(root, '..', '..', 'tsconfig.base.json'),
  detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false }, es6: { skipAsyncImports: false } },
});
for (const circle of graph.circular()) {
  problems.push(
    `src/${circle[0]}: import circle ${[...circle, circle[0]].map((f) => `src/${f}`).join(' -> ')} ` +
      `(move what both sides need into a module of its own)`,
  );
}

if (problems.length) {
  console.error(`${pkg.name}: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
