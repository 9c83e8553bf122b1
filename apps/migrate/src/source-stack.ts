// Stack traces of the bundled CLI, read back in TypeScript terms.
//
// dist/main.cjs is minified (scripts/bundle.mjs says why), and Node maps
// stacks only when started with --enable-source-maps: a frame reads
// `main.cjs:1:52345` with a one-letter name. The one
// place a stack is printed on purpose (STRATA_DEBUG=1, an error that is not a
// StrataError) passes it through here, with the bundle's source map.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `at name (file:line:column)` or `at file:line:column`. */
const FRAME = /^(\s*at (?:async )?)(?:(.*?) \()?(.+?):(\d+):(\d+)(\)?)$/;

/**
 * `stack` with every frame in `bundle` (a file with a `.map` beside it)
 * replaced by the original file, line and column.
 * Other frames, and everything when there is no map, are left as they are.
 */
export function sourceMappedStack(stack: string, bundle: string): string {
  const mapFile = `${bundle}.map`;
  let map: SourceMap;
  try {
    map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    // No map beside it, or not one Node can read.
    return stack;
  }
  const base = dirname(mapFile);
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m || m[3] !== bundle) return line;
      const entry = map.findEntry(Number(m[4]) - 1, Number(m[5]) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return line;
      const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(base, entry.originalSource);
      // The frame's function name is the minified one, and the map names
      // tokens, not enclosing functions: the original place alone says more.
      return `${m[1]}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    })
    .join('\n');
}
