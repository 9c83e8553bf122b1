import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { globMatcher } from './glob-match.js';

/** The default globs for legacy scripts (relative to the estate's root). */
export const DEFAULT_INCLUDE: readonly string[] = Object.freeze([
  '**/fix_*',
  '**/migrate_*',
  '**/migrate.py',
  '**/add_*',
  '**/apply_*',
  '**/run_*migration*',
  '**/*migration*.py',
  '**/*_migration.sql',
  '**/migrations/*.py',
  '**/*schema*fix*',
  '**/*fix*schema*',
  '**/*db*fix*.py',
  '**/*fix*db*.py',
  '**/sync_*schema*.py',
  '**/migrations/*.sql',
  '**/entrypoint*.sh',
  // Read-only tools: listed as such, so every script of the estate is accounted for.
  '**/check_*',
  '**/inspect_*',
  '**/verify_*',
  '**/debug_*',
]);

/** A shell script that runs psql. */
const CALLS_PSQL = /(?:^|[\s;|&(`$])psql\b/m;
/** A web handler patching the schema (`@app.post("/fix-db")`, `@router.get('/fix_database')`). */
const FIX_DB_ROUTE = new RegExp(
  /@\w+(?:\.\w+)*\.(?:get|post|put|patch|route|api_route)\(\s*[rf]?['"][^'"]*/.source +
    /\/(?:admin\/)?(?:fix|repair|migrate|patch)[-_]?(?:db|database|schema|tables?)\b/.source,
  'i',
);
/** `create_all()` run by the application's module itself (at import or start-up), not by a models file's `__main__`. */
const STARTUP_CREATE_ALL = /\.create_all\s*\(/;
const APP_OBJECT = /\b(?:FastAPI|Flask|Quart|Starlette|APIRouter)\s*\(/;

/** Directories never walked into. */
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze([
  '**/archived/**',
  '**/node_modules/**',
  '**/.git/**',
  // A Python package marker and Alembic's environment are not scripts of their own.
  '**/__init__.py',
  '**/migrations/env.py',
  '**/alembic/**',
  '**/versions/**',
]);

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
  /**
   * Also take files by what they hold: shell scripts that call `psql`, and the
   * application module with a `/fix-db` handler or a start-up `create_all()`.
   * Default: true when `include` is not given.
   */
  readonly byContent?: boolean;
}

/** A discovered script. */
export interface DiscoveredScript {
  /** Path relative to the root, with `/` separators. */
  readonly path: string;
  readonly absolutePath: string;
  /**
   * `glob` (a default or configured include), `explicit` (named in `files`),
   * `psql` (a shell script that calls psql), `application` (the module with a
   * `/fix-db` handler or a start-up `create_all()`: it is application code, so
   * the conversion never moves it).
   */
  readonly reason: 'glob' | 'explicit' | 'psql' | 'application';
}

/** Why a file outside the globs is a legacy script, from its text (files over 1 MB are not read). */
async function byWhatItHolds(abs: string, ext: string): Promise<'psql' | 'application' | undefined> {
  const info = await stat(abs).catch(() => null);
  if (info === null || info.size > 1024 * 1024) return undefined;
  const text = await readFile(abs, 'utf8').catch(() => '');
  if (ext === '.sh') return CALLS_PSQL.test(text) ? 'psql' : undefined;
  if (FIX_DB_ROUTE.test(text)) return 'application';
  if (STARTUP_CREATE_ALL.test(text) && APP_OBJECT.test(text)) return 'application';
  return undefined;
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
  const byContent = options.byContent ?? options.include === undefined;
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
        const ext = extname(entry.name).toLowerCase();
        if (exclude(rel) || !extensions.has(ext)) continue;
        if (include(rel)) found.set(rel, { path: rel, absolutePath: abs, reason: 'glob' });
        else if (byContent && (ext === '.sh' || ext === '.py')) {
          const reason = await byWhatItHolds(abs, ext);
          if (reason !== undefined) found.set(rel, { path: rel, absolutePath: abs, reason });
        }
      }
    }
  };
  await walk(root);

  for (const file of options.files ?? []) {
    const abs = isAbsolute(file) ? file : join(root, file);
    const info = await stat(abs).catch(() => null);
    if (!info?.isFile()) {
      throw new StrataError(
        'CONFIG_INVALID',
        `Legacy script ${file} does not exist (under ${root}). Fix the path in the converter's "files" option or remove it.`,
        {
          meta: { file },
        },
      );
    }
    const rel = relative(root, abs).split(sep).join('/');
    found.set(rel, { path: rel, absolutePath: abs, reason: 'explicit' });
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
