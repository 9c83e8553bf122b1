import type { Node } from '@pgsql/types';
import type { MetaCommand } from './lexer.js';

/** Where a statement sits in the parsed source. */
export interface SourceRange {
  /** JS string offset into `source` of the statement's first character. */
  start: number;
  /** JS string offset into `source` just past its last character (before any `;`). */
  end: number;
  /** 1-based line of `start`, shifted by `startLine`. */
  line: number;
  /** 1-based column of `start` in code points, shifted by `startColumn` on the first line. */
  column: number;
  /** 1-based line of `end`. */
  endLine: number;
  /** 1-based column of `end` (one past the last character). */
  endColumn: number;
}

/** Why a statement can lose data. */
export type DataLossCode =
  | 'drop_table'
  | 'drop_column'
  | 'drop_schema'
  | 'drop_type'
  | 'drop_materialized_view'
  | 'drop_sequence'
  | 'truncate'
  | 'delete_without_where'
  | 'update_without_where'
  | 'alter_column_type'
  | 'drop_owned';

/** One reason a statement is destructive. */
export interface DataLossReason {
  code: DataLossCode;
  /** A sentence naming the object, e.g. `DROP TABLE users loses all its rows`. */
  message: string;
  /** The object concerned, as written (`public.users`, `users.email`). */
  object?: string;
}

/** PostgreSQL's table-level lock modes, weakest first. */
export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

/** One top-level statement of a script, classified. */
export interface SqlStatement {
  /** 0-based position among the script's statements. */
  index: number;
  /** Exact source text: leading whitespace/comments and the `;` excluded. */
  text: string;
  range: SourceRange;
  /** libpg-query node name: `CreateStmt`, `IndexStmt`, `AlterTableStmt`, `DoStmt`... */
  kind: string;
  /** PostgreSQL command tag: `CREATE TABLE`, `CREATE INDEX`, `INSERT`... */
  tag: string;
  /** The statement's parse tree node, `{ [kind]: {...} }` (its `location` fields are byte offsets into the text the parser saw, a batch of
   * statements: do not use them as script offsets). */
  ast: Node;
  /** False where PostgreSQL refuses to run it inside a transaction block. */
  transactional: boolean;
  /** `ALTER TYPE ... ADD VALUE`: allowed in a transaction, but the value is unusable until it commits. */
  enumValueAdded: boolean;
  /** BEGIN, START TRANSACTION, COMMIT/END, ROLLBACK, SAVEPOINT, RELEASE, PREPARE TRANSACTION... */
  transactionControl: boolean;
  /** Data definition, as PostgreSQL's `log_statement = ddl` classes it. */
  isDdl: boolean;
  /** Data modification, as `log_statement = mod` adds it (INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY FROM). */
  isDml: boolean;
  /** Reasons it can lose data; empty when none. */
  dataLoss: DataLossReason[];
  /** `dataLoss.length > 0`. */
  destructive: boolean;
  /** Strongest table lock it takes, where known statically; `null` otherwise. */
  lock: LockMode | null;
  /** Relations it touches, qualified as written (`public.users`, `users`), in order of appearance. */
  targets: string[];
}

/** The result of {@link parseScript}. */
export interface ParsedScript {
  file?: string;
  source: string;
  statements: SqlStatement[];
  /** psql meta-commands found (only with `metaCommands: 'report'`). */
  metaCommands?: MetaCommand[];
}

/** Options of {@link parseScript}. */
export interface ParseScriptOptions {
  /** Shown in positions and errors. Default: none (`<input>` in messages). */
  file?: string;
  /** Line, in its file, where `source` starts (for sections of a file). Default 1. */
  startLine?: number;
  /** Column, in its file, where `source` starts on `startLine`. Default 1. */
  startColumn?: number;
  /**
   * psql meta-commands (`\\i`, `\\set`, `\\echo`): `'error'` (default) refuses the
   * script with the command's position; `'report'` lists them in
   * `ParsedScript.metaCommands` and parses the SQL around them (legacy files).
   */
  metaCommands?: 'error' | 'report';
  /**
   * `standard_conforming_strings` where the script starts (default on). A
   * `SET standard_conforming_strings` in the script is followed from there.
   */
  standardConformingStrings?: boolean;
  /**
   * Statements whose first word (lower case) this returns true for are not
   * parsed: they are visited with kind `'Unparsed'`, their first word as tag,
   * an empty tree and no classification (transactional, nothing lost, no lock). For callers that know the text was
   * parsed already and only need the other statements' trees.
   */
  unparsed?: (firstWord: string) => boolean;
  /**
   * Statements whose first word (lower case) this returns true for are
   * checked for syntax (a syntax error throws as usual) but get no tree:
   * visited like {@link ParseScriptOptions.unparsed}'s. For callers that need
   * every statement valid but read only the others (the runner and plain
   * INSERTs: half the cost of parsing them).
   */
  syntaxOnly?: (firstWord: string) => boolean;
}
