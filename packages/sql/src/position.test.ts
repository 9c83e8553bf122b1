import { describe, expect, it } from 'vitest';
import { codeFrame } from './code-frame.js';
import { ByteOffsetMap, locationOf, offsetOfCodePoint } from './position.js';

describe('locationOf', () => {
  it.each([
    ['abc', 0, { line: 1, column: 1 }],
    ['abc', 3, { line: 1, column: 4 }],
    ['ab\ncd', 3, { line: 2, column: 1 }],
    ['ab\r\ncd', 5, { line: 2, column: 2 }],
    ['café\nx', 5, { line: 2, column: 1 }],
    ['😀x', 2, { line: 1, column: 2 }],
    ['a😀b', 3, { line: 1, column: 3 }],
    ['ab', 99, { line: 1, column: 3 }],
  ] as const)('%j at %i', (source, offset, expected) => {
    expect(locationOf(source, offset)).toEqual(expected);
  });
});

describe('ByteOffsetMap', () => {
  it('maps UTF-8 byte offsets to JS offsets', () => {
    const source = 'é😀a';
    const map = new ByteOffsetMap(source);
    expect(map.byteLength).toBe(Buffer.byteLength(source));
    // é = 2 bytes, 😀 = 4 bytes (2 UTF-16 units), a = 1 byte.
    expect([0, 2, 6, 7].map((b) => map.toOffset(b))).toEqual([0, 1, 3, 4]);
  });

  it('is the identity for ASCII', () => {
    expect(new ByteOffsetMap('abc').toOffset(2)).toBe(2);
  });
});

describe('offsetOfCodePoint', () => {
  it('counts a surrogate pair as one code point', () => {
    expect(offsetOfCodePoint('😀😀x', 2)).toBe(4);
    expect(offsetOfCodePoint('abc', 2)).toBe(2);
  });
});

describe('codeFrame', () => {
  it('shows the line with a gutter and a caret', () => {
    expect(codeFrame('SELECT 1;\nSELECT * FORM t;', 2, 10)).toBe(['2 | SELECT * FORM t;', '  |          ^'].join('\n'));
  });

  it('with a file header and a section offset', () => {
    expect(codeFrame('SELECT 1;\nSELECT * FORM t;', 2, 10, { file: 'm.sql', firstLine: 99 })).toBe(
      ['   --> m.sql:100:10', '100 | SELECT * FORM t;', '    |          ^'].join('\n'),
    );
  });

  it('the header column moves right only on the first line of a section', () => {
    expect(codeFrame('SELECT x', 1, 8, { file: 'f.py', firstLine: 3, firstColumn: 11 }).split('\n')[0]).toBe(' --> f.py:3:18');
  });

  it('counts columns in code points', () => {
    expect(codeFrame("SELECT '😀' x y", 1, 14)).toBe(["1 | SELECT '😀' x y", '  |              ^'].join('\n'));
  });

  it('drops the \\r of CRLF from the shown line', () => {
    expect(codeFrame('a\r\nbc\r\n', 2, 2)).toBe(['2 | bc', '  |  ^'].join('\n'));
  });
});
