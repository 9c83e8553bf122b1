import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, plan, renderSteps } from '../src/index.js';
import { introspectPair } from './helpers.js';

const fixture = (side: 'a' | 'b') => readFileSync(new URL(`./fixtures/103-aggregates.${side}.sql`, import.meta.url), 'utf8');

describe('aggregates', () => {
  it('are read with their CREATE AGGREGATE options, compared option by option, and planned in an order that applies', async () => {
    const [a, b] = await introspectPair(fixture('a'), fixture('b'), 'agg');
    expect(b.functions['public.total(numeric)']!.aggregate).toEqual({
      kind: 'normal',
      options: ['SFUNC = public.sum_state', 'STYPE = numeric', 'COMBINEFUNC = public.sum_state', "INITCOND = '100'", 'PARALLEL = SAFE'],
      functions: ['public.sum_state(numeric, numeric)'],
    });
    expect(b.functions['stats.median(double precision ORDER BY double precision)']!.aggregate).toEqual({
      kind: 'ordered-set',
      options: ['SFUNC = pg_catalog.ordered_set_transition', 'STYPE = internal', 'FINALFUNC = stats.median_final'],
      functions: ['pg_catalog.ordered_set_transition(internal, "any")', 'stats.median_final(internal, double precision)'],
    });
    expect(b.functions['public.labelled(numeric)']!.aggregate!.options).toEqual([
      'SFUNC = public.sum_state',
      'STYPE = numeric',
      'FINALFUNC = public.label_final',
      'FINALFUNC_EXTRA',
      'FINALFUNC_MODIFY = SHAREABLE',
    ]);
    expect(b.functions['public.moving_total(numeric)']!.aggregate!.options).toEqual([
      'SFUNC = public.sum_state',
      'STYPE = numeric',
      'MSFUNC = public.sum_state',
      'MINVFUNC = public.sum_inv',
      'MSTYPE = numeric',
      "MINITCOND = '0'",
    ]);

    expect(b.functions['public.biggest(integer)']!.aggregate!.options).toEqual([
      'SFUNC = pg_catalog.int4larger',
      'STYPE = integer',
      'COMBINEFUNC = pg_catalog.int4larger',
      'SORTOP = >',
      'PARALLEL = SAFE',
    ]);
    expect(b.functions['stats.rank_of(VARIADIC "any" ORDER BY VARIADIC "any")']!.aggregate).toMatchObject({
      kind: 'hypothetical',
      options: [
        'SFUNC = pg_catalog.ordered_set_transition_multi',
        'STYPE = internal',
        'FINALFUNC = pg_catalog.rank_final',
        'FINALFUNC_EXTRA',
        'HYPOTHETICAL',
      ],
    });
    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => d.objectType === 'aggregate')
      .map((d) => d.message);
    expect(sentences).toEqual([
      'production is missing the aggregate biggest(integer) that the models define',
      'production is missing the aggregate labelled(numeric) that the models define',
      'production is missing the aggregate moving_total(numeric) that the models define',
      'production has an extra aggregate old_total(numeric) that the models do not define',
      'production is missing the aggregate rows_seen(*) that the models define',
      'aggregate total(numeric) has no COMBINEFUNC in production but COMBINEFUNC = public.sum_state in the models',
      "aggregate total(numeric) has INITCOND = '0' in production but INITCOND = '100' in the models",
      'aggregate total(numeric) has no PARALLEL in production but PARALLEL = SAFE in the models',
      'aggregate total(numeric) has a different comment in production than in the models',
      'aggregate total_label(numeric) returns numeric in production but text in the models',
      'aggregate total_label(numeric) has no FINALFUNC in production but FINALFUNC = public.as_text in the models',
      'production is missing the aggregate stats.median(double precision ORDER BY double precision) that the models define',
      'production is missing the aggregate stats.rank_of(VARIADIC "any" ORDER BY VARIADIC "any") that the models define',
    ]);

    const up = renderSteps(plan(a, b).up);
    const at = (s: string) => {
      const i = up.indexOf(s);
      expect(i, `${s} in\n${up}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Views over the aggregates go first; the aggregates after their functions and before the views over them.
    expect(at('DROP VIEW region_totals')).toBeLessThan(at('DROP AGGREGATE total_label(numeric)'));
    expect(at('DROP VIEW old_totals')).toBeLessThan(at('DROP AGGREGATE old_total(numeric)'));
    expect(at('CREATE OR REPLACE AGGREGATE total(numeric)')).toBeGreaterThan(0);
    expect(at('CREATE OR REPLACE FUNCTION stats.median_final')).toBeLessThan(
      at('CREATE AGGREGATE stats.median(double precision ORDER BY double precision)'),
    );
    expect(at('CREATE AGGREGATE stats.median(')).toBeLessThan(at('CREATE VIEW medians'));
    expect(at('CREATE AGGREGATE rows_seen(*)')).toBeLessThan(at('CREATE VIEW region_totals'));
    expect(at('CREATE AGGREGATE total_label(numeric)')).toBeLessThan(at('CREATE VIEW region_totals'));
    expect(at("COMMENT ON AGGREGATE stats.median(double precision ORDER BY double precision) IS 'the median'")).toBeGreaterThan(
      at('CREATE AGGREGATE stats.median('),
    );
    expect(up).not.toMatch(/must be created by hand/);
  });
});
