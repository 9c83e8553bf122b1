// Models SQL files are applied to the shadow database in batches (one query string of up to 100
// statements, one implicit transaction each); a failed batch is run again statement by statement, so
// errors keep their file:line:column, and statements that cannot share a transaction run alone.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStrataError, withConnection, type LogFields, type Logger, type StrataError } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { snapshotFrom } from '../src/index.js';
import { applyModelsSql } from '../src/models-sql.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-models-sql-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** snapshotFrom with a logger keeping the 'models applied' event. */
async function load(name: string): Promise<{ tables: string[]; applied: LogFields | undefined; enums: Record<string, string[]> }> {
  let applied: LogFields | undefined;
  const logger: Logger = { debug: (m, f) => void (m === 'models applied' && (applied = f)), info() {}, warn() {}, error() {} };
  const { snapshot } = await snapshotFrom(name, { shadowUrl: testServerUrl(), cwd: dir, logger });
  const enums = Object.fromEntries(Object.entries(snapshot.enums).map(([k, e]) => [k, e.values]));
  return { tables: Object.keys(snapshot.tables).sort(), applied, enums };
}

async function failure(p: Promise<unknown>): Promise<StrataError> {
  try {
    await p;
  } catch (err) {
    if (isStrataError(err)) return err;
    throw err;
  }
  throw new Error('expected a StrataError');
}

const tables = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `CREATE TABLE t_${from + i} (id int PRIMARY KEY, note text);`);

describe('models SQL applied in batches', () => {
  it('sends 250 statements in 3 query strings and reads every table', async () => {
    const { tables: read, applied } = await load(file('many.sql', `${tables(250).join('\n')}\n`));
    expect(read).toHaveLength(250);
    expect(applied).toMatchObject({ batches: 3, rerun: 0 });
  });

  it('names the failing statement of a batch by file:line:column, after the batch is run again one by one', async () => {
    const lines = tables(150);
    lines.splice(120, 0, 'CREATE TABLE broken (id int REFERENCES nowhere (id));');
    const err = await failure(load(file('broken.sql', `${lines.join('\n')}\n`)));
    expect(err.code).toBe('MODELS_SOURCE_FAILED');
    const tail = 'The models SQL failed on an empty shadow database; fix the file.';
    expect(err.message).toBe(`broken.sql:121:1: relation "nowhere" does not exist (SQLSTATE 42P01). ${tail}`);
    expect(err.meta).toMatchObject({ file: 'broken.sql', line: 121, column: 1 });
  });

  it('runs alone what cannot share a transaction, and a trailing -- comment does not swallow the separator', async () => {
    const sql = [
      "CREATE TYPE mood AS ENUM ('sad', 'ok');",
      'CREATE TABLE a (id int PRIMARY KEY) -- no semicolon on this line',
      ';',
      "ALTER TYPE mood ADD VALUE 'happy';",
      // Unusable in the transaction that added it: it must have been committed alone.
      "CREATE TABLE b (id int, m mood DEFAULT 'happy');",
      'CREATE INDEX CONCURRENTLY b_id_idx ON b (id);',
      'BEGIN;',
      'CREATE TABLE c (id int);',
      'COMMIT;',
      "SET LOCAL search_path = 'nowhere';",
      'CREATE TABLE d (id int);',
    ].join('\n');
    const { tables: read, applied, enums } = await load(file('alone.sql', `${sql}\n`));
    expect(read).toEqual(['public.a', 'public.b', 'public.c', 'public.d']);
    expect(enums['public.mood']).toEqual(['sad', 'ok', 'happy']);
    expect(applied).toMatchObject({ rerun: 0 });
  });

  it('a position inside a batch statement maps to its own line and column', async () => {
    const sql = [...tables(50), '', '  CREATE TABLE late (id nosuchtype);', ...tables(50, 50)].join('\n');
    const err = await failure(load(file('typo.sql', `${sql}\n`)));
    const tail = 'The models SQL failed on an empty shadow database; fix the file.';
    expect(err.message).toBe(`typo.sql:52:25: type "nosuchtype" does not exist (SQLSTATE 42704). ${tail}`);
  });

  it('a batch that fails only for being one goes through statement by statement', async () => {
    // Marked batchable on purpose: CREATE INDEX CONCURRENTLY is refused in a multi-statement query string, allowed alone.
    const db = await createTestDatabase('models_sql');
    try {
      const st = (text: string, line: number) => ({ text, line, column: 1, alone: false });
      const statements = [st('CREATE TABLE x (id int)', 1), st('CREATE INDEX CONCURRENTLY x_id ON x (id)', 2)];
      statements.push(st('CREATE TABLE z (id int)', 3));
      const done = await withConnection({ url: db.url }, async (c) => applyModelsSql(c, [{ file: 'x.sql', statements }]));
      expect(done).toEqual({ batches: 1, rerun: 1 });
      const { snapshot } = await snapshotFrom(db.url);
      expect(Object.keys(snapshot.tables).sort()).toEqual(['public.x', 'public.z']);
      expect(Object.keys(snapshot.indexes)).toEqual(['public.x_id']);
    } finally {
      await db.drop();
    }
  });
});
