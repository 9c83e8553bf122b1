import { readdirSync, type Dirent } from 'node:fs';
import { relative } from 'node:path';
import type { Writable } from 'node:stream';
import { StrataError, describeConnection, type Logger } from '@pg-strata/core';
import { MIGRATION_FILE_RE } from '@pg-strata/runner';
import { loadConfig, resolvePath, type LoadedConfig, type StrataConfig } from './config.js';
import { withSslParams } from './connection-url.js';
import type { Outcome } from './outcome.js';

/** Global options every command receives (declared once in cli.ts). */
export interface GlobalOptions {
  url?: string;
  config?: string;
  json?: boolean;
  dryRun?: boolean;
  allowDataLoss?: boolean;
  migrations?: string;
  schema?: string;
}

/** What a command needs from the outside world; tests give their own streams and env. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Resolved settings a command works with. */
export interface Resolved {
  config: StrataConfig;
  configFile?: string;
  baseDir: string;
  migrationsDir: string;
  schema: string;
  json: boolean;
  dryRun: boolean;
  allowDataLoss: boolean;
}

/** A database URL and where it came from (`--url`, `DATABASE_URL`, ...), never printed itself. */
export interface DatabaseSource {
  url: string;
  /** The source, for messages: `--url`, `DATABASE_URL`, `libpq's environment (PGHOST, PGDATABASE)`, `the config file
   * (migrate.config.json)`. */
  from: string;
}

/** libpq's connection variables, in the order a URL is built from them. */
const LIBPQ_VARS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'] as const;

/**
 * A URL from libpq's variables, when any of PGHOST, PGHOSTADDR, PGPORT,
 * PGUSER or PGDATABASE is set (PGPASSWORD alone is not a database: the
 * driver also uses it for a URL from elsewhere that has no password).
 * Unset parts take the driver's defaults, as libpq's would: localhost, 5432,
 * the OS user, a database named like the user. A PGHOST that is a socket
 * directory (starts with /) goes into the `host` parameter.
 */
export function urlFromLibpqEnv(env: NodeJS.ProcessEnv): DatabaseSource | undefined {
  const set = LIBPQ_VARS.filter((v) => env[v]);
  if (!set.some((v) => v !== 'PGPASSWORD')) return undefined;
  const host = env.PGHOST || env.PGHOSTADDR || 'localhost';
  const socket = host.startsWith('/');
  const user = env.PGUSER ? encodeURIComponent(env.PGUSER) : '';
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
  const auth = user || password ? `${user}${password}@` : '';
  const port = env.PGPORT ? `:${env.PGPORT}` : '';
  const db = env.PGDATABASE ? encodeURIComponent(env.PGDATABASE) : '';
  // A socket directory: the URL needs some host name (WHATWG URLs refuse user@ without one); the host parameter wins over it.
  const url = socket
    ? `postgres://${auth}localhost${port}/${db}?host=${encodeURIComponent(host)}`
    : `postgres://${auth}${host.includes(':') ? `[${host}]` : host}${port}/${db}`;
  return { url, from: `libpq's environment (${set.join(', ')})` };
}

/**
 * What in a migrations folder is neither a migration nor something that
 * obviously is not one, so that a migration written as `.js`, `.mts`, or in a
 * subfolder is not skipped without a word. Not named: migrations
 * (`NNNN_slug.sql|ts`), documentation (`README*`, `*.md`, `*.txt`), type
 * declarations (`*.d.ts`), hidden entries (`.gitkeep`, `.DS_Store`), and
 * anything whose name starts with `_` (helpers a TypeScript migration
 * imports, by convention). Misnamed `.sql` files are not listed here: the
 * runner refuses them with its own error. A folder that cannot be read gives
 * nothing (the command reports it when it loads the migrations).
 */
export function strayFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const stray: string[] = [];
  for (const e of entries) {
    const n = e.name;
    if (MIGRATION_FILE_RE.test(n) && !n.endsWith('.d.ts') && !e.isDirectory()) continue;
    if (n.startsWith('.') || n.startsWith('_') || /^readme(\.|$)/i.test(n) || /\.(md|txt)$/i.test(n) || n.endsWith('.d.ts')) continue;
    if (e.isFile() && n.endsWith('.sql')) continue;
    stray.push(e.isDirectory() ? `${n}/` : n);
  }
  return stray.sort();
}

/** Shared state and helpers for command handlers. */
export class CliContext {
  readonly io: CliIo;
  #loaded?: LoadedConfig;
  #progress: string[] = [];
  #progressTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set for the commands that read the migrations folder: resolve() names the files in it that are not migrations, once. */
  warnStrayFiles = false;
  /** The CLI's own process (main.ts): commands take over SIGINT and SIGTERM (signals.ts). */
  handleSignals = false;
  /** Machine-readable output (`--json`, or `--format json`): runCli writes the envelope, commands print no text on stdout. */
  json = false;
  /** `test --format json-lines`: stdout is JSON lines (events, then the envelope on one line). */
  jsonLines = false;
  /** The verb being run, for the envelope (null: none, or an unknown one). */
  verb: string | null = null;
  #outcome: Outcome | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  /** Whether colour may be used on stderr (a TTY and no NO_COLOR). */
  get color(): boolean {
    return Boolean(this.io.stderr.isTTY) && !this.io.env.NO_COLOR && this.io.env.TERM !== 'dumb';
  }

  /** Load the config file once and merge it with the global options. */
  async resolve(opts: GlobalOptions): Promise<Resolved> {
    this.#loaded ??= await loadConfig(opts.config, this.io.cwd);
    const { config, file, baseDir } = this.#loaded;
    const migrationsDir = opts.migrations
      ? resolvePath(this.io.cwd, opts.migrations)
      : resolvePath(baseDir, config.migrationsDir ?? 'migrations');
    if (this.warnStrayFiles) {
      this.warnStrayFiles = false;
      const stray = strayFiles(migrationsDir);
      if (stray.length > 0) {
        this.note(
          this.paint(
            '33',
            `warning: ${stray.join(', ')} in ${relative(this.io.cwd, migrationsDir) || '.'} ` +
              `${stray.length === 1 ? 'is not a migration and is' : 'are not migrations and are'} ignored: ` +
              `migrations are named NNNN_slug.sql or NNNN_slug.ts. Rename ${stray.length === 1 ? 'it' : 'them'}` +
              `, move ${stray.length === 1 ? 'it' : 'them'} out, or start a helper's name with _ to silence ` +
              `this.`,
          ),
        );
      }
    }
    return {
      config,
      ...(file ? { configFile: file } : {}),
      baseDir,
      migrationsDir,
      schema: opts.schema ?? config.schema ?? 'strata',
      json: Boolean(opts.json) || this.json,
      dryRun: Boolean(opts.dryRun),
      allowDataLoss: Boolean(opts.allowDataLoss),
    };
  }

  /**
   * Where the database comes from, in the order users expect (libpq's, with
   * the flag first and the config file last): `--url`, else `DATABASE_URL`,
   * else libpq's `PG*` variables, else `url` in the config file.
   * `undefined` when none gives one. The URL is not printed anywhere: `from`
   * names the source and `describeConnection` the target.
   */
  databaseSource(opts: GlobalOptions, resolved: Resolved): DatabaseSource | undefined {
    if (opts.url) return { url: opts.url, from: '--url' };
    const env = this.io.env;
    if (env.DATABASE_URL) return { url: env.DATABASE_URL, from: 'DATABASE_URL' };
    const libpq = urlFromLibpqEnv(env);
    if (libpq) return libpq;
    if (resolved.config.url)
      return {
        url: resolved.config.url,
        from: `the config file (${relative(this.io.cwd, resolved.configFile ?? '') || resolved.configFile})`,
      };
    return undefined;
  }

  /**
   * The server for scratch shadow databases, in the order the database URL
   * follows: `--shadow-url`, then `SHADOW_DATABASE_URL`, then the config's
   * `shadowUrl`; undefined means an embedded PostgreSQL.
   */
  shadowUrl(flag: string | undefined, resolved: Resolved): string | undefined {
    const env = this.io.env.SHADOW_DATABASE_URL;
    return (
      flag ??
      (env !== undefined && env !== '' ? env : undefined) ??
      (typeof resolved.config.shadowUrl === 'string' ? resolved.config.shadowUrl : undefined)
    );
  }

  /** The database URL (see {@link databaseSource}), with the config's and PGSSL* TLS settings added. */
  databaseUrl(opts: GlobalOptions, resolved: Resolved): string {
    const source = this.databaseSource(opts, resolved);
    if (!source)
      throw new StrataError(
        'USAGE',
        "No database given: pass --url, set DATABASE_URL (or libpq's PGHOST, PGPORT, PGUSER, " +
          'PGPASSWORD, PGDATABASE), or set url in the config file.',
      );
    return withSslParams(source.url, resolved.config.ssl, resolved.baseDir, this.io.env);
  }

  /** Print a line of the command's result on stdout. */
  out(line = ''): void {
    this.flush();
    this.io.stdout.write(`${line}\n`);
  }

  /** Print a JSON document on stdout (runCli's envelope: commands return their result instead). */
  outJson(value: unknown, compact = false): void {
    this.flush();
    this.io.stdout.write(`${compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * A command's action as commander calls it: `fn` returns the command's
   * Outcome, kept for runCli, which renders it and returns its exit code.
   */
  action<A extends unknown[]>(fn: (...args: A) => Promise<Outcome>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.#outcome = await fn(...args);
    };
  }

  /** The Outcome the command's action returned (undefined when no action ran: help, a usage error). */
  takeOutcome(): Outcome | undefined {
    const o = this.#outcome;
    this.#outcome = undefined;
    return o;
  }

  /** Progress and diagnostics go to stderr, so stdout stays clean for --json and --sql. */
  note(line: string): void {
    this.flush();
    this.io.stderr.write(`${line}\n`);
  }

  /**
   * A progress line on stderr (one per migration). On a TTY it is written at
   * once. Otherwise (CI logs, a pipe) lines are gathered and written together
   * at most 100 ms apart and before any other output: a thousand migrations
   * were a thousand write calls, each waking the reader, about a tenth of the
   * client's time in a long `up`.
   */
  progress(line: string): void {
    if (this.io.stderr.isTTY) return this.note(line);
    this.#progress.push(line);
    if (this.#progressTimer) return;
    this.#progressTimer = setTimeout(() => this.flush(), 100);
    this.#progressTimer.unref?.();
  }

  /** Write the gathered progress lines now. */
  flush(): void {
    if (this.#progressTimer) clearTimeout(this.#progressTimer);
    this.#progressTimer = undefined;
    if (this.#progress.length === 0) return;
    const text = `${this.#progress.join('\n')}\n`;
    this.#progress = [];
    this.io.stderr.write(text);
  }

  /**
   * A logger for library diagnostics on stderr. Warnings always show (unless
   * --json); info and debug only with STRATA_DEBUG; errors are not logged here
   * because the command renders the error it returns.
   */
  logger(json: boolean): Logger {
    const write = (level: string) => (message: string) => {
      if (level === 'error' || (json && level !== 'warn')) return;
      if ((level === 'debug' || level === 'info') && !this.io.env.STRATA_DEBUG) return;
      this.note(level === 'warn' ? this.paint('33', `warning: ${message}`) : message);
    };
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }

  /** Wrap text in an ANSI colour when colour is allowed. */
  paint(code: string, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  /** A safe description of the target database. */
  describe(url: string): string {
    return describeConnection(url);
  }
}
