/** Building, normalising, serialising and parsing Snapshots: the JSON form every package reads and writes. */
import { StrataError } from '@pg-strata/core';
import { privilegeKey, sortRecord } from './snapshot-keys.js';
import { OBJECT_COLLECTIONS, OPTIONAL_COLLECTIONS, SNAPSHOT_VERSION, type Snapshot } from './snapshot-types.js';

/** An empty Snapshot for a server major version. */
export function emptySnapshot(major = 0): Snapshot {
  return {
    version: SNAPSHOT_VERSION,
    server: { major },
    schemas: {},
    extensions: {},
    collations: {},
    enums: {},
    domains: {},
    compositeTypes: {},
    rangeTypes: {},
    sequences: {},
    tables: {},
    indexes: {},
    views: {},
    materializedViews: {},
    functions: {},
    triggers: {},
    policies: {},
    privileges: {},
    eventTriggers: {},
    publications: {},
  };
}

/**
 * What a database created from template0 already contains: the `public`
 * schema with its standard comment. Plan from this, not from
 * {@link emptySnapshot}, to write a baseline: otherwise the plan would
 * create (and its reverse drop) the public schema.
 */
export function freshDatabaseSnapshot(major = 0): Snapshot {
  const s = emptySnapshot(major);
  s.schemas.public = { name: 'public', comment: 'standard public schema' };
  // PostgreSQL 15 took CREATE on public away from PUBLIC.
  const publicPrivs = major > 0 && major < 15 ? ['CREATE', 'USAGE'] : ['USAGE'];
  s.privileges[privilegeKey('schema', 'public', 'public')] = {
    objectType: 'schema',
    object: 'public',
    grantee: 'public',
    privileges: publicPrivs,
    grantable: [],
  };
  return s;
}

/**
 * Put a Snapshot in canonical form: every collection and nested record with
 * sorted keys. Arrays whose order carries meaning (columns, enum values, index
 * keys) are left as they are; the rest are sorted when built.
 */
export function normalizeSnapshot(s: Snapshot): Snapshot {
  const out = emptySnapshot(s.server.major);
  for (const c of OBJECT_COLLECTIONS) {
    (out[c] as Record<string, unknown>) = sortRecord(s[c] as Record<string, unknown>);
  }
  for (const t of Object.values(out.tables)) t.constraints = sortRecord(t.constraints);
  for (const c of OPTIONAL_COLLECTIONS) {
    const coll = s[c] as Record<string, unknown> | undefined;
    if (coll && Object.keys(coll).length > 0) (out[c] as Record<string, unknown>) = sortRecord(coll);
  }
  for (const t of Object.values(out.textSearchConfigurations ?? {})) t.mappings = sortRecord(t.mappings);
  if (s.unhandled && Object.keys(s.unhandled).length > 0) out.unhandled = sortRecord(s.unhandled);
  return out;
}

/** Serialise a Snapshot as stable, pretty JSON (what `audit --dump` writes). */
export function serializeSnapshot(s: Snapshot): string {
  return `${JSON.stringify(normalizeSnapshot(s), null, 2)}\n`;
}

/**
 * Read a Snapshot from JSON text, checking its version and shape.
 * @param where the file it came from, for the error message
 */
export function parseSnapshot(text: string, where = 'the snapshot'): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StrataError('SNAPSHOT_INVALID', `${where} is not valid JSON: ${(err as Error).message}.`, {
      meta: { file: where },
      cause: err,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StrataError('SNAPSHOT_INVALID', `${where} is not a Strata snapshot (expected a JSON object).`, { meta: { file: where } });
  }
  const v = value as Partial<Snapshot> & { version?: unknown };
  if (v.version !== SNAPSHOT_VERSION) {
    throw new StrataError(
      'SNAPSHOT_INVALID',
      `${where} has snapshot version ${JSON.stringify(v.version)}; this Strata reads version ` +
        `${SNAPSHOT_VERSION}. Write it again with \`strata audit --dump\`.`,
      { meta: { file: where } },
    );
  }
  const base = emptySnapshot(typeof v.server?.major === 'number' ? v.server.major : 0);
  for (const c of [...OBJECT_COLLECTIONS, ...OPTIONAL_COLLECTIONS]) {
    const coll = (v as Record<string, unknown>)[c];
    if (coll === undefined) continue;
    if (typeof coll !== 'object' || coll === null || Array.isArray(coll)) {
      throw new StrataError('SNAPSHOT_INVALID', `${where}: "${c}" must be an object keyed by qualified name.`, { meta: { file: where } });
    }
    (base[c] as Record<string, unknown>) = coll as Record<string, unknown>;
  }
  upgradeSnapshot(base);
  return normalizeSnapshot(base);
}

/**
 * Fill in, with what they meant then, the attributes that Snapshots written
 * before they were recorded lack, so an old saved Snapshot compares equal to
 * a fresh introspection of the same schema. The format stays version 1:
 * these additions are compatible.
 */
function upgradeSnapshot(s: Snapshot): void {
  for (const t of Object.values(s.tables)) {
    t.inherits ??= [];
    t.unlogged ??= false;
    t.options ??= [];
    t.replicaIdentity ??= 'default';
    t.replicaIdentityIndex ??= null;
  }
  for (const d of Object.values(s.domains)) for (const c of d.checks) c.comment ??= null;
  for (const t of Object.values(s.compositeTypes)) for (const at of t.attributes) at.comment ??= null;
}
