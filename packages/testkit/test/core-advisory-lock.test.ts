// Lives in testkit because core cannot depend on testkit (testkit depends on core).
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/index.js';
import { connect, withAdvisoryLock, StrataError } from '@pg-strata/core';

describe('withAdvisoryLock', () => {
  const db = useTestDatabase();

  it('fails at once with the holder named when timeout is 0', async () => {
    const a = await connect({ url: db().url, applicationName: 'holder-app' });
    const b = await connect({ url: db().url });
    try {
      await withAdvisoryLock(a, { key: 42n }, async () => {
        const err = await withAdvisoryLock(b, { key: 42n, timeoutMs: 0 }, async () => 'got it').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StrataError);
        expect((err as StrataError).code).toBe('LOCK_BUSY');
        expect((err as StrataError).message).toMatch(/held by pid \d+ \(application_name 'holder-app'\)/);
      });
      // released in finally: b can take it now
      await expect(withAdvisoryLock(b, { key: 42n, timeoutMs: 0 }, async () => 'got it')).resolves.toBe('got it');
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('waits (polling, never blocking in pg_advisory_lock) and times out with LOCK_TIMEOUT', async () => {
    const a = await connect({ url: db().url });
    const b = await connect({ url: db().url });
    try {
      await withAdvisoryLock(a, { key: 7n }, async () => {
        const err = await withAdvisoryLock(b, { key: 7n, timeoutMs: 200 }, async () => 1).catch((e: unknown) => e);
        expect((err as StrataError).code).toBe('LOCK_TIMEOUT');
      });
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('reports a bad URL without echoing it', async () => {
    const err = await connect({ url: 'postgres://u:hunter2@127.0.0.1:1/x' }).catch((e: unknown) => e);
    expect((err as StrataError).code).toBe('DB_CONNECTION');
    expect((err as Error).message).toContain('connection refused');
    expect((err as Error).message).not.toContain('hunter2');
  });
});
