import { isStrataError } from '@pg-strata/core';
import { describe, expect, it } from 'vitest';
import { isParserLoaded, loadParser } from './parser.js';
import { parseScriptSync } from './split.js';

// Vitest isolates modules per test file, so the parser starts unloaded here.
describe('loadParser', () => {
  it('sync calls before loadParser() fail with a clear INTERNAL error', () => {
    expect(isParserLoaded()).toBe(false);
    let caught: unknown;
    try {
      parseScriptSync('SELECT 1');
    } catch (err) {
      caught = err;
    }
    expect(isStrataError(caught) && [caught.code, caught.message]).toEqual([
      'INTERNAL',
      'parseScriptSync() needs the SQL parser: await loadParser() from @pg-strata/sql first.',
    ]);
  });

  it('loads once, however many callers wait at the same time', async () => {
    const calls = [loadParser(), loadParser(), loadParser()];
    expect(new Set(calls).size).toBe(1);
    await Promise.all(calls);
    expect(isParserLoaded()).toBe(true);
    await loadParser();
    expect(parseScriptSync('SELECT 1').statements).toHaveLength(1);
  });
});
