import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DEMO = resolve(import.meta.dirname, '../apps/migrate/dist/demo.js');

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [DEMO], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, out }));
  });
}

const demoDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('strata-demo-'));

describe("pnpm demo (the README's first command)", () => {
  it('runs the main job end to end on an embedded PostgreSQL, and leaves nothing behind', async () => {
    const before = new Set(demoDirs());
    const { code, out } = await runDemo();
    expect({ code, tail: out.slice(-3000) }).toMatchObject({ code: 0 });
    expect(out).toContain('drift found, exit 1');
    expect(out).toMatch(/Verified: the database has exactly the schema of the migrations at [0-9a-f]{12}\./);
    expect(out).toContain('refused, exit 2, nothing ran');
    expect(out).toContain('zero drift, exit 0');
    expect(out).toContain('started: createAll() matched the migrations head');
    expect(out).toMatch(/GET \/health -> 200 .*"mode":"migrate","action":"none"/);
    expect(out).toMatch(/Done in \d+\.\d s/);
    // no password of the embedded server in the output
    expect(out).not.toMatch(/postgres:\/\/[^@\s]*:[^@\s*]+@/);
    // the scratch copy is removed
    expect(demoDirs().filter((d) => !before.has(d))).toEqual([]);
  }, 180_000);
});
