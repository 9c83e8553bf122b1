import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { compare, introspect } from '@pg-strata/auditor';
import { withConnection } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { headSnapshot } from '@pg-strata/fallback';
import { createAll } from '../src/models.js';

const CREATE_ALL_SQL = fileURLToPath(new URL('../../../legacy/models/create_all.sql', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('./fixtures/migrations/', import.meta.url));

const dbs: { drop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function fromSqlFile(): Promise<string> {
  const db = await createTestDatabase('archivist_sql');
  dbs.push(db);
  await withConnection({ url: db.url }, async (c) => {
    await c.query(readFileSync(CREATE_ALL_SQL, 'utf8'));
  });
  return db.url;
}

async function fromModels(): Promise<string> {
  const db = await createTestDatabase('archivist_models');
  dbs.push(db);
  const k = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }) });
  try {
    await createAll(k);
  } finally {
    await k.destroy();
  }
  return db.url;
}

describe('the Kysely models', () => {
  it('build exactly the schema of legacy/models/create_all.sql', async () => {
    const [sqlUrl, modelsUrl] = await Promise.all([fromSqlFile(), fromModels()]);
    const [fromSql, fromKysely] = await Promise.all([introspect(sqlUrl), introspect(modelsUrl)]);
    expect(Object.keys(fromKysely.tables).sort()).toEqual(
      [
        'audit_logs',
        'conversations',
        'document_programs',
        'document_tags',
        'documents',
        'locations',
        'messages',
        'organisations',
        'prompt_templates',
        'system_config',
        'users',
      ].map((t) => `public.${t}`),
    );
    expect(compare(fromKysely, fromSql, { left: 'createAll', right: 'create_all.sql' }).map((d) => d.message)).toEqual([]);
    // the names PostgreSQL gives, as the legacy scripts refer to them
    const names = Object.values(fromKysely.tables).flatMap((t) => Object.values(t.constraints).map((c) => c.name));
    expect(names).toEqual(
      expect.arrayContaining([
        'users_email_key',
        'users_organisation_id_fkey',
        'organisations_slug_key',
        'document_tags_pkey',
        'messages_role_check',
        'chk_locations_latitude',
      ]),
    );
    // column order too
    expect(fromKysely.tables['public.documents']!.columns.map((c) => c.name)).toEqual(
      fromSql.tables['public.documents']!.columns.map((c) => c.name),
    );
  });

  it('equal the head of the test migrations (the fixture the server tests use)', async () => {
    const [head, models] = await Promise.all([
      headSnapshot({ migrationsDir: MIGRATIONS, shadowUrl: testServerUrl() }),
      fromModels().then((u) => introspect(u)),
    ]);
    expect(compare(models, head).map((d) => d.message)).toEqual([]);
  });
});
