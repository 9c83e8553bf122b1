import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, plan, renderSteps } from '../src/index.js';
import { dictionaryOptions } from '../src/plan/kinds/text-search.js';
import { introspectPair } from './helpers.js';

const fixture = (side: 'a' | 'b') => readFileSync(new URL(`./fixtures/104-text-search.${side}.sql`, import.meta.url), 'utf8');

describe('text search dictionaries and configurations', () => {
  it('are read, compared mapping by mapping, and planned before what uses them', async () => {
    const [a, b] = await introspectPair(fixture('a'), fixture('b'), 'tsc');
    expect(b.textSearchDictionaries?.['search.codes']).toEqual({
      schema: 'search',
      name: 'codes',
      template: 'pg_catalog.simple',
      options: "accept = 'false'",
      comment: 'codes as they are',
    });
    expect(b.textSearchConfigurations?.['search.docs_cfg']).toEqual({
      schema: 'search',
      name: 'docs_cfg',
      parser: 'pg_catalog."default"',
      mappings: {
        asciihword: ['public.english_stem_keep'],
        asciiword: ['public.english_stem_keep'],
        hword_asciipart: ['public.english_stem_keep'],
        int: ['search.codes'],
        uint: ['search.codes'],
      },
      comment: null,
    });
    expect(b.unhandled).toBeUndefined();

    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => d.objectType.startsWith('text search'))
      .map((d) => d.message);
    expect(sentences).toEqual([
      "text search dictionary english_stem_keep has options (language = 'english') in production but " +
        "(language = 'english', stopwords = 'english') in the models",
      'production has an extra text search dictionary old_simple that the models do not define',
      'production is missing the text search dictionary search.codes that the models define',
      'text search configuration english_keep maps email to pg_catalog.simple in production but none in the models',
      'text search configuration english_keep maps numword to pg_catalog.simple in production but to ' +
        'search.codes, pg_catalog.simple in the models',
      'text search configuration english_keep maps url to pg_catalog.simple in production but none in the models',
      'text search configuration english_keep has a different comment in production than in the models',
      'production has an extra text search configuration old_cfg that the models do not define',
      'production is missing the text search configuration search.docs_cfg that the models define',
    ]);

    const up = renderSteps(plan(a, b).up);
    const down = renderSteps(plan(a, b).down);
    const at = (text: string, s: string) => {
      const i = text.indexOf(s);
      expect(i, `${s} in\n${text}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at(up, 'CREATE TEXT SEARCH DICTIONARY search.codes')).toBeLessThan(
      at(up, 'CREATE TEXT SEARCH CONFIGURATION search.docs_cfg (PARSER = pg_catalog."default")'),
    );
    expect(at(up, 'ALTER TEXT SEARCH CONFIGURATION search.docs_cfg ADD MAPPING FOR int, uint WITH search.codes')).toBeLessThan(
      at(up, 'CREATE OR REPLACE FUNCTION search.doc_vector'),
    );
    expect(at(up, 'CREATE TEXT SEARCH CONFIGURATION search.docs_cfg')).toBeLessThan(at(up, 'body_tsv'));
    expect(at(up, 'CREATE TEXT SEARCH CONFIGURATION search.docs_cfg')).toBeLessThan(at(up, 'CREATE INDEX docs_body_fts'));
    expect(at(up, 'ALTER TEXT SEARCH CONFIGURATION english_keep DROP MAPPING FOR email, url')).toBeGreaterThan(0);
    expect(
      at(up, 'ALTER TEXT SEARCH CONFIGURATION english_keep ALTER MAPPING FOR numword WITH search.codes, pg_catalog.simple'),
    ).toBeGreaterThan(at(up, 'CREATE TEXT SEARCH DICTIONARY search.codes'));
    expect(at(up, "ALTER TEXT SEARCH DICTIONARY english_stem_keep (stopwords = 'english')")).toBeGreaterThan(0);
    expect(at(up, 'DROP TEXT SEARCH CONFIGURATION old_cfg')).toBeLessThan(at(up, 'DROP TEXT SEARCH DICTIONARY old_simple'));
    // Down: the index, column and function go before the configuration; the mapping stops using search.codes before it is dropped.
    expect(at(down, 'DROP INDEX docs_body_fts')).toBeLessThan(at(down, 'DROP TEXT SEARCH CONFIGURATION search.docs_cfg'));
    expect(at(down, 'DROP FUNCTION search.doc_vector')).toBeLessThan(at(down, 'DROP TEXT SEARCH CONFIGURATION search.docs_cfg'));
    expect(at(down, 'ALTER TEXT SEARCH CONFIGURATION english_keep ALTER MAPPING FOR numword WITH pg_catalog.simple')).toBeLessThan(
      at(down, 'DROP TEXT SEARCH DICTIONARY search.codes'),
    );
    expect(at(down, 'ALTER TEXT SEARCH DICTIONARY english_stem_keep (stopwords)')).toBeGreaterThan(0);
  });

  it('reads dictionary options as PostgreSQL keeps them', () => {
    expect([...dictionaryOptions("language = 'english', stopwords = 'english'")]).toEqual([
      ['language', "'english'"],
      ['stopwords', "'english'"],
    ]);
    expect([...dictionaryOptions("dictfile = 'it''s', accept = false")]).toEqual([
      ['dictfile', "'it''s'"],
      ['accept', 'false'],
    ]);
    expect([...dictionaryOptions(null)]).toEqual([]);
  });
});
