// The types of a conversion plan: what convertEstate (convert.ts) returns and
// the writer (write.ts), the report (report.ts) and the verify step read. A
// module of their own, so that those modules and convert.ts do not import
// each other.
import type { Logger } from '@pg-strata/core';
import type { Snapshot } from '@pg-strata/auditor';
import type { DataFixCheck, JudgedEffect, ReasonCode, ScriptClass } from './classify.js';
import type { ScriptAnalysis, ScriptProblem, StatementGuard } from './effect-types.js';
import type { OrderedScript } from './order.js';
import type { ScriptLanguage } from './types.js';

/** Options of {@link convertEstate}. */
export interface ConvertOptions {
  /** The estate's root directory (`legacy/`). */
  readonly root: string;
  /** Production's schema (from `introspect` or a saved snapshot). */
  readonly production: Snapshot;
  /** The models' schema (from a shadow database). Default: none, and whatever production lacks is assumed wanted (reasons say so). */
  readonly models?: Snapshot;
  /** Files to take whatever the globs say (the module with a `/fix-db` handler). Default: none. */
  readonly files?: readonly string[];
  /** Discovery globs. Default: `DEFAULT_INCLUDE`. */
  readonly include?: readonly string[];
  /** More globs to skip. Default: none beyond `DEFAULT_EXCLUDE`. */
  readonly exclude?: readonly string[];
  /** Extra SQL-running function names for extraction. Default: none. */
  readonly calls?: readonly string[];
  /** Explicit run order (paths relative to `root`), e.g. from an `--order` file. Default: none. */
  readonly order?: readonly string[];
  /**
   * Production's URL, to check data fixes against its rows (read-only
   * transaction, `SELECT EXISTS` queries only). Default: none (data fixes
   * are "cannot tell").
   */
  readonly productionUrl?: string;
  /** What to do with a data fix that cannot be judged: archive it with the reason, or convert it into a data migration. Default
   * `'archive'`. */
  readonly dataFixes?: 'archive' | 'convert';
  /** Where migrations go. Default: `migrations` beside the root (`<root>/../migrations`). */
  readonly outDir?: string;
  /** Order scripts without a date in their name by their first commit, when the root is in a git work tree. Default `true`. */
  readonly gitDates?: boolean;
  /** Progress events. Default: silent. */
  readonly logger?: Logger;
}

/** What happens to a script when the plan is written. */
export interface ScriptTarget {
  /** `migration`: becomes a migration (then archived); `archive`: archived; `leave`: stays for a person. */
  readonly action: 'migration' | 'archive' | 'leave';
  /** Migration file (relative to `outDir`'s parent when possible) for `migration`. */
  readonly migration?: string;
  /** A second migration, `transactional: false`, for its index builds on existing tables (CONCURRENTLY), when it also has other changes. */
  readonly indexMigration?: string;
  /** Where the script goes, relative to the root (`archived/backend/x.py`). */
  readonly archivedAs?: string;
}

/** One script of the plan. */
export interface ScriptPlan {
  readonly path: string;
  readonly language: ScriptLanguage;
  readonly class: ScriptClass;
  readonly reasons: ReasonCode[];
  readonly reason: string;
  readonly order: { readonly position: number; readonly reason: string };
  readonly effects: JudgedEffect[];
  readonly statements: {
    readonly line: number;
    readonly column: number;
    readonly tag: string;
    readonly sql: string;
    readonly guards: readonly StatementGuard[];
    readonly transactional: boolean;
  }[];
  /** First and last line of SQL in the script (null when none). */
  readonly sourceLines: { readonly first: number; readonly last: number } | null;
  readonly problems: ScriptProblem[];
  readonly includes: { readonly path: string; readonly resolved: string | null; readonly classifiedOnItsOwn: boolean }[];
  readonly dataFix?: { readonly hasRun: boolean | null; readonly checks: DataFixCheck[] };
  readonly target: ScriptTarget;
  /** The analysis behind it (for the writer). */
  readonly analysis: ScriptAnalysis;
}

/** The dry-run result of {@link convertEstate}. */
export interface ConversionPlan {
  readonly root: string;
  readonly outDir: string;
  readonly order: OrderedScript[];
  /** Scripts in run order. */
  readonly scripts: ScriptPlan[];
  readonly baseline: { readonly file: string };
  readonly counts: Record<ScriptClass, number>;
  /** Items of the models production lacks that are owned by manual-review scripts (left as drift). */
  readonly manualItems: { readonly path: string; readonly description: string }[];
}
