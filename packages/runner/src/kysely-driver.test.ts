import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inlineParameters, recordingKysely, sqlLiteral } from './kysely-driver.js';

describe('offline rendering of parameters', () => {
  it.each<[unknown, string]>([
    [null, 'NULL'],
    [undefined, 'NULL'],
    [42, '42'],
    [10n, '10'],
    [true, 'true'],
    ["it's", "'it''s'"],
    ['a\\b', "E'a\\\\b'"],
    [new Date('2024-01-02T03:04:05.000Z'), "'2024-01-02T03:04:05.000Z'::timestamptz"],
    [Buffer.from([1, 255]), "'\\x01ff'::bytea"],
    [{ a: [1, 'x'] }, `'{"a":[1,"x"]}'`],
  ])('%s -> %s', (value, expected) => {
    expect(sqlLiteral(value)).toBe(expected);
  });

  it('replaces $n outside quoted strings and identifiers, $10 before $1', () => {
    const params = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParameters(`select $1, '$2', "$3", $10, 'it''s $4', $$`, params)).toBe(`select 1, '$2', "$3", 10, 'it''s $4', $$`);
  });
});

describe('the recording Kysely', () => {
  it('records writes with inlined parameters and refuses reads', async () => {
    const rec = recordingKysely('0001_x.ts (revision x)');
    await rec.db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await rec.db.insertInto('t').values({ id: 7 }).execute();
    await sql`UPDATE t SET id = ${8}`.execute(rec.db);
    expect(rec.statements).toEqual([
      'create table "t" ("id" integer primary key)',
      'insert into "t" ("id") values (7)',
      'UPDATE t SET id = 8',
    ]);
    await expect(rec.db.selectFrom('t').selectAll().execute()).rejects.toMatchObject({ code: 'MIGRATION_OFFLINE_UNSUPPORTED' });
    await expect(rec.db.insertInto('t').values({ id: 9 }).returning('id').execute()).rejects.toMatchObject({
      code: 'MIGRATION_OFFLINE_UNSUPPORTED',
    });
    await expect(sql`WITH x AS (SELECT 1) SELECT * FROM x`.execute(rec.db)).rejects.toThrow(
      '0001_x.ts (revision x) reads data (WITH x AS (SELECT 1) SELECT * FROM x)',
    );
  });
});
