import { describe, expect, it } from 'vitest';
import { createTablesSql, executeStepDml, prepareStepDml, stepDml, tableNames } from './version-table.js';
import { runLockKey } from './run-lock.js';

describe("Strata's tables", () => {
  it('quote the schema name', () => {
    expect(tableNames('strata')).toEqual({
      schema: 'strata',
      version: 'strata.strata_version',
      history: 'strata.strata_history',
      summary: 'strata.strata_summary',
    });
    expect(tableNames('My "Schema"').version).toBe('"My ""Schema""".strata_version');
    expect(createTablesSql('user')).toContain('CREATE SCHEMA IF NOT EXISTS "user";\nCREATE TABLE IF NOT EXISTS "user".strata_version (');
  });

  it('write the bookkeeping of a step as literal SQL, the same online and offline', () => {
    expect(
      stepDml(
        'strata',
        { remove: ['a1'], add: ['b2'] },
        { revision: 'b2', direction: 'up', file: "0002_it's.sql", message: 'add x', checksum: 'ff00', meta: { mode: 'session' } },
      ),
    ).toBe(
      [
        "DELETE FROM strata.strata_version WHERE revision IN ('a1');",
        "INSERT INTO strata.strata_version (revision) VALUES ('b2');",
        'INSERT INTO strata.strata_history (revision, direction, outcome, file, message, checksum, ' +
          "started_at, finished_at, duration_ms, tool_version, meta, generation) VALUES ('b2', 'up', " +
          "'applied', '0002_it''s.sql', 'add x', 'ff00', now(), clock_timestamp(), round(extract(epoch " +
          'FROM clock_timestamp() - now()) * 1000)::int, \'0.1.0\', \'{"mode":"session"}\'::jsonb, (SELECT ' +
          "count(*)::int FROM strata.strata_history g WHERE g.revision = 'b2' AND g.direction <> 'up' AND " +
          "g.outcome IN ('applied', 'stamped', 'unstamped')));",
      ].join('\n'),
    );
    expect(
      stepDml(
        's',
        { remove: ['b2'], add: [] },
        { revision: 'b2', direction: 'down', file: 'f.sql', message: '', checksum: null, meta: {} },
        '2024-01-01T00:00:00.000Z',
      ),
    ).toBe(
      [
        "DELETE FROM s.strata_version WHERE revision IN ('b2');",
        'INSERT INTO s.strata_history (revision, direction, outcome, file, message, checksum, ' +
          "started_at, finished_at, duration_ms, tool_version, meta, generation) VALUES ('b2', 'down', " +
          "'applied', 'f.sql', '', NULL, '2024-01-01T00:00:00.000Z'::timestamptz, clock_timestamp(), " +
          "round(extract(epoch FROM clock_timestamp() - '2024-01-01T00:00:00.000Z'::timestamptz) * " +
          "1000)::int, '0.1.0', '{}'::jsonb, (SELECT count(*)::int FROM s.strata_history g WHERE " +
          "g.revision = 'b2' AND g.direction <> 'down' AND g.outcome IN ('applied', 'stamped', " +
          "'unstamped')));",
      ].join('\n'),
    );
  });

  it('prepare the bookkeeping once and execute it with every value quoted', () => {
    expect(prepareStepDml('My "Schema"')).toContain('DELETE FROM "My ""Schema""".strata_version WHERE revision = ANY ($1)');
    expect(prepareStepDml('strata')).toContain("current_setting('strata.step_started')::timestamptz");
    expect(
      executeStepDml(
        { remove: ['a1', 'a2'], add: ['b2'] },
        { revision: 'b2', direction: 'up', file: "0002_it's.sql", message: 'add x', checksum: 'ff00', meta: { mode: 'session' } },
      ),
    ).toBe(
      "EXECUTE strata_record_step(ARRAY['a1', 'a2']::text[], ARRAY['b2']::text[], 'b2', 'up', " +
        "'0002_it''s.sql', 'add x', 'ff00', '0.1.0', '{\"mode\":\"session\"}');",
    );
    expect(
      executeStepDml(
        { remove: ['b2'], add: [] },
        { revision: 'b2', direction: 'down', file: 'f.sql', message: '', checksum: null, meta: {} },
      ),
    ).toBe("EXECUTE strata_record_step(ARRAY['b2']::text[], ARRAY[]::text[], 'b2', 'down', 'f.sql', '', NULL, '0.1.0', '{}');");
  });

  it('derive the run lock key from the schema name', () => {
    // first 8 bytes of sha256('strata:migrate:strata'), signed: documented, so other tools can find the lock
    expect(runLockKey('strata')).toBe(6804380378785777037n);
    expect(runLockKey('strata')).not.toBe(runLockKey('other'));
    expect(runLockKey('strata') >= -(2n ** 63n) && runLockKey('strata') < 2n ** 63n).toBe(true);
  });
});
