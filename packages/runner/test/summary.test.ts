import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import type { Logger } from '@pg-strata/core';
import { downgrade, offlineScript, stamp, status, upgrade } from '@pg-strata/runner';
import { query, scratchProjects, sqlMigration, writeChain } from './helpers.js';

// A run at head reads Strata's summary of the history (version-table.ts)
// instead of the history itself: the digest of the applied checksums, trusted
// while no history row is newer than it. These tests check that the summary
// is what answers when it should (the runner says so at debug level), that it
// is set aside whenever it might be wrong, and that every answer is the one
// the full history gives.

const db = useTestDatabase('runner_summary');
const setup = scratchProjects('s');

/** What the runner said about the summary, in order. */
function summaryLog(): { logger: Logger; said: string[] } {
  const said: string[] = [];
  const note = (message: string) => {
    if (/summary/.test(message)) said.push(message);
  };
  return { logger: { debug: note, info: note, warn: note, error: note }, said };
}

const VERIFIED = 'applied checksums verified against the summary';
const DIFFERS = 'the summary differs from the files: reading every recorded checksum';

describe("Strata's summary of the history", () => {
  it('answers a status and an up at head, for a chain, after a down, and after a stamp', async () => {
    const { m, schema } = setup();
    writeChain(
      m,
      'a',
      5,
      (i) => `CREATE TABLE sum_a${i} (id int);`,
      (i) => `DROP TABLE sum_a${i};`,
    );
    const opts = { url: db().url, migrationsDir: m.dir, schema };
    await upgrade(opts);
    const [row] = await query(
      db().url,
      `SELECT clean, history_max_id::int AS max, (SELECT max(id)::int FROM ${schema}.strata_history) ` +
        `AS newest FROM ${schema}.strata_summary`,
    );
    expect(row).toEqual({ clean: true, max: 5, newest: 5 });

    const log = summaryLog();
    const s = await status({ ...opts, logger: log.logger });
    expect(s).toMatchObject({ atHead: true, pending: [], failed: [], checksumProblems: [] });
    expect(s.applied.map((a) => a.revision)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    const noop = await upgrade({ ...opts, logger: log.logger });
    expect(noop.steps).toEqual([]);
    expect(log.said).toEqual([VERIFIED, VERIFIED]);

    await downgrade({ ...opts, target: '-2', allowDataLoss: true });
    const afterDown = summaryLog();
    expect((await status({ ...opts, logger: afterDown.logger })).pending.map((p) => p.revision)).toEqual(['a4', 'a5']);
    expect(afterDown.said).toEqual([VERIFIED]);

    await stamp({ ...opts, revision: 'a5' });
    const afterStamp = summaryLog();
    expect(await status({ ...opts, logger: afterStamp.logger })).toMatchObject({ atHead: true, checksumProblems: [] });
    expect(afterStamp.said).toEqual([VERIFIED]);
  });

  it('an edited applied file: the digests differ, every checksum is read, and the file is named', async () => {
    const { m, schema } = setup();
    writeChain(m, 'b', 3);
    const opts = { url: db().url, migrationsDir: m.dir, schema };
    await upgrade(opts);
    const file = join(m.dir, '0002_m2.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('SELECT 1;', 'SELECT 2;'));
    const log = summaryLog();
    const s = await status({ ...opts, logger: log.logger });
    expect(s.checksumProblems).toEqual([expect.objectContaining({ revision: 'b2', file: '0002_m2.sql' })]);
    expect(log.said).toEqual([DIFFERS]);
    await expect(upgrade(opts)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', meta: { files: ['0002_m2.sql'] } });
  });

  it('is set aside once a newer history row exists, whoever wrote it, and after a failure', async () => {
    const { m, schema } = setup();
    writeChain(m, 'c', 2);
    const opts = { url: db().url, migrationsDir: m.dir, schema };
    await upgrade(opts);
    // A row written by hand (or by an older Strata): the summary no longer covers the history.
    await query(
      db().url,
      `INSERT INTO ${schema}.strata_history (revision, direction, outcome, tool_version, error) ` +
        `VALUES ('c2', 'up', 'failed', 'hand', 'written by hand')`,
    );
    const log = summaryLog();
    const s = await status({ ...opts, logger: log.logger });
    expect(s.failed).toEqual([]); // an up failure of an applied revision is not outstanding...
    expect(log.said).toEqual([]); // ...but the history, not the summary, said so
    // A real failure: recorded, and the summary written after the run is not clean.
    m.write('0003_m3.sql', sqlMigration('c3', ['c2'], 'SELECT 1/0;'));
    const failed = await upgrade(opts);
    expect(failed.ok).toBe(false);
    const [row] = await query(db().url, `SELECT clean FROM ${schema}.strata_summary`);
    expect(row).toEqual({ clean: false });
    const again = summaryLog();
    expect((await status({ ...opts, logger: again.logger })).failed).toEqual([
      expect.objectContaining({ revision: 'c3', file: '0003_m3.sql' }),
    ]);
    expect(again.said).toEqual([]);
  });

  it('tables made before the summary existed: the full read answers, and the next run writes one', async () => {
    const { m, schema } = setup();
    writeChain(m, 'd', 2);
    const opts = { url: db().url, migrationsDir: m.dir, schema };
    await upgrade(opts);
    await query(db().url, `DROP TABLE ${schema}.strata_summary`);
    const log = summaryLog();
    expect(await status({ ...opts, logger: log.logger })).toMatchObject({ atHead: true, initialised: true, checksumProblems: [] });
    expect(log.said).toEqual([]);
    m.write('0003_m3.sql', sqlMigration('d3', ['d2'], 'SELECT 3;'));
    await upgrade(opts);
    const after = summaryLog();
    expect(await status({ ...opts, logger: after.logger })).toMatchObject({ atHead: true });
    expect(after.said).toEqual([VERIFIED]);
  });

  it('an offline script ends by writing the summary', async () => {
    const { m, schema } = setup();
    writeChain(m, 'e', 2);
    const script = await offlineScript({ migrationsDir: m.dir, schema, direction: 'up', from: 'base' });
    expect(script.trimEnd().split('\n').slice(-6).join('\n')).toMatch(
      new RegExp(`^INSERT INTO ${schema}\\.strata_summary [^]*ON CONFLICT \\(one\\) DO UPDATE SET [^]*;$`, 'm'),
    );
  });
});
