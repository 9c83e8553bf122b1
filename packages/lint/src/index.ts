/**
 * `@pg-strata/lint`: find operations in migrations that are dangerous on a busy
 * production table (long locks, rewrites, scans, data loss, renames), with
 * the safer way for each. Built on `@pg-strata/sql`'s parse tree; never prints.
 */
/** Lint a migrations folder / set / files, or one SQL text. */
export { lintMigrations, lintSql, type LintableMigration } from './lint-migrations.js';
/** Every rule with its default severity and why it matters; resolve a config's levels. */
export { RULES, type RuleInfo } from './rules.js';
/** Finding, rule ids, severities and options. */
export type { Finding, LintOptions, RuleId, RuleLevel, Severity } from './types.js';
