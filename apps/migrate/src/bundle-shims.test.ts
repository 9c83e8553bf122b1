import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The CLI bundle replaces three modules (scripts/bundle.mjs): pg's WebCrypto
// utilities by node:crypto ones, and commander's child_process and pg's dns
// by lazy ones.
// These tests hold the replacements to the originals, so an upgrade of pg that
// changes its utilities fails here rather than at a user's login.
const require = createRequire(import.meta.url);
const pgRequire = createRequire(require.resolve('pg'));
const original = pgRequire('./crypto/utils') as Record<string, (...args: any[]) => unknown>;
const shim = require('../scripts/shims/pg-crypto-utils.cjs') as Record<string, (...args: any[]) => unknown>;
const bytes = async (v: unknown) => Buffer.from((await v) as ArrayBuffer);

describe("the bundle's stand-in for pg's crypto utilities", () => {
  it('exports the same functions', () => {
    expect(Object.keys(shim).sort()).toEqual(Object.keys(original).sort());
  });

  it('computes what pg computes for a SCRAM-SHA-256 login', async () => {
    const salt = Buffer.from('c2FsdHNhbHRzYWx0c2FsdA==', 'base64');
    const salted = await bytes(shim.deriveKey!('pencil', salt, 4096));
    expect(salted).toEqual(await bytes(original.deriveKey!('pencil', salt, 4096)));
    expect(await bytes(shim.hmacSha256!(salted, 'Client Key'))).toEqual(await bytes(original.hmacSha256!(salted, 'Client Key')));
    expect(await bytes(shim.sha256!(salted))).toEqual(await bytes(original.sha256!(salted)));
    for (const name of ['SHA-256', 'SHA-384', 'SHA-512'])
      expect(await bytes(shim.hashByName!(name, salted))).toEqual(await bytes(original.hashByName!(name, salted)));
    expect(await shim.postgresMd5PasswordHash!('alice', 'secret', Buffer.from([1, 2, 3, 4]))).toBe(
      await original.postgresMd5PasswordHash!('alice', 'secret', Buffer.from([1, 2, 3, 4])),
    );
    expect((shim.randomBytes!(18) as Buffer).length).toBe(18);
  });
});

describe("the bundle's lazy built-ins", () => {
  it('are node:child_process and node:dns once used', () => {
    const lazyChildProcess = require('../scripts/shims/lazy-child-process.cjs') as typeof import('node:child_process');
    expect(lazyChildProcess.spawn).toBe(require('node:child_process').spawn);
    const lazyDns = require('../scripts/shims/lazy-dns.cjs') as typeof import('node:dns');
    expect(lazyDns.lookup).toBe(require('node:dns').lookup);
  });
});
