// A project in a private folder (mode 700, like /root in most containers): as
// root, the server runs as the `postgres` user, who cannot enter it, so the
// binaries it runs must be a reachable copy (src/runtime-dir.ts). As another
// user, the server runs as that user and starts from the folder itself.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStrataError } from '@pg-strata/core';
import { defaultPostgresCacheDir, embeddedBinDir, startLocalServer } from '../src/index.js';
import { reachableBy } from '../src/runtime-dir.js';

const isRoot = process.getuid?.() === 0;
let privateDir: string;
let binDir: string;
const copies = new Set<string>();

/** The path of the program the server's backend runs (as root, any process's /proc entry can be read). */
async function serverProgram(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    return readlinkSync(`/proc/${pid}/exe`);
  } finally {
    await client.end();
  }
}

beforeAll(() => {
  privateDir = mkdtempSync(join(tmpdir(), 'strata-private-'));
  chmodSync(privateDir, 0o700);
  // The embedded installation (bin, lib, share) inside the private folder, as
  // in a project's node_modules there: hard links where possible.
  const install = join(privateDir, 'project', 'node_modules', 'native');
  mkdirSync(dirname(install), { recursive: true });
  const from = dirname(embeddedBinDir());
  try {
    execFileSync('cp', ['-al', from, install], { stdio: 'ignore' });
  } catch {
    cpSync(from, install, { recursive: true });
  }
  binDir = join(install, 'bin');
});

afterAll(() => {
  rmSync(privateDir, { recursive: true, force: true });
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

describe('the embedded server with its binaries in a mode-700 folder', () => {
  it('knows the postgres user cannot pass a mode-700 folder it does not own', () => {
    const stranger = { uid: 4_000_000, gid: 4_000_000 };
    expect(reachableBy(privateDir, stranger)).toBe(false);
    expect(reachableBy(binDir, stranger)).toBe(false);
    expect(reachableBy(tmpdir(), stranger)).toBe(true);
  });

  it(
    isRoot
      ? 'as root, runs a reachable copy in the runtime folder, made once and reused, and cleans stale copies'
      : 'as a user, runs the binaries where they are',
    async () => {
      let runtimeRoot: string | undefined;
      if (isRoot) {
        // Leftovers a crashed run and a deleted project would leave behind.
        // Beside root's download cache (a read-only /var would make it <temp>/strata-pg-runtime-0).
        runtimeRoot = join(dirname(defaultPostgresCacheDir()), 'postgres-runtime');
        mkdirSync(runtimeRoot, { recursive: true, mode: 0o755 });
        const deadStaging = join(runtimeRoot, '.staging-2147483646-00000000');
        const orphan = join(runtimeRoot, '0.0-000000000000');
        for (const d of [deadStaging, join(orphan, 'bin')]) mkdirSync(d, { recursive: true });
        writeFileSync(join(orphan, '.source'), join(privateDir, 'deleted-project'));
        const unrelated = join(runtimeRoot, 'not-ours');
        mkdirSync(unrelated, { recursive: true });

        const first = await startLocalServer({ binDir });
        let program: string;
        try {
          program = await serverProgram(first.url);
        } finally {
          await first.stop();
        }
        const copy = dirname(dirname(program));
        copies.add(copy);
        expect(dirname(copy)).toBe(runtimeRoot);
        expect(readFileSync(join(copy, '.source'), 'utf8').trim()).toBe(dirname(binDir));
        expect(existsSync(deadStaging)).toBe(false);
        expect(existsSync(orphan)).toBe(false);
        expect(existsSync(unrelated)).toBe(true);
        rmSync(unrelated, { recursive: true });

        const second = await startLocalServer({ binDir });
        try {
          expect(await serverProgram(second.url)).toBe(program);
        } finally {
          await second.stop();
        }

        // A data directory the postgres user could not enter is refused with a reason, not an EACCES.
        const err = await startLocalServer({ binDir, baseDir: privateDir }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStrataError(err) && err.code).toBe('SERVER_START_FAILED');
        expect((err as Error).message).toContain('cannot be entered by the postgres user');
      } else {
        const server = await startLocalServer({ binDir, baseDir: privateDir });
        try {
          expect((await serverProgram(server.url)).startsWith(privateDir)).toBe(true);
        } finally {
          await server.stop();
        }
      }
    },
  );
});
