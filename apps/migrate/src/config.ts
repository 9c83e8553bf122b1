import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { DURATION_FORMAT, didYouMean, parseDuration } from './checks.js';

/** Severity of a lint rule in the config file. */
export type RuleLevel = 'off' | 'warning' | 'error';

/**
 * The `migrate.config.ts` / `migrate.config.json` file. Every field is
 * optional; command-line options win over the file, the file over the
 * defaults. The database URL is the exception: `--url`, then `DATABASE_URL`,
 * then libpq's `PG*` variables, then `url` here (CliContext.databaseSource).
 * An unknown key or a value of the wrong kind is refused when the file is
 * read (checkConfig).
 */
export interface StrataConfig {
  /** Database URL, used when neither `--url`, `DATABASE_URL` nor libpq's `PG*` variables give one. Prefer the environment: a URL in a file
   * is a password in a file. */
  url?: string;
  /** Folder of migration files, relative to the config file. Default `'migrations'`. */
  migrationsDir?: string;
  /** Schema of Strata's own tables. Default `'strata'`. */
  schema?: string;
  /** `lock_timeout` set for every migration: `'5s'`, `'500ms'`, `'1min'` or a number of ms. Default `'10s'`. */
  lockTimeout?: string | number;
  /** `statement_timeout` set for every migration, same format. Default `'0'` (none). */
  statementTimeout?: string | number;
  /** How long `up` waits for the migration lock held by another run, in ms (or a duration such as `'30s'`); `0` fails at once. Default: no
   * limit. */
  lockWaitMs?: number | string;
  /** `'auto'` (default): session locking on a direct connection, transaction-scoped locking behind a pooler (PgBouncer...); or force
   * `'session'` / `'transaction'`. */
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
  /** `strata up` backs the database up with `pg_dump --format=custom` into `dir` first (`--backup DIR`); `pgDump` is the pg_dump to use.
   * Default: no backup. */
  backup?: { dir: string; pgDump?: string };
  /** Health check run before `up` (SQL text, or a `.sql` file relative to the config file): the run stops if it fails. Default: none. */
  checkBefore?: string;
  /** Health check run after `up`: when it fails, `up` exits 1 and prints the `strata down` command that would revert the run. Default:
   * none. */
  checkAfter?: string;
  /** Lint rule levels by rule id. */
  lint?: { rules?: Record<string, RuleLevel> };
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
  return { config: checkConfig(config as Record<string, unknown>, file), file, baseDir: dirname(file) };
}

type Check = (value: unknown, key: string) => string | undefined;

const text: Check = (v, key) =>
  typeof v === 'string' && v.trim() !== '' ? undefined : `${key} must be a non-empty string; found ${JSON.stringify(v)}`;
/** A connection string: a wrong one is never echoed (it may hold a password). */
const urlText: Check = (v, key) =>
  typeof v === 'string' && v.trim() !== ''
    ? undefined
    : `${key} must be a postgres:// URL string; found ` +
      `${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`}` +
      ` (not shown: it may hold a password)`;
const oneOf =
  (...allowed: string[]): Check =>
  (v, key) => {
    if (typeof v === 'string' && allowed.includes(v)) return undefined;
    const near = typeof v === 'string' ? didYouMean(v, allowed) : undefined;
    return (
      `${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}` +
      `${near ? ` (did you mean '${near}'?)` : ''}; found ${JSON.stringify(v)}`
    );
  };
const duration: Check = (v, key) => {
  if (typeof v !== 'string' && typeof v !== 'number') return `${key} must be ${DURATION_FORMAT}; found ${JSON.stringify(v)}`;
  const d = parseDuration(v);
  return 'error' in d ? `${key}: ${d.error}` : undefined;
};
/** An object whose keys are all in `fields`, each value checked. */
const object =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (v, key) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return `${key} must be an object with ${Object.keys(fields).join(', ')}; found ${JSON.stringify(v)}`;
    for (const [k, value] of Object.entries(v)) {
      const check = fields[k];
      if (!check) return unknownKey(`${key}.${k}`, k, Object.keys(fields));
      const problem = value === undefined ? undefined : check(value, `${key}.${k}`);
      if (problem) return problem;
    }
    const missing = required.find((r) => (v as Record<string, unknown>)[r] === undefined);
    return missing ? `${key} needs ${key}.${missing}` : undefined;
  };

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/** Every key the config file may have, and what its value must be. */
const CONFIG_KEYS: Record<keyof StrataConfig, Check> = {
  url: urlText,
  migrationsDir: text,
  schema: (v, key) =>
    typeof v === 'string' && v.trim() !== '' && Buffer.byteLength(v) <= 63
      ? undefined
      : `${key} must be a schema name (1 to 63 bytes); found ${JSON.stringify(v)}`,
  lockTimeout: duration,
  statementTimeout: duration,
  lockWaitMs: duration,
  lockMode: oneOf('auto', 'session', 'transaction'),
  models: text,
  shadowUrl: urlText,
  ssl: object({ mode: oneOf(...SSL_MODES), ca: text, cert: text, key: text }),
  backup: object({ dir: text, pgDump: text }, ['dir']),
  checkBefore: text,
  checkAfter: text,
  lint: object({
    // Rule ids are checked by the linter when it runs (with the list of rules); levels here.
    rules: (v, key) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return `${key} must be an object of rule ids to 'off', 'warning' or 'error'`;
      for (const [rule, level] of Object.entries(v)) {
        const problem = oneOf('off', 'warning', 'error')(level, `${key}.${rule}`);
        if (problem) return problem;
      }
      return undefined;
    },
  }),
};

function unknownKey(where: string, key: string, allowed: readonly string[]): string {
  const near = didYouMean(key, allowed);
  return `unknown key '${where}'${near ? ` (did you mean '${near}'?)` : ''}; the keys allowed there are ${allowed.join(', ')}`;
}

/**
 * Refuse a config with an unknown key or a value of the wrong kind, naming
 * the key, what is allowed and the nearest known key: a typo such as
 * `migrationz` would otherwise be ignored and the default folder used.
 */
export function checkConfig(config: Record<string, unknown>, file: string): StrataConfig {
  const allowed = Object.keys(CONFIG_KEYS);
  for (const [key, value] of Object.entries(config)) {
    const check = CONFIG_KEYS[key as keyof StrataConfig];
    if (!check) throw new StrataError('CONFIG_INVALID', `Config file ${file}: ${unknownKey(key, key, allowed)}.`, { meta: { file, key } });
    if (value === undefined) continue;
    const problem = check(value, key);
    if (problem) throw new StrataError('CONFIG_INVALID', `Config file ${file}: ${problem.replace(/\.$/, '')}.`, { meta: { file, key } });
  }
  return config as StrataConfig;
}

/** Resolve a path from the config against its base directory. */
export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
