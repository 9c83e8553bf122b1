import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import pg from 'pg';
import { StrataError, describeConnection, isStrataError, redactSecret, redactUrls, silentLogger, withConnection } from '@pg-strata/core';
import { createScratchDatabase, resolvePostgresBinaries, startLocalServer } from '@pg-strata/pg-server';
import { parseScript } from '@pg-strata/sql';
import { introspect, type IntrospectOptions } from './catalog-introspector.js';
import { applyModelsSql, runsAlone, type ModelsScript } from './models-sql.js';
import { parseSnapshot, type Snapshot } from './snapshot.js';

/** Where a Snapshot comes from, parsed from the string a user writes. */
export type ModelSource =
  | { kind: 'url'; url: string }
  | { kind: 'sql'; files: string[] }
  | { kind: 'module'; file: string }
  | { kind: 'command'; command: string }
  | { kind: 'snapshot'; file: string }
  | { kind: 'migrations'; dir: string; revision: string };

/**
 * Parse a source string:
 * - `postgres://...` / `postgresql://...`: a live database;
 * - `cmd:<shell command>`: a command that applies the models to `$DATABASE_URL`;
 * - `migrations:DIR[@rev]`: the migrations folder upgraded to `rev` (default `head`);
 * - `*.json`: a saved Snapshot;
 * - `*.sql` (several separated by commas): SQL applied in order;
 * - `*.ts`, `*.mts`, `*.js`, `*.mjs`, `*.cjs`, `*.cts`: a module exporting `createAll(db: Kysely<any>)`.
 * Relative paths resolve against `cwd`.
 */
export function parseModelSource(spec: string, cwd: string): ModelSource {
  const s = spec.trim();
  if (/^postgres(ql)?:\/\//i.test(s)) return { kind: 'url', url: s };
  if (s.startsWith('cmd:')) {
    const command = s.slice(4).trim();
    if (!command) throw new StrataError('USAGE', 'The models source `cmd:` names no command: write `cmd:python -m app.create_all`.');
    return { kind: 'command', command };
  }
  if (s.startsWith('migrations:')) {
    const rest = s.slice('migrations:'.length);
    const at = rest.lastIndexOf('@');
    const dir = at > 0 ? rest.slice(0, at) : rest;
    const revision = at > 0 ? rest.slice(at + 1) : 'head';
    return { kind: 'migrations', dir: resolve(cwd, dir || 'migrations'), revision: revision || 'head' };
  }
  const files = s
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (files.length === 0) throw new StrataError('USAGE', 'No models source given.');
  if (files.every((f) => /\.sql$/i.test(f))) return { kind: 'sql', files: files.map((f) => resolve(cwd, f)) };
  if (files.length === 1) {
    const file = resolve(cwd, files[0]!);
    if (/\.json$/i.test(file)) return { kind: 'snapshot', file };
    if (/\.(ts|mts|cts|js|mjs|cjs)$/i.test(file)) return { kind: 'module', file };
  }
  throw new StrataError(
    'USAGE',
    `Cannot tell what kind of models source '${redactUrls(s)}' is. Use a postgres:// URL, SQL ` +
      `file(s) (.sql), a module exporting createAll (.ts/.js), a saved snapshot (.json), cmd:<shell ` +
      `command> or migrations:<dir>[@revision].`,
  );
}

/** Options of {@link snapshotFrom}. */
export interface SnapshotFromOptions extends IntrospectOptions {
  /**
   * A server where a scratch shadow database is created and dropped (a role
   * that may CREATE DATABASE). Default: an embedded PostgreSQL started on demand.
   */
  shadowUrl?: string;
  /**
   * Major version of the database the models will be compared with. The
   * embedded shadow server runs that major when its binaries can be found or
   * downloaded (`resolvePostgresBinaries` of `@pg-strata/pg-server`), else the
   * bundled PostgreSQL 17 with a note. Default: none (the bundled 17).
   */
  targetMajor?: number;
  /**
   * Directories to look for the target major's binaries in (each one's major
   * is read from `postgres --version`), instead of the usual system locations;
   * `pg_config`, the download cache and a download are tried after them.
   * Default: `/usr/lib/postgresql/<major>/bin`, `/usr/pgsql-<major>/bin` and
   * Homebrew's `postgresql@<major>`.
   */
  binDirs?: readonly string[];
  /**
   * Download the target major's binaries from the npm registry (checked, then
   * cached) when none are installed; `false` never touches the network.
   * Default true.
   */
  download?: boolean;
  /** Directory relative paths resolve against. Default: the process's working directory. */
  cwd?: string;
  /** Environment of a `cmd:` command (`DATABASE_URL` is set on top). Default: this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Time limit of a `cmd:` command, in ms. Default 300 000. */
  commandTimeoutMs?: number;
}

/** A Snapshot with what the reader should know about how it was made. */
export interface SourcedSnapshot {
  snapshot: Snapshot;
  /** A short description of the source, safe to print (no password). */
  source: string;
  /** Things worth saying, e.g. that the shadow server's major differs from the target's. */
  notes: string[];
}

/**
 * Materialise a models source and read it into a Snapshot. Sources other than
 * a URL or a saved snapshot are applied to a fresh shadow database, which is
 * always dropped (and an embedded server stopped) afterwards, also on failure.
 */
export async function snapshotFrom(spec: string | ModelSource, options: SnapshotFromOptions = {}): Promise<SourcedSnapshot> {
  const cwd = options.cwd ?? process.cwd();
  const source = typeof spec === 'string' ? parseModelSource(spec, cwd) : spec;
  const show = (f: string) => {
    const r = isAbsolute(f) ? relative(cwd, f) : f;
    return r && !r.startsWith('..') ? r : f;
  };
  switch (source.kind) {
    case 'url':
      return { snapshot: await introspect(source.url, options), source: describeConnection(source.url), notes: [] };
    case 'snapshot': {
      let text: string;
      try {
        text = await readFile(source.file, 'utf8');
      } catch (err) {
        throw new StrataError('MODELS_SOURCE_FAILED', `Cannot read the snapshot file ${show(source.file)}: ${(err as Error).message}.`, {
          meta: { file: show(source.file) },
          cause: err,
        });
      }
      return { snapshot: parseSnapshot(text, show(source.file)), source: show(source.file), notes: [] };
    }
    case 'sql': {
      // Parse every file before any database is touched: a syntax error costs nothing.
      const parseStarted = Date.now();
      const scripts: ModelsScript[] = [];
      const ignored: string[] = [];
      for (const f of source.files) {
        let text: string;
        try {
          text = await readFile(f, 'utf8');
        } catch (err) {
          throw new StrataError('MODELS_SOURCE_FAILED', `Cannot read the models SQL file ${show(f)}: ${(err as Error).message}.`, {
            meta: { file: show(f) },
            cause: err,
          });
        }
        // psql meta-commands (pg_dump writes \\connect and \\restrict) are not SQL: listed in the notes, not run.
        const parsed = await parseScript(text, { file: show(f), metaCommands: 'report' });
        for (const m of parsed.metaCommands ?? []) ignored.push(`${show(f)}:${m.line}: ${m.command}`);
        const statements = parsed.statements.map((st) => ({
          text: st.text,
          line: st.range.line,
          column: st.range.column,
          alone: runsAlone(st),
        }));
        scripts.push({ file: show(f), statements });
      }
      const parseMs = Date.now() - parseStarted;
      const sourced = await inShadow(options, source.files.map(show).join(', '), async (url) => {
        const t0 = Date.now();
        const done = await withConnection({ url, applicationName: 'strata-shadow' }, async (c) => await applyModelsSql(c, scripts));
        (options.logger ?? silentLogger).debug('models applied', { ms: Date.now() - t0, parseMs, ...done });
      });
      if (ignored.length > 0)
        sourced.notes.push(
          `psql meta-commands are not SQL and were not run: ${ignored.slice(0, 5).join(', ')}` +
            `${ignored.length > 5 ? ` and ${ignored.length - 5} more` : ''}.`,
        );
      return sourced;
    }
    case 'module':
      return await inShadow(options, show(source.file), async (url) => {
        await runCreateAll(source.file, show(source.file), url);
      });
    case 'command':
      return await inShadow(options, `cmd:${source.command}`, async (url) => {
        await runCommand(source.command, url, cwd, options);
      });
    case 'migrations':
      return await inShadow(options, `migrations ${show(source.dir)} at ${source.revision}`, async (url) => {
        const { upgrade } = await import('@pg-strata/runner');
        const result = await upgrade({
          url,
          migrationsDir: source.dir,
          target: source.revision,
          allowDataLoss: true,
          ...(options.strataSchema ? { schema: options.strataSchema } : {}),
          applicationName: 'strata-shadow',
        });
        if (!result.ok) {
          const e = result.error;
          throw new StrataError(
            'MODELS_SOURCE_FAILED',
            `Upgrading a shadow database to ${source.revision} failed: ${e?.message ?? 'unknown error'}`,
            { meta: { ...(e?.meta ?? {}) }, cause: e },
          );
        }
      });
  }
}

/** A shadow PostgreSQL server started on demand. */
export interface ShadowServer {
  /** Superuser URL: pass it as `shadowUrl` to several {@link snapshotFrom} calls to share the server. */
  readonly url: string;
  readonly major: number;
  /** Notes for the reader (a major version mismatch). */
  readonly notes: string[];
  stop(): Promise<void>;
}

/**
 * Start an embedded PostgreSQL for shadow databases, of the target's major
 * version whenever its binaries can be found or downloaded; else the bundled
 * PostgreSQL 17, with a note saying what was tried. Stop it with `stop()`.
 */
export async function startShadowServer(
  options: Pick<SnapshotFromOptions, 'targetMajor' | 'binDirs' | 'download' | 'logger'> = {},
): Promise<ShadowServer> {
  const logger = options.logger ?? silentLogger;
  const want = options.targetMajor;
  let binDir: string | undefined;
  let unavailable: StrataError | undefined;
  if (want) {
    try {
      binDir = (
        await resolvePostgresBinaries({
          major: want,
          ...(options.binDirs ? { systemBinDirs: options.binDirs } : {}),
          ...(options.download === false ? { download: false } : {}),
          logger,
        })
      ).binDir;
    } catch (err) {
      // A target major we cannot run (none installed, download off or failing) costs precision, not the audit.
      if (!isStrataError(err) || err.code === 'USAGE') throw err;
      unavailable = err;
    }
  }
  logger.info('starting a shadow PostgreSQL server', { binDir: binDir ?? 'embedded' });
  const server = await startLocalServer({ ...(binDir ? { binDir } : {}), logger });
  const notes: string[] = [];
  if (want && server.major !== want) notes.push(majorMismatchNote(server.major, want, unavailable, options.download));
  return { url: server.url, major: server.major, notes, stop: () => server.stop() };
}

/** Why the shadow server's major differs from the target's, what was tried, and how to fix it. */
function majorMismatchNote(running: number, target: number, unavailable: StrataError | undefined, download: boolean | undefined): string {
  const tried = Array.isArray(unavailable?.meta.tried) ? (unavailable.meta.tried as unknown[]).map(String) : [];
  let why = '';
  if (unavailable?.meta.reason === 'POSTGRES_MAJOR_UNAVAILABLE' && tried.length > 0) {
    why =
      ` No PostgreSQL ${target} binaries were found (tried: ${tried.join('; ')})` +
      `${download === false ? ' and downloading is off' : ''}.`;
  } else if (unavailable) {
    why = ` ${unavailable.message}`;
  }
  return (
    `The shadow database runs PostgreSQL ${running} but the target runs ${target}: types and ` +
    `defaults are spelled as ${running} spells them.${why} ` +
    `Install PostgreSQL ${target}${download === false ? ' (or allow the download)' : ''} or pass a ` +
    `shadow URL of a PostgreSQL ${target} server (--shadow-url) to compare like with like.`
  );
}

/** Run `apply` on a fresh shadow database, introspect it, and clean up whatever happens. */
async function inShadow(options: SnapshotFromOptions, what: string, apply: (url: string) => Promise<void>): Promise<SourcedSnapshot> {
  const logger = options.logger ?? silentLogger;
  const notes: string[] = [];
  let adminUrl: string;
  let stopServer: (() => Promise<void>) | undefined;
  if (options.shadowUrl) {
    adminUrl = options.shadowUrl;
  } else {
    const server = await startShadowServer(options);
    adminUrl = server.url;
    stopServer = () => server.stop();
    notes.push(...server.notes);
  }
  try {
    const db = await createScratchDatabase(adminUrl, { prefix: 'strata_shadow' });
    try {
      logger.info('applying the models to a shadow database', { source: what });
      await apply(db.url);
      const snapshot = await introspect(db.url, options);
      return { snapshot, source: what, notes };
    } finally {
      await db.drop();
    }
  } finally {
    await stopServer?.();
  }
}

async function runCreateAll(file: string, shown: string, url: string): Promise<void> {
  if (!existsSync(file))
    throw new StrataError('MODELS_SOURCE_FAILED', `The models module ${shown} does not exist.`, { meta: { file: shown } });
  let mod: Record<string, unknown>;
  try {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false }); // no transpile cache left in TMPDIR
    mod = (await jiti.import(file)) as Record<string, unknown>;
  } catch (err) {
    throw new StrataError('MODELS_SOURCE_FAILED', `The models module ${shown} could not be loaded: ${redactUrls((err as Error).message)}`, {
      meta: { file: shown },
      cause: err,
    });
  }
  const def = mod.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
  const createAll = (mod.createAll ?? (typeof def === 'function' ? def : def?.createAll)) as ((db: unknown) => unknown) | undefined;
  if (typeof createAll !== 'function') {
    throw new StrataError(
      'MODELS_SOURCE_FAILED',
      `The models module ${shown} exports no createAll function: add \`export async function createAll(db: Kysely<any>) { ... }\`.`,
      { meta: { file: shown } },
    );
  }
  const { Kysely, PostgresDialect } = await import('kysely');
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'strata-shadow' });
  pool.on('error', () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await createAll(db);
  } catch (err) {
    const secret = new URL(url).password;
    const msg = redactSecret(redactUrls(err instanceof Error ? err.message : String(err)), decodeURIComponent(secret));
    throw new StrataError('MODELS_SOURCE_FAILED', `The models module ${shown} threw in createAll: ${msg}`, {
      meta: { file: shown },
      cause: err,
    });
  } finally {
    await db.destroy().catch(() => {});
  }
}

async function runCommand(command: string, url: string, cwd: string, options: SnapshotFromOptions): Promise<void> {
  const base = options.env ?? process.env; // lint-allow-env: the command inherits the caller's environment unless one is given
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.DATABASE_URL = url;
  const secret = decodeURIComponent(new URL(url).password);
  const clean = (s: string) => redactSecret(redactUrls(s), secret);
  const timeoutMs = options.commandTimeoutMs ?? 300_000;
  await new Promise<void>((resolveRun, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (c: Buffer) => {
      out = (out + c.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new StrataError('MODELS_SOURCE_FAILED', `The models command could not start: ${clean(err.message)}.`, {
          meta: { command: clean(command) },
          cause: err,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolveRun();
      const tail = clean(out.trim()).split('\n').slice(-8).join('\n');
      const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs} ms?` : ''})` : `exited with code ${code}`;
      reject(
        new StrataError('MODELS_SOURCE_FAILED', `The models command \`${clean(command)}\` ${how}${tail ? `:\n${tail}` : '.'}`, {
          meta: { command: clean(command), exitCode: code },
        }),
      );
    });
  });
}
