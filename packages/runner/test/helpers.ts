import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';

/** A temp migrations folder; `write` adds files, `rm` removes the folder. */
export function tempMigrations(): { dir: string; write(name: string, text: string): void; rm(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'strata-runner-'));
  return {
    dir,
    write: (name, text) => writeFileSync(join(dir, name), text),
    rm: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Scratch folders for the tests of one file, removed after it (call at the
 * top level), each with its own names: `next()` gives a migrations folder,
 * a schema for Strata's tables (`strata_<tag><n>`) and one for the app's
 * objects (`app_<tag><n>`).
 */
export function scratchProjects(tag: string): () => { m: ReturnType<typeof tempMigrations>; schema: string; app: string } {
  const folders: { rm(): void }[] = [];
  afterAll(() => folders.forEach((f) => f.rm()));
  let n = 0;
  return () => {
    n++;
    const m = tempMigrations();
    folders.push(m);
    return { m, schema: `strata_${tag}${n}`, app: `app_${tag}${n}` };
  };
}

/** An SQL migration file's text. */
export function sqlMigration(revision: string, parents: string[], up: string, down = '', extraHeader = ''): string {
  return (
    `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n-- ` +
    `message: ${revision}\n${extraHeader}\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`
  );
}

/**
 * Write a chain of `count` SQL migrations (`0001_m1.sql` ..., revisions
 * `<prefix>1` ...), each the parent of the next; `up(i)` and `down(i)` give migration i's sections (1-based).
 */
export function writeChain(
  m: { write(name: string, text: string): void },
  prefix: string,
  count: number,
  up: (i: number) => string = () => 'SELECT 1;',
  down: (i: number) => string = () => '',
): void {
  for (let i = 1; i <= count; i++) {
    m.write(`${String(i).padStart(4, '0')}_m${i}.sql`, sqlMigration(`${prefix}${i}`, i === 1 ? [] : [`${prefix}${i - 1}`], up(i), down(i)));
  }
}

/** Run one query on a fresh connection. */
export async function query<R extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The user-visible catalogue (tables, columns, indexes, constraints) outside pg_catalog/information_schema. */
export async function catalogue(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cols = await client.query(
      `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default FROM ` +
        `information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER ` +
        `BY 1, 2, column_name`,
    );
    const idx = await client.query(
      `SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname NOT IN ` +
        `('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
    );
    const cons = await client.query(
      `SELECT n.nspname, conrelid::regclass::text AS rel, conname, pg_get_constraintdef(c.oid) AS def ` +
        `FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname NOT IN ` +
        `('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
    );
    const schemas = await client.query(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema' ORDER BY 1`,
    );
    return { schemas: schemas.rows, cols: cols.rows, idx: idx.rows, cons: cons.rows };
  } finally {
    await client.end();
  }
}
