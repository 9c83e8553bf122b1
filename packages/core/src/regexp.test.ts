import { describe, expect, it } from 'vitest';
import { escapeRegExp } from './regexp.js';

describe('escapeRegExp', () => {
  it('matches the string itself and nothing else', () => {
    const s = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p-q';
    const re = new RegExp(`^${escapeRegExp(s)}$`);
    expect(re.test(s)).toBe(true);
    expect(re.test(s.replace('.', 'x'))).toBe(false);
    expect(escapeRegExp('plain_name')).toBe('plain_name');
  });
});
