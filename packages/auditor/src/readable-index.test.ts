import { describe, expect, it } from 'vitest';
import { readableIndexDef } from './plan/index.js';

describe('readableIndexDef', () => {
  it.each([
    ['CREATE INDEX a ON public.t USING btree (x)', 'CREATE INDEX a ON t (x)'],
    [
      'CREATE UNIQUE INDEX a ON public.t USING btree (lower(x)) WHERE (x IS NOT NULL)',
      'CREATE UNIQUE INDEX a ON t (lower(x)) WHERE (x IS NOT NULL)',
    ],
    ['CREATE INDEX a ON public."Odd Table" USING btree (x)', 'CREATE INDEX a ON "Odd Table" (x)'],
    ['CREATE INDEX a ON public.t USING gist (r)', 'CREATE INDEX a ON t USING gist (r)'],
    ['CREATE INDEX a ON app.t USING btree (x)', 'CREATE INDEX a ON app.t USING btree (x)'],
    ['CREATE INDEX a ON ONLY public.p USING btree (x)', 'CREATE INDEX a ON ONLY p (x)'],
    ['CREATE INDEX a ON public.t USING btree (x) INCLUDE (y)', 'CREATE INDEX a ON t (x) INCLUDE (y)'],
  ])('%s', (input, expected) => {
    expect(readableIndexDef(input)).toBe(expected);
  });
});
