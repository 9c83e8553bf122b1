// Introspection given a URL reads on several sessions (options.connections, default 3) that share
// one exported snapshot: the Snapshot is the same whatever their number, and a change committed
// after the main session's snapshot, before the helpers join, is seen by none of them.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Logger } from '@pg-strata/core';
import { createTestDatabase } from '@pg-strata/testkit';
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
