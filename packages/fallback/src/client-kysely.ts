import { createRequire } from 'node:module';
import type { Kysely, QueryResult } from 'kysely';
import type pg from 'pg';
import type { Queryable } from '@pg-strata/core';

/**
 * Kysely, loaded when first needed: an application that hands the shim a pg
 * Pool in migrate or verify mode never loads it (it is most of what importing
 * the shim cost). A Kysely handle's application has it loaded already.
 */
let kyselyModule: typeof import('kysely') | undefined;
function kysely(): typeof import('kysely') {
  kyselyModule ??= createRequire(import.meta.url)('kysely') as typeof import('kysely');
  return kyselyModule;
}

/** What the shim accepts as the application's database handle. */
export type AppDatabase = Kysely<any> | pg.Pool | Queryable;

/** Whether the handle is a Kysely instance. */
export function isKysely(db: AppDatabase): db is Kysely<any> {
  return typeof (db as Kysely<unknown>).executeQuery === 'function' && typeof (db as Kysely<unknown>).selectFrom === 'function';
}

/** Whether the handle is a pg Pool (it hands out clients). */
export function isPool(db: AppDatabase): db is pg.Pool {
  const p = db as pg.Pool;
  return typeof p.connect === 'function' && typeof p.totalCount === 'number' && typeof p.idleCount === 'number';
}

/**
 * A `Queryable` over the application's handle: a pg Pool/Client as it is, a
 * Kysely instance through `executeQuery` (its pool runs the text as given,
 * and its plugins are left out). PostgreSQL errors pass through unchanged (SQLSTATE kept).
 */
export function queryableOf(db: AppDatabase): Queryable {
  if (!isKysely(db)) return db;
  // Plugins transform results too (CamelCasePlugin renames columns): the catalogue queries need the rows as PostgreSQL sent them.
  const plain = db.withoutPlugins();
  const query = async (text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> => {
    const r: QueryResult<unknown> = await plain.executeQuery(kysely().CompiledQuery.raw(text, values ?? []));
    return { rows: [...r.rows], rowCount: r.numAffectedRows === undefined ? null : Number(r.numAffectedRows) };
  };
  return { query } as unknown as Queryable;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const COMMIT = /^\s*(commit|end)\s*;?\s*$/i;
const ROLLBACK = /^\s*rollback\s*;?\s*$/i;

/**
 * A Kysely instance bound to one open pg client, for running `createAll`
 * inside the shim's own transaction. A transaction `createAll` opens itself
 * (`db.transaction()`) becomes a savepoint, so its COMMIT cannot commit the
 * shim's transaction early and its ROLLBACK undoes only its own work.
 * `destroy()` leaves the client open: the shim owns it.
 */
export function kyselyOnClient(client: Queryable): Kysely<any> {
  let depth = 0;
  const query = async (text: string, values?: unknown[]): Promise<unknown> => {
    if (typeof text === 'string' && !values?.length) {
      if (BEGIN.test(text)) {
        depth++;
        return await client.query(`SAVEPOINT strata_create_all_${depth}`);
      }
      if (depth > 0 && COMMIT.test(text)) return await client.query(`RELEASE SAVEPOINT strata_create_all_${depth--}`);
      if (depth > 0 && ROLLBACK.test(text)) {
        const n = depth--;
        await client.query(`ROLLBACK TO SAVEPOINT strata_create_all_${n}`);
        return await client.query(`RELEASE SAVEPOINT strata_create_all_${n}`);
      }
    }
    return await (client.query as (t: unknown, v?: unknown[]) => Promise<unknown>)(text, values);
  };
  const poolClient = { query, release: () => {} };
  const { Kysely: KyselyClass, PostgresDialect } = kysely();
  const dialect = new PostgresDialect({
    pool: {
      connect: async () => poolClient as never,
      end: async () => {},
    },
  });
  return new KyselyClass({ dialect });
}
