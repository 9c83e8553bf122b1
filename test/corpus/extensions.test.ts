import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '@pg-strata/sql';
import { checkCorpus, corpusFiles, extensionDir, lintCorpus } from './support.js';

// Every script the PostgreSQL 15 server package installs for its extensions
// (contrib: hstore, pg_trgm, ltree, postgres_fdw...), PostGIS' aside (see
// corpus-postgis.test.ts): split, compared with libpg_query's own statement
// boundaries, parsed, classified, PL/pgSQL bodies inspected, linted.

beforeAll(async () => {
  await loadParser();
});

describe('the PostgreSQL extension scripts on this machine', () => {
  const files = corpusFiles(extensionDir(), (n) => !/postgis|^address_standardizer/.test(n));

  it('are all split exactly as libpg_query splits them, parsed and linted without a crash', async () => {
    expect(files.length).toBeGreaterThan(150);
    const { statements, compared, metaCommands: metas, plpgsqlBodies: bodies, mismatches, notSql } = checkCorpus(files);
    await lintCorpus(files);
    console.log(
      `extension corpus: ${files.length} files, ${statements} statements (${compared} boundaries ` +
        `confirmed by libpg_query), ${metas} psql meta-commands reported, ${bodies} PL/pgSQL bodies ` +
        `inspected; not SQL as a whole: ${notSql.length}`,
    );
    expect(mismatches).toEqual([]);
    expect(notSql).toEqual([]);
    expect(compared).toBe(statements);
    expect(statements).toBeGreaterThan(2500);
  }, 300_000);
});
