import { StrataError } from '@pg-strata/core';

/**
 * How the start-up shim treats the schema:
 * - `'migrate'`: bring the database to head with the runner (the default);
 * - `'verify'`: change nothing, refuse to start when the database is not at head;
 * - `'create_all'`: the rollback flag of the cut-over: the legacy `createAll` on an
 *   empty database, checked against the migrations head and stamped; `migrate` otherwise.
 */
export type SchemaMode = 'migrate' | 'verify' | 'create_all';

/** Every mode, in the order help texts list them. */
export const SCHEMA_MODES: readonly SchemaMode[] = Object.freeze(['migrate', 'verify', 'create_all']);

/** The environment variable {@link schemaModeFrom} reads. */
export const SCHEMA_MODE_VARIABLE = 'STRATA_SCHEMA_MODE';

/**
 * Parse a mode name (`migrate`, `verify`, `create_all`; case and `-`/`_` are
 * forgiven). `where` names the source in the error, e.g. `'--mode'`.
 */
export function parseSchemaMode(value: string, where = 'the schema mode'): SchemaMode {
  const v = value.trim().toLowerCase().replace(/-/g, '_');
  if ((SCHEMA_MODES as readonly string[]).includes(v)) return v as SchemaMode;
  throw new StrataError(
    'CONFIG_INVALID',
    `${where} is '${value}', which is not a schema mode: use one of ${SCHEMA_MODES.join(', ')} (default migrate).`,
    { meta: { value } },
  );
}

/**
 * The mode from `STRATA_SCHEMA_MODE` in an environment object the application
 * passes (`schemaModeFrom(process.env)`; libraries never read process.env
 * themselves). Unset or empty: `'migrate'`. Any other value throws `CONFIG_INVALID`.
 */
export function schemaModeFrom(env: Readonly<Record<string, string | undefined>>): SchemaMode {
  const raw = env[SCHEMA_MODE_VARIABLE];
  if (raw === undefined || raw.trim() === '') return 'migrate';
  return parseSchemaMode(raw, SCHEMA_MODE_VARIABLE);
}
