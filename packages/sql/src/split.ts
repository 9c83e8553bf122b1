import { isStrataError } from '@pg-strata/core';
import type { Node, RawStmt } from '@pgsql/types';
import { classify } from './classify.js';
import { StatementSplitter, type MetaCommand, type SplitStatement } from './lexer.js';
import { loadParser, parserErrorDetails, parserText, rawParse, rawSyntaxCheck } from './parser.js';
import { doBlockEndsTransaction } from './plpgsql.js';
import { ByteOffsetMap, LineCursor, shiftLocation } from './position.js';
import { metaCommandError, syntaxError } from './syntax-error.js';
import type { ParsedScript, ParseScriptOptions, SqlStatement } from './types.js';

/**
 * Statements are parsed in batches of about this many characters: one call
 * into the WebAssembly parser per batch instead of per statement, while the
 * parser's memory (its JSON output is ~20x the text) stays bounded by the
 * batch, not the file.
 */
const BATCH_CHARS = 64 * 1024;

/** What {@link eachStatement} reports besides the statements. */
export interface ScriptSummary {
  /** Statements visited. */
  count: number;
  /** psql meta-commands found (only when `metaCommands: 'report'`; otherwise the first one is an error). */
  metaCommands: MetaCommand[];
}

/**
 * The text the parser sees for a statement: where `standard_conforming_strings`
 * was off, a plain literal with backslash escapes becomes `E'...'` (the parser
 * always has it on). Returns the inserted positions to map error cursors back.
 */
function parserTextOf(source: string, from: number, to: number, st: SplitStatement): { text: string; inserted: number[] } {
  const at = st.backslashStrings;
  if (!at) return { text: source.slice(from, to), inserted: [] };
  let text = '';
  let prev = from;
  for (const q of at) {
    text += `${source.slice(prev, q)}E`;
    prev = q;
  }
  return { text: text + source.slice(prev, to), inserted: at.map((q) => q - from) };
}

/** Just past a statement's `;`, or its terminator when it has none. */
function semicolonEnd(source: string, split: SplitStatement): number {
  return source.charCodeAt(split.terminator) === 59 ? split.terminator + 1 : split.terminator;
}

class Batch {
  readonly items: SplitStatement[] = [];
  chars = 0;
  get from(): number {
    return this.items[0]!.start;
  }
  /** Past the last statement's `;` (the parser sees it, so an error at it reads "at or near ";"" as the server's would). */
  to(source: string): number {
    return semicolonEnd(source, this.items[this.items.length - 1]!);
  }
}

/**
 * Split `source` into statements with the lexer, parse them in bounded batches
 * and hand each classified statement to `visit` as soon as its batch is
 * parsed. Memory stays proportional to a batch (and the largest statement),
 * not to the script: this is what a 50 MB migration goes through. A syntax
 * error throws `SQL_SYNTAX` with `file:line:column` before `visit` sees any
 * statement of the failing batch (callers that must run nothing on a syntax
 * error anywhere call it once to check, then again to run).
 */
export function eachStatement(source: string, options: ParseScriptOptions, visit: (statement: SqlStatement) => void): ScriptSummary {
  const startLine = options.startLine ?? 1;
  const startColumn = options.startColumn ?? 1;
  const splitter = new StatementSplitter(
    source,
    options.standardConformingStrings === undefined ? {} : { standardConformingStrings: options.standardConformingStrings },
  );
  let index = 0;
  let seenMeta = 0;
  const ends = new LineCursor(source);
  const checkMeta = () => {
    if (splitter.metaCommands.length > seenMeta && options.metaCommands !== 'report') {
      throw metaCommandError(source, splitter.metaCommands[seenMeta]!, { file: options.file, startLine, startColumn });
    }
    seenMeta = splitter.metaCommands.length;
  };
  const flush = (batch: Batch) => {
    for (const st of parseBatch(source, batch, options)) {
      const { split, node } = st;
      const c = classify(node);
      const text = source.slice(split.start, split.end);
      if (c.kind === 'DoStmt' && doBlockEndsTransaction(text, node)) c.transactional = false;
      const from = shiftLocation({ line: split.line, column: split.column }, startLine, startColumn);
      const to = shiftLocation(ends.at(split.end), startLine, startColumn);
      visit({
        index: index++,
        text,
        range: { start: split.start, end: split.end, line: from.line, column: from.column, endLine: to.line, endColumn: to.column },
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
      });
    }
  };
  const { unparsed, syntaxOnly } = options;
  /** A statement visited without a tree (see ParseScriptOptions.unparsed / syntaxOnly). */
  const visitTreeless = (st: SplitStatement, word: string) => {
    const from = shiftLocation({ line: st.line, column: st.column }, startLine, startColumn);
    const to = shiftLocation(ends.at(st.end), startLine, startColumn);
    visit({
      index: index++,
      text: source.slice(st.start, st.end),
      range: { start: st.start, end: st.end, line: from.line, column: from.column, endLine: to.line, endColumn: to.column },
      kind: 'Unparsed',
      tag: word.toUpperCase(),
      ast: {} as Node,
      transactional: true,
      enumValueAdded: false,
      transactionControl: false,
      isDdl: false,
      isDml: false,
      dataLoss: [],
      destructive: false,
      lock: null,
      targets: [],
    });
  };
  // Statements only checked for syntax wait in a batch of their own, flushed
  // before any other statement is visited, so visits stay in order.
  let checkOnly: { items: SplitStatement[]; words: string[]; chars: number } = { items: [], words: [], chars: 0 };
  const flushCheckOnly = () => {
    if (checkOnly.items.length === 0) return;
    const { items, words } = checkOnly;
    checkOnly = { items: [], words: [], chars: 0 };
    try {
      rawSyntaxCheck(source.slice(items[0]!.start, semicolonEnd(source, items[items.length - 1]!)), 'eachStatement');
    } catch (err) {
      if (isStrataError(err)) throw err;
      // Which statement, and where: parse them one at a time for the error the parser gives.
      const failing = new Batch();
      failing.items.push(...items);
      parseBatch(source, failing, options);
    }
    items.forEach((st, i) => visitTreeless(st, words[i]!));
  };
  let batch = new Batch();
  for (let st = splitter.next(); st; st = splitter.next()) {
    checkMeta();
    if (unparsed || syntaxOnly) {
      const word = /^[A-Za-z_]+/.exec(source.slice(st.start, Math.min(st.end, st.start + 16)))?.[0]?.toLowerCase() ?? '';
      const skip = unparsed?.(word) === true;
      const check = !skip && !st.backslashStrings && syntaxOnly?.(word) === true;
      if (skip || check) {
        if (batch.items.length > 0) {
          flush(batch);
          batch = new Batch();
        }
        if (skip) {
          flushCheckOnly();
          visitTreeless(st, word);
        } else {
          if (checkOnly.chars >= BATCH_CHARS) flushCheckOnly();
          checkOnly.items.push(st);
          checkOnly.words.push(word);
          checkOnly.chars += st.terminator - st.start;
        }
        continue;
      }
      flushCheckOnly();
    }
    // A statement that needs its own parser text (backslash strings) is a batch of its own.
    if (batch.items.length > 0 && (batch.chars >= BATCH_CHARS || st.backslashStrings || batch.items[0]!.backslashStrings)) {
      flush(batch);
      batch = new Batch();
    }
    batch.items.push(st);
    batch.chars += st.terminator - st.start;
  }
  checkMeta();
  flushCheckOnly();
  if (batch.items.length > 0) flush(batch);
  return { count: index, metaCommands: splitter.metaCommands };
}

/** Parse one batch; each lexer statement paired with its parse tree. */
function parseBatch(source: string, batch: Batch, options: ParseScriptOptions): { split: SplitStatement; node: Node }[] {
  const from = batch.from;
  const to = batch.to(source);
  const only = batch.items.length === 1 ? batch.items[0]! : undefined;
  const { text, inserted } = only ? parserTextOf(source, from, to, only) : { text: source.slice(from, to), inserted: [] };
  let raw: RawStmt[] | undefined;
  try {
    raw = rawParse(text, 'parseScriptSync').stmts ?? [];
  } catch (err) {
    if (isStrataError(err)) throw err;
    if (only) throw errorIn(source, only, text, inserted, err, options);
    raw = undefined; // find the failing statement below, one at a time
  }
  if (raw !== undefined && raw.length === batch.items.length && agrees(text, raw, batch, from)) {
    return batch.items.map((split, i) => ({ split, node: raw![i]!.stmt! }));
  }
  // The batch failed, or the parser's boundaries differ from the lexer's: parse
  // each statement on its own, as it will be sent.
  return batch.items.flatMap((split) => {
    const one = parserTextOf(source, split.start, semicolonEnd(source, split), split);
    let stmts: RawStmt[];
    try {
      stmts = rawParse(one.text, 'parseScriptSync').stmts ?? [];
    } catch (err) {
      if (isStrataError(err)) throw err;
      throw errorIn(source, split, one.text, one.inserted, err, options);
    }
    return stmts.filter((r) => r.stmt !== undefined).map((r) => ({ split, node: r.stmt! }));
  });
}

/** Whether the parser's statement starts are the lexer's (byte offsets into the batch text). */
function agrees(text: string, raw: RawStmt[], batch: Batch, from: number): boolean {
  const bytes = new ByteOffsetMap(text);
  for (let i = 0; i < raw.length; i++) {
    if (raw[i]!.stmt === undefined || bytes.toOffset(raw[i]!.stmt_location ?? 0) + from !== batch.items[i]!.start) return false;
  }
  return true;
}

/** The SQL_SYNTAX error for a statement that failed to parse on its own. */
function errorIn(
  source: string,
  split: SplitStatement,
  text: string,
  inserted: number[],
  err: unknown,
  options: ParseScriptOptions,
): Error {
  const { message, cursorPosition } = parserErrorDetails(err);
  let cursor = cursorPosition;
  // Map the cursor back over the `E` prefixes added for the parser.
  if (cursor !== undefined) cursor -= inserted.filter((q) => q < cursor!).length;
  return syntaxError(source, message, cursor, {
    file: options.file,
    startLine: options.startLine,
    startColumn: options.startColumn,
    cause: err,
    within: { start: split.start, text: source.slice(split.start, semicolonEnd(source, split)) },
  });
}

function buildScript(source: string, options: ParseScriptOptions): ParsedScript {
  const statements: SqlStatement[] = [];
  const { metaCommands } = eachStatement(source, options, (s) => statements.push(s));
  const script: ParsedScript = { ...(options.file === undefined ? {} : { file: options.file }), source, statements };
  if (metaCommands.length > 0) script.metaCommands = metaCommands;
  return script;
}

/**
 * Split and classify a SQL script: the lexer finds the statements, PostgreSQL's
 * own parser parses them (in batches). Throws `StrataError('SQL_SYNTAX')` with
 * `file:line:column` and a caret excerpt when a statement does not parse, or
 * when the script holds a psql meta-command and `metaCommands` is not `'report'`.
 */
export async function parseScript(source: string, options: ParseScriptOptions = {}): Promise<ParsedScript> {
  await loadParser();
  return buildScript(source, options);
}

/** {@link parseScript} without the promise; call `await loadParser()` once first. */
export function parseScriptSync(source: string, options: ParseScriptOptions = {}): ParsedScript {
  return buildScript(source, options);
}

/**
 * libpg_query's own statement boundaries for a whole script, parsed in one
 * piece: from each statement's first token to its `;` (or the end), as JS
 * offsets. For checking the splitter against the parser (the corpus tests);
 * commands use {@link eachStatement}. Throws `SQL_SYNTAX` when the script
 * does not parse.
 */
export function parserStatementRanges(source: string, options: { file?: string } = {}): { start: number; end: number }[] {
  let raw: RawStmt[];
  try {
    raw = rawParse(source, 'parserStatementRanges').stmts ?? [];
  } catch (err) {
    if (isStrataError(err)) throw err;
    const { message, cursorPosition } = parserErrorDetails(err);
    throw syntaxError(source, message, cursorPosition, { file: options.file, cause: err });
  }
  const bytes = new ByteOffsetMap(parserText(source));
  return raw.map((r) => {
    const at = r.stmt_location ?? 0;
    return { start: bytes.toOffset(at), end: r.stmt_len ? bytes.toOffset(at + r.stmt_len) : source.length };
  });
}
