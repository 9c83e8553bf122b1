import { isStrataError } from '@strata/core';
import type { Node, RawStmt } from '@libpg-query/parser';
import { classify } from './classify.js';
import { loadParser, parserErrorDetails, parserText, rawParse, rawScan } from './parser.js';
import { doBlockEndsTransaction } from './plpgsql.js';
import { ByteOffsetMap, LineIndex, shiftLocation } from './position.js';
import { syntaxError } from './syntax-error.js';
import { isSpace, skipLeadingTrivia } from './trivia.js';
import type { ParsedScript, ParseScriptOptions, SqlStatement } from './types.js';

/**
 * End of a statement's last real token. The parser's extent runs to the `;`
 * (or to the end of the script for the last statement), so it can end with
 * whitespace and comments. Whitespace is trimmed directly; when the text holds
 * a comment marker at all, the real scanner finds the last non-comment token,
 * since a `--` inside a string literal must not count.
 */
function trimTrailingTrivia(source: string, start: number, end: number): number {
  let e = end;
  while (e > start && isSpace(source.charCodeAt(e - 1))) e--;
  const text = source.slice(start, e);
  if (!text.includes('--') && !text.includes('/*')) return e;
  const tokens = rawScan(text, 'parseScript').tokens;
  const map = new ByteOffsetMap(text);
  for (let i = tokens.length - 1; i >= 0; i--) {
    const tok = tokens[i];
    if (tok === undefined) continue;
    if (tok.tokenName === 'SQL_COMMENT' || tok.tokenName === 'C_COMMENT') continue;
    return start + map.toOffset(tok.end);
  }
  return e;
}

function buildScript(source: string, options: ParseScriptOptions): ParsedScript {
  const startLine = options.startLine ?? 1;
  const startColumn = options.startColumn ?? 1;
  const script: ParsedScript = { ...(options.file === undefined ? {} : { file: options.file }), source, statements: [] };
  if (source.trim() === '') return script;
  let raw: RawStmt[];
  try {
    raw = rawParse(source, 'parseScriptSync').stmts ?? [];
  } catch (err) {
    if (isStrataError(err)) throw err;
    const { message, cursorPosition } = parserErrorDetails(err);
    throw syntaxError(source, message, cursorPosition, { file: options.file, startLine, startColumn, cause: err });
  }
  // Byte offsets refer to the text the parser saw (a BOM replaced by one byte).
  const bytes = new ByteOffsetMap(parserText(source));
  const lines = new LineIndex(source);
  for (const r of raw) {
    if (r.stmt === undefined) continue;
    const byteStart = r.stmt_location ?? 0;
    // stmt_len 0 means "to the end of the string" (the last statement, no `;`).
    const byteEnd = r.stmt_len === undefined || r.stmt_len === 0 ? bytes.byteLength : byteStart + r.stmt_len;
    const regionStart = bytes.toOffset(byteStart);
    const regionEnd = bytes.toOffset(byteEnd);
    const start = skipLeadingTrivia(source, regionStart, regionEnd);
    const end = trimTrailingTrivia(source, start, regionEnd);
    const from = shiftLocation(lines.locate(start), startLine, startColumn);
    const to = shiftLocation(lines.locate(end), startLine, startColumn);
    const node: Node = r.stmt;
    const c = classify(node);
    const text = source.slice(start, end);
    if (c.kind === 'DoStmt' && doBlockEndsTransaction(text, node)) c.transactional = false;
    const stmt: SqlStatement = {
      index: script.statements.length,
      text,
      range: { start, end, line: from.line, column: from.column, endLine: to.line, endColumn: to.column },
      kind: c.kind,
      tag: c.tag,
      ast: node,
      transactional: c.transactional,
      enumValueAdded: c.enumValueAdded,
      transactionControl: c.transactionControl,
      isDdl: c.isDdl,
      isDml: c.isDml,
      dataLoss: c.dataLoss,
      destructive: c.dataLoss.length > 0,
      lock: c.lock,
      targets: c.targets,
    };
    script.statements.push(stmt);
  }
  return script;
}

/**
 * Split and classify a SQL script with PostgreSQL's own parser (one parse per
 * script). Throws `StrataError('SQL_SYNTAX')` with `file:line:column` and a
 * caret excerpt when the script does not parse.
 */
export async function parseScript(source: string, options: ParseScriptOptions = {}): Promise<ParsedScript> {
  await loadParser();
  return buildScript(source, options);
}

/** {@link parseScript} without the promise; call `await loadParser()` once first. */
export function parseScriptSync(source: string, options: ParseScriptOptions = {}): ParsedScript {
  return buildScript(source, options);
}
