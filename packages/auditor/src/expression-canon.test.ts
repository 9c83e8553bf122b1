import { describe, expect, it } from 'vitest';
import { canonicalExpression } from './expression-canon.js';

describe('canonicalExpression', () => {
  it.each([
    [
      "CHECK (((role)::text = ANY ((ARRAY['user'::character varying, 'assistant'::character varying, " +
        "'system'::character varying])::text[])))",
      "CHECK (((role)::text = ANY (ARRAY[('user'::character varying)::text, ('assistant'::character " +
        "varying)::text, ('system'::character varying)::text])))",
    ],
    // already the fixed point: unchanged
    [
      "CHECK (((role)::text = ANY (ARRAY[('user'::character varying)::text, ('system'::character varying)::text])))",
      "CHECK (((role)::text = ANY (ARRAY[('user'::character varying)::text, ('system'::character varying)::text])))",
    ],
    // quotes and commas inside literals
    [
      "((s)::text = ANY ((ARRAY['a,b'::character varying, 'it''s'::character varying])::text[]))",
      "((s)::text = ANY (ARRAY[('a,b'::character varying)::text, ('it''s'::character varying)::text]))",
    ],
    // elements that are not cast literals are left alone
    ['(x = ANY ((ARRAY[1, 2])::bigint[]))', '(x = ANY ((ARRAY[1, 2])::bigint[]))'],
    ["(x = ANY ((ARRAY[y, 'b'::character varying])::text[]))", "(x = ANY ((ARRAY[y, 'b'::character varying])::text[]))"],
    ['CHECK ((price > (0)::numeric))', 'CHECK ((price > (0)::numeric))'],
    // an unterminated literal (not PostgreSQL output) is returned as it is
    ["(x = ANY ((ARRAY['a::character varying])::text[]))", "(x = ANY ((ARRAY['a::character varying])::text[]))"],
  ])('%s', (input, expected) => {
    expect(canonicalExpression(input)).toBe(expected);
  });
});
