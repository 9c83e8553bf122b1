import { describe, expect, it } from 'vitest';
import { matcher } from './context.js';

describe('matcher (include / exclude name globs)', () => {
  it.each([
    ['public.*', 'public.users', true],
    ['public.*', 'audit.users', false],
    ['tmp_*', 'tmp_a', true],
    ['*_old', 'public.t_old', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['sch$x.*', 'sch$x.t', true],
    ['fn(x)', 'fn(x)', true],
    ['fn(x)', 'fnx', false],
    ['.hidden', '.hidden', true],
    ['{audit,log}.*', 'log.t', true],
    ['!strata', 'public', false],
  ] as const)('%s ~ %s = %s', (glob, name, match) => {
    expect(matcher([glob])!(name)).toBe(match);
  });

  it('is undefined without patterns', () => {
    expect(matcher(undefined)).toBeUndefined();
    expect(matcher([])).toBeUndefined();
  });
});
