// The built CLI's start-up on every supported Node line: nothing on stderr
// (Node 22 and 24 used to print `Error: unrecognized flag
// --interrupt-budget=675840` on every command, from a V8 flag set at run
// time; `lint` still sets --liftoff-only, src/wasm-tier.ts), and Node's own
// compile cache on where Node has it (>= 22.1).
//
// Node 22 and 24 come from the npm registry's `node` package, which .ci/run
// installs into $STRATA_NODE_CACHE/<major> (default ~/.cache/strata/node/<major>):
//   npm install --prefix ~/.cache/strata/node/22 node@22
// In CI (CI=true) a missing binary fails the run; elsewhere only the Node
// lines that are installed are tested (the one running the tests always is).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { runMigrate, tempProject } from './support/cli.js';

const cache = process.env.STRATA_NODE_CACHE || join(homedir(), '.cache', 'strata', 'node');
const binaryOf = (major: number) => join(cache, String(major), 'node_modules', 'node', 'bin', 'node');
const inCi = process.env.CI === 'true' || process.env.CI === '1';

interface NodeBinary {
  path: string;
  version: string;
}
const nodes: NodeBinary[] = [{ path: process.execPath, version: process.version }];
const missing: number[] = [];
for (const major of [22, 24]) {
  const path = binaryOf(major);
  if (!existsSync(path)) {
    missing.push(major);
    continue;
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  if (!nodes.some((n) => n.version === version)) nodes.push({ path, version });
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Whether `version` (v22.1.0) has module.enableCompileCache(). */
function hasCompileCache(version: string): boolean {
  const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

describe('the migrate CLI on each Node line', () => {
  if (inCi) {
    it('has the Node 22 and 24 binaries that .ci/run installs', () => {
      expect(missing.map((m) => `${binaryOf(m)} is missing`)).toEqual([]);
    });
  }

  for (const node of nodes) {
    it(`prints its version and nothing on stderr on Node ${node.version}`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'strata-node-'));
      scratch.push(cwd);
      const run = await runMigrate(['--version'], { node: node.path, cwd });
      expect(run).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    });

    it(`lints a fresh folder (the parser's V8 flag set) with nothing on stderr on Node ${node.version}`, async () => {
      const cwd = tempProject();
      scratch.push(cwd);
      const run = await runMigrate(['lint'], { node: node.path, cwd });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain('No findings');
    });

    it(
      `runs status on a fresh folder with nothing on stderr on Node ${node.version}` +
        `${hasCompileCache(node.version) ? ", with Node's compile cache" : ''}`,
      async () => {
        const db = await createTestDatabase('e2e_node');
        const cwd = tempProject();
        // Node's compile cache goes to the temp dir: a private one shows it is on.
        const tmp = mkdtempSync(join(tmpdir(), 'strata-node-tmp-'));
        scratch.push(cwd, tmp);
        try {
          for (let i = 0; i < 2; i++) {
            const run = await runMigrate(['status'], { node: node.path, cwd, env: { DATABASE_URL: db.url, TMPDIR: tmp } });
            expect(run.stderr).toBe('');
            expect(run.code).toBe(0);
            expect(run.stdout).toContain('Applied: 0');
          }
        } finally {
          await db.drop();
        }
        const cached = existsSync(join(tmp, 'node-compile-cache')) ? readdirSync(join(tmp, 'node-compile-cache')) : [];
        if (hasCompileCache(node.version)) {
          expect(cached.some((d) => d.startsWith(`${node.version}-`))).toBe(true);
        } else {
          expect(cached).toEqual([]);
        }
      },
    );
  }
});
