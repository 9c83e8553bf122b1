// Introspection given a URL reads on several sessions (options.connections, default 3) that share
// one exported snapshot: the Snapshot is the same whatever their number, and a change committed
// after the main session's snapshot, before the helpers join, is seen by none of them.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@pg-strata/core';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { introspect, serializeSnapshot } from '../src/index.js';
import { runSql } from './helpers.js';

const SCHEMA = Array.from({ length: 12 }, (_, i) =>
  [
    `CREATE TABLE t_${i} (id int PRIMARY KEY, parent int` +
      `${i > 0 ? ` REFERENCES t_${i - 1} (id)` : ''}, x int CHECK (x > 0), note text DEFAULT 'n');`,
    `CREATE INDEX t_${i}_x ON t_${i} (x) WHERE note <> '';`,
    `CREATE UNIQUE INDEX t_${i}_note ON t_${i} (lower(note));`,
  ].join('\n'),
).join('\n');

/** Run SQL on `url` from a separate process, synchronously (from inside a logger callback). */
function runNow(url: string, sql: string): void {
  const script = `const pg = require('pg'); const c = new pg.Client({ connectionString: process.env.U });
    c.connect().then(() => c.query(process.env.S)).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, U: url, S: sql }, encoding: 'utf8', cwd: __dirname });
  if (r.status !== 0) throw new Error(`could not run the concurrent change: ${r.stderr}`);
}

describe('introspection on several sessions', () => {
  it('gives the same Snapshot on 1, 2, 3 and 4 sessions', async () => {
    const db = await createTestDatabase('intro_sessions');
    try {
      await runSql(db.url, SCHEMA);
      const one = serializeSnapshot(await introspect(db.url, { connections: 1 }));
      expect(Object.keys(JSON.parse(one).indexes)).toHaveLength(24);
      for (const connections of [2, 3, 4]) expect(serializeSnapshot(await introspect(db.url, { connections }))).toBe(one);
    } finally {
      await db.drop();
    }
  });

  it('does not see, on any session, a change committed once the main session began reading', async () => {
    const db = await createTestDatabase('intro_sessions');
    try {
      await runSql(db.url, SCHEMA);
      let changed = false;
      const change =
        'CREATE INDEX late_idx ON t_3 (note); ALTER TABLE t_4 ADD CONSTRAINT late_check CHECK (x < ' +
        '100); CREATE INDEX late2_idx ON t_6 (x);';
      const logger: Logger = {
        // The main session has its snapshot and has exported it; the helpers have not joined yet.
        debug: (m) => {
          if (m === 'catalogue snapshot exported' && !changed) {
            changed = true;
            runNow(db.url, change);
          }
        },
        info() {},
        warn() {},
        error() {},
      };
      const during = await introspect(db.url, { connections: 3, logger });
      expect(changed).toBe(true);
      expect(Object.keys(during.indexes)).not.toContain('public.late_idx');
      expect(Object.keys(during.indexes)).not.toContain('public.late2_idx');
      expect(Object.keys(during.tables['public.t_4']!.constraints)).not.toContain('late_check');
      const after = await introspect(db.url, { connections: 3 });
      expect(Object.keys(after.indexes)).toEqual(expect.arrayContaining(['public.late_idx', 'public.late2_idx']));
      expect(Object.keys(after.tables['public.t_4']!.constraints)).toContain('late_check');
    } finally {
      await db.drop();
    }
  });
});

// Where pg_export_snapshot() is refused (a role it is not granted to; a pooler or a managed service that
// refuses it), introspection reads on the main session alone: the same Snapshot, nothing else changes.
describe('introspection where pg_export_snapshot is refused', () => {
  const role = `strata_no_export_${process.pid}`;
  beforeAll(async () => {
    await runSql(testServerUrl(), `DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN PASSWORD 'strata';`);
  });
  afterAll(async () => {
    await runSql(testServerUrl(), `DROP ROLE IF EXISTS ${role};`);
  });

  it('falls back to one session and gives the Snapshot the superuser gets on three', async () => {
    const db = await createTestDatabase('intro_no_export');
    try {
      await runSql(
        db.url,
        `${SCHEMA}
         CREATE VIEW v AS SELECT t_1.id, t_2.note FROM t_1 JOIN t_2 ON t_2.parent = t_1.id;
         CREATE FUNCTION f(i int) RETURNS int LANGUAGE sql AS $$ SELECT i + 1 $$;
         REVOKE EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() FROM PUBLIC;
         GRANT CONNECT ON DATABASE ${db.name} TO ${role};`,
      );
      const url = new URL(db.url);
      url.username = role;
      url.password = 'strata';
      const events: string[] = [];
      const logger: Logger = { debug: (m) => events.push(m), info() {}, warn() {}, error() {} };
      const refused = serializeSnapshot(await introspect(url.toString(), { connections: 3, logger }));
      // The refusal happened, and the helpers were not used.
      expect(events).toContain('catalogue snapshot refused: reading on one session');
      expect(events).not.toContain('catalogue snapshot exported');
      expect(refused).toBe(serializeSnapshot(await introspect(url.toString(), { connections: 1 })));
      // ... and it is the Snapshot a role allowed to export reads on three sessions.
      const superuser: string[] = [];
      const allowed = serializeSnapshot(
        await introspect(db.url, { connections: 3, logger: { ...logger, debug: (m) => superuser.push(m) } }),
      );
      expect(superuser).toContain('catalogue snapshot exported');
      expect(refused).toBe(allowed);
      expect(Object.keys(JSON.parse(refused).indexes)).toHaveLength(24);
    } finally {
      await db.drop();
    }
  });
});
