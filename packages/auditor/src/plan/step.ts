/** One DDL statement of a plan. */
export interface Step {
  /** The statement, without a trailing semicolon. */
  sql: string;
  /** Whether it can lose data (drops a table, column or enum value; narrows a type). */
  destructive: boolean;
  /** `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`: must run outside a transaction. */
  concurrently?: boolean;
  /**
   * `false` when the step must run outside a transaction block or be committed
   * before the next step may rely on it (`CONCURRENTLY`; `ALTER TYPE ... ADD VALUE`,
   * whose new value cannot be used in the transaction that added it).
   */
  transactional?: boolean;
  /** Why the step is there, or what to watch for. */
  comment?: string;
}

/** Something the planner could not decide on its own and a person should look at. */
export interface PlanHint {
  kind: 'possible-rename' | 'unsupported';
  message: string;
}

/** The DDL turning one Snapshot into another, and back. */
export interface Plan {
  /** From `a` to `b`. */
  up: Step[];
  /** From `b` back to `a`. */
  down: Step[];
  hints: PlanHint[];
}

/** Options of {@link plan}. */
export interface PlanOptions {
  /**
   * Build and drop indexes on existing tables with `CONCURRENTLY` (no write
   * lock, but outside a transaction). Default `false`.
   */
  concurrently?: boolean;
  /** GRANT and REVOKE to match `b`'s privileges (see {@link CompareOptions.privileges}). Default `false`. */
  privileges?: boolean;
  /**
   * `ALTER ... OWNER TO` to match `b`'s owners (see {@link CompareOptions.owners}; needs Snapshots introspected with `owners`).
   * Default `false`.
   */
  owners?: boolean;
}
