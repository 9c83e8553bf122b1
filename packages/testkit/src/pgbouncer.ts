import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@pg-strata/pg-server';

/** Options of {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /**
   * Connection string of the PostgreSQL server to put PgBouncer in front of,
   * with a user and password (the test server's superuser URL). Every
   * database of that server is reachable through PgBouncer under its own name.
   */
  serverUrl: string;
  /** PgBouncer's `pool_mode`. Default `'transaction'`. */
  poolMode?: 'session' | 'transaction' | 'statement';
  /**
   * Server connections per (database, user) pair. Default 4: fewer than the
   * clients a concurrency test opens, so clients really share server
   * connections (which is what breaks session-level advisory locks).
   */
  poolSize?: number;
  /** The `pgbouncer` executable. Default `/usr/sbin/pgbouncer` (Debian's package), else `pgbouncer` on PATH. */
  binary?: string;
  /** Milliseconds to wait for PgBouncer to accept connections. Default 15 000. */
  startTimeoutMs?: number;
}

/** A running PgBouncer. */
export interface PgBouncer {
  /** The loopback port PgBouncer listens on. */
  readonly port: number;
  /** The `pool_mode` it runs with. */
  readonly poolMode: 'session' | 'transaction' | 'statement';
  /** The same connection string with host and port replaced by PgBouncer's (database, user, password kept). */
  url(serverDatabaseUrl: string): string;
  /** PgBouncer's log so far (stderr), for failure messages. */
  log(): string;
  /**
   * A `SHOW` command of PgBouncer's admin console (`POOLS`, `SERVERS`,
   * `CLIENTS`, `STATS`, ...), rows as PgBouncer returns them, for one
   * database when `database` is given. E.g. after a test: no server
   * connection still `active` (held in a transaction) for the database.
   */
  show(command: 'POOLS' | 'SERVERS' | 'CLIENTS' | 'STATS' | 'DATABASES', database?: string): Promise<Record<string, unknown>[]>;
  /** Stop PgBouncer (immediate shutdown) and delete its files. Safe to call twice. */
  stop(): Promise<void>;
}

/** PgBouncer refuses to run as root: run it as the `postgres` system user (as the test server runs). */
function runAsForRoot(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'Running as root and there is no `postgres` system user to run PgBouncer as (start a local PostgreSQL server first: it creates one).',
    );
  }
}

/** Double a value for PgBouncer's userlist, whose fields are "quoted" with "" as the escape. */
const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Start a real PgBouncer on a free loopback port in front of `serverUrl`'s
 * server, with its ini and userlist in a private temporary directory.
 * Clients authenticate with SCRAM using the server URL's user and password;
 * PgBouncer logs in to the server with the same credentials. A wildcard
 * database entry makes every database of the server reachable.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = options.binary ?? (existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer');
  const poolMode = options.poolMode ?? 'transaction';
  const server = new URL(options.serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  if (!user || !password) throw new Error('startPgBouncer: serverUrl needs a user name and a password.');
  const runAs = runAsForRoot();
  const dir = mkdtempSync(join(tmpdir(), 'strata-pgbouncer-'));
  const port = await freePort();
  const ini = `[databases]
* = host=${server.hostname} port=${server.port || '5432'}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${join(dir, 'userlist.txt')}
pool_mode = ${poolMode}
default_pool_size = ${options.poolSize ?? 4}
max_client_conn = 500
max_db_connections = 0
ignore_startup_parameters = extra_float_digits,options
server_reset_query = DISCARD ALL
server_check_delay = 0
admin_users = ${user}
`;
  writeFileSync(join(dir, 'pgbouncer.ini'), ini, { mode: 0o600 });
  writeFileSync(join(dir, 'userlist.txt'), `${quoted(user)} ${quoted(password)}\n`, { mode: 0o600 });
  if (runAs) for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) chownSync(join(dir, f), runAs.uid, runAs.gid);

  const child = spawn(binary, [join(dir, 'pgbouncer.ini')], {
    ...(runAs ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString('utf8')).slice(-20_000);
  });
  let exited = false;
  child.on('error', (err) => {
    log += `\n${err.message}`;
    exited = true;
  });
  child.on('exit', () => {
    exited = true;
    live.delete(child);
  });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  const via = (serverDatabaseUrl: string): string => {
    const u = new URL(serverDatabaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (exited) {
      cleanup();
      throw new Error(`PgBouncer (${binary}) exited during start-up: ${log.trim().split('\n').slice(-5).join(' | ')}`);
    }
    const client = new pg.Client({ connectionString: via(options.serverUrl), connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        cleanup();
        throw new Error(
          `PgBouncer did not accept connections within ${options.startTimeoutMs ?? 15_000} ms: ` +
            `${(err as Error).message}; log: ${log.trim().split('\n').slice(-5).join(' | ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const show = async (command: string, database?: string): Promise<Record<string, unknown>[]> => {
    const u = new URL(via(options.serverUrl));
    u.pathname = '/pgbouncer';
    const admin = new pg.Client({ connectionString: u.toString() });
    admin.on('error', () => {});
    await admin.connect();
    try {
      const rows = (await admin.query<Record<string, unknown>>(`SHOW ${command}`)).rows;
      return database === undefined ? rows : rows.filter((r) => r.database === database);
    } finally {
      await admin.end().catch(() => {});
    }
  };

  let stopped: Promise<void> | undefined;
  return Object.freeze({
    port,
    poolMode,
    url: via,
    log: () => log,
    show,
    stop(): Promise<void> {
      stopped ??= (async () => {
        if (!exited) {
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM'); // immediate shutdown: do not wait for clients
          });
        }
        cleanup();
      })();
      return stopped;
    },
  });
}
