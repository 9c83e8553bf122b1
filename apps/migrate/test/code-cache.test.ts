import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// dist/bin.cjs compiles the bundle with the V8 code cache the build recorded
// (src/bin.cts). V8 checks a cache against the source's length only, so the
// cache carries the build's stamp and a cache of another build is not used.
// STRATA_DEBUG=1 makes bin.cjs say which it did. (pnpm test builds first.)
const dist = resolve(import.meta.dirname, '../dist');
// Inside the app's node_modules, so that the bundle's external packages still resolve.
const cacheDir = resolve(import.meta.dirname, '../node_modules/.cache');
mkdirSync(cacheDir, { recursive: true });
const scratch = mkdtempSync(join(cacheDir, 'strata-code-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function version(dir: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(dir, 'bin.cjs'), '--version'], { env: { PATH: process.env.PATH, STRATA_DEBUG: '1' }, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('the code cache of the migrate executable', () => {
  it('is used when it is the build of the bundle beside it', () => {
    expect(version(dist)).toEqual({ stdout: '0.1.0\n', stderr: 'strata: code cache used\n', status: 0 });
  });

  it('is not used when it belongs to another build, and the CLI runs from source', () => {
    for (const f of ['bin.cjs', 'main.cjs', 'main.cjs.v8-cache']) copyFileSync(join(dist, f), join(scratch, f));
    const cache = readFileSync(join(scratch, 'main.cjs.v8-cache'));
    cache[0] = cache[0] === 0x30 ? 0x31 : 0x30; // another stamp, same length, same V8 data
    writeFileSync(join(scratch, 'main.cjs.v8-cache'), cache);
    expect(version(scratch)).toEqual({ stdout: '0.1.0\n', stderr: 'strata: code cache none for this build\n', status: 0 });
  });
});
