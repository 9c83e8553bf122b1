import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '@pg-strata/sql';
import { checkCorpus, corpusFiles, extensionDir, lintCorpus } from './support.js';

// PostGIS' scripts (postgresql-15-postgis-3, which .ci/run installs): large
// files of long, commented PL/pgSQL bodies, written by people who are not us.
// Most upgrade paths are links to one script; each file is read once. Every
// file is split, compared and parsed; the install scripts are linted.

beforeAll(async () => {
  await loadParser();
});

describe('the PostGIS scripts on this machine', () => {
  const files = corpusFiles(extensionDir(), (n) => /postgis|^address_standardizer/.test(n));

  it('are installed here (CI installs postgresql-15-postgis-3)', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('are all split exactly as libpg_query splits them, parsed and linted without a crash', async () => {
    const { statements, compared, plpgsqlBodies: bodies, mismatches, notSql } = checkCorpus(files);
    const installs = files.filter((f) => /^[a-z_]+--[0-9.]+\.sql$/.test(f.replace(/.*\//, '')));
    await lintCorpus(installs);
    console.log(
      `PostGIS corpus: ${files.length} files, ${statements} statements (${compared} boundaries ` +
        `confirmed by libpg_query), ${bodies} PL/pgSQL bodies inspected; ${installs.length} install ` +
        `scripts linted; not SQL as a whole: ${notSql.length}`,
    );
    expect(mismatches).toEqual([]);
    expect(notSql).toEqual([]);
    expect(compared).toBe(statements);
  }, 600_000);
});
