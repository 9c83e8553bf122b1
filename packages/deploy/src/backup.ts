import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StrataError, describeConnection, redactSecret, redactUrls, withConnection } from '@pg-strata/core';
import { libpqEnvironment, toolEnvironment } from './libpq-env.js';

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  /** The database to back up. Never printed, never in argv or the file name. */
  url: string;
  /** Directory the dump is written to (created if missing). */
  dir: string;
  /** The pg_dump executable. Default `'pg_dump'` found on `env.PATH`. */
  pgDumpPath?: string;
  /** The pg_restore executable. Default: `pg_restore` beside `pgDumpPath` when that is a path, else `'pg_restore'` on `env.PATH`. */
  pgRestorePath?: string;
  /**
   * Environment of the pg_dump / pg_restore processes (PATH to find them,
   * HOME, LANG); every `PG*` variable in it is dropped and the connection is
   * described by libpq variables built from `url`. Default: `{ PATH: '/usr/local/bin:/usr/bin:/bin' }`.
   */
  env?: Record<string, string | undefined>;
  /** The clock, for the file name. Default `new Date()`. */
  now?: Date;
  /** `application_name` of the version query. Default `'strata-backup'`. */
  applicationName?: string;
}

/** A backup that was written and read back. */
export interface BackupResult {
  /** Absolute path of the dump (`<database>-<UTC timestamp>.dump`). */
  file: string;
  /** Size of the file in bytes. */
  sizeBytes: number;
  /** The database name. */
  database: string;
  /** `user@host:port/db`, safe to print. */
  target: string;
  /** The server's version (`17.6`). */
  serverVersion: string;
  /** pg_dump's version (`17.6`). */
  pgDumpVersion: string;
  /** Entries `pg_restore --list` found in the archive (tables, indexes, data, ...). */
  entries: number;
  durationMs: number;
}

/** Output and exit of a tool run. */
interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function runTool(cmd: string, args: string[], env: Record<string, string>): Promise<ToolRun> {
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-8000)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolvePromise({ code: null, stdout, stderr: err.message, missing: err.code === 'ENOENT' || err.code === 'EACCES' });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolvePromise({ code, stdout, stderr, missing: false });
    });
  });
}

/** `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` -> `15.18`. */
export function parseToolVersion(output: string): string | null {
  const m = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(output) ?? /\b(\d+\.\d+)\b/.exec(output);
  return m?.[1] ?? null;
}

const major = (version: string) => Number(version.split('.')[0]);

/** A file name from the database name and a UTC timestamp: never from the URL. */
export function backupFileName(database: string, now: Date): string {
  const safe = database.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_') || 'database';
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `${safe}-${stamp}.dump`;
}

/**
 * Back up the database with `pg_dump --format=custom` into `dir`, then check
 * the archive is readable with `pg_restore --list`. The password travels in
 * `PGPASSWORD` (never argv); the file name is the database name and a UTC
 * timestamp. Refuses with `BACKUP_FAILED` when pg_dump is missing, older than
 * the server (pg_dump cannot dump a newer server), fails, or writes an
 * archive pg_restore cannot read; no partial file is left behind.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const target = describeConnection(options.url);
  const base = options.env ?? { PATH: '/usr/local/bin:/usr/bin:/bin' };
  const env = toolEnvironment(options.url, base);
  const password = libpqEnvironment(options.url).PGPASSWORD;
  const clean = (s: string) => redactSecret(redactUrls(s), password).trim();
  const pgDump = options.pgDumpPath ?? 'pg_dump';
  const pgRestore =
    options.pgRestorePath ??
    (options.pgDumpPath && options.pgDumpPath.includes('/') ? join(dirname(options.pgDumpPath), 'pg_restore') : 'pg_restore');

  const server = await withConnection({ url: options.url, applicationName: options.applicationName ?? 'strata-backup' }, async (c) => {
    const r = await c.query<{ v: string; db: string }>("SELECT current_setting('server_version') AS v, current_database() AS db");
    return { version: (r.rows[0]?.v ?? '0').split(' ')[0] ?? '0', database: r.rows[0]?.db ?? 'database' };
  });

  const versionRun = await runTool(pgDump, ['--version'], env);
  if (versionRun.missing) {
    throw new StrataError(
      'BACKUP_FAILED',
      `Cannot back up ${target}: ${pgDump} was not found (${clean(versionRun.stderr)}). Install the ` +
        `PostgreSQL ${major(server.version)} client tools (e.g. apt-get install postgresql-client-` +
        `${major(server.version)}) or pass --pg-dump /path/to/pg_dump (config backup.pgDump). Nothing ` +
        `was migrated.`,
      {
        meta: { pgDump, serverVersion: server.version },
      },
    );
  }
  const dumpVersion = parseToolVersion(versionRun.stdout);
  if (versionRun.code !== 0 || !dumpVersion) {
    throw new StrataError(
      'BACKUP_FAILED',
      `Cannot back up ${target}: \`${pgDump} --version\` did not report a version (` +
        `${clean(versionRun.stderr || versionRun.stdout) || `exit ${versionRun.code}`}). Nothing was ` +
        `migrated.`,
      { meta: { pgDump } },
    );
  }
  if (major(dumpVersion) < major(server.version)) {
    throw new StrataError(
      'BACKUP_FAILED',
      `Cannot back up ${target}: pg_dump ${dumpVersion} (${pgDump}) is older than the server ` +
        `(PostgreSQL ${server.version}), and pg_dump cannot dump a newer server. Install the PostgreSQL ` +
        `${major(server.version)} client tools (e.g. apt-get install postgresql-client-` +
        `${major(server.version)}) and pass --pg-dump /usr/lib/postgresql/${major(server.version)}` +
        `/bin/pg_dump (config backup.pgDump). Nothing was migrated.`,
      { meta: { pgDump, pgDumpVersion: dumpVersion, serverVersion: server.version } },
    );
  }

  const dir = resolve(options.dir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new StrataError(
      'BACKUP_FAILED',
      `Cannot back up ${target}: the backup directory ${dir} cannot be created (` +
        `${(err as NodeJS.ErrnoException).code ?? 'error'}). Nothing was migrated.`,
      { meta: { dir }, cause: err },
    );
  }
  let file = join(dir, backupFileName(server.database, options.now ?? new Date()));
  for (let i = 2; existsSync(file); i++)
    file = join(dir, backupFileName(server.database, options.now ?? new Date()).replace(/\.dump$/, `-${i}.dump`));
  const partial = `${file}.partial`;

  const dump = await runTool(pgDump, ['--format=custom', '--no-password', '--file', partial], env);
  if (dump.code !== 0) {
    await rm(partial, { force: true });
    throw new StrataError(
      'BACKUP_FAILED',
      `Backing up ${target} failed: pg_dump exited with ${dump.code ?? 'an error'}: ` +
        `${clean(dump.stderr).split('\n').slice(-3).join(' ')}. Nothing was migrated.`,
      {
        meta: { pgDump, exitCode: dump.code },
      },
    );
  }
  const list = await runTool(pgRestore, ['--list', partial], env);
  if (list.code !== 0) {
    await rm(partial, { force: true });
    const why = list.missing
      ? `${pgRestore} was not found`
      : `pg_restore --list exited with ${list.code}: ${clean(list.stderr).split('\n').slice(-3).join(' ')}`;
    throw new StrataError(
      'BACKUP_FAILED',
      `The backup of ${target} could not be read back (${why}); it was deleted. Nothing was migrated.`,
      { meta: { pgRestore } },
    );
  }
  await rename(partial, file);
  const entries = list.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).length;
  const { size } = await stat(file);
  return {
    file,
    sizeBytes: size,
    database: server.database,
    target,
    serverVersion: server.version,
    pgDumpVersion: dumpVersion,
    entries,
    durationMs: Date.now() - started,
  };
}

/** The command that restores a backup into an (empty) database, for READMEs and messages. */
export function restoreCommand(file: string): string {
  return `pg_restore --clean --if-exists --no-owner --dbname "$DATABASE_URL" ${basename(file) === file ? file : JSON.stringify(file)}`;
}
