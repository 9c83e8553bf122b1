/**
 * The Snapshot, the contract auditor, converter, runner and shim share: one
 * format version (SNAPSHOT_VERSION) covers the types (snapshot-types.ts), the
 * keys and lookups (snapshot-keys.ts) and the JSON form (snapshot-json.ts).
 * Import it from here.
 */
export * from './snapshot-types.js';
export * from './snapshot-keys.js';
export * from './snapshot-json.js';
