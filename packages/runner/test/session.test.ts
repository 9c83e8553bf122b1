import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { history, openRunSession, status, upgrade } from '@pg-strata/runner';

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

  it('exclusive: holds the run lock throughout, resets each run but the lock, knows the state it leaves, summary at close', async () => {
    const db = await createTestDatabase('strata_session_excl');
    try {
      const dir = folder({
        '0001_a.sql': mig(
          's1',
          'none',
          'CREATE TABLE a (id int);\nSET search_path = nowhere, public;\nPREPARE leftover AS SELECT 1;',
          'DROP TABLE public.a;',
        ),
        '0002_b.sql': mig('s2', 's1', 'CREATE TABLE b (id int);', 'DROP TABLE b;'),
        '0003_bad.sql': mig('s3', 's2', 'CREATE TABLE c (id int);', 'DROP TABLE nope;'),
      });
      const session = await openRunSession({ url: db.url, migrationsDir: dir, allowDataLoss: true, exclusive: true });
      try {
        expect(session.exclusive).toBe(true);
        // Another runner finds the lock taken while the session is open, between its runs too.
        await expect(upgrade({ url: db.url, migrationsDir: dir, lockWaitMs: 0 })).rejects.toThrow(/Could not take the migration lock/);
        expect((await session.upgrade({ target: 's1' })).ok).toBe(true);
        await expect(upgrade({ url: db.url, migrationsDir: dir, lockWaitMs: 0 })).rejects.toThrow(/Could not take the migration lock/);
        // Up, down, up (the stairway's runs) from the state the session knows, without reading it.
        expect((await session.upgrade({ target: 's2' })).steps.map((s) => [s.revision, s.direction, s.status])).toEqual([
          ['s2', 'up', 'applied'],
        ]);
        expect((await session.downgrade()).steps.map((s) => [s.revision, s.direction])).toEqual([['s2', 'down']]);
        expect((await session.upgrade()).steps.map((s) => [s.revision, s.status])).toEqual([
          ['s2', 'applied'],
          ['s3', 'applied'],
        ]);
        const failed = await session.downgrade();
        expect(failed.ok).toBe(false);
        expect(failed.error?.message).toMatch(/table "nope" does not exist/);
        // After a failure the state is read again (the failure is in it): the next runs still plan from the truth.
        expect((await session.upgrade({ target: 's3' })).steps).toEqual([]);
        expect((await session.downgrade({ target: 's1' })).ok).toBe(false);
        const r = await session.client.query<{ prepared: string; path: string; locks: string }>(
          "SELECT (SELECT count(*) FROM pg_prepared_statements)::text AS prepared, current_setting('search_path') AS path, " +
            "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted)::text AS locks",
        );
        expect(r.rows[0]).toEqual({ prepared: '0', path: '"$user", public', locks: '1' });
      } finally {
        await session.close();
      }
      const s = await status({ url: db.url, migrationsDir: dir });
      expect(s.current).toEqual(['s3']);
      // The summary written at close is fresh: it names the history's newest row.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const { rows } = await c
        .query('SELECT history_max_id = (SELECT max(id) FROM strata.strata_history) AS fresh FROM strata.strata_summary')
        .finally(() => c.end());
      expect(rows).toEqual([{ fresh: true }]);
      const h = await history({ url: db.url, migrationsDir: dir });
      expect(h.filter((e) => e.revision === 's2').map((e) => e.direction)).toEqual(expect.arrayContaining(['up', 'down', 'up']));
      // Once closed, ordinary runs take the lock again.
      expect((await upgrade({ url: db.url, migrationsDir: dir, lockWaitMs: 0 })).ok).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('exclusive is not granted while another session holds the run lock: the session is an ordinary one', async () => {
    const db = await createTestDatabase('strata_session_excl2');
    try {
      const dir = folder({ '0001_a.sql': mig('s1', 'none', 'CREATE TABLE a (id int);', 'DROP TABLE a;') });
      const first = await openRunSession({ url: db.url, migrationsDir: dir, exclusive: true });
      const second = await openRunSession({ url: db.url, migrationsDir: dir, exclusive: true, lockWaitMs: 0 });
      try {
        expect([first.exclusive, second.exclusive]).toEqual([true, false]);
        await expect(second.upgrade()).rejects.toThrow(/Could not take the migration lock/);
        expect((await first.upgrade()).ok).toBe(true);
      } finally {
        await second.close();
        await first.close();
      }
    } finally {
      await db.drop();
    }
  });
});
