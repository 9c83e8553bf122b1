import type { ParseResult } from '@pgsql/types';
import * as pg from 'libpg-query';
import { StrataError } from '@pg-strata/core';

// libpg-query is libpg_query (PostgreSQL 18's parser, with PL/pgSQL, fingerprint,
// normalize and scan) compiled to WebAssembly; loadModule() instantiates it.
let loaded = false;
let loading: Promise<void> | undefined;

/**
 * Load the PostgreSQL parser (WASM) once. Idempotent and safe to call
 * concurrently; the `*Sync` functions of this package need it to have resolved.
 */
export function loadParser(): Promise<void> {
  if (loaded) return Promise.resolve();
  loading ??= pg.loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

/** Whether {@link loadParser} has completed. */
export function isParserLoaded(): boolean {
  return loaded;
}

function requireLoaded(caller: string): void {
  if (!loaded) {
    throw new StrataError('INTERNAL', `${caller}() needs the SQL parser: await loadParser() from @pg-strata/sql first.`);
  }
}

/**
 * The text handed to the parser: a leading UTF-8 byte order mark (which
 * Windows editors write) becomes a space. PostgreSQL would call it a syntax
 * error; a space keeps every JS offset and character position unchanged.
 */
export function parserText(source: string): string {
  return source.charCodeAt(0) === 0xfeff ? ` ${source.slice(1)}` : source;
}

/** The raw parse tree of a script (throws libpg-query's SqlError on bad SQL). */
export function rawParse(source: string, caller: string): ParseResult {
  requireLoaded(caller);
  return pg.parseSync(parserText(source));
}

/** libpg_query's PL/pgSQL parse of `CREATE FUNCTION`/`DO` statements. */
export function rawParsePlpgsql(source: string, caller: string): unknown {
  requireLoaded(caller);
  return pg.parsePlPgSQLSync(source);
}

/**
 * A syntax check without a tree: libpg_query's normalize parses the text and
 * returns it with constants replaced (about half the cost of a parse, whose
 * JSON tree is ~20x the text). Throws libpg-query's SqlError on bad SQL.
 */
export function rawSyntaxCheck(source: string, caller: string): void {
  requireLoaded(caller);
  pg.normalizeSync(parserText(source));
}

/** libpg_query's fingerprint (hex). */
export function rawFingerprint(source: string, caller: string): string {
  requireLoaded(caller);
  return pg.fingerprintSync(source);
}

/** The details libpg-query attaches to a parse error, if any. */
export function parserErrorDetails(err: unknown): { message: string; cursorPosition: number | undefined } {
  if (pg.hasSqlDetails(err) && err.sqlDetails !== undefined) {
    return { message: err.sqlDetails.message, cursorPosition: err.sqlDetails.cursorPosition };
  }
  return { message: err instanceof Error ? err.message : String(err), cursorPosition: undefined };
}
