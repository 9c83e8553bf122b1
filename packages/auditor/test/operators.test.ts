import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, emptySnapshot, plan, renderSteps, type Snapshot } from '../src/index.js';
import { operatorSignature } from '../src/plan/kinds/operator.js';
import { introspectPair } from './helpers.js';

const fixture = (name: string, side: 'a' | 'b') => readFileSync(new URL(`./fixtures/${name}.${side}.sql`, import.meta.url), 'utf8');

/** The position of `s` in `text` (which must hold it). */
function at(text: string, s: string): number {
  const i = text.indexOf(s);
  expect(i, `${s} in\n${text}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('operators, operator families and classes', () => {
  it('are read, compared member by member, and planned between their functions and the indexes over them', async () => {
    const name = '130-operators-and-classes';
    const [a, b] = await introspectPair(fixture(name, 'a'), fixture(name, 'b'), 'opc');
    expect(b.operators?.['public.===(integer, text)']).toEqual({
      schema: 'public',
      name: '===',
      left: 'integer',
      right: 'text',
      function: 'public.int_eq_text(integer, text)',
      commutator: 'public.===(text, integer)',
      negator: 'public.!==(integer, text)',
      restrict: null,
      join: null,
      hashes: false,
      merges: false,
      comment: 'an integer equals its decimal text',
    });
    expect(a.operators?.['public.===(integer, text)']?.restrict).toBe('pg_catalog.eqsel');
    // The class's own members; btree keeps the optional equal-image function as the family's.
    expect(b.operatorClasses?.['public.abs_ops USING btree']).toMatchObject({
      type: 'integer',
      default: false,
      family: 'public.abs_ops USING btree',
      storage: null,
      functions: [{ number: 1, left: 'integer', right: 'integer', function: 'public.abs_cmp(integer, integer)' }],
    });
    expect(b.operatorClasses?.['public.abs_ops USING btree']?.operators.map((o) => `${o.strategy} ${o.operator}`)).toEqual([
      '1 public.<#(integer, integer)',
      '2 public.<=#(integer, integer)',
      '3 public.=#(integer, integer)',
      '4 public.>=#(integer, integer)',
      '5 public.>#(integer, integer)',
    ]);
    expect(b.operatorFamilies?.['public.abs_ops USING btree']?.functions).toEqual([
      { number: 4, left: 'integer', right: 'integer', function: 'pg_catalog.btequalimage(oid)' },
    ]);
    expect(b.unhandled).toBeUndefined();

    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => d.objectType.startsWith('operator'))
      .map((d) => d.message);
    expect(sentences).toEqual([
      'production is missing the operator !==(integer, text) that the models define',
      'production has an extra operator <<>>(integer, integer) that the models do not define',
      'operator =#(integer, integer) does not support HASHES in production but does in the models',
      'operator ===(integer, text) has no negator in production but !==(integer, text) in the models',
      'operator ===(integer, text) has restriction estimator pg_catalog.eqsel in production but none in the models',
      'operator ===(integer, text) has join estimator pg_catalog.eqjoinsel in production but none in the models',
      'operator ===(integer, text) has a different comment in production than in the models',
      'operator ===(text, integer) has restriction estimator pg_catalog.eqsel in production but none in the models',
      'operator ===(text, integer) has join estimator pg_catalog.eqjoinsel in production but none in the models',
      // The family a class makes for itself is not said apart from the class.
      'production has an extra operator family old_fam USING hash that the models do not define',
      'production is missing the operator family spare_fam USING btree that the models define',
      'production is missing the operator class abs_hash_ops USING hash that the models define',
      'operator class abs_ops USING btree does not have OPERATOR 5 >#(integer, integer) in production but does in the models',
      'production has an extra operator class int_hash_ops USING hash that the models do not define',
    ]);

    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    // Up: the index over the changed class goes first; the class goes before the operator it lists that is created again.
    expect(at(up, 'DROP INDEX t_abs;')).toBeLessThan(at(up, 'DROP OPERATOR CLASS public.abs_ops USING btree'));
    expect(at(up, 'DROP OPERATOR CLASS public.abs_ops USING btree')).toBeLessThan(at(up, 'DROP OPERATOR public.=# (integer, integer)'));
    expect(at(up, 'DROP OPERATOR FAMILY public.int_hash_ops USING hash')).toBeGreaterThan(0);
    expect(up).not.toContain('DROP OPERATOR CLASS public.int_hash_ops'); // its family takes it along
    expect(at(up, 'DROP OPERATOR public.<<>> (integer, integer)')).toBeLessThan(at(up, 'DROP FUNCTION far_apart(integer, integer)'));
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.int_ne_text')).toBeLessThan(at(up, 'CREATE OPERATOR public.!== ('));
    expect(at(up, 'ALTER OPERATOR public.=== (text, integer) SET (RESTRICT = NONE, JOIN = NONE)')).toBeGreaterThan(0);
    expect(at(up, 'CREATE OPERATOR public.=# (')).toBeLessThan(at(up, 'CREATE OPERATOR CLASS public.abs_hash_ops'));
    expect(at(up, 'CREATE OPERATOR FAMILY public.abs_hash_ops USING hash')).toBeLessThan(
      at(up, 'CREATE OPERATOR CLASS public.abs_hash_ops'),
    );
    expect(at(up, 'CREATE OPERATOR CLASS public.abs_ops')).toBeLessThan(at(up, 'CREATE INDEX t_abs ON t (v abs_ops)'));
    expect(at(up, 'CREATE OPERATOR CLASS public.abs_hash_ops')).toBeLessThan(at(up, 'CREATE INDEX t_abs_hash'));
    // The exclusion constraint over the class and its =# goes first and comes back after both.
    expect(at(up, 'ALTER TABLE t DROP CONSTRAINT t_abs_distinct')).toBeLessThan(at(up, 'DROP OPERATOR CLASS public.abs_ops USING btree'));
    expect(at(up, 'CREATE OPERATOR CLASS public.abs_ops')).toBeLessThan(at(up, 'ADD CONSTRAINT t_abs_distinct EXCLUDE USING btree'));
    expect(at(up, 'CREATE OPERATOR public.=# (')).toBeLessThan(at(up, 'ADD CONSTRAINT t_abs_distinct EXCLUDE USING btree'));
    // So do the view and the CHECK over operators created again (=== gains a negator, =# HASHES).
    expect(at(up, 'DROP VIEW t_matches')).toBeLessThan(at(up, 'DROP OPERATOR public.=== (integer, text)'));
    expect(at(up, 'CREATE OPERATOR public.=== (')).toBeLessThan(at(up, 'CREATE VIEW t_matches'));
    expect(at(up, 'ALTER TABLE t DROP CONSTRAINT t_not_thousand')).toBeLessThan(at(up, 'DROP OPERATOR public.=# (integer, integer)'));
    expect(at(up, 'CREATE OPERATOR public.=# (')).toBeLessThan(at(up, 'ADD CONSTRAINT t_not_thousand CHECK'));
    expect(up).not.toContain('btequalimage'); // the family's own member stays where it is
    // Down: the family's own member comes back after the family; the new class's index goes before its family.
    expect(at(down, 'CREATE OPERATOR FAMILY public.old_fam USING hash')).toBeLessThan(
      at(down, 'ALTER OPERATOR FAMILY public.old_fam USING hash ADD\n    FUNCTION 1 (text, text) pg_catalog.hashtext(text)'),
    );
    expect(at(down, 'DROP INDEX t_abs_hash')).toBeLessThan(at(down, 'DROP OPERATOR FAMILY public.abs_hash_ops USING hash'));
    expect(at(down, 'DROP OPERATOR public.!== (integer, text)')).toBeLessThan(at(down, 'DROP FUNCTION int_ne_text(integer, text)'));
    expect(
      at(down, 'ALTER OPERATOR public.=== (text, integer) SET (RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel)'),
    ).toBeGreaterThan(0);
  });

  it('names an operator by its signature for DROP, ALTER and COMMENT', () => {
    expect(operatorSignature('public.===(integer, text)')).toBe('public.=== (integer, text)');
    expect(operatorSignature('app.<->(app.point2, app.point2)')).toBe('app.<-> (app.point2, app.point2)');
    expect(operatorSignature('"my.schema".!!(NONE, bigint)')).toBe('"my.schema".!! (NONE, bigint)');
  });
});

describe('text search parsers and templates', () => {
  it('are read and compared; one that changes is created again with the configurations, dictionaries and indexes over it', async () => {
    const name = '131-text-search-parsers-and-templates';
    const [a, b] = await introspectPair(fixture(name, 'a'), fixture(name, 'b'), 'tsp');
    expect(b.textSearchParsers?.['public.words']).toEqual({
      schema: 'public',
      name: 'words',
      start: 'pg_catalog.prsd_start',
      gettoken: 'pg_catalog.prsd_nexttoken',
      end: 'pg_catalog.prsd_end',
      lextypes: 'pg_catalog.prsd_lextype',
      headline: 'pg_catalog.prsd_headline',
      comment: 'the default parser, under our name',
    });
    expect(b.textSearchTemplates?.['public.new_plain']).toEqual({
      schema: 'public',
      name: 'new_plain',
      init: null,
      lexize: 'pg_catalog.dsimple_lexize',
      comment: null,
    });
    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => d.objectType === 'text search parser' || d.objectType === 'text search template')
      .map((d) => d.message);
    expect(sentences).toEqual([
      'production is missing the text search parser new_words that the models define',
      'production has an extra text search parser old_words that the models do not define',
      'text search parser words has no HEADLINE in production but pg_catalog.prsd_headline in the models',
      'production is missing the text search template new_plain that the models define',
      'production has an extra text search template old_plain that the models do not define',
      'text search template plain has INIT pg_catalog.dsimple_init in production but pg_catalog.dsnowball_init in the models',
      'text search template plain has LEXIZE pg_catalog.dsimple_lexize in production but pg_catalog.dsnowball_lexize in the models',
    ]);
    const up = renderSteps(plan(a, b).up);
    expect(at(up, 'DROP INDEX doc_fts')).toBeLessThan(at(up, 'DROP TEXT SEARCH CONFIGURATION words_cfg'));
    expect(at(up, 'DROP TEXT SEARCH CONFIGURATION words_cfg')).toBeLessThan(at(up, 'DROP TEXT SEARCH PARSER public.words'));
    expect(at(up, 'DROP TEXT SEARCH DICTIONARY plain_dict')).toBeLessThan(at(up, 'DROP TEXT SEARCH TEMPLATE public.plain'));
    expect(at(up, 'DROP TEXT SEARCH PARSER public.words')).toBeLessThan(at(up, 'CREATE TEXT SEARCH PARSER public.words'));
    expect(at(up, 'CREATE TEXT SEARCH PARSER public.words')).toBeLessThan(at(up, 'CREATE TEXT SEARCH CONFIGURATION words_cfg'));
    expect(at(up, 'CREATE TEXT SEARCH TEMPLATE public.plain')).toBeLessThan(at(up, 'CREATE TEXT SEARCH DICTIONARY plain_dict'));
    expect(at(up, 'ADD MAPPING FOR asciiword, word WITH public.plain_dict')).toBeLessThan(at(up, 'CREATE INDEX doc_fts'));
    expect(at(up, "COMMENT ON TEXT SEARCH PARSER public.words IS 'the default parser, under our name'")).toBeGreaterThan(0);
  });

  it('wait for the functions of theirs the plan creates, and go before those functions are dropped', () => {
    // A template over C functions of the user's own (contrib's dict_int makes one so): functions, template, dictionary.
    const withTemplate = (): Snapshot => {
      const s = emptySnapshot(17);
      s.schemas.public = { name: 'public', comment: null };
      for (const [fn, args] of [
        ['my_init', 'internal'],
        ['my_lexize', 'internal, internal, internal, internal'],
      ] as const)
        s.functions[`public.${fn}(${args})`] = {
          schema: 'public',
          name: fn,
          kind: 'function',
          identityArguments: args,
          result: 'internal',
          language: 'c',
          definition: `CREATE OR REPLACE FUNCTION public.${fn}(${args})\n RETURNS internal\n LANGUAGE c\nAS '$libdir/my_dict', '${fn}'`,
          sqlBody: false,
          comment: null,
        };
      s.textSearchTemplates = {
        'public.my_tmpl': { schema: 'public', name: 'my_tmpl', init: 'public.my_init', lexize: 'public.my_lexize', comment: null },
      };
      s.textSearchDictionaries = {
        'public.my_dict': { schema: 'public', name: 'my_dict', template: 'public.my_tmpl', options: null, comment: null },
      };
      return s;
    };
    const empty = emptySnapshot(17);
    empty.schemas.public = { name: 'public', comment: null };
    const p = plan(empty, withTemplate());
    const up = renderSteps(p.up);
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.my_lexize')).toBeLessThan(at(up, 'CREATE TEXT SEARCH TEMPLATE public.my_tmpl'));
    expect(at(up, 'CREATE TEXT SEARCH TEMPLATE public.my_tmpl')).toBeLessThan(at(up, 'CREATE TEXT SEARCH DICTIONARY my_dict'));
    const down = renderSteps(p.down);
    expect(at(down, 'DROP TEXT SEARCH DICTIONARY my_dict')).toBeLessThan(at(down, 'DROP TEXT SEARCH TEMPLATE public.my_tmpl'));
    expect(at(down, 'DROP TEXT SEARCH TEMPLATE public.my_tmpl')).toBeLessThan(at(down, 'DROP FUNCTION my_lexize'));
    expect(at(down, 'DROP TEXT SEARCH TEMPLATE public.my_tmpl')).toBeLessThan(at(down, 'DROP FUNCTION my_init'));
  });
});
