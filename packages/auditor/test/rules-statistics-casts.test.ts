import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { compare, emptySnapshot, parseSnapshot, plan, renderSteps, serializeSnapshot, type Snapshot } from '../src/index.js';
import { applyNameFilters } from '../src/catalog/read.js';
import { introspectPair, roundTrip, runSql, serverMajor } from './helpers.js';

const fixture = (name: string, side: 'a' | 'b') => readFileSync(new URL(`./fixtures/${name}.${side}.sql`, import.meta.url), 'utf8');
const major = await serverMajor(testServerUrl());

/** The drift sentences about one kind of object, production against the models. */
function sentences(a: Snapshot, b: Snapshot, type: string): string[] {
  return compare(a, b, { left: 'production', right: 'the models' })
    .filter((d) => d.objectType === type)
    .map((d) => d.message);
}

/** Whether the test server refuses an SQL script (run on a database of its own, dropped afterwards). */
async function refused(sql: string): Promise<boolean> {
  const db = await createTestDatabase('refused');
  try {
    return await runSql(db.url, sql).then(
      () => false,
      () => true,
    );
  } finally {
    await db.drop();
  }
}

/** Where a statement starts in a rendered plan (it must be there). */
function at(text: string, s: string): number {
  const i = text.indexOf(s);
  expect(i, `${s} in\n${text}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('rules', () => {
  it('are read with what they depend on, compared, and planned around their tables, views and columns', async () => {
    const [a, b] = await introspectPair(fixture('110-rules', 'a'), fixture('110-rules', 'b'), 'rules');
    expect(b.rules?.['public.accounts.accounts_close']).toEqual({
      schema: 'public',
      table: 'accounts',
      name: 'accounts_close',
      event: 'DELETE',
      definition: expect.stringMatching(/^CREATE RULE accounts_close AS\s+ON DELETE TO accounts DO INSTEAD \(/),
      enabled: 'O',
      dependsOn: ['audit.closures'],
      comment: 'closing instead of deleting',
    });
    expect(b.rules?.['public.accounts.accounts_open']?.enabled).toBe('D');
    expect(b.rules?.['public.accounts.accounts_open']?.dependsOn).toEqual(['audit.changes']);
    expect(b.unhandled).toBeUndefined();

    expect(sentences(a, b, 'rule')).toEqual([
      'production is missing the rule accounts.accounts_close that the models define',
      'rule accounts.accounts_log is "ON UPDATE TO accounts DO INSERT INTO audit.changes (account, delta) VALUES (new.id, ' +
        'new.balance - old.balance)" in production but "ON UPDATE TO accounts WHERE new.balance <> old.balance DO INSERT INTO ' +
        'audit.changes (account, delta) VALUES (new.id, new.balance - old.balance)" in the models',
      'production has an extra rule accounts.accounts_no_delete that the models do not define',
      `rule accounts.accounts_open is "ON INSERT TO accounts DO INSERT INTO audit.changes (account, reason) VALUES (new.id, ` +
        `'opened'::text)" in production but "ON INSERT TO accounts DO INSERT INTO audit.changes (account, reason) VALUES ` +
        `(new.id, 'opened'::character varying)" in the models`,
      'rule accounts.accounts_open is enabled in production but disabled in the models',
      'rule active_accounts.active_accounts_ins has no comment in production but has one in the models',
      'production has an extra rule legacy.legacy_read_only that the models do not define',
    ]);

    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    // A rule writing to a table created again: dropped before the table, created after it.
    expect(at(up, 'DROP RULE accounts_note ON accounts')).toBeLessThan(at(up, 'DROP TABLE notes, legacy'));
    expect(at(up, 'CREATE TABLE notes')).toBeLessThan(at(up, 'CREATE RULE accounts_note'));
    // The table's own rule comes back after it, without a DROP (the table's took it).
    expect(up).not.toContain('DROP RULE notes_no_update');
    expect(at(up, 'CREATE TABLE notes')).toBeLessThan(at(up, 'CREATE RULE notes_no_update'));
    // A column the rule writes changes type: the rule goes first and comes back after.
    expect(at(up, 'DROP RULE accounts_open ON accounts')).toBeLessThan(at(up, 'ALTER COLUMN reason TYPE character varying(200)'));
    expect(at(up, 'ALTER COLUMN reason TYPE character varying(200)')).toBeLessThan(at(up, 'CREATE RULE accounts_open'));
    expect(at(up, 'CREATE RULE accounts_open')).toBeLessThan(at(up, 'ALTER TABLE accounts DISABLE RULE accounts_open'));
    // A new rule after the table and the column it writes.
    expect(at(up, 'CREATE TABLE audit.closures')).toBeLessThan(at(up, 'CREATE RULE accounts_close'));
    expect(at(up, 'ADD COLUMN closed')).toBeLessThan(at(up, 'CREATE RULE accounts_close'));
    // Changed in place; the rebuilt view's rule comes back after it; the dropped table's rule goes with it.
    expect(up).toMatch(/CREATE OR REPLACE RULE accounts_log AS\s+ON UPDATE TO accounts\s+WHERE new\.balance <> old\.balance/);
    expect(at(up, 'CREATE VIEW active_accounts')).toBeLessThan(at(up, 'CREATE RULE active_accounts_ins'));
    expect(up).not.toMatch(/DROP RULE (active_accounts_ins|legacy_read_only)/);
    expect(at(up, 'CREATE RULE active_accounts_ins')).toBeLessThan(
      at(up, "COMMENT ON RULE active_accounts_ins ON active_accounts IS 'inserts"),
    );
    // Down: the new rule goes before the column and the table it uses.
    expect(at(down, 'DROP RULE accounts_close ON accounts')).toBeLessThan(at(down, 'DROP TABLE notes, audit.closures'));
    expect(at(down, 'DROP RULE accounts_close ON accounts')).toBeLessThan(at(down, 'ALTER TABLE accounts DROP COLUMN closed'));
    expect(at(down, 'CREATE TABLE legacy')).toBeLessThan(at(down, 'CREATE RULE legacy_read_only'));
    expect(down).toContain("COMMENT ON RULE accounts_no_delete ON accounts IS 'accounts are closed, never deleted'");
    // A view dropped takes its rules along: no DROP RULE of its own.
    const noView = structuredClone(b);
    delete noView.views['public.active_accounts'];
    delete noView.rules!['public.active_accounts.active_accounts_ins'];
    const dropView = renderSteps(plan(b, noView).up);
    expect(dropView).toContain('DROP VIEW active_accounts');
    expect(dropView).not.toContain('DROP RULE');
  });
});

describe('extended statistics objects', () => {
  it('are read with their columns and target, compared, and planned around their tables and columns', async () => {
    const [a, b] = await introspectPair(fixture('111-statistics', 'a'), fixture('111-statistics', 'b'), 'stx');
    expect(a.statistics?.['public.orders_geo']).toEqual({
      schema: 'public',
      name: 'orders_geo',
      table: 'public.orders',
      definition: 'CREATE STATISTICS public.orders_geo (dependencies) ON region, city FROM orders',
      columns: ['city', 'region'],
      target: 200,
      comment: 'city implies region',
    });
    expect(a.statistics?.['stats.orders_customer']?.target).toBeNull();
    expect(sentences(a, b, 'statistics object')).toEqual([
      'statistics object orders_geo is defined as (dependencies) ON region, city FROM orders in production but as ' +
        '(ndistinct, dependencies) ON region, city FROM orders in the models',
      'production has an extra statistics object orders_old that the models do not define',
      'production is missing the statistics object orders_when that the models define',
      'production has an extra statistics object orders_zip that the models do not define',
      'statistics object stats.orders_customer has the default statistics target in production but statistics target 500 in the models',
    ]);
    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    expect(at(up, 'DROP STATISTICS orders_zip')).toBeLessThan(at(up, 'ALTER TABLE orders DROP COLUMN zip'));
    expect(at(up, 'DROP STATISTICS orders_geo')).toBeLessThan(at(up, 'CREATE STATISTICS orders_geo (ndistinct, dependencies)'));
    expect(at(up, 'CREATE STATISTICS orders_geo (ndistinct, dependencies)')).toBeLessThan(
      at(up, 'ALTER STATISTICS orders_geo SET STATISTICS 200'),
    );
    expect(up).toContain('ALTER STATISTICS stats.orders_customer SET STATISTICS 500');
    // Those of a table created again and of a rebuilt materialised view went with them and come back after them.
    expect(up).not.toMatch(/DROP STATISTICS (events_kind|order_days_s)/);
    expect(at(up, 'CREATE TABLE events')).toBeLessThan(at(up, 'CREATE STATISTICS events_kind (dependencies) ON kind, at FROM events'));
    expect(at(up, 'CREATE MATERIALIZED VIEW order_days')).toBeLessThan(at(up, 'CREATE STATISTICS order_days_s'));
    expect(at(up, 'CREATE STATISTICS orders_when')).toBeLessThan(at(up, "COMMENT ON STATISTICS orders_when IS 'customers"));
    // Down: the column comes back before the statistics object over it; the target goes back to the default.
    expect(at(down, 'ALTER TABLE orders ADD COLUMN zip text')).toBeLessThan(
      at(down, 'CREATE STATISTICS orders_zip (ndistinct) ON city, zip'),
    );
    expect(down).toContain('ALTER STATISTICS stats.orders_customer SET STATISTICS -1');
  });

  it('over expressions (PostgreSQL 14+): a dropped column and a function created again take them down and back', async () => {
    const a = `
      CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT lower(t)$$;
      CREATE TABLE people (id int, first text, last text, born date, note text);
      CREATE STATISTICS people_names ON norm(first), norm(last) FROM people;
      CREATE STATISTICS people_note ON id, lower(note) FROM people;
      CREATE STATISTICS people_year ON (extract(year FROM born)), last FROM people;`;
    const b = `
      CREATE FUNCTION norm(t text, OUT n text) LANGUAGE sql IMMUTABLE AS $$SELECT lower(t)$$;
      CREATE TABLE people (id int, first text, last text, born date);
      CREATE STATISTICS people_names ON norm(first), norm(last) FROM people;
      CREATE STATISTICS people_year (mcv) ON (extract(year FROM born)), last FROM people;`;
    if (major < 14) {
      expect(await refused(a)).toBe(true);
      return;
    }
    const [sa, sb] = await introspectPair(a, b, 'stx');
    expect(sa.statistics?.['public.people_note']?.columns).toEqual(['id', 'note']);
    // PostgreSQL lists plain columns first, and prints EXTRACT without the parentheses CREATE STATISTICS was given.
    expect(sa.statistics?.['public.people_year']?.definition).toBe(
      'CREATE STATISTICS public.people_year ON last, EXTRACT(year FROM born) FROM people',
    );
    const up = renderSteps(plan(sa, sb).up);
    // The function is created again (an OUT parameter): the statistics object calling it goes first and comes back.
    expect(at(up, 'DROP STATISTICS people_names')).toBeLessThan(at(up, 'DROP FUNCTION norm(t text)'));
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.norm')).toBeLessThan(at(up, 'CREATE STATISTICS people_names'));
    expect(at(up, 'DROP STATISTICS people_note')).toBeLessThan(at(up, 'DROP COLUMN note'));
    await roundTrip(a, b, () => createTestDatabase('stx'));
  });
});

describe('casts', () => {
  it('are read by source and target, compared, and planned after their functions and types', async () => {
    const [a, b] = await introspectPair(fixture('112-casts', 'a'), fixture('112-casts', 'b'), 'cast');
    expect(b.casts).toEqual({
      '(level AS integer)': {
        source: 'level',
        target: 'integer',
        method: 'function',
        function: 'public.level_rank(level)',
        context: 'explicit',
        comment: null,
      },
      '(numeric AS money_pair)': {
        source: 'numeric',
        target: 'money_pair',
        method: 'function',
        function: 'public.money_pair_of(numeric)',
        context: 'implicit',
        comment: 'a bare amount is in euros',
      },
      '(text AS money_pair)': {
        source: 'text',
        target: 'money_pair',
        method: 'inout',
        function: null,
        context: 'assignment',
        comment: null,
      },
    });
    expect(a.casts?.['(date AS integer)']?.method).toBe('binary');
    expect(sentences(a, b, 'cast')).toEqual([
      'production has an extra cast (date AS integer) that the models do not define',
      'production has an extra cast (money_pair AS numeric) that the models do not define',
      'cast (numeric AS money_pair) is applied in assignments (AS ASSIGNMENT) in production but implicit (AS IMPLICIT) in the models',
      'cast (numeric AS money_pair) has no comment in production but has one in the models',
      'production is missing the cast (text AS money_pair) that the models define',
    ]);
    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    // The enum is built again, and the function over it: the cast goes before both and comes back after them.
    expect(at(up, 'DROP CAST (level AS integer)')).toBeLessThan(at(up, 'DROP FUNCTION level_rank(level)'));
    expect(at(up, 'DROP FUNCTION level_rank(level)')).toBeLessThan(at(up, 'ALTER TYPE level RENAME TO level_old'));
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.level_rank')).toBeLessThan(
      at(up, 'CREATE CAST (level AS integer) WITH FUNCTION level_rank(level)'),
    );
    // Changed: dropped and created again, before the default that relies on it.
    expect(at(up, 'DROP CAST (numeric AS money_pair)')).toBeLessThan(
      at(up, 'CREATE CAST (numeric AS money_pair) WITH FUNCTION money_pair_of(numeric) AS IMPLICIT'),
    );
    expect(at(up, 'CREATE CAST (numeric AS money_pair)')).toBeLessThan(at(up, 'ALTER COLUMN price SET DEFAULT'));
    expect(up).toContain('CREATE CAST (text AS money_pair) WITH INOUT AS ASSIGNMENT');
    expect(at(up, 'DROP CAST (money_pair AS numeric)')).toBeGreaterThan(0);
    expect(down).toContain('CREATE CAST (date AS integer) WITHOUT FUNCTION');
    expect(at(down, 'CREATE CAST (money_pair AS numeric) WITH FUNCTION money_pair_amount(money_pair)')).toBeLessThan(
      at(down, "COMMENT ON CAST (money_pair AS numeric) IS 'the amount, currency dropped'"),
    );
  });

  it('whose function is new, or over a table row type, come after it; dropped before it', async () => {
    const a = 'CREATE TABLE pts (x int, y int);';
    const b = `CREATE TABLE pts (x int, y int);
      CREATE FUNCTION zz_pt(int) RETURNS pts LANGUAGE sql IMMUTABLE AS $$SELECT $1, $1$$;
      CREATE CAST (integer AS pts) WITH FUNCTION zz_pt(int);`;
    const [sa, sb] = await introspectPair(a, b, 'cast');
    const p = plan(sa, sb);
    const up = renderSteps(p.up);
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.zz_pt')).toBeLessThan(
      at(up, 'CREATE CAST (integer AS pts) WITH FUNCTION zz_pt(integer)'),
    );
    const down = renderSteps(p.down);
    expect(at(down, 'DROP CAST (integer AS pts)')).toBeLessThan(at(down, 'DROP FUNCTION zz_pt(integer)'));
    await roundTrip(a, b, () => createTestDatabase('cast'));
  });

  it('over a composite type dropped and created again (no column uses it) go first and come back', async () => {
    const a = `CREATE TYPE pair AS (x int, y int); CREATE CAST (text AS pair) WITH INOUT;`;
    const b = `CREATE TYPE pair AS (x bigint, y bigint); CREATE CAST (text AS pair) WITH INOUT;`;
    const [sa, sb] = await introspectPair(a, b, 'cast');
    const up = renderSteps(plan(sa, sb).up);
    expect(at(up, 'DROP CAST (text AS pair)')).toBeLessThan(at(up, 'DROP TYPE pair'));
    expect(at(up, 'CREATE TYPE pair')).toBeLessThan(at(up, 'CREATE CAST (text AS pair) WITH INOUT'));
    await roundTrip(a, b, () => createTestDatabase('cast'));
  });
});

describe('conversions', () => {
  it('are read, compared, and planned after the function they use', async () => {
    const [a, b] = [fixture('113-conversions', 'a'), fixture('113-conversions', 'b')];
    if (major < 14) {
      expect(await refused(b)).toBe(true);
      return;
    }
    const [sa, sb] = await introspectPair(a, b, 'conv');
    expect(sb.conversions?.['conv.utf8_l1']).toEqual({
      schema: 'conv',
      name: 'utf8_l1',
      from: 'UTF8',
      to: 'LATIN1',
      function: 'conv.utf8_to_latin1',
      functionKey: 'conv.utf8_to_latin1(integer, integer, cstring, internal, integer, boolean)',
      default: false,
      comment: 'back to latin1',
    });
    expect(sentences(sa, sb, 'conversion')).toEqual([
      'conversion conv.l1_utf8 is not the default conversion from LATIN1 to UTF8 in production but is in the models',
      'production has an extra conversion conv.l1_utf8_builtin that the models do not define',
      'production is missing the conversion conv.utf8_l1 that the models define',
    ]);
    const p = plan(sa, sb);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    expect(up).toContain("CREATE DEFAULT CONVERSION conv.l1_utf8 FOR 'LATIN1' TO 'UTF8' FROM conv.latin1_to_utf8");
    expect(at(up, 'CREATE OR REPLACE FUNCTION conv.utf8_to_latin1')).toBeLessThan(at(up, 'CREATE CONVERSION conv.utf8_l1'));
    expect(at(down, 'DROP CONVERSION conv.utf8_l1')).toBeLessThan(at(down, 'DROP FUNCTION conv.utf8_to_latin1'));
    expect(down).toContain("CREATE CONVERSION conv.l1_utf8_builtin FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8");
  });
});

describe('base types', () => {
  it('are listed as not handled (the casts over them are read, but nothing creates the type)', async () => {
    const b = `
      CREATE TYPE ci;
      CREATE FUNCTION ci_in(cstring) RETURNS ci AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
      CREATE FUNCTION ci_out(ci) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
      CREATE TYPE ci (INPUT = ci_in, OUTPUT = ci_out, LIKE = text);
      CREATE CAST (ci AS text) WITHOUT FUNCTION AS IMPLICIT;`;
    const [empty, full] = await introspectPair('', b, 'basetype');
    expect(full.unhandled).toEqual({ 'base type:public.ci': { kind: 'base type', name: 'public.ci' } });
    expect(full.casts?.['(ci AS text)']?.method).toBe('binary');
    expect(
      compare(empty, full)
        .filter((d) => d.objectType === 'not handled')
        .map((d) => [d.severity, d.name]),
    ).toEqual([['error', 'base type public.ci']]);
  });
});

describe('name filters', () => {
  it("keep a table's rules and statistics objects with it, and match statistics objects and conversions by name", async () => {
    const [, b] = await introspectPair(
      '',
      `CREATE TABLE kept (a int, b int); CREATE TABLE gone (a int, b int);
       CREATE RULE kept_r AS ON DELETE TO kept DO INSTEAD NOTHING; CREATE RULE gone_r AS ON DELETE TO gone DO INSTEAD NOTHING;
       CREATE STATISTICS kept_s ON a, b FROM kept; CREATE STATISTICS kept_other ON a, b FROM kept;
       CREATE STATISTICS gone_s ON a, b FROM gone;
       CREATE CONVERSION l1 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
       CREATE CONVERSION l1_old FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;`,
      'filters',
    );
    applyNameFilters(b, { exclude: ['gone', 'kept_other', 'l1_old'] });
    expect(Object.keys(b.rules ?? {})).toEqual(['public.kept.kept_r']);
    expect(Object.keys(b.statistics ?? {})).toEqual(['public.kept_s']);
    expect(Object.keys(b.conversions ?? {})).toEqual(['public.l1']);
  });
});

describe('the new collections in a Snapshot', () => {
  it('are written only when there are some, so older Snapshots read and serialise as before', () => {
    const text = serializeSnapshot(emptySnapshot(17));
    expect(text).not.toMatch(/"(rules|statistics|casts|conversions)"/);
    const s = emptySnapshot(17);
    s.casts = {
      '(text AS money_pair)': { source: 'text', target: 'money_pair', method: 'inout', function: null, context: 'explicit', comment: null },
    };
    const read = parseSnapshot(serializeSnapshot(s));
    expect(read.casts).toEqual(s.casts);
    expect(compare(read, emptySnapshot(17)).map((d) => d.message)).toEqual([
      'the database has an extra cast (text AS money_pair) that the models do not define',
    ]);
  });
});
