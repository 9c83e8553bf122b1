import type pg from 'pg';
import { StrataError, isPgDatabaseError } from '@pg-strata/core';
import { locationOf, offsetOfCodePoint, type SqlStatement } from '@pg-strata/sql';

/** A statement of a models SQL file, with where it starts in its file. */
export interface ModelsStatement {
  text: string;
  line: number;
  column: number;
  /** Runs only on its own, outside any batch (see {@link runsAlone}). */
  alone: boolean;
}

/** A parsed models SQL file. */
export interface ModelsScript {
  /** The file as shown in messages. */
  file: string;
  statements: ModelsStatement[];
}

/** Most statements sent in one query string, and most characters. */
const BATCH_STATEMENTS = 100;
const BATCH_CHARS = 256 * 1024;

/**
 * Statements that must not share a query string with others: those PostgreSQL
 * refuses inside a transaction block, transaction control (a batch must stay
 * one transaction, so that a failed batch left nothing behind), CALL (a
 * procedure may commit), `ALTER TYPE ... ADD VALUE` (the value is usable only
 * once committed) and `SET LOCAL` (it would reach the rest of the batch).
 */
export function runsAlone(st: Pick<SqlStatement, 'transactional' | 'transactionControl' | 'enumValueAdded' | 'kind' | 'text'>): boolean {
  return !st.transactional || st.transactionControl || st.enumValueAdded || st.kind === 'CallStmt' || /^\s*SET\s+LOCAL\b/i.test(st.text);
}

/**
 * Apply models SQL files to a shadow database, file after file. Statements go
 * in batches: one simple-protocol query string of up to 100 statements, which
 * PostgreSQL runs as one implicit transaction (about what `psql -f` costs,
 * without a round trip and a commit per statement). A batch that fails has
 * changed nothing; it is run again statement by statement, so the error names
 * its statement's file:line:column exactly as before (and a batch that failed
 * only for being a batch goes through).
 */
export async function applyModelsSql(client: pg.Client, scripts: readonly ModelsScript[]): Promise<{ batches: number; rerun: number }> {
  let batches = 0;
  let rerun = 0;
  for (const s of scripts) {
    let batch: ModelsStatement[] = [];
    let chars = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const group = batch;
      batch = [];
      chars = 0;
      batches++;
      if (group.length === 1) return await one(client, s.file, group[0]!);
      try {
        // A newline before each `;`: a statement may end in a -- comment.
        await client.query(group.map((st) => st.text).join('\n;\n'));
      } catch (err) {
        if (!isPgDatabaseError(err)) throw sqlFileError(err, s.file, group[0]!);
        rerun++;
        for (const st of group) await one(client, s.file, st);
      }
    };
    for (const st of s.statements) {
      if (st.alone) {
        await flush();
        batch.push(st);
        await flush();
        continue;
      }
      if (batch.length >= BATCH_STATEMENTS || (batch.length > 0 && chars + st.text.length > BATCH_CHARS)) await flush();
      batch.push(st);
      chars += st.text.length;
    }
    await flush();
  }
  return { batches, rerun };
}

async function one(client: pg.Client, file: string, st: ModelsStatement): Promise<void> {
  try {
    await client.query(st.text);
  } catch (err) {
    throw sqlFileError(err, file, st);
  }
}

function sqlFileError(err: unknown, file: string, st: { text: string; line: number; column: number }): StrataError {
  if (isPgDatabaseError(err)) {
    // PostgreSQL's `position` is 1-based and counts characters.
    const at = err.position ? locationOf(st.text, offsetOfCodePoint(st.text, Number(err.position) - 1)) : { line: 1, column: 1 };
    const line = st.line + at.line - 1;
    const column = at.line === 1 ? st.column + at.column - 1 : at.column;
    const why = `${err.message} (SQLSTATE ${err.code}). The models SQL failed on an empty shadow database; fix the file.`;
    const message = `${file}:${line}:${column}: ${why}`;
    return new StrataError('MODELS_SOURCE_FAILED', message, {
      meta: { file, line, column, sqlstate: err.code ?? null },
      cause: err,
    });
  }
  return new StrataError('MODELS_SOURCE_FAILED', `${file}:${st.line}:${st.column}: ${(err as Error).message}`, {
    meta: { file, line: st.line, column: st.column },
    cause: err,
  });
}
