import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { downgrade, stamp, upgrade } from '@pg-strata/runner';
import { query, scratchProjects, writeChain } from './helpers.js';

const db = useTestDatabase('runner_history_once');
const next = scratchProjects('once');

/** A copy of an `applied` history row of `revision` (the double apply of the old pooler bug, written directly). */
const duplicateOf = (schema: string, revision: string, direction: 'up' | 'down') =>
  `INSERT INTO ${schema}.strata_history (revision, direction, outcome, file, message, checksum, ` +
  `started_at, finished_at, duration_ms, tool_version, meta, generation)
   SELECT revision, direction, outcome, file, message, checksum, started_at, finished_at, duration_ms, tool_version, meta, generation
     FROM ${schema}.strata_history WHERE revision = '${revision}' AND direction = '${direction}` +
  `' AND outcome = 'applied' ORDER BY id DESC LIMIT 1`;

describe('the history never records one migration applied twice', () => {
  it(
    'applied, reverted and applied again is fine; a second apply (or revert) without the other ' +
      'direction between is refused by the unique index',
    async () => {
      const url = db().url;
      const { m, schema, app } = next();
      writeChain(
        m,
        'o',
        2,
        (i) => `CREATE TABLE IF NOT EXISTS ${app}_t${i} (id int);`,
        (i) => `DROP TABLE ${app}_t${i};`,
      );
      const opts = { url, migrationsDir: m.dir, schema, allowDataLoss: true };
      expect((await upgrade(opts)).ok).toBe(true);
      expect((await downgrade({ ...opts, target: 'base' })).ok).toBe(true);
      expect((await upgrade(opts)).ok).toBe(true);
      expect(
        await query(url, `SELECT revision, direction, generation FROM ${schema}.strata_history WHERE outcome = 'applied' ORDER BY id`),
      ).toEqual([
        { revision: 'o1', direction: 'up', generation: 0 },
        { revision: 'o2', direction: 'up', generation: 0 },
        { revision: 'o2', direction: 'down', generation: 1 },
        { revision: 'o1', direction: 'down', generation: 1 },
        { revision: 'o1', direction: 'up', generation: 1 },
        { revision: 'o2', direction: 'up', generation: 1 },
      ]);
      await expect(query(url, duplicateOf(schema, 'o2', 'up'))).rejects.toMatchObject({
        code: '23505',
        constraint: 'strata_history_applied_once',
      });
      await expect(query(url, duplicateOf(schema, 'o1', 'down'))).rejects.toMatchObject({ code: '23505' });
      // The DML Strata writes computes the generation itself: the same step recorded again is refused, rolling back its transaction.
      await expect(
        query(
          url,
          `BEGIN; CREATE TABLE ${app}_side (id int); INSERT INTO ${schema}.strata_history (revision, ` +
            `direction, outcome, tool_version, generation)
      VALUES ('o2', 'up', 'applied', '0', (SELECT count(*)::int FROM ${schema}.strata_history g ` +
            `WHERE g.revision = 'o2' AND g.direction <> 'up' AND g.outcome IN ('applied', 'stamped', ` +
            `'unstamped'))); COMMIT;`,
        ),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await query(url, `SELECT to_regclass('${app}_side') AS t`)).toEqual([{ t: null }]);
      // The version table's primary key: one row per revision.
      await expect(query(url, `INSERT INTO ${schema}.strata_version (revision) VALUES ('o2')`)).rejects.toMatchObject({ code: '23505' });
    },
  );

  it(
    'a run that would record a step a second time fails on the index: the migration is rolled back ' + 'with it, and the error says why',
    async () => {
      const url = db().url;
      const { m, schema, app } = next();
      writeChain(m, 'r', 3, (i) => `CREATE TABLE ${app}_t${i} (id int);`);
      const opts = { url, migrationsDir: m.dir, schema };
      expect((await upgrade({ ...opts, target: 'r2' })).ok).toBe(true);
      // Another runner's record of r3 that this runner's view of the version table does not show (a lock that did not hold).
      await query(
        url,
        `INSERT INTO ${schema}.strata_history (revision, direction, outcome, tool_version, generation) ` +
          `VALUES ('r3', 'up', 'applied', '0', 0)`,
      );
      const r = await upgrade(opts);
      expect(r.ok).toBe(false);
      expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['r3', 'failed']]);
      expect(r.error?.message).toContain('strata_history_applied_once');
      expect(r.error?.message).toContain("Strata's tables already record this step: another runner applied 0003_m3.sql at the same time");
      expect(r.error?.message).toContain('This copy was rolled back.');
      expect(await query(url, `SELECT to_regclass('${app}_t3')::text AS t`)).toEqual([{ t: null }]);
      expect(await query(url, `SELECT revision FROM ${schema}.strata_version`)).toEqual([{ revision: 'r2' }]);
    },
  );

  it(
    'tables made before the index get the column, the generations and the index on the next run (a ' +
      'duplicate the old bug left is kept, outside the index)',
    async () => {
      const url = db().url;
      const { m, schema, app } = next();
      writeChain(m, 'q', 3, (i) => `CREATE TABLE ${app}_t${i} (id int);`);
      const opts = { url, migrationsDir: m.dir, schema };
      expect((await upgrade({ ...opts, target: 'q2' })).ok).toBe(true);
      // Back to the tables as an older Strata made them, with q2 recorded twice (the pooler bug's trace).
      await query(
        url,
        `DROP INDEX ${schema}.strata_history_applied_once; ALTER TABLE ${schema}.strata_history DROP ` +
          `COLUMN generation; DROP TABLE ${schema}.strata_summary;`,
      );
      await query(
        url,
        `INSERT INTO ${schema}.strata_history (revision, direction, outcome, tool_version) VALUES ('q2', 'up', 'applied', '0')`,
      );
      const r = await upgrade(opts);
      expect(r.steps.map((s) => [s.revision, s.status])).toEqual([['q3', 'applied']]);
      expect(await query(url, `SELECT revision, generation FROM ${schema}.strata_history WHERE outcome = 'applied' ORDER BY id`)).toEqual([
        { revision: 'q1', generation: 0 },
        { revision: 'q2', generation: 0 },
        { revision: 'q2', generation: null },
        { revision: 'q3', generation: 0 },
      ]);
      expect(
        await query(url, `SELECT indexdef FROM pg_indexes WHERE schemaname = '${schema}' AND indexname = 'strata_history_applied_once'`),
      ).toEqual([
        {
          indexdef:
            `CREATE UNIQUE INDEX strata_history_applied_once ON ${schema}.strata_history USING btree ` +
            `(revision, direction, generation) WHERE (outcome = 'applied'::text)`,
        },
      ]);
      await expect(query(url, duplicateOf(schema, 'q3', 'up'))).rejects.toMatchObject({ code: '23505' });
    },
  );

  it('stamp --purge records the revisions it forgets as unstamped, so applying them again is not a second apply', async () => {
    const url = db().url;
    const { m, schema, app } = next();
    writeChain(m, 'p', 2, (i) => `CREATE TABLE IF NOT EXISTS ${app}_t${i} (id int);`);
    const opts = { url, migrationsDir: m.dir, schema };
    expect((await upgrade(opts)).ok).toBe(true);
    expect(await stamp({ ...opts, revision: 'p1', purge: true })).toMatchObject({ to: ['p1'] });
    expect(await query(url, `SELECT revision, direction, outcome FROM ${schema}.strata_history WHERE outcome = 'unstamped'`)).toEqual([
      { revision: 'p2', direction: 'down', outcome: 'unstamped' },
    ]);
    const again = await upgrade(opts);
    expect(again.steps.map((s) => [s.revision, s.status])).toEqual([['p2', 'applied']]);
  });
});
