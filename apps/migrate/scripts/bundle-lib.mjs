// The library half of the published strata-migrate (run by `pnpm build` after
// tsc and scripts/bundle.mjs): the entry points of scripts/entries.mjs as ES
// modules in dist/lib/, and their type declarations in dist/types/.
//
// JavaScript (esbuild, from the TypeScript sources): one file per entry point,
// code shared between them in dist/lib/chunks/ (esbuild's splitting), so the
// runner, the shim and the auditor a program imports share one @pg-strata/core
// (one StrataError class, one cleanup registry). Every third-party package
// stays external: it is a dependency of strata-migrate, installed beside it,
// and an application that imports the shim shares its `pg` and `kysely`.
//
// Types (rollup with rollup-plugin-dts, from the .d.ts files tsc wrote in each
// package's dist/): the same entry points, every @pg-strata/* declaration
// inlined, shared ones in dist/types/chunks/. Chosen over dts-bundle-generator
// (one self-contained file per entry: StrataError or Logger would be declared
// once per entry point, and a class declared twice is two types) and
// api-extractor (one entry point per run, no sharing between them, and a
// config file per entry). It reads tsc's declarations, so nothing is
// type-checked twice.
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { LIB_ENTRIES } from './entries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const workspace = /^@pg-strata\//;
const bare = /^[^./]/;

rmSync(join(root, 'dist/lib'), { recursive: true, force: true });
rmSync(join(root, 'dist/types'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(LIB_ENTRIES.map(([name, from]) => [name, from])),
  outdir: 'dist/lib',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Workspace packages are bundled from their TypeScript sources.
  conditions: ['source'],
  // Readable output (an application's stack traces point into it); no source
  // maps: they would double the package's size.
  logLevel: 'warning',
  plugins: [
    {
      name: 'strata-lib-externals',
      setup(b) {
        b.onResolve({ filter: bare }, (args) => {
          if (args.kind === 'entry-point' || args.path.startsWith('node:') || workspace.test(args.path)) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});

// Types: where tsc put each entry point's declarations.
const declarationsOf = (from) =>
  realpathSync(
    from.startsWith('./')
      ? join(root, 'dist', from.slice('./src/'.length).replace(/\.ts$/, '.d.ts'))
      : join(root, 'node_modules', from, 'dist/index.d.ts'),
  );
const bundle = await rollup({
  input: Object.fromEntries(LIB_ENTRIES.map(([name, from]) => [name, declarationsOf(from)])),
  // Only third-party packages stay imports; @pg-strata/* is inlined.
  external: (id) => bare.test(id) && !workspace.test(id),
  plugins: [
    {
      // TypeScript resolves @pg-strata/core from each package's own
      // node_modules link: one real path per file, so that a declaration
      // shared by two entry points is one module (a chunk), not two copies.
      name: 'strata-realpath',
      async resolveId(source, importer, options) {
        if (!workspace.test(source) && !source.startsWith('.')) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved && !resolved.external ? { ...resolved, id: realpathSync(resolved.id) } : resolved;
      },
    },
    dts({ respectExternal: true, tsconfig: join(root, 'tsconfig.json'), compilerOptions: { declarationMap: false } }),
  ],
  onwarn(warning, warn) {
    // Circular imports between tsc's declaration files are harmless in types.
    if (warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
});
await bundle.write({
  dir: join(root, 'dist/types'),
  format: 'es',
  entryFileNames: '[name].d.ts',
  chunkFileNames: 'chunks/[name]-[hash].d.ts',
});
await bundle.close();
