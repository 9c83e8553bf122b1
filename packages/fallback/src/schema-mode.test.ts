import { describe, expect, it } from 'vitest';
import { StrataError } from '@pg-strata/core';
import { parseSchemaMode, schemaModeFrom } from './schema-mode.js';

describe('schemaModeFrom', () => {
  it.each([
    [{}, 'migrate'],
    [{ STRATA_SCHEMA_MODE: '' }, 'migrate'],
    [{ STRATA_SCHEMA_MODE: ' verify ' }, 'verify'],
    [{ STRATA_SCHEMA_MODE: 'create_all' }, 'create_all'],
    [{ STRATA_SCHEMA_MODE: 'CREATE-ALL' }, 'create_all'],
    [{ STRATA_SCHEMA_MODE: 'Migrate' }, 'migrate'],
  ])('%j -> %s', (env, mode) => {
    expect(schemaModeFrom(env)).toBe(mode);
  });

  it('refuses an unknown mode, naming the variable and the choices', () => {
    expect(() => schemaModeFrom({ STRATA_SCHEMA_MODE: 'yolo' })).toThrow(StrataError);
    expect(() => schemaModeFrom({ STRATA_SCHEMA_MODE: 'yolo' })).toThrow(
      "STRATA_SCHEMA_MODE is 'yolo', which is not a schema mode: use one of migrate, verify, create_all (default migrate).",
    );
    expect(() => parseSchemaMode('x', '--mode')).toThrow(/^--mode is 'x'/);
  });
});
