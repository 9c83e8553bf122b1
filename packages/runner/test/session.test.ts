import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { history, openRunSession, status } from '@pg-strata/runner';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-session-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const mig = (rev: string, parents: string, up: string, down: string) =>
  `-- revision: ${rev}\n-- parents: ${parents}\n\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;

describe('openRunSession: many runs on one connection', () => {
  it('runs upgrade and downgrade as the one-shot functions do, and each run finds the session as a new connection would', async () => {
    const db = await createTestDatabase('strata_session');
    try {
      const dir = folder({
        // A migration that changes session state: none of it may reach the next run.
        '0001_a.sql': mig(
          's1',
          'none',
          'CREATE TABLE a (id int);\nSET search_path = nowhere, public;\nPREPARE leftover AS SELECT 1;',
          'DROP TABLE public.a;',
        ),
        '0002_b.sql': mig('s2', 's1', 'CREATE TABLE b (id int);', 'DROP TABLE b;'),
        '0003_bad.sql': mig('s3', 's2', 'CREATE TABLE c (id int);', 'DROP TABLE nope;'),
      });
      const session = await openRunSession({ url: db.url, migrationsDir: dir, allowDataLoss: true });
      try {
        const pid = (await session.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        expect((await session.upgrade({ target: 's1' })).ok).toBe(true);
        // Unqualified: the SET of 0001 did not survive its run.
        expect((await session.upgrade()).steps.map((s) => [s.revision, s.status])).toEqual([
          ['s2', 'applied'],
          ['s3', 'applied'],
        ]);
        const failed = await session.downgrade();
        expect(failed.ok).toBe(false);
        expect(failed.error?.message).toMatch(/table "nope" does not exist/);
        // The failed run left no transaction open: the next runs work.
        expect((await session.upgrade({ target: 's3' })).steps).toEqual([]);
        const r = await session.client.query<{ pid: number; prepared: string; path: string; locks: string }>(
          'SELECT pg_backend_pid() AS pid, (SELECT count(*) FROM pg_prepared_statements)::text AS ' +
            "prepared, current_setting('search_path') AS path, (SELECT count(*) FROM pg_locks WHERE locktype " +
            "= 'advisory' AND pid = pg_backend_pid())::text AS locks",
        );
        expect(r.rows[0]).toEqual({ pid, prepared: '0', path: '"$user", public', locks: '0' });
      } finally {
        await session.close();
      }
      const s = await status({ url: db.url, migrationsDir: dir });
      expect(s.current).toEqual(['s3']);
      const h = await history({ url: db.url, migrationsDir: dir });
      expect(h.length).toBeGreaterThanOrEqual(4);
    } finally {
      await db.drop();
    }
  });
});
