// The converter's effect vocabulary: what one statement does to a named object, and what a script analysis holds.
import type { DataLossReason } from '@pg-strata/sql';
import type { Extraction, SqlGuard } from './types.js';

/** What one statement does to a named object. Names are unquoted, as PostgreSQL folds them. */
export type EffectKind =
  | 'create_table'
  | 'drop_table'
  | 'rename_table'
  | 'add_column'
  | 'drop_column'
  | 'rename_column'
  | 'alter_column_type'
  | 'set_not_null'
  | 'drop_not_null'
  | 'set_default'
  | 'drop_default'
  | 'create_index'
  | 'drop_index'
  | 'rename_index'
  | 'add_constraint'
  | 'drop_constraint'
  | 'create_object'
  | 'drop_object'
  | 'insert_rows'
  | 'update_rows'
  | 'delete_rows'
  | 'truncate'
  | 'set_comment'
  | 'grant'
  | 'other';

/** A column as a `CREATE TABLE` or `ADD COLUMN` defines it. */
export interface EffectColumn {
  readonly name: string;
  /** `format_type` spelling (`character varying(20)`, `timestamp with time zone`); `serial` is `integer`. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default as written (deparsed), or null. */
  readonly default: string | null;
}

/** One effect of a statement on a named object. */
export interface Effect {
  readonly kind: EffectKind;
  /** Schema of the object; `public` when the statement does not qualify it. */
  readonly schema: string;
  /** Table (or the relation an index/constraint/row change is on). */
  readonly table?: string;
  readonly column?: string;
  /** Column type for `add_column` / `alter_column_type`, in `format_type` spelling. */
  readonly type?: string;
  readonly default?: string | null;
  readonly notNull?: boolean;
  /** `create_table`: its columns. `insert_rows` / `update_rows`: the columns written. */
  readonly columns?: readonly EffectColumn[] | readonly string[];
  readonly index?: string;
  readonly constraint?: string;
  /** `add_constraint`: `primary key`, `unique`, `foreign key`, `check`, `exclude`. */
  readonly constraintType?: string;
  /** Key columns of an `add_constraint`. */
  readonly keyColumns?: readonly string[];
  /** True when the name was not written and is PostgreSQL's default name for it. */
  readonly derivedName?: boolean;
  /** Renames. */
  readonly from?: string;
  readonly to?: string;
  /** `create_object` / `drop_object` / `other`: what it is (`view`, `function`, `extension`, a command tag). */
  readonly objectType?: string;
  readonly name?: string;
  /** Written with `IF NOT EXISTS` / `IF EXISTS`. */
  readonly conditional?: boolean;
  /** `CREATE INDEX CONCURRENTLY` and the like. */
  readonly concurrent?: boolean;
  /** `set_comment`: the comment (null for `IS NULL`). */
  readonly comment?: string | null;
  /** `grant`: the role (`public` for PUBLIC) and the privileges, upper case (`ALL` for ALL). */
  readonly grantee?: string;
  readonly privileges?: readonly string[];
}

/** A guard a statement runs under. */
export interface StatementGuard {
  /**
   * `if_not_exists` / `if_exists`: the statement's own clause; `column_exists`,
   * `index_exists`, `table_exists`, `if`: a helper of the script (see {@link SqlGuard});
   * `plpgsql`: an IF in a DO block.
   */
  readonly kind:
    | 'if_not_exists'
    | 'if_exists'
    | 'column_exists'
    | 'index_exists'
    | 'table_exists'
    | 'constraint_exists'
    | 'exception'
    | 'if'
    | 'plpgsql';
  readonly negated: boolean;
  /** For a recognised catalogue check: the catalogue relation then the names compared (`['pg_indexes', 'idx_x']`). */
  readonly args: readonly string[];
  /** The condition's SQL, for a PL/pgSQL guard. */
  readonly conditionSql?: string;
  /** True when the guard is an existence check of the object the statement creates or drops. */
  readonly recognised: boolean;
}

/** One statement of a script with its effects. */
export interface AnalyzedStatement {
  /** Index of the fragment it came from in the extraction. */
  readonly fragment: number;
  /** The statement's SQL text. */
  readonly sql: string;
  /** Position in the script file (1-based). */
  readonly line: number;
  readonly column: number;
  /** False when the position is only the fragment's start (the fragment was not one literal). */
  readonly exact: boolean;
  readonly tag: string;
  readonly kind: string;
  readonly transactional: boolean;
  readonly dataLoss: readonly DataLossReason[];
  readonly effects: readonly Effect[];
  readonly guards: readonly StatementGuard[];
  /** Set when the statement runs inside a DO block (the block's own text is in `doBlock`). */
  readonly doBlock?: string;
  /** The fragment's parameter rows, when constant (for data-fix checks). */
  readonly paramValues?: readonly (readonly (string | null)[])[];
  /** `$n` placeholders present. */
  readonly params?: boolean;
  /** The parse tree node (for deriving data-fix checks). */
  readonly ast: unknown;
}

/** Something that keeps a script from being classified automatically. */
export interface ScriptProblem {
  readonly kind: 'dynamic_sql' | 'syntax_error' | 'unsupported' | 'include';
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** For a syntax error: whether line/column are exact in the script. */
  readonly exact?: boolean;
}

/** Every statement of one script, its effects and its problems. */
export interface ScriptAnalysis {
  readonly path: string;
  readonly language: Extraction['language'];
  readonly statements: AnalyzedStatement[];
  readonly problems: ScriptProblem[];
  /** Files the script runs (`psql -f`, `open(...).read()`), as written. */
  readonly includes: { readonly path: string; readonly line: number; readonly column: number }[];
  /** Number of fragments extracted. */
  readonly fragmentCount: number;
}
