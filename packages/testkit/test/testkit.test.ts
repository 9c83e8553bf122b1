import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, useTestDatabase } from '../src/index.js';

describe('testkit', () => {
  const db = useTestDatabase();

  it('gives each file a fresh, empty database on a real server', async () => {
    const client = new pg.Client({ connectionString: db().url });
    await client.connect();
    try {
      const res = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
      );
      expect(res.rows[0]?.n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('runs the PostgreSQL major PG_MAJOR names (default 17)', async () => {
    // An outside server (TEST_DATABASE_URL) is whatever it is; otherwise the global setup chose the major.
    if (process.env.TEST_DATABASE_URL) return;
    const client = new pg.Client({ connectionString: db().url });
    await client.connect();
    try {
      const res = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      expect(Math.floor(Number(res.rows[0]?.v) / 10000)).toBe(Number(process.env.PG_MAJOR || 17));
    } finally {
      await client.end();
    }
  });

  it('drops a database it created, even with connections still open', async () => {
    const scratch = await createTestDatabase('drop_me');
    const client = new pg.Client({ connectionString: scratch.url });
    client.on('error', () => {});
    await client.connect();
    await scratch.drop();
    const admin = new pg.Client({ connectionString: db().url });
    await admin.connect();
    const res = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratch.name]);
    await admin.end();
    await client.end().catch(() => {});
    expect(res.rowCount).toBe(0);
  });
});
