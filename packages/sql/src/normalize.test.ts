import { isStrataError } from '@pg-strata/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deparse, fingerprint, fingerprintSync, normalizeStatement, normalizeStatementSync } from './normalize.js';
import { loadParser } from './parser.js';
import { parseScriptSync } from './split.js';

beforeAll(async () => {
  await loadParser();
});

describe('fingerprint', () => {
  it('ignores literal values, case, whitespace and comments', async () => {
    const a = await fingerprint('SELECT id FROM users WHERE id = 1');
    expect(fingerprintSync('select id\n  from users -- who\n where id = 42')).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs for different statements', () => {
    expect(fingerprintSync('SELECT id FROM users')).not.toBe(fingerprintSync('SELECT id FROM orders'));
  });

  it('throws SQL_SYNTAX with a position for bad SQL', () => {
    let caught: unknown;
    try {
      fingerprintSync('SELECT * FORM t');
    } catch (err) {
      caught = err;
    }
    expect(isStrataError(caught) && caught.meta).toEqual({
      line: 1,
      column: 10,
      offset: 9,
      parserMessage: 'syntax error at or near "FORM"',
    });
  });
});

describe('deparse and normalizeStatement', () => {
  it('deparses a statement node from parseScript to one line', () => {
    const [stmt] = parseScriptSync('create   index CONCURRENTLY i on t(a) where a>0').statements;
    expect(deparse(stmt?.ast ?? [])).toBe('CREATE INDEX CONCURRENTLY i ON t (a) WHERE a > 0');
  });

  it('gives equal text for differently written but equal statements', async () => {
    const a = await normalizeStatement('ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false');
    const b = normalizeStatementSync('alter table  users\n  add column email_verified BOOLEAN not null default FALSE -- yes\n');
    expect(a).toBe(b);
    expect(a).toBe('ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false');
  });

  it('keeps literal values (unlike fingerprint)', () => {
    expect(normalizeStatementSync('SELECT 1')).not.toBe(normalizeStatementSync('SELECT 2'));
  });

  it('joins the statements of a script', () => {
    expect(normalizeStatementSync('select 1; select  2;')).toBe('SELECT 1;\nSELECT 2');
  });
});
