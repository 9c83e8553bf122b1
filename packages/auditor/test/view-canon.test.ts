import { describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, introspect, plan } from '../src/index.js';
import { canonicalViewDefinition, prepareViewCanon } from '../src/view-canon.js';
import { runSql } from './helpers.js';

// Issue 20 point 3: a view PostgreSQL prints in a form that does not read back to
// the same text. The first database has the views as people write them; the
// second is built from the first's printed definitions, as a plan or a pg_dump
// restore builds it. Their Snapshots must be equal, and the canonical form of
// the first's text must be exactly what the server prints for the second.
const TABLES = `
  CREATE TABLE t1 (a int, c int, v varchar(20), n numeric(10,2), s text);
  CREATE TABLE t2 (a int);`;
const VIEWS = [
  `CREATE VIEW v_null AS SELECT a, c FROM (SELECT a, c FROM t1 UNION ALL SELECT a, NULL FROM t2) q`,
  `CREATE VIEW v_types AS SELECT * FROM (SELECT a, v, n, s FROM t1 UNION SELECT a, NULL, NULL, 'it''s, here' FROM t2
     EXCEPT SELECT a, 'x', NULL, NULL FROM t2) q`,
  `CREATE VIEW v_top AS SELECT a, c FROM t1 UNION ALL SELECT a, NULL FROM t2`,
  `CREATE VIEW v_plain AS SELECT a, NULL::integer AS c FROM t1`,
];

async function viewDefs(url: string): Promise<Map<string, string>> {
  return withConnection({ url }, async (c) => {
    const r = await c.query<{ name: string; def: string }>(
      `SELECT c.relname AS name, pg_get_viewdef(c.oid, true) AS def FROM pg_class c
        WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    );
    return new Map(r.rows.map((x) => [x.name, x.def]));
  });
}

describe('view definitions PostgreSQL prints differently once re-created', () => {
  it('are read in the form they take once re-created, so a database and its re-creation compare equal', async () => {
    const written = await createTestDatabase('viewcanon_a');
    const rebuilt = await createTestDatabase('viewcanon_b');
    try {
      await runSql(written.url, `${TABLES}\n${VIEWS.join(';\n')};`);
      const printed = await viewDefs(written.url);
      await runSql(rebuilt.url, `${TABLES}\n${[...printed].map(([name, def]) => `CREATE VIEW ${name} AS ${def}`).join('\n')}`);
      const reprinted = await viewDefs(rebuilt.url);

      // The server really prints two forms: without this, the Snapshots differ.
      expect(printed.get('v_null')).not.toBe(reprinted.get('v_null'));
      expect(reprinted.get('v_null')).toContain('NULL::integer AS int4');
      await prepareViewCanon(printed.values());
      for (const [name, def] of printed) {
        expect(canonicalViewDefinition(def), name).toBe(reprinted.get(name));
        expect(canonicalViewDefinition(reprinted.get(name)!), name).toBe(reprinted.get(name));
      }

      const [a, b] = [await introspect(written.url), await introspect(rebuilt.url)];
      expect(compare(a, b)).toEqual([]);
      expect(plan(a, b).up).toEqual([]);
    } finally {
      await written.drop();
      await rebuilt.drop();
    }
  });

  it('leaves definitions without a set operation, and text that does not parse, as they are', () => {
    const def = ' SELECT t1.a,\n    NULL::integer AS c\n   FROM t1;';
    expect(canonicalViewDefinition(def)).toBe(def);
    expect(canonicalViewDefinition('not SQL at all :: UNION (')).toBe('not SQL at all :: UNION (');
  });
});
