import { afterAll, describe, expect, it } from 'vitest';
import { StrataError } from '@pg-strata/core';
import { upgrade } from '@pg-strata/runner';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { startServer, type ArchivistServer } from '../src/index.js';
import { BASELINE, HEAD, http, migrationsCopy, query } from './helpers.js';

const dbs: { drop(): Promise<void> }[] = [];
const dirs: { rm(): void }[] = [];
const servers: ArchivistServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dbs.map((d) => d.drop()));
  for (const d of dirs) d.rm();
});
async function freshDb(): Promise<string> {
  const db = await createTestDatabase('archivist');
  dbs.push(db);
  return db.url;
}
function migrations(): ReturnType<typeof migrationsCopy> {
  const m = migrationsCopy();
  dirs.push(m);
  return m;
}
async function start(options: Parameters<typeof startServer>[0]): Promise<ArchivistServer> {
  const s = await startServer({ port: 0, shadowUrl: testServerUrl(), ...options });
  servers.push(s);
  return s;
}
async function refused(p: Promise<unknown>): Promise<StrataError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  return err as StrataError;
}

describe('Org Archivist in migrate mode', () => {
  it('migrates an empty database at start-up, then serves organisations, documents, conversations and the audit log', async () => {
    const url = await freshDb();
    const m = migrations();
    const app = await start({ url, migrationsDir: m.dir, mode: 'migrate' });
    expect(app.schema).toMatchObject({ mode: 'migrate', action: 'migrated', heads: [HEAD] });
    expect(app.schema.applied.map((a) => a.file)).toEqual(['0001_baseline.sql', '0002_locations.sql']);

    expect(await http(app.url, 'GET', '/health')).toEqual({
      status: 200,
      body: { status: 'ok', schema: { mode: 'migrate', action: 'migrated', heads: [HEAD] } },
    });

    const org = await http(app.url, 'POST', '/organisations', { name: 'Acme Foundation', slug: 'acme' });
    expect(org.status).toBe(201);
    expect(org.body).toMatchObject({ id: 1, name: 'Acme Foundation', slug: 'acme', plan: 'free' });
    expect((await http(app.url, 'POST', '/organisations', { name: 'Other', slug: 'acme' })).status).toBe(409);
    expect((await http(app.url, 'POST', '/organisations', { slug: 'x' })).body).toEqual({
      error: "'name' is required (a non-empty string)",
    });
    expect((await http(app.url, 'GET', '/organisations')).body.map((o: { slug: string }) => o.slug)).toEqual(['acme']);

    const user = await http(app.url, 'POST', '/users', { organisation_id: org.body.id, email: 'Ada@Example.org', full_name: 'Ada' });
    expect(user).toMatchObject({ status: 201, body: { email: 'ada@example.org', role: 'member', is_active: true } });
    expect((await http(app.url, 'POST', '/users', { email: 'ada@example.org' })).body).toEqual({
      error: 'already exists (users_email_key)',
    });
    expect((await http(app.url, 'POST', '/users', { email: 'bob@example.org', organisation_id: 999 })).body).toEqual({
      error: 'refers to a row that does not exist (users_organisation_id_fkey)',
    });

    const doc = await http(app.url, 'POST', '/documents', {
      organisation_id: org.body.id,
      owner_id: user.body.id,
      title: 'Grant report 2025',
      body: 'Hello',
      tags: ['Grants', 'reports', 'grants'],
    });
    expect(doc).toMatchObject({
      status: 201,
      body: { title: 'Grant report 2025', status: 'draft', processing_status: 'pending', file_size: '5', tags: ['grants', 'reports'] },
    });
    const docs = await http(app.url, 'GET', `/documents?organisation_id=${org.body.id}`);
    expect(docs.body).toHaveLength(1);
    expect(docs.body[0]).toMatchObject({ id: doc.body.id, tags: ['grants', 'reports'] });
    expect((await http(app.url, 'GET', '/documents?organisation_id=2')).body).toEqual([]);

    const conv = await http(app.url, 'POST', '/conversations', { user_id: user.body.id, title: 'Funding questions' });
    expect(conv).toMatchObject({ status: 201, body: { title: 'Funding questions', conversation_metadata: {} } });
    const msg = await http(app.url, 'POST', `/conversations/${conv.body.id}/messages`, {
      role: 'user',
      content: 'Which grants are due?',
      token_count: 6,
    });
    expect(msg).toMatchObject({ status: 201, body: { conversation_id: conv.body.id, role: 'user', token_count: 6 } });
    await http(app.url, 'POST', `/conversations/${conv.body.id}/messages`, { role: 'assistant', content: 'The 2025 report.' });
    expect((await http(app.url, 'POST', `/conversations/${conv.body.id}/messages`, { role: 'robot', content: 'x' })).body).toEqual({
      error: "'role' must be one of user, assistant, system",
    });
    expect((await http(app.url, 'POST', '/conversations/4242/messages', { role: 'user', content: 'x' })).status).toBe(404);
    expect((await http(app.url, 'GET', `/conversations/${conv.body.id}/messages`)).body.map((x: { role: string }) => x.role)).toEqual([
      'user',
      'assistant',
    ]);

    const audit = await http(app.url, 'GET', '/audit-logs');
    expect(audit.body.map((a: { action: string }) => a.action)).toEqual([
      'message.created',
      'message.created',
      'conversation.created',
      'document.created',
      'user.created',
      'organisation.created',
    ]);
    expect(audit.body[0].ip_address).toMatch(/127\.0\.0\.1/);
    expect(await http(app.url, 'POST', '/fix-db')).toEqual({ status: 404, body: { error: 'not found' } });
    expect((await http(app.url, 'DELETE', '/organisations')).status).toBe(405);
    await app.close();

    // A restart at head: nothing to do.
    const again = await start({ url, migrationsDir: m.dir });
    expect(again.schema).toMatchObject({ mode: 'migrate', action: 'none', heads: [HEAD] });
    expect((await http(again.url, 'GET', '/organisations')).body).toHaveLength(1);
    await again.close();
  });

  it('ten instances started at once on one empty database: all start, every migration applied once', async () => {
    const url = await freshDb();
    const m = migrations();
    const apps = await Promise.all(Array.from({ length: 10 }, () => start({ url, migrationsDir: m.dir, poolSize: 2 })));
    expect(apps.map((a) => a.schema.action).filter((a) => a === 'migrated').length).toBeGreaterThanOrEqual(1);
    expect(apps.flatMap((a) => a.schema.applied.map((x) => x.file)).sort()).toEqual(['0001_baseline.sql', '0002_locations.sql']);
    const health = await Promise.all(apps.map((a) => http(a.url, 'GET', '/health')));
    expect(health.map((h) => h.status)).toEqual(Array(10).fill(200));
    expect(
      await query(
        url,
        `SELECT revision, count(*)::int AS n FROM strata.strata_history WHERE outcome = 'applied' GROUP BY revision ORDER BY revision`,
      ),
    ).toEqual([
      { revision: BASELINE, n: 1 },
      { revision: HEAD, n: 1 },
    ]);
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: HEAD }]);
    // writes through any instance land in the one schema
    await Promise.all(apps.map((a, i) => http(a.url, 'POST', '/organisations', { name: `Org ${i}` })));
    expect(await query(url, 'SELECT count(*)::int AS n FROM organisations')).toEqual([{ n: 10 }]);
    await Promise.all(apps.map((a) => a.close()));
  });
});

describe('Org Archivist in verify mode', () => {
  it('does not start on a database behind head, naming the pending revision', async () => {
    const url = await freshDb();
    const m = migrations();
    await upgrade({ url, migrationsDir: m.dir, target: BASELINE });
    const err = await refused(start({ url, migrationsDir: m.dir, mode: 'verify' }));
    expect(err.code).toBe('SCHEMA_NOT_AT_HEAD');
    expect(err.message).toContain(`1 migration is pending:\n  ${HEAD}  0002_locations.sql\n`);
    expect(await query(url, `SELECT revision FROM strata.strata_version`)).toEqual([{ revision: BASELINE }]);
    expect(await query(url, `SELECT to_regclass('public.locations') AS t`)).toEqual([{ t: null }]);
  });

  it('starts on a database at head', async () => {
    const url = await freshDb();
    const m = migrations();
    await upgrade({ url, migrationsDir: m.dir });
    const app = await start({ url, migrationsDir: m.dir, mode: 'verify' });
    expect(app.schema).toMatchObject({ mode: 'verify', action: 'none', heads: [HEAD] });
    expect((await http(app.url, 'GET', '/health')).status).toBe(200);
    await app.close();
  });
});

describe('Org Archivist in create_all mode', () => {
  it('builds an empty database with the legacy models, stamps head, and serves', async () => {
    const url = await freshDb();
    const m = migrations();
    const app = await start({ url, migrationsDir: m.dir, mode: 'create_all' });
    expect(app.schema).toMatchObject({ mode: 'create_all', action: 'created_all', stamped: [BASELINE, HEAD], heads: [HEAD] });
    expect(await query(url, `SELECT revision, outcome FROM strata.strata_history ORDER BY id`)).toEqual([
      { revision: BASELINE, outcome: 'stamped' },
      { revision: HEAD, outcome: 'stamped' },
    ]);
    const org = await http(app.url, 'POST', '/organisations', { name: 'Rollback Ltd' });
    expect(org.status).toBe(201);
    await app.close();
    // the cut-over is rolled forward again: migrate mode finds the database at head
    const migrated = await start({ url, migrationsDir: m.dir, mode: 'migrate' });
    expect(migrated.schema.action).toBe('none');
    await migrated.close();
  });

  it('refuses when the migrations have two heads', async () => {
    const url = await freshDb();
    const m = migrations();
    m.write(
      '0003_a.sql',
      `-- revision: aaaa00000003\n-- parents: ${HEAD}\n\n-- migrate:up\nALTER TABLE documents ADD ` +
        `COLUMN language text;\n\n-- migrate:down\n`,
    );
    m.write(
      '0003_b.sql',
      `-- revision: bbbb00000003\n-- parents: ${HEAD}\n\n-- migrate:up\nALTER TABLE users ADD COLUMN locale text;\n\n-- migrate:down\n`,
    );
    const err = await refused(start({ url, migrationsDir: m.dir, mode: 'create_all' }));
    expect(err.code).toBe('MIGRATION_MULTIPLE_HEADS');
    expect(err.message).toContain('the migrations have 2 heads:\n  aaaa00000003  0003_a.sql\n  bbbb00000003  0003_b.sql\n');
    expect(err.message).toContain('Run `strata merge`');
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ n: 0 }]);
  });

  it('refuses when the models and the migrations head differ, listing the differences', async () => {
    const url = await freshDb();
    const m = migrations();
    m.write(
      '0003_document_language.sql',
      `-- revision: cccc00000003\n-- parents: ${HEAD}\n\n-- migrate:up\nALTER TABLE documents ADD ` +
        `COLUMN language varchar(10) NOT NULL DEFAULT 'en';\n\n-- migrate:down\nALTER TABLE documents ` +
        `DROP COLUMN language;\n`,
    );
    const err = await refused(start({ url, migrationsDir: m.dir, mode: 'create_all' }));
    expect(err.code).toBe('SCHEMA_MISMATCH');
    expect(err.message).toContain('differs from the head of');
    expect(err.meta.differences).toEqual([expect.stringContaining('documents.language')]);
    expect(err.message).toContain(`  - ${(err.meta.differences as string[])[0]}\n`);
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ n: 0 }]);
  });
});
