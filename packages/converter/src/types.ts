/** Languages the extractor reads. */
export type ScriptLanguage = 'python' | 'sql' | 'shell' | 'javascript' | 'typescript';

/** One legacy script handed to {@link extractSql}. */
export interface ScriptFile {
  /** Path as it should appear in reports (relative to the estate's root, usually). */
  readonly path: string;
  /** The file's text. */
  readonly text: string;
  /** Language; default: guessed from the extension (and a shebang for extension-less files). */
  readonly language?: ScriptLanguage;
}

/**
 * A position range in the source file, 1-based. `line`/`column` is where the
 * SQL text's first character sits in the file (inside the quotes);
 * `endLine`/`endColumn` is just past its last character (where the closing
 * quote starts). Columns count UTF-16 code units.
 */
export interface SourceRange {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/**
 * A guard the SQL runs under, as written in the script:
 * `if not column_exists(cur, 'users', 'x'): cur.execute(...)` gives
 * `{ kind: 'column_exists', negated: true, args: ['users', 'x'] }` — whatever
 * the helper is called, when its body (in the script or a sibling module) runs
 * a catalogue query; also from `'x' not in cols` after a query listing users'
 * columns, and from an existence query's answer (`if not cur.fetchone():`).
 * `args` are `[table, column]`, `[table]`, `[index]`, `[table?, constraint]`.
 * `kind: 'exception'`: the statement is alone in a `try` whose `except` swallows
 * its failure (`args`: the exception types caught); the object it guards is the
 * one the statement creates or drops.
 * `kind: 'if'`: a condition not understood: `args[0]` is the helper's name (then
 * its constant arguments) or the condition as written.
 */
export interface SqlGuard {
  readonly kind: 'column_exists' | 'index_exists' | 'table_exists' | 'constraint_exists' | 'exception' | 'if';
  /** True when the SQL runs only if the helper says *not* exists. */
  readonly negated: boolean;
  /** The helper's constant string arguments (a cursor or connection argument is left out). */
  readonly args: readonly string[];
}

/** Placeholder styles found in the source, all rewritten to PostgreSQL `$n` in `sql`. */
export type ParamStyle =
  /** DB-API `%s` / `%(name)s` (psycopg2, with arguments). */
  | 'pyformat'
  /** SQLAlchemy `text()` `:name`. */
  | 'named'
  /** Already PostgreSQL `$1`. */
  | 'dollar'
  /** knex `?`. */
  | 'question'
  /** `${expr}` in a `sql` tagged template. */
  | 'template';

/** One piece of SQL found in a script. */
export interface SqlFragment {
  /**
   * The SQL, as PostgreSQL would receive it, with parameters as `$n`; `null`
   * when nothing of it could be resolved (the SQL comes from a run-time value).
   * For a partly resolved fragment (`dynamic: true`) the unresolved parts are
   * left as written in the source (`{name}`, `$VAR`, `${expr}`).
   */
  readonly sql: string | null;
  /** True when the text is not fully known statically. */
  readonly dynamic: boolean;
  /** Why it is dynamic (or other notes), one sentence. */
  readonly reason?: string;
  /** Where the SQL text starts in the file: see {@link SourceRange}. */
  readonly loc: SourceRange;
  /**
   * `exact`: offset k of `sql` is at `loc` + k in the file (a single literal without
   * escapes); `approximate`: only `loc` (the first literal involved) is known.
   */
  readonly mapping: 'exact' | 'approximate';
  /** Where the call that runs the SQL is, when it differs from `loc` (a name bound earlier). */
  readonly callLoc?: { readonly line: number; readonly column: number };
  /**
   * How the SQL is run: the callee as written (`cur.execute`, `conn.exec_driver_sql`,
   * `client.query`, `knex.raw`), `text()` for a SQLAlchemy text() not executed in the
   * file, `sql` for a tagged template, `psql -c`, `psql -f`, `heredoc`, `here-string`,
   * `pipe`, or `file` for an SQL file.
   */
  readonly via: string;
  /** The guard it runs under, if any. */
  readonly guard?: SqlGuard;
  /** Set when `sql` holds placeholders (`$n`). */
  readonly params?: true;
  /** The placeholder style of the source. */
  readonly paramStyle?: ParamStyle;
  /** Number of distinct `$n` placeholders. */
  readonly paramCount?: number;
  /**
   * The parameter values when they are constants in the script: one row per
   * execution (`executemany` over a literal list gives one row each), `$n` is
   * `row[n - 1]`, `null` is Python `None`. Absent when any value is not known
   * statically. Lets a data fix be checked against production's rows.
   */
  readonly paramValues?: readonly (readonly (string | null)[])[];
  /** For `psql -f file` / `< file`: the file it runs (as written, `$VAR`s resolved when possible). */
  readonly includes?: string;
  /** For a `for x in [...]` loop: the loop variable's values for this fragment. */
  readonly iteration?: Readonly<Record<string, string>>;
}

/** Something the extractor could not read cleanly; extraction went on. */
export interface ExtractionWarning {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Everything extracted from one script. */
export interface Extraction {
  readonly path: string;
  readonly language: ScriptLanguage;
  /** In source order (loop iterations in iteration order). */
  readonly fragments: SqlFragment[];
  readonly warnings: ExtractionWarning[];
}

/** Options of {@link extractSql}. */
export interface ExtractOptions {
  /**
   * Extra function or method names that run SQL given as their first argument
   * (e.g. a project's own `run_sql` helper). Default: none beyond the built-in ones.
   */
  readonly calls?: readonly string[];
  /**
   * The estate's root on disk, the script's `path` being relative to it: a
   * Python script's guard helpers imported from sibling modules
   * (`from db_utils import has_column`) are read from there. Default: none
   * (only helpers defined in the script itself are read).
   */
  readonly root?: string;
}
