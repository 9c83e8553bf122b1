import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { redactSecret, redactUrls } from '@pg-strata/core';

/** Options of {@link dumpSchemaSql}. */
export interface DumpSchemaOptions {
  /** Environment for pg_dump (it is found on its PATH); `PGPASSWORD` is set on top. Default: this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The pg_dump executable. Default: `/usr/lib/postgresql/<serverMajor>/bin/pg_dump` when it exists, else `'pg_dump'` on the PATH. */
  pgDump?: string;
  /** Major version of the server, to pick a pg_dump of the same version (an older pg_dump refuses a newer server). */
  serverMajor?: number;
}

/** What {@link dumpSchemaSql} did. */
export type DumpSchemaResult = { written: true; file: string } | { written: false; reason: string };

/**
 * Write `pg_dump --schema-only` of a database to `file`, as an artifact next
 * to the Snapshot. The password goes through `PGPASSWORD`, never argv. A
 * missing or mismatched pg_dump is reported in the result, not thrown: the
 * Snapshot is the audit, the dump a courtesy.
 */
export async function dumpSchemaSql(url: string, file: string, options: DumpSchemaOptions = {}): Promise<DumpSchemaResult> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  const env: Record<string, string> = {};
  const inherited = options.env ?? process.env; // lint-allow-env: pg_dump needs PATH and friends
  for (const [k, v] of Object.entries(inherited)) if (v !== undefined) env[k] = v;
  if (password) env.PGPASSWORD = password;
  const args = [
    '--schema-only',
    '--no-owner',
    '--no-privileges',
    '--file',
    file,
    '--host',
    u.hostname || 'localhost',
    '--dbname',
    decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  ];
  if (u.port) args.push('--port', u.port);
  if (u.username) args.push('--username', decodeURIComponent(u.username));
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return await new Promise<DumpSchemaResult>((resolve) => {
    const versioned = options.serverMajor ? `/usr/lib/postgresql/${options.serverMajor}/bin/pg_dump` : undefined;
    const exe = options.pgDump ?? (versioned && existsSync(versioned) ? versioned : 'pg_dump');
    const child = spawn(exe, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ written: false, reason: e.code === 'ENOENT' ? 'pg_dump is not on the PATH' : e.message }),
    );
    child.on('close', (code) => {
      if (code === 0) resolve({ written: true, file });
      else {
        void rm(file, { force: true }).catch(() => {}); // no half-written dump left behind
        resolve({
          written: false,
          reason: `pg_dump exited with code ${code}: ${redactSecret(redactUrls(err.trim()), password).split('\n').slice(0, 2).join(' ')}`,
        });
      }
    });
  });
}
