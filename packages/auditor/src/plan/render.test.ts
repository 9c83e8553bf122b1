import { describe, expect, it } from 'vitest';
import { renderSteps } from './render.js';

describe('renderSteps', () => {
  it('writes each step with its comment lines and markers, separated by a blank line', () => {
    expect(
      renderSteps([
        { sql: 'ALTER TABLE t DROP COLUMN c', destructive: true, comment: 'first\nsecond' },
        { sql: "ALTER TYPE m ADD VALUE 'x'", destructive: false, transactional: false },
      ]),
    ).toBe(
      '-- first\n-- second\n-- destructive: may lose data\nALTER TABLE t DROP COLUMN c;\n\n-- run ' +
        "outside a transaction block\nALTER TYPE m ADD VALUE 'x';\n",
    );
    expect(renderSteps([])).toBe('');
  });
});
