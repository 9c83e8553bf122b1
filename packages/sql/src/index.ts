/** Load the PostgreSQL parser (WASM) once; idempotent. Needed before any `*Sync` call. */
export { loadParser } from './parser.js';
/** Split a script into classified statements with exact source ranges (async loads the parser). */
export { parseScript, parseScriptSync, eachStatement, parserStatementRanges, type ScriptSummary } from './split.js';
/** The statement splitter every command uses (no parse tree: linear time, never throws). */
export { StatementSplitter, splitStatements, type SplitStatement, type MetaCommand, type SplitOptions } from './lexer.js';
/** Classify one parse-tree statement node (what parseScript does for each statement). */
export { classify, type Classification } from './classify.js';
/** A compiler-style excerpt with a caret under a line/column. */
export { codeFrame, type CodeFrameOptions } from './code-frame.js';
/** 1-based line and code-point column of a JS string offset; JS offset of a code-point index (PostgreSQL's `position` is one, 1-based). */
export { LineIndex, locationOf, offsetOfCodePoint, shiftLocation, type LineColumn } from './position.js';
/** The SQL spelling of a built-in type's internal name (`int4` -> `integer`). */
export { sqlTypeName } from './names.js';
/** Inspect the SQL inside DO blocks and PL/pgSQL bodies, with their IF guards. */
export {
  inspectDoBlock,
  parsePlpgsql,
  parsePlpgsqlSync,
  type PlpgsqlInspection,
  type PlpgsqlStatement,
  type PlpgsqlGuard,
} from './plpgsql.js';
/** Fingerprints for de-duplication, deparse, and canonical SQL text for comparison. */
export {
  fingerprint,
  fingerprintSync,
  deparse,
  normalizeStatement,
  normalizeStatementSync,
  type DeparseOptions,
} from './normalize.js';
/** The shapes parseScript returns. */
export type {
  ParsedScript,
  ParseScriptOptions,
  SqlStatement,
  SourceRange,
  DataLossCode,
  DataLossReason,
  LockMode,
} from './types.js';
