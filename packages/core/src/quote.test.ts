import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote.js';
import { describeConnection, redactUrls } from './redact.js';

describe('quoteIdent', () => {
  it.each([
    ['users', 'users'],
    ['Users', '"Users"'],
    ['user', '"user"'],
    ['order', '"order"'],
    ['my table', '"my table"'],
    ['a"b', '"a""b"'],
    ['_x1$', '_x1$'],
    ['1abc', '"1abc"'],
  ])('%s -> %s', (input, expected) => {
    expect(quoteIdent(input)).toBe(expected);
  });
  it('refuses an empty name', () => {
    expect(() => quoteIdent('')).toThrow('empty identifier');
  });
  it('qualifies', () => {
    expect(quoteQualified('Strata', 'order')).toBe('"Strata"."order"');
  });
});

describe('quoteLiteral', () => {
  it('doubles quotes and escapes backslashes with E-syntax', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
  });
});

describe('redaction', () => {
  it('keeps the user and hides the password', () => {
    expect(redactUrls('failed for postgres://app:s3cret@db:5432/x now')).toBe('failed for postgres://app:***@db:5432/x now');
    expect(describeConnection('postgresql://app:s3cret@db.example:6543/prod?sslmode=require')).toBe('app@db.example:6543/prod');
    expect(describeConnection('not a url')).toBe('(invalid connection string)');
  });
});
