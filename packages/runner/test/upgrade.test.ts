import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { downgrade, history, status, upgrade } from '@pg-strata/runner';
import { catalogue, query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_upgrade');
const m = tempMigrations();
afterAll(() => m.rm());

m.write(
  '0001_users.sql',
  sqlMigration('a00000000001', [], 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);', 'DROP TABLE users;'),
);
m.write(
  '0002_email.sql',
  sqlMigration(
    'a00000000002',
    ['a00000000001'],
    'ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);',
    'DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;',
  ),
);
m.write(
  '0003_posts.sql',
  sqlMigration(
    'a00000000003',
    ['a00000000002'],
    'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), body text);',
    'DROP TABLE posts;',
  ),
);

describe('a fresh database', () => {
  it('goes up to head, down one, down to base and up again to an identical catalogue', async () => {
    const url = db().url;
    const opts = { url, migrationsDir: m.dir, allowDataLoss: true };
    const up = await upgrade(opts);
    expect(up.ok).toBe(true);
    expect(up.from).toEqual([]);
    expect(up.to).toEqual(['a00000000003']);
    expect(up.steps.map((s) => [s.file, s.status])).toEqual([
      ['0001_users.sql', 'applied'],
      ['0002_email.sql', 'applied'],
      ['0003_posts.sql', 'applied'],
    ]);
    const first = await catalogue(url);

    const again = await upgrade(opts);
    expect(again.steps).toEqual([]);
    expect(again.ok).toBe(true);

    const down1 = await downgrade(opts);
    expect(down1.steps.map((s) => [s.revision, s.direction, s.status])).toEqual([['a00000000003', 'down', 'applied']]);
    expect(down1.to).toEqual(['a00000000002']);
    expect(await query(url, `SELECT to_regclass('public.posts') AS t`)).toEqual([{ t: null }]);

    const base = await downgrade({ ...opts, target: 'base' });
    expect(base.steps.map((s) => s.revision)).toEqual(['a00000000002', 'a00000000001']);
    expect(base.to).toEqual([]);
    const tables = await query(
      url,
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE ` +
        `table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    expect(tables.map((r) => r.t)).toEqual(['strata.strata_history', 'strata.strata_summary', 'strata.strata_version']);

    const up2 = await upgrade(opts);
    expect(up2.steps).toHaveLength(3);
    expect(await catalogue(url)).toEqual(first);

    const st = await status(opts);
    expect(st.atHead).toBe(true);
    expect(st.current).toEqual(['a00000000003']);
    expect(st.pending).toEqual([]);
    expect(st.applied.map((a) => a.file)).toEqual(['0001_users.sql', '0002_email.sql', '0003_posts.sql']);

    const h = await history(opts);
    expect(h.map((e) => `${e.revision}:${e.direction}:${e.outcome}`)).toEqual([
      'a00000000003:up:applied',
      'a00000000002:up:applied',
      'a00000000001:up:applied',
      'a00000000001:down:applied',
      'a00000000002:down:applied',
      'a00000000003:down:applied',
      'a00000000003:up:applied',
      'a00000000002:up:applied',
      'a00000000001:up:applied',
    ]);
    expect(h[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(h[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect((await history({ ...opts, limit: 2 })).length).toBe(2);
  });
});
