import { StrataError } from '@pg-strata/core';
import type { RuleId, RuleLevel, Severity } from './types.js';

/** What a rule is about, its default severity and why. */
export interface RuleInfo {
  id: RuleId;
  defaultSeverity: Severity;
  /** Why it matters, for the README and `migrate lint --help`. */
  why: string;
}

/**
 * The rules and their defaults. `error` is for operations that hold a lock
 * blocking reads or writes for a time that grows with the table (a rewrite,
 * a full scan, an index build) or that fail outright on a table with rows,
 * when a standard safe alternative exists. `warning` is for data loss (the
 * runner already refuses it without --allow-data-loss, so a second gate would
 * only be noise), renames (safe with a coordinated deploy), and the rules
 * about reversibility and timeouts.
 */
export const RULES: readonly RuleInfo[] = Object.freeze([
  {
    id: 'create-index-non-concurrently',
    defaultSeverity: 'error',
    why: 'CREATE INDEX takes a SHARE lock: every write to the table waits for the whole build.',
  },
  {
    id: 'concurrently-in-transaction',
    defaultSeverity: 'error',
    why: 'CONCURRENTLY cannot run inside a transaction block; the migration fails (or is refused) at deploy time.',
  },
  {
    id: 'add-column-not-null-without-default',
    defaultSeverity: 'error',
    why: 'Fails on any table that has rows: the existing rows would be NULL.',
  },
  {
    id: 'volatile-default',
    defaultSeverity: 'error',
    why:
      'A volatile default (random(), gen_random_uuid(), clock_timestamp(), a sequence) is computed ' +
      'per row: the table is rewritten under ACCESS EXCLUSIVE.',
  },
  {
    id: 'alter-column-type-rewrite',
    defaultSeverity: 'error',
    why: 'Most type changes rewrite the table and its indexes under ACCESS EXCLUSIVE (reads and writes wait).',
  },
  {
    id: 'set-not-null-without-check',
    defaultSeverity: 'error',
    why: 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) proves it.',
  },
  {
    id: 'add-foreign-key-without-not-valid',
    defaultSeverity: 'error',
    why: 'Validating a new foreign key scans the table while holding SHARE ROW EXCLUSIVE on both tables.',
  },
  {
    id: 'add-check-without-not-valid',
    defaultSeverity: 'error',
    why: 'Validating a new CHECK scans the table while holding ACCESS EXCLUSIVE.',
  },
  { id: 'drop-table', defaultSeverity: 'warning', why: 'Loses every row; running code that still reads the table fails.' },
  { id: 'drop-column', defaultSeverity: 'warning', why: "Loses the column's data; running code that still names it fails." },
  { id: 'truncate', defaultSeverity: 'warning', why: 'Loses every row, under ACCESS EXCLUSIVE.' },
  { id: 'delete-without-where', defaultSeverity: 'warning', why: 'Deletes every row.' },
  { id: 'update-without-where', defaultSeverity: 'warning', why: 'Overwrites every row (and locks them all until commit).' },
  { id: 'rename-table', defaultSeverity: 'warning', why: 'The application still running during the deploy uses the old name and fails.' },
  { id: 'rename-column', defaultSeverity: 'warning', why: 'The application still running during the deploy uses the old name and fails.' },
  {
    id: 'no-lock-timeout',
    defaultSeverity: 'warning',
    why: 'Without lock_timeout a DDL statement queued behind a long query blocks every query behind it.',
  },
  {
    id: 'transaction-nesting',
    defaultSeverity: 'error',
    why: 'Each migration already runs in its own transaction; BEGIN/COMMIT inside it breaks that (the runner refuses it).',
  },
  { id: 'missing-down', defaultSeverity: 'warning', why: 'A migration without a down (or with an empty one) cannot be reverted.' },
  { id: 'down-loses-data', defaultSeverity: 'warning', why: 'Reverting destroys data that existed before the migration ran.' },
  {
    id: 'invalid-ignore',
    defaultSeverity: 'error',
    why: 'A strata-lint-ignore comment needs a known rule id and a reason; one without is not applied.',
  },
]);

const BY_ID = new Map<string, RuleInfo>(RULES.map((r) => [r.id, r]));

/** Whether `id` names a rule. */
export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

/** Effective level of every rule: the defaults overridden by `rules`; unknown ids or levels throw CONFIG_INVALID. */
export function resolveLevels(rules: Readonly<Record<string, RuleLevel>> | undefined): ReadonlyMap<RuleId, RuleLevel> {
  const levels = new Map<RuleId, RuleLevel>(RULES.map((r) => [r.id, r.defaultSeverity]));
  for (const [id, level] of Object.entries(rules ?? {})) {
    if (!isRuleId(id)) {
      throw new StrataError(
        'CONFIG_INVALID',
        `lint.rules names an unknown rule '${id}'. Known rules: ${RULES.map((r) => r.id).join(', ')}.`,
        { meta: { rule: id } },
      );
    }
    if (level !== 'off' && level !== 'warning' && level !== 'error') {
      throw new StrataError('CONFIG_INVALID', `lint.rules.${id} must be 'off', 'warning' or 'error', not '${String(level)}'.`, {
        meta: { rule: id },
      });
    }
    levels.set(id, level);
  }
  return levels;
}
