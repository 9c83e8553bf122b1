import type { Writable } from 'node:stream';
import { StrataError, describeConnection, type Logger } from '@strata/core';
import { loadConfig, resolvePath, type LoadedConfig, type StrataConfig } from './config.js';
import { withSslParams } from './connection-url.js';

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

/** Shared state and helpers for command handlers. */
export class CliContext {
  readonly io: CliIo;
  #loaded?: LoadedConfig;
  #progress: string[] = [];
  #progressTimer: ReturnType<typeof setTimeout> | undefined;

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
    return {
      config,
      ...(file ? { configFile: file } : {}),
      baseDir,
      migrationsDir: opts.migrations ? resolvePath(this.io.cwd, opts.migrations) : resolvePath(baseDir, config.migrationsDir ?? 'migrations'),
      schema: opts.schema ?? config.schema ?? 'strata',
      json: Boolean(opts.json),
      dryRun: Boolean(opts.dryRun),
      allowDataLoss: Boolean(opts.allowDataLoss),
    };
  }

  /** The database URL: --url, else the config file, else DATABASE_URL. */
  databaseUrl(opts: GlobalOptions, resolved: Resolved): string {
    const url = opts.url ?? resolved.config.url ?? this.io.env.DATABASE_URL;
    if (!url) throw new StrataError('USAGE', 'No database given: pass --url or set DATABASE_URL.');
    return withSslParams(url, resolved.config.ssl, resolved.baseDir, this.io.env);
  }

  /** Print a line of the command's result on stdout. */
  out(line = ''): void {
    this.flush();
    this.io.stdout.write(`${line}\n`);
  }

  /** Print a JSON document on stdout. */
  outJson(value: unknown): void {
    this.flush();
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
