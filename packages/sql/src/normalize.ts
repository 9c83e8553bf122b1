import { isStrataError } from '@pg-strata/core';
import type { Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { loadParser, parserErrorDetails, rawFingerprint, rawParse } from './parser.js';
import { syntaxError } from './syntax-error.js';

/**
 * libpg_query's fingerprint of a statement or script: equal for statements
 * that differ only in literal values, whitespace, comments and letter case
 * (`SELECT 1 FROM t WHERE a = 2` and `select 1 from t where a = 3`).
 */
export async function fingerprint(sql: string): Promise<string> {
  await loadParser();
  return fingerprintSync(sql);
}

/** {@link fingerprint} without the promise; call `await loadParser()` once first. */
export function fingerprintSync(sql: string): string {
  // Parse first: libpg_query's fingerprint error carries no position.
  parseOrThrow(sql, 'fingerprintSync');
  return rawFingerprint(sql, 'fingerprintSync');
}

/** Options of {@link deparse}. */
export interface DeparseOptions {
  /** Multi-line, indented output. Default false: one line per statement. */
  pretty?: boolean;
}

/** SQL text for a parse-tree node (a statement node or a list of them), via pgsql-deparser. */
export function deparse(ast: Node | Node[], options: DeparseOptions = {}): string {
  return deparseSync(ast as Parameters<typeof deparseSync>[0], { pretty: options.pretty ?? false });
}

/**
 * Canonical SQL text of a statement or script, for comparing two scripts:
 * parsed, then deparsed, so case, spacing, comments and redundant parentheses
 * do not matter. Statements are joined with `;\n`.
 */
export async function normalizeStatement(sql: string): Promise<string> {
  await loadParser();
  return normalizeStatementSync(sql);
}

/** {@link normalizeStatement} without the promise; call `await loadParser()` once first. */
export function normalizeStatementSync(sql: string): string {
  const stmts = parseOrThrow(sql, 'normalizeStatementSync');
  return stmts.map((s) => deparse(s)).join(';\n');
}

function parseOrThrow(sql: string, caller: string): Node[] {
  if (sql.trim() === '') return [];
  try {
    return (rawParse(sql, caller).stmts ?? []).flatMap((r) => (r.stmt === undefined ? [] : [r.stmt]));
  } catch (err) {
    if (isStrataError(err)) throw err;
    const { message, cursorPosition } = parserErrorDetails(err);
    throw syntaxError(sql, message, cursorPosition, { cause: err });
  }
}
