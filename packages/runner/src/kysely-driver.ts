import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type pg from 'pg';
import { StrataError, quoteLiteral } from '@pg-strata/core';

function postgresDialect(driver: Driver): Dialect {
  return {
    createAdapter: (): DialectAdapter => new PostgresAdapter(),
    createDriver: (): Driver => driver,
    createQueryCompiler: (): QueryCompiler => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new PostgresIntrospector(db),
  };
}

class ClientConnection implements DatabaseConnection {
  readonly #client: pg.ClientBase;
  readonly #onQuery: ((sql: string) => void) | undefined;
  constructor(client: pg.ClientBase, onQuery?: (sql: string) => void) {
    this.#client = client;
    this.#onQuery = onQuery;
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.#onQuery?.(compiled.sql);
    const res = await this.#client.query(compiled.sql, [...compiled.parameters]);
    const affected =
      ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(res.command) && res.rowCount !== null
        ? { numAffectedRows: BigInt(res.rowCount) }
        : {};
    return { rows: (res.rows ?? []) as R[], ...affected };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new StrataError('USAGE', 'Streaming queries are not available inside a migration.');
  }
}

/**
 * A Kysely driver over one pg client that the runner owns: every query of a
 * TypeScript migration runs on the migration's own connection, inside its
 * transaction. `db.transaction()` inside a transactional migration becomes a
 * savepoint, since the migration already is one transaction.
 */
export class SingleConnectionDriver implements Driver {
  readonly #connection: ClientConnection;
  readonly #outerTransaction: boolean;
  constructor(client: pg.ClientBase, options: { inTransaction: boolean; onQuery?: (sql: string) => void }) {
    this.#connection = new ClientConnection(client, options.onQuery);
    this.#outerTransaction = options.inTransaction;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({
      sql: this.#outerTransaction ? 'SAVEPOINT strata_nested' : 'BEGIN',
      parameters: [],
    } as unknown as CompiledQuery);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({
      sql: this.#outerTransaction ? 'RELEASE SAVEPOINT strata_nested' : 'COMMIT',
      parameters: [],
    } as unknown as CompiledQuery);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({
      sql: this.#outerTransaction ? 'ROLLBACK TO SAVEPOINT strata_nested' : 'ROLLBACK',
      parameters: [],
    } as unknown as CompiledQuery);
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** A `Kysely<any>` bound to one pg client (the migration's connection). */
export function kyselyOnClient(client: pg.ClientBase, options: { inTransaction: boolean; onQuery?: (sql: string) => void }): Kysely<any> {
  return new Kysely<any>({ dialect: postgresDialect(new SingleConnectionDriver(client, options)) });
}

/** Render a parameter as an SQL literal for an offline script. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `${quoteLiteral(value.toISOString())}::timestamptz`;
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (typeof value === 'string') return quoteLiteral(value);
  return quoteLiteral(JSON.stringify(value));
}

/** Inline `$n` parameters of compiled SQL as literals (outside quoted strings and identifiers). */
export function inlineParameters(sqlText: string, parameters: readonly unknown[]): string {
  if (parameters.length === 0) return sqlText;
  let out = '';
  let i = 0;
  while (i < sqlText.length) {
    const ch = sqlText[i]!;
    if (ch === "'" || ch === '"') {
      const end = sqlText.indexOf(ch, i + 1);
      let j = end === -1 ? sqlText.length : end + 1;
      while (j < sqlText.length && sqlText[j] === ch) {
        const next = sqlText.indexOf(ch, j + 1);
        j = next === -1 ? sqlText.length : next + 1;
      }
      out += sqlText.slice(i, j);
      i = j;
      continue;
    }
    const m = ch === '$' ? /^\$(\d+)/.exec(sqlText.slice(i, i + 12)) : null;
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= parameters.length) {
      out += sqlLiteral(parameters[Number(m[1]) - 1]);
      i += m[0].length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

const READ_RE = /^\s*(\(\s*)*(select|with|values|table|show|explain|fetch)\b/i;

/**
 * A driver that compiles instead of executing, for offline scripts. Every
 * query is recorded with its parameters inlined and answered with no rows;
 * a query that reads data (a SELECT, RETURNING, a raw query that starts
 * with SELECT/WITH/...) cannot be answered offline and is refused.
 */
export class RecordingDriver implements Driver {
  readonly statements: string[] = [];
  readonly #what: string;
  constructor(what: string) {
    this.#what = what;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const statements = this.statements;
    const what = this.#what;
    return {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        const node = compiled.query as { kind: string; returning?: unknown };
        const reads =
          node.kind === 'SelectQueryNode' || node.returning !== undefined || (node.kind === 'RawNode' && READ_RE.test(compiled.sql));
        if (reads) {
          throw new StrataError(
            'MIGRATION_OFFLINE_UNSUPPORTED',
            `${what} reads data (${compiled.sql.trim().split('\n')[0]!.slice(0, 80)}), so it cannot be ` +
              `turned into an offline script: the result is only known when it runs. Run it online (strata up ` +
              `without --sql), or rewrite it so it only writes.`,
            { meta: { sql: compiled.sql } },
          );
        }
        statements.push(inlineParameters(compiled.sql, compiled.parameters));
        return { rows: [] };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new StrataError('MIGRATION_OFFLINE_UNSUPPORTED', `${what} streams a query, which cannot be done offline.`);
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** A `Kysely<any>` that records compiled SQL instead of running it. */
export function recordingKysely(what: string): { db: Kysely<any>; statements: string[] } {
  const driver = new RecordingDriver(what);
  return { db: new Kysely<any>({ dialect: postgresDialect(driver) }), statements: driver.statements };
}
