/** How serious a finding is: `up` refuses `error` findings unless `--no-lint`. */
export type Severity = 'warning' | 'error';

/** A rule's level in options and in the config file's `lint.rules`. */
export type RuleLevel = 'off' | Severity;

/** Every rule the linter knows. */
export type RuleId =
  | 'create-index-non-concurrently'
  | 'concurrently-in-transaction'
  | 'add-column-not-null-without-default'
  | 'volatile-default'
  | 'alter-column-type-rewrite'
  | 'set-not-null-without-check'
  | 'add-foreign-key-without-not-valid'
  | 'add-check-without-not-valid'
  | 'drop-table'
  | 'drop-column'
  | 'truncate'
  | 'delete-without-where'
  | 'update-without-where'
  | 'rename-table'
  | 'rename-column'
  | 'no-lock-timeout'
  | 'transaction-nesting'
  | 'missing-down'
  | 'down-loses-data'
  | 'invalid-ignore';

/** One thing the linter found. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The file, relative to `cwd` when one was given, else the migration's file name. */
  file: string;
  /** 1-based line of the statement (or of the file's first line for file-level rules). */
  line: number;
  /** 1-based column, in code points. */
  column: number;
  /** What the statement does and why it is dangerous on a busy production table. */
  message: string;
  /** The safer way to do it. */
  hint: string;
  /** Revision of the migration, when the file is one. */
  revision?: string;
}

/** Options of {@link lintMigrations} and {@link lintSql}. */
export interface LintOptions {
  /** Level by rule id (`off`, `warning`, `error`); unknown ids are refused. Default: each rule's default. */
  rules?: Readonly<Record<string, RuleLevel>>;
  /**
   * The `lock_timeout` the runner sets for every migration (the config's
   * `lockTimeout`). `no-lock-timeout` only fires when it is switched off
   * (`'0'`, `'0s'`, `'0ms'`...). Default `'10s'` (Strata's default).
   */
  lockTimeout?: string;
  /** Directory file paths are shown relative to. Default: none (the migration's file name). */
  cwd?: string;
  /**
   * Report findings only for these revisions or file names (the rest of the
   * chain is still read for context: earlier CHECK constraints, column types).
   * Default: every migration.
   */
  only?: Iterable<string>;
  /**
   * The caller has already parsed every statement (the runner, before `up`):
   * statements no rule looks at (plain `INSERT`s, the bulk of a data
   * migration) are then counted without being parsed again. Default false:
   * every statement is parsed and a syntax error is reported.
   */
  syntaxChecked?: boolean;
}
