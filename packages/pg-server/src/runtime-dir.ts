// As root, PostgreSQL runs as the unprivileged `postgres` user (it refuses
// root). That user must be able to reach the binaries and the data directory:
// every folder above them needs its execute bit for the user. A project that
// lives in a private folder (mode 700, like /root in most containers) keeps
// the embedded binaries in its node_modules, where `postgres` cannot enter,
// and initdb fails with `spawn .../initdb EACCES`. This module gives such a
// server a place it can reach: a runtime folder (/var/cache/strata, else the
// system temp dir),
// holding hard links (or copies, across file systems) of the installation's
// bin/, lib/ and share/, one folder per installation and version, reused by
// later runs.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StrataError, silentLogger, type Logger } from '@pg-strata/core';
import { defaultPostgresCacheDir } from './postgres-binaries.js';

/** The user and group a server runs as. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** The subfolders of an installation that a server uses: programs, shared libraries, initdb's and the server's data files. */
const PARTS = ['bin', 'lib', 'share'] as const;
/** A runtime copy not used for this long, or whose installation is gone, is removed by the next copy made. */
const STALE_MS = 7 * 24 * 3600 * 1000;

/**
 * Whether `user` can pass through every folder from `/` down to `path` (and
 * into `path` itself): the execute bit of the owner, group or others,
 * whichever applies to the user. Supplementary groups and ACLs are not read:
 * a `false` may be too careful, never too hopeful, for the folders this is
 * asked about (owned by root or by the user).
 */
export function reachableBy(path: string, user: RunAs): boolean {
  let dir = resolve(path);
  for (;;) {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch {
      return false;
    }
    const bits = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bits) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * The first of the system temp dir and `/tmp` that `user` can reach: where a
 * data directory and the runtime folder go when the caller names no place.
 */
export function reachableTempDir(user: RunAs | undefined): string {
  const candidates = [tmpdir(), '/tmp'];
  if (!user) return candidates[0] as string;
  const found = candidates.find((d) => reachableBy(d, user));
  if (!found) {
    throw new StrataError(
      'SERVER_START_FAILED',
      `Neither ${candidates.join(' nor ')} can be entered by the user the embedded PostgreSQL runs as ` +
        `(uid ${user.uid}); set TMPDIR to a folder it can reach.`,
    );
  }
  return found;
}

/**
 * `binDir` when `user` can reach it; otherwise the bin/ of a runtime copy of
 * its installation (the bin/, lib/ and share/ beside it) under the runtime
 * folder ({@link runtimeRoot}), made once per installation and version and
 * reused. The copy is hard links where the file system allows (no space
 * used), copies where it does not. Made in a staging folder and renamed into
 * place, so a concurrent process never sees half a copy.
 */
export function reachableBinDir(binDir: string, user: RunAs, version: string, logger: Logger = silentLogger): string {
  if (reachableBy(binDir, user)) return binDir;
  const install = dirname(realpathSync(binDir));
  const postgres = statSync(join(install, 'bin', 'postgres'));
  // An installation is its place, its version and its postgres binary: another
  // install of the same version elsewhere, or a reinstall, gets its own copy.
  const id = createHash('sha256').update(`${install}\0${postgres.size}\0${postgres.mtimeMs}`).digest('hex').slice(0, 12);
  const root = runtimeRoot(user);
  const target = join(root, `${version.replace(/[^0-9A-Za-z.]/g, '_')}-${id}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    removeStale(root);
    const staging = join(root, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(staging, { mode: 0o755 });
      for (const part of PARTS) {
        if (existsSync(join(install, part))) mirror(join(install, part), join(staging, part));
      }
      writeFileSync(join(staging, '.source'), `${install}\n`, { mode: 0o644 });
      try {
        renameSync(staging, target);
        logger.info('PostgreSQL binaries made reachable for the server user', { version, from: install, to: target });
      } catch (err) {
        // Another process put the same copy in place first: use that one.
        if (!existsSync(join(target, 'bin', 'postgres'))) throw err;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  touch(target);
  return join(target, 'bin');
}

/**
 * Where runtime copies live: `/var/cache/strata/postgres-runtime` (beside the
 * download cache root uses, {@link defaultPostgresCacheDir}), else, where that
 * cannot be made (a read-only /var), `<temp>/strata-pg-runtime-<uid>`. Made
 * here, mode 755, owned by this process's user. A folder of that name that is
 * a symbolic link, belongs to someone else or can be written by others is
 * refused: in a shared /tmp another user could have made it to plant binaries
 * that root would then run as `postgres`.
 */
function runtimeRoot(user: RunAs): string {
  const cache = join(dirname(defaultPostgresCacheDir()), 'postgres-runtime');
  try {
    mkdirSync(cache, { recursive: true, mode: 0o755 });
    if (reachableBy(cache, user)) return checkedRoot(cache);
  } catch (err) {
    if (err instanceof StrataError) throw err;
    // Not writable here (a read-only /var, not root): the temp dir.
  }
  const temp = join(reachableTempDir(user), `strata-pg-runtime-${process.getuid?.() ?? 0}`);
  try {
    mkdirSync(temp, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return checkedRoot(temp);
}

function checkedRoot(root: string): string {
  const st = lstatSync(root);
  if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? st.uid) || (st.mode & 0o022) !== 0) {
    throw new StrataError(
      'SERVER_START_FAILED',
      `Refusing the runtime folder ${root}: it must be a directory owned by this user and writable by ` +
        `no one else. Remove it and try again.`,
    );
  }
  if ((st.mode & 0o755) !== 0o755) chmodSync(root, 0o755);
  return root;
}

/** Recreate `from` at `to`: folders 755, files hard-linked (copied when linking fails or the file is not world-readable), symbolic links as
 * links. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  chmodSync(to, 0o755); // whatever the umask says
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
    } else if (entry.isDirectory()) {
      mirror(src, dst);
    } else if (entry.isFile()) {
      const mode = statSync(src).mode & 0o777;
      // A hard link shares the mode: only a file the server user can already read is linked.
      const readable = (mode & 0o004) !== 0 && ((mode & 0o100) === 0 || (mode & 0o001) !== 0);
      let linked = false;
      if (readable) {
        try {
          linkSync(src, dst);
          linked = true;
        } catch {
          // Another file system, or hard links not allowed here: copy.
        }
      }
      if (!linked) {
        copyFileSync(src, dst);
        chmodSync(dst, mode & 0o100 ? 0o755 : 0o644);
      }
    }
  }
}

/** Mark a runtime copy as used now (the time of its .used file), so that cleaning keeps it. */
function touch(target: string): void {
  try {
    writeFileSync(join(target, '.used'), '', { mode: 0o644 });
  } catch {
    // A read-only temp dir: the copy still works, it may be cleaned a little early.
  }
}

/**
 * Remove, from the runtime folder, staging folders of processes that are gone,
 * and copies whose installation is gone or that no run has used for a week.
 * Only entries with this module's names, that are real folders (never
 * followed through a link), are touched.
 */
function removeStale(root: string): void {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const staging = /^\.staging-(\d+)-[0-9a-f]+$/.exec(name);
    if (staging) {
      if (!processAlive(Number(staging[1]))) rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (!/^[0-9A-Za-z._]+-[0-9a-f]{12}$/.test(name)) continue;
    let source: string | undefined;
    try {
      source = readFileSync(join(path, '.source'), 'utf8').trim();
    } catch {
      source = undefined;
    }
    let used = st.mtimeMs;
    try {
      used = lstatSync(join(path, '.used')).mtimeMs;
    } catch {
      // never marked: the folder's own time
    }
    const gone = source === undefined || !existsSync(join(source, 'bin', 'postgres'));
    if (gone || Date.now() - used > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
