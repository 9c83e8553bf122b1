import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StrataError } from '@strata/core';

/** Severity of a lint rule in the config file. */
export type RuleLevel = 'off' | 'warning' | 'error';

/**
 * The `migrate.config.ts` / `migrate.config.json` file. Every field is
 * optional; command-line options win over the file, the file wins over the
 * environment, the environment over the defaults.
 */
export interface StrataConfig {
  /** Database URL. Prefer `DATABASE_URL` in the environment: a URL in a file is a password in a file. */
  url?: string;
  /** Folder of migration files, relative to the config file. Default `'migrations'`. */
  migrationsDir?: string;
  /** Schema of Strata's own tables. Default `'strata'`. */
  schema?: string;
  /** `lock_timeout` set for every migration (PostgreSQL interval text). Default `'10s'`. */
  lockTimeout?: string;
  /** `statement_timeout` set for every migration. Default `'0'` (none). */
  statementTimeout?: string;
  /** How long `up` waits for the migration lock held by another run, in ms; `0` fails at once. Default: no limit. */
  lockWaitMs?: number;
  /** `'auto'` (default): session locking on a direct connection, transaction-scoped locking behind a pooler (PgBouncer...); or force `'session'` / `'transaction'`. */
  lockMode?: 'auto' | 'session' | 'transaction';
  /** Where the models come from (auditor): an SQL file, a module exporting `createAll`, a shell command, a URL or a snapshot JSON. */
  models?: string;
  /** Shadow database server for the auditor (a scratch database is created there). Default: an embedded PostgreSQL. */
  shadowUrl?: string;
  /**
   * TLS, as libpq parameters added to the URL (a parameter already in the URL wins):
   * `mode` is `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`),
   * `ca` / `cert` / `key` are files (`sslrootcert` / `sslcert` / `sslkey`) relative to the config file.
   * Default: none (the URL's parameters, else `PGSSLMODE` and friends).
   */
  ssl?: { mode?: string; ca?: string; cert?: string; key?: string };
  /** `migrate up` backs the database up with `pg_dump --format=custom` into `dir` first (`--backup DIR`); `pgDump` is the pg_dump to use. Default: no backup. */
  backup?: { dir: string; pgDump?: string };
  /** Health check run before `up` (SQL text, or a `.sql` file relative to the config file): the run stops if it fails. Default: none. */
  checkBefore?: string;
  /** Health check run after `up`: when it fails, `up` exits 1 and prints the `migrate down` command that would revert the run. Default: none. */
  checkAfter?: string;
  /** Lint rule levels by rule id. */
  lint?: { rules?: Record<string, RuleLevel> };
  /** Anything a later command adds (converter globs, fleets...). */
  [key: string]: unknown;
}

/** Typed helper for `migrate.config.ts`: `export default defineConfig({ ... })`. */
export function defineConfig(config: StrataConfig): StrataConfig {
  return config;
}

const CANDIDATES = ['migrate.config.ts', 'migrate.config.mts', 'migrate.config.js', 'migrate.config.mjs', 'migrate.config.json'];

/** A loaded config, with the directory relative paths resolve against. */
export interface LoadedConfig {
  config: StrataConfig;
  /** The config file, if one was found. */
  file?: string;
  /** Directory of the config file, else the working directory. */
  baseDir: string;
}

/** Find and load the config: `--config FILE`, else a `migrate.config.*` in the working directory. */
export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LoadedConfig> {
  const file = explicit ? resolve(cwd, explicit) : CANDIDATES.map((c) => resolve(cwd, c)).find((p) => existsSync(p));
  if (!file) return { config: {}, baseDir: cwd };
  if (!existsSync(file)) throw new StrataError('CONFIG_INVALID', `Config file ${explicit} does not exist.`);
  let config: unknown;
  try {
    if (file.endsWith('.json')) {
      config = JSON.parse(readFileSync(file, 'utf8'));
    } else {
      const { createJiti } = await import('jiti');
      const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
      config = await jiti.import(file, { default: true });
    }
  } catch (err) {
    throw new StrataError('CONFIG_INVALID', `Config file ${file} could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new StrataError('CONFIG_INVALID', `Config file ${file} must export an object (use \`export default defineConfig({...})\`).`);
  }
  return { config: config as StrataConfig, file, baseDir: dirname(file) };
}

/** Resolve a path from the config against its base directory. */
export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
