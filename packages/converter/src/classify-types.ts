// The classes a script falls into, and the shapes classifyScript returns.
import type { Effect, ScriptProblem } from './effect-types.js';

/**
 * The four classes of issue 5, and three for scripts that are not PostgreSQL
 * changes at all: SQLite scripts, read-only tools and code that touches no database.
 */
export type ScriptClass = 'obsolete' | 'still_needed' | 'data_fix' | 'manual_review' | 'not_postgresql' | 'read_only' | 'not_database';

/** Every class, in report order: what needs a person first. */
export const SCRIPT_CLASSES: readonly ScriptClass[] = Object.freeze([
  'manual_review',
  'still_needed',
  'data_fix',
  'obsolete',
  'read_only',
  'not_database',
  'not_postgresql',
]);

/** Why a script got its class (several for manual review). */
export type ReasonCode =
  | 'all_effects_in_production'
  | 'no_schema_effects'
  | 'missing_in_production'
  | 'dml_has_run'
  | 'dml_not_run'
  | 'dml_unknown'
  | 'dynamic_sql'
  | 'syntax_error'
  | 'conflict'
  | 'destructive'
  | 'not_in_models'
  | 'unsupported'
  | 'include_missing'
  | 'no_sql_found'
  | 'sqlite'
  | 'read_only'
  | 'no_database_access'
  | 'table_missing'
  | 'extension_unavailable'
  | 'column_missing'
  | 'role_missing';

/** Where an effect stands in one Snapshot. */
export type Presence = 'present' | 'absent' | 'conflict' | 'n/a';

/** One effect of a script, judged against production and the models. */
export interface JudgedEffect {
  readonly effect: Effect;
  /** Index of its statement in the analysis. */
  readonly statement: number;
  readonly production: Presence;
  readonly models: Presence;
  /** A sentence when something is off (the types that differ, the script that undoes it). */
  readonly detail?: string;
  /** A later script drops or renames what this effect creates: `path` of that script. */
  readonly supersededBy?: string;
}

/** The check of a data fix against production's rows. */
export interface DataFixCheck {
  /** The statement it checks. */
  readonly statement: number;
  /** `SELECT EXISTS (...)`: true while rows remain that the statement would change. Null when none can be derived. */
  readonly sql: string | null;
  /** True: rows remain (not run); false: none (has run); null: unknown. */
  readonly pending: boolean | null;
  /** How many rows production still has in the old state (the same query, counted), when it was run. */
  readonly rows?: number;
  /** Why it is unknown, or the error production gave. */
  readonly note?: string;
}

/** A script's class with its evidence. */
export interface ScriptClassification {
  readonly class: ScriptClass;
  readonly reasons: ReasonCode[];
  /** One or more sentences a person can check. */
  readonly reason: string;
  readonly effects: JudgedEffect[];
  readonly problems: ScriptProblem[];
  readonly dataFix?: { readonly hasRun: boolean | null; readonly checks: DataFixCheck[] };
}
