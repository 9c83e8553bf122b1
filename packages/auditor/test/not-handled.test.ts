import { describe, expect, it } from 'vitest';
import { compare, plan } from '../src/index.js';
import { introspectPair } from './helpers.js';

// Nothing is skipped silently: objects of kinds the auditor does not compare
// or create are listed by kind and name, as errors where one side lacks them.
const KINDS = `
-- Text search (test/text-search.test.ts) and operators (test/operators.test.ts) are handled.
CREATE TABLE t (a int, b int);
CREATE RULE t_no_insert AS ON INSERT TO t DO INSTEAD NOTHING;
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;
CREATE STATISTICS t_stats ON a, b FROM t;
`;

describe('objects of kinds Strata does not handle', () => {
  it('are listed by kind and name: errors on one side only, warnings on both, never silently skipped', async () => {
    const [empty, full] = await introspectPair('CREATE TABLE t (a int, b int);', KINDS, 'nh');
    expect(Object.keys(full.unhandled ?? {}).sort()).toEqual([
      'foreign-data wrapper:dummy_fdw',
      'rule:t_no_insert ON public.t',
      'server:dummy_server',
      'statistics object:public.t_stats',
    ]);
    const drift = compare(empty, full, { left: 'the database', right: 'the models' }).filter((d) => d.objectType === 'not handled');
    expect(drift).toHaveLength(4);
    expect(drift.map((d) => [d.kind, d.severity])).toEqual(Array(4).fill(['missing', 'error']));
    expect(drift.map((d) => d.message)).toContain(
      'not handled: statistics object public.t_stats (only in the models): Strata does not compare ' +
        'or create statistics objects yet; check it by hand and write it in a migration',
    );
    // On both sides: listed as not compared; left out where two built sides are checked for equality.
    const both = compare(full, full).filter((d) => d.objectType === 'not handled');
    expect(both.map((d) => [d.kind, d.severity])).toEqual(Array(4).fill(['different', 'warning']));
    expect(compare(full, full, { uncompared: false })).toEqual([]);
    // The plan writes no SQL for them (the CLI prints them first and exits 1).
    expect(
      plan(empty, full)
        .up.map((s) => s.sql)
        .join('\n'),
    ).not.toMatch(/TEXT SEARCH|OPERATOR|RULE|SERVER|STATISTICS/);
  });
});
