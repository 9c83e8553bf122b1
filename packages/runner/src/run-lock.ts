import { createHash } from 'node:crypto';
/**
 * The advisory-lock key of a run: the first 8 bytes of
 * sha256('strata:migrate:' + schema) as a signed 64-bit integer. Advisory
 * locks are per database, so one key per (database, schema).
 */
export function runLockKey(schema: string): bigint {
  const digest = createHash('sha256').update(`strata:migrate:${schema}`).digest();
  return digest.readBigInt64BE(0);
}
