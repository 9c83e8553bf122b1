import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, parseDuration, parseWholeNumber } from './checks.js';
import { defineConfig } from './config.js';

describe('option and config checks', () => {
  it('parseDuration takes PostgreSQL-style durations and plain milliseconds, nothing negative or unknown', () => {
    expect(parseDuration('30000')).toEqual({ ms: 30000 });
    expect(parseDuration('500ms')).toEqual({ ms: 500 });
    expect(parseDuration('5s')).toEqual({ ms: 5000 });
    expect(parseDuration(' 1.5 min ')).toEqual({ ms: 90000 });
    expect(parseDuration('2h')).toEqual({ ms: 7_200_000 });
    expect(parseDuration(0)).toEqual({ ms: 0 });
    for (const bad of ['abc', '-5', '5 parsecs', '', '1e3', '5S', 'off']) expect(parseDuration(bad)).toHaveProperty('error');
    expect(parseDuration(-1)).toHaveProperty('error');
    expect(parseDuration('30d')).toMatchObject({ error: expect.stringContaining('too long') });
  });

  it('parseWholeNumber refuses fractions, signs and values below the minimum', () => {
    expect(parseWholeNumber('3', 1, 'a count')).toEqual({ n: 3 });
    for (const bad of ['0', '-1', '2.5', 'x', '']) expect(parseWholeNumber(bad, 1, 'a count')).toHaveProperty('error');
  });

  it('didYouMean suggests a close key, or one the typo starts with, and nothing for a stranger', () => {
    const keys = ['url', 'migrationsDir', 'schema', 'lockTimeout', 'statementTimeout', 'lockWaitMs', 'lockMode'];
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(didYouMean('migrationz', keys)).toBe('migrationsDir');
    expect(didYouMean('lockTimout', keys)).toBe('lockTimeout');
    expect(didYouMean('URL', keys)).toBe('url');
    expect(didYouMean('cafile', ['mode', 'ca', 'cert', 'key'])).toBe('ca');
    expect(didYouMean('frobnicate', keys)).toBeUndefined();
  });

  it('defineConfig refuses unknown keys at compile time too', () => {
    // @ts-expect-error: migrationz is not a config key
    expect(defineConfig({ migrationz: 'db' })).toEqual({ migrationz: 'db' });
  });
});
