import { StrataError } from '@strata/core';
/** Options of {@link createMigration}. */
export interface CreateMigrationOptions {
  /** Write a TypeScript (Kysely) migration instead of SQL. Default `false`. */
  ts?: boolean;
  /** Parent revisions. Default: the single current head (none for the first migration). */
  parents?: string[];
}
/** Write the next `NNNN_slug.sql|ts`. */
export async function createMigration(_dir: string, _message: string, _options: CreateMigrationOptions = {}): Promise<{ path: string; revision: string }> {
  throw new StrataError('INTERNAL', 'not implemented');
}
/** Write a merge revision whose parents are all current heads. */
export async function mergeHeads(_dir: string, _message?: string): Promise<{ path: string; revision: string; parents: string[] }> {
  throw new StrataError('INTERNAL', 'not implemented');
}
/** Create the migrations folder with a README.md. */
export async function initProject(_dir: string): Promise<{ created: string[] }> {
  throw new StrataError('INTERNAL', 'not implemented');
}
