import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built CLI entry point (pnpm test builds before it runs the tests). */
export const CLI = resolve(import.meta.dirname, '../../apps/migrate/dist/bin.cjs');

/** What a CLI run produced. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built `migrate` CLI as a separate process, as a user would (with `node`, default: the Node running the tests). */
export function runMigrate(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; node?: string } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A temporary project folder with a migrations/ directory. */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A SQL migration file's text in the header format of docs/contracts.md. */
export function sqlMigration(revision: string, parents: string[], up: string, down: string, extra: Record<string, string> = {}): string {
  const header = [
    `-- revision: ${revision}`,
    `-- parents: ${parents.length ? parents.join(', ') : 'none'}`,
    ...Object.entries(extra).map(([k, v]) => `-- ${k}: ${v}`),
  ];
  return `${header.join('\n')}\n\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;
}

/** The one JSON document a `--json` run prints on stdout (docs/json.md). */
export interface Envelope<T = any> {
  version: 1;
  command: string | null;
  ok: boolean;
  result?: T;
  error?: { code: string; message: string; [field: string]: unknown };
}

/** Parse a `--json` run's stdout as exactly one envelope (throws when it is not one). */
export function envelope<T = any>(stdout: string): Envelope<T> {
  const doc = JSON.parse(stdout) as Envelope<T>;
  if (doc === null || typeof doc !== 'object' || doc.version !== 1 || typeof doc.ok !== 'boolean' || !('command' in doc)) {
    throw new Error(`not a --json envelope: ${stdout.slice(0, 200)}`);
  }
  return doc;
}
