import { StrataError } from '@strata/core';
import type { MigrationFile, MigrationSet } from './types.js';
/** The validated revision graph of a migration set. */
export interface RevisionGraph {
  /** Migrations in execution (topological) order. */
  readonly order: readonly MigrationFile[];
  /** Revisions with no children, in execution order. */
  readonly heads: readonly string[];
  /** Revisions with no parents (at most one). */
  readonly roots: readonly string[];
  get(revision: string): MigrationFile | undefined;
  /** An exact id or unique prefix. */
  resolve(revisionOrPrefix: string): MigrationFile;
  /** Ancestors of `revision` (inclusive when asked). */
  ancestors(revision: string, inclusive?: boolean): Set<string>;
  descendants(revision: string, inclusive?: boolean): Set<string>;
}
/** Validate and build the graph. */
export function buildGraph(_set: MigrationSet): RevisionGraph {
  throw new StrataError('INTERNAL', 'not implemented');
}
