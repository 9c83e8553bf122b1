import { describe, expect, it } from 'vitest';
import { compare, plan } from '../src/index.js';
import { introspectPair } from './helpers.js';

// Nothing is skipped silently: objects of kinds the auditor does not compare
// or create are listed by kind and name, as errors where one side lacks them.
const KINDS = `
-- Text search configurations and dictionaries are handled (test/text-search.test.ts); parsers and templates are not.
CREATE TEXT SEARCH PARSER public.my_parser (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TABLE t (a int, b int);
CREATE RULE t_no_insert AS ON INSERT TO t DO INSTEAD NOTHING;
CREATE FUNCTION int_eq_text(int, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1::text = $2';
CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = text, FUNCTION = int_eq_text);
CREATE STATISTICS t_stats ON a, b FROM t;
`;

describe('objects of kinds Strata does not handle', () => {
  it('are listed by kind and name: errors on one side only, warnings on both, never silently skipped', async () => {
    const [empty, full] = await introspectPair('CREATE TABLE t (a int, b int);', KINDS, 'nh');
    expect(Object.keys(full.unhandled ?? {}).sort()).toEqual([
      'operator:public.===(integer, text)',
      'rule:t_no_insert ON public.t',
      'statistics object:public.t_stats',
      'text search parser:public.my_parser',
    ]);
    const drift = compare(empty, full, { left: 'the database', right: 'the models' }).filter((d) => d.objectType === 'not handled');
    expect(drift).toHaveLength(4);
    expect(drift.map((d) => [d.kind, d.severity])).toEqual(Array(4).fill(['missing', 'error']));
    expect(drift.map((d) => d.message)).toContain(
      'not handled: text search parser public.my_parser (only in the models): Strata does not compare ' +
        'or create text search parsers yet; check it by hand and write it in a migration',
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
