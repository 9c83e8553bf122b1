import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { StrataError } from '@strata/core';
import { globMatcher } from './glob-match.js';

/** The default globs for legacy scripts (relative to the estate's root). */
export const DEFAULT_INCLUDE: readonly string[] = Object.freeze([
  '**/fix_*',
  '**/migrate_*',
  '**/add_*',
  '**/migrations/*.sql',
  '**/apply_migration*',
  '**/entrypoint*.sh',
]);

/** Directories never walked into. */
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze(['**/archived/**', '**/node_modules/**', '**/.git/**']);

/** Extensions of scripts the extractor reads. */
export const SCRIPT_EXTENSIONS: readonly string[] = Object.freeze(['.py', '.sql', '.sh', '.js', '.ts']);

/** Options of {@link discoverScripts}. */
export interface DiscoverOptions {
  /** Globs of scripts to take. Default {@link DEFAULT_INCLUDE}. */
  readonly include?: readonly string[];
  /** Globs to leave out, on top of `archived/`, `node_modules/` and `.git/` (always excluded). Default none. */
  readonly exclude?: readonly string[];
  /** Files to take whatever the globs say (e.g. the module with the `/fix-db` handler), relative to `root` or absolute. Default none. */
  readonly files?: readonly string[];
  /** Extensions to keep among glob matches. Default {@link SCRIPT_EXTENSIONS}. */
  readonly extensions?: readonly string[];
}

/** A discovered script. */
export interface DiscoveredScript {
  /** Path relative to the root, with `/` separators. */
  readonly path: string;
  readonly absolutePath: string;
  /** `glob` (a default or configured include) or `explicit` (named in `files`). */
  readonly reason: 'glob' | 'explicit';
}

/**
 * Find the legacy scripts under `root`: files matching `include` with a script
 * extension, outside `archived/`, `node_modules/`, `.git/` and `exclude`,
 * plus the `files` named explicitly. Sorted by path. An explicit file that does
 * not exist is an input error (`CONFIG_INVALID`).
 */
export async function discoverScripts(root: string, options: DiscoverOptions = {}): Promise<DiscoveredScript[]> {
  const include = globMatcher(options.include ?? DEFAULT_INCLUDE);
  const exclude = globMatcher([...DEFAULT_EXCLUDE, ...(options.exclude ?? [])]);
  const extensions = new Set((options.extensions ?? SCRIPT_EXTENSIONS).map((e) => e.toLowerCase()));
  const found = new Map<string, DiscoveredScript>();

  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (entry.isDirectory()) {
        if (exclude(`${rel}/`) || exclude(`${rel}/x`)) continue;
        await walk(abs);
      } else if (entry.isFile()) {
        if (exclude(rel) || !include(rel) || !extensions.has(extname(entry.name).toLowerCase())) continue;
        found.set(rel, { path: rel, absolutePath: abs, reason: 'glob' });
      }
    }
  };
  await walk(root);

  for (const file of options.files ?? []) {
    const abs = isAbsolute(file) ? file : join(root, file);
    const info = await stat(abs).catch(() => null);
    if (!info?.isFile()) {
      throw new StrataError('CONFIG_INVALID', `Legacy script ${file} does not exist (under ${root}). Fix the path in the converter's "files" option or remove it.`, {
        meta: { file },
      });
    }
    const rel = relative(root, abs).split(sep).join('/');
    found.set(rel, { path: rel, absolutePath: abs, reason: 'explicit' });
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
