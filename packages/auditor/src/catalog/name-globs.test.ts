import { describe, expect, it } from 'vitest';
import { matcher } from './context.js';

describe('matcher (include / exclude name globs)', () => {
  it('reads picomatch globs; parentheses and a leading ! stay literal', () => {
    const cases: [glob: string, name: string, match: boolean][] = [
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
    ];
    const got = cases.map(([glob, name]) => `${glob} ~ ${name}: ${matcher([glob])!(name)}`);
    expect(got).toEqual(cases.map(([glob, name, match]) => `${glob} ~ ${name}: ${match}`));
  });

  it('is undefined without patterns', () => {
    expect(matcher(undefined)).toBeUndefined();
    expect(matcher([])).toBeUndefined();
  });
});
