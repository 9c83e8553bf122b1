/**
 * Sending a migration's SQL and pinning a failure to its statement: counted (and
 * chunked) simple queries; server positions to lines and columns.
 */
import pg from 'pg';
import type { StatementList } from './sql-parser.js';

/**
 * A pg Query that counts the statements of a multi-statement simple query
 * that completed, so a failure can be pinned to the statement that raised
 * it even when PostgreSQL sends no position (constraint violations, ...).
 */
class CountingQuery extends pg.Query {
  completed = 0;
  handleCommandComplete(msg: unknown, connection: unknown): void {
    this.completed++;
    (pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }).handleCommandComplete.call(
      this,
      msg,
      connection,
    );
  }
}

export async function countedQuery(
  client: pg.Client,
  text: string,
): Promise<{ ok: true; results: pg.QueryResult[] } | { ok: false; error: unknown; completed: number }> {
  return await new Promise((resolve) => {
    const q = new CountingQuery(text, (err: Error | undefined, res: unknown) => {
      if (err) resolve({ ok: false, error: err, completed: q.completed });
      else resolve({ ok: true, results: (Array.isArray(res) ? res : [res]) as pg.QueryResult[] });
    });
    client.query(q as unknown as pg.QueryConfig).catch?.(() => {});
  });
}

/**
 * A migration body longer than this is sent in pieces of about this size, cut
 * between statements, inside its one transaction: a 50 MB migration is never
 * copied whole into one query message (which would hold the text three times).
 */
export const CHUNK_CHARS = 1 << 20;

/**
 * {@link countedQuery} for a big body (or one that changes how the server lexes): the prefix (BEGIN, settings), the body
 * in pieces cut after a statement, then the suffix (bookkeeping, COMMIT), each
 * its own message on the same transaction. On failure says which piece
 * (`text`, at `textStart` in the body) and how many statements completed
 * before it (`before`, counting the prefix's as `completed` does).
 */
export async function chunkedQuery(
  client: pg.Client,
  prefix: string,
  statements: StatementList,
  suffix: string,
): Promise<{ ok: true } | { ok: false; error: unknown; completed: number; text: string; textStart: number; before: number }> {
  const pre = await countedQuery(client, prefix);
  if (!pre.ok)
    return { ok: false, error: pre.error, completed: pre.completed, text: prefix, textStart: -prefix.length, before: pre.completed + 1 };
  const body = statements.source;
  let from = 0;
  let first = 0;
  for (let i = 0; i < statements.length; ) {
    // Extend the piece statement by statement until it is big enough; its text runs to the last one's end.
    let j = i;
    let end = statements.at(j)!.range.end;
    while (j + 1 < statements.length && end - from < CHUNK_CHARS && !statements.cutsAfter.has(j)) end = statements.at(++j)!.range.end;
    const text = body.slice(from, end);
    const r = await countedQuery(client, text);
    if (!r.ok) return { ok: false, error: r.error, completed: first + r.completed, text, textStart: from, before: 0 };
    first += j - i + 1;
    from = end;
    i = j + 1;
  }
  const rest = body.slice(from) + suffix;
  const post = await countedQuery(client, rest);
  if (!post.ok) return { ok: false, error: post.error, completed: first + post.completed, text: rest, textStart: from, before: 0 };
  return { ok: true };
}
