import { StrataError } from '@strata/core';
import type { MigrationSet } from './types.js';
/** Read the headers of every migration in `dir`. */
export async function loadMigrations(_dir: string): Promise<MigrationSet> {
  throw new StrataError('INTERNAL', 'not implemented');
}
/** sha256 (hex) of the bytes with CRLF normalised to LF. */
export function checksumOf(_bytes: Uint8Array | string): string {
  throw new StrataError('INTERNAL', 'not implemented');
}
