import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, plan, renderSteps, serializeSnapshot } from '../src/index.js';
import { introspectPair, roundTrip } from './helpers.js';

const fixture = (name: string, side: 'a' | 'b') => readFileSync(new URL(`./fixtures/${name}.${side}.sql`, import.meta.url), 'utf8');

/** Position of `s` in `text`, which must hold it. */
function at(text: string, s: string): number {
  const i = text.indexOf(s);
  expect(i, `${s} in\n${text}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('foreign-data wrappers, servers and user mappings', () => {
  it('are read, compared option by option, and planned wrapper -> server -> mapping (dropped in reverse)', async () => {
    const name = '120-foreign-data-wrappers-and-servers';
    const [a, b] = await introspectPair(fixture(name, 'a'), fixture(name, 'b'), 'fdw');
    expect(b.foreignDataWrappers?.kept_fdw).toEqual({
      name: 'kept_fdw',
      handler: 'public.strata_fdw_handler()',
      validator: null,
      options: { 'Batch Size': '50', mode: 'safe' },
      comment: null,
    });
    expect(b.foreignServers?.kept_server).toEqual({
      name: 'kept_server',
      wrapper: 'kept_fdw',
      type: null,
      version: '2.0',
      options: { dbname: 'app', host: 'b.example' },
      comment: 'the main replica, moved',
    });
    expect(b.userMappings?.['public@new_server']).toEqual({ user: 'public', server: 'new_server', options: { user: 'sales_reader' } });
    expect(b.unhandled).toBeUndefined();

    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => ['foreign-data wrapper', 'server', 'user mapping'].includes(d.objectType))
      .map((d) => d.message);
    expect(sentences).toEqual([
      'foreign-data wrapper kept_fdw has no handler in production but strata_fdw_handler in the models',
      "foreign-data wrapper kept_fdw has no option Batch Size in production but Batch Size '50' in the models",
      "foreign-data wrapper kept_fdw has option mode 'fast' in production but 'safe' in the models",
      "foreign-data wrapper kept_fdw has option retries '2' in production but none in the models",
      'production is missing the foreign-data wrapper new_fdw that the models define',
      'production has an extra foreign-data wrapper old_fdw that the models do not define',
      "server kept_server has version '1.0' in production but '2.0' in the models",
      "server kept_server has no option dbname in production but dbname 'app' in the models",
      "server kept_server has option host 'a.example' in production but 'b.example' in the models",
      "server kept_server has option port '5432' in production but none in the models",
      'server kept_server has a different comment in production than in the models',
      'server moved_server uses foreign-data wrapper kept_fdw in production but new_fdw in the models',
      "server moved_server has no option host in production but host 'archive.example' in the models",
      'production is missing the server new_server that the models define',
      'production has an extra server old_server that the models do not define',
      expect.stringMatching(/^production has an extra user mapping for \S+ on server kept_server that the models do not define$/),
      "user mapping for PUBLIC on server kept_server has option fetch_size '100' in production but '500' in the models",
      'user mapping for PUBLIC on server kept_server has no option use_remote_estimate in production ' +
        "but use_remote_estimate 'true' in the models",
      'production is missing the user mapping for PUBLIC on server new_server that the models define',
      'production has an extra user mapping for PUBLIC on server old_server that the models do not define',
    ]);

    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    // Up: the handler function, then the wrappers that name it, then servers, then mappings.
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.strata_fdw_handler()')).toBeLessThan(
      at(
        up,
        `ALTER FOREIGN DATA WRAPPER kept_fdw HANDLER strata_fdw_handler OPTIONS (DROP retries, ADD "Batch Size" '50', SET mode 'safe')`,
      ),
    );
    expect(
      at(up, 'CREATE FOREIGN DATA WRAPPER new_fdw HANDLER strata_fdw_handler VALIDATOR pg_catalog.postgresql_fdw_validator'),
    ).toBeLessThan(at(up, "CREATE SERVER new_server FOREIGN DATA WRAPPER new_fdw OPTIONS (dbname 'sales', host 'db1.example')"));
    expect(at(up, 'CREATE SERVER new_server')).toBeLessThan(
      at(up, `CREATE USER MAPPING FOR PUBLIC SERVER new_server OPTIONS ("user" 'sales_reader')`),
    );
    expect(at(up, "ALTER SERVER kept_server VERSION '2.0' OPTIONS (DROP port, ADD dbname 'app', SET host 'b.example')")).toBeGreaterThan(0);
    // A server moved to another wrapper is dropped (after its mapping) and created again (before it).
    expect(at(up, 'DROP USER MAPPING FOR PUBLIC SERVER moved_server')).toBeLessThan(at(up, 'DROP SERVER moved_server'));
    expect(at(up, 'DROP SERVER moved_server')).toBeLessThan(
      at(up, "CREATE SERVER moved_server TYPE 'archive' FOREIGN DATA WRAPPER new_fdw"),
    );
    expect(at(up, 'CREATE SERVER moved_server')).toBeLessThan(at(up, 'CREATE USER MAPPING FOR PUBLIC SERVER moved_server'));
    expect(at(up, 'DROP SERVER old_server')).toBeLessThan(at(up, 'DROP FOREIGN DATA WRAPPER old_fdw'));
    // Down: the wrappers stop using the handler before it is dropped.
    expect(at(down, 'DROP FOREIGN DATA WRAPPER new_fdw')).toBeLessThan(at(down, 'DROP FUNCTION strata_fdw_handler()'));
    expect(at(down, 'ALTER FOREIGN DATA WRAPPER kept_fdw NO HANDLER')).toBeLessThan(at(down, 'DROP FUNCTION strata_fdw_handler()'));
    expect(at(down, 'DROP USER MAPPING FOR PUBLIC SERVER new_server')).toBeLessThan(at(down, 'DROP SERVER new_server'));
    expect(p.hints).toEqual([]);
  });

  it('never read, print, compare or write a password: the mapping is created without it, with a note to set it by hand', async () => {
    const secret = 'Tr0ub4dor&3-never-leaks';
    const setup = `CREATE FOREIGN DATA WRAPPER pw_fdw; CREATE SERVER pw_server FOREIGN DATA WRAPPER pw_fdw OPTIONS (host 'h');`;
    const withSecret =
      `${setup} CREATE USER MAPPING FOR PUBLIC SERVER pw_server OPTIONS (user 'app', password '${secret}', password_required 'true', ` +
      `api_token '${secret}-token');` +
      ` CREATE FOREIGN TABLE ft (a int) SERVER pw_server OPTIONS (sslpassword '${secret}-ssl');`;
    const [empty, full] = await introspectPair(setup, withSecret, 'fdwpw');
    const json = serializeSnapshot(full);
    expect(full.userMappings?.['public@pw_server']).toEqual({
      user: 'public',
      server: 'pw_server',
      options: { api_token: null, password: null, password_required: 'true', user: 'app' },
    });
    expect(full.tables['public.ft']?.foreign).toEqual({ server: 'pw_server', options: { sslpassword: null } });
    const drift = compare(empty, full);
    const p = plan(empty, full);
    const everything = [json, JSON.stringify(drift), renderSteps(p.up), renderSteps(p.down), JSON.stringify(p)].join('\n');
    expect(everything).not.toContain(secret);
    // The mapping is created without its secrets; the step and a hint say how to set them.
    const up = renderSteps(p.up);
    expect(up).toContain(`CREATE USER MAPPING FOR PUBLIC SERVER pw_server OPTIONS (password_required 'true', "user" 'app')`);
    expect(up).toContain(
      '-- api_token, password are secrets Strata never reads: set them by hand (ALTER USER MAPPING FOR PUBLIC SERVER pw_server',
    );
    expect(up).toContain('CREATE FOREIGN TABLE ft (\n    a integer\n) SERVER pw_server;');
    expect(p.hints.map((h) => h.message)).toEqual([
      'user mapping for PUBLIC on server pw_server: api_token, password are secrets Strata never reads: set them by hand ' +
        "(ALTER USER MAPPING FOR PUBLIC SERVER pw_server OPTIONS (ADD api_token '...', ADD password '...'))",
      'foreign table ft: sslpassword is a secret Strata never reads: set it by hand (ALTER FOREIGN ' +
        "TABLE ft OPTIONS (ADD sslpassword '...'))",
    ]);
    // Both sides with the secret set: equal, whatever its value (it is not read).
    expect(compare(full, full, { uncompared: false })).toEqual([]);
  });
});

describe('foreign tables', () => {
  it('are tables with a server and options: created after their server, altered in place, views over them ordered after', async () => {
    const name = '121-foreign-tables';
    const [a, b] = await introspectPair(fixture(name, 'a'), fixture(name, 'b'), 'ft');
    const t = b.tables['public.new_items']!;
    expect(t.foreign).toEqual({ server: 'archive', options: { filename: '/data/items.csv' } });
    expect(t.columns[0]).toMatchObject({
      name: 'sku',
      type: 'text',
      notNull: true,
      fdwOptions: { column_name: 'SKU' },
      comment: 'stock keeping unit',
    });
    expect(t.columns[1]).not.toHaveProperty('fdwOptions');
    expect(Object.keys(t.constraints)).toEqual(['qty_not_negative']);
    // An ordinary table's columns never carry fdwOptions (old Snapshots stay byte-identical).
    expect(b.tables['public.measurements']!.columns.some((c) => 'fdwOptions' in c)).toBe(false);
    expect(b.tables['public.measurements']!.foreign).toBeUndefined();

    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => ['foreign table', 'column', 'constraint'].includes(d.objectType))
      .map((d) => d.message);
    expect(sentences).toEqual([
      'production is missing the foreign table measurements_remote that the models define',
      'foreign table moved is on server files in production but on archive in the models',
      "foreign table moved has option filename '/data/moved.csv' in production but '/archive/moved.csv' in the models",
      'production is missing the foreign table new_items that the models define',
      'production has an extra foreign table old_events that the models do not define',
      "foreign table remote_orders has option filename '/data/orders.csv' in production but '/data/orders-2026.csv' in the models",
      "foreign table remote_orders has option format 'csv' in production but none in the models",
      "foreign table remote_orders has no option header in production but header 'true' in the models",
      'foreign table remote_orders has a different comment in production than in the models',
      'column remote_orders.total is numeric(10,2) in production but numeric(12,2) in the models',
      'column remote_orders.total is nullable in production but NOT NULL in the models',
      "column remote_orders.note has option column_name 'remark' in production but 'remarks' in the models",
      "column remote_orders.note has no option trim in production but trim 'true' in the models",
      'production is missing the column remote_orders.placed_on that the models define',
      'production is missing the constraint remote_orders.total_positive that the models define',
    ]);

    const p = plan(a, b);
    const up = renderSteps(p.up);
    const down = renderSteps(p.down);
    expect(at(up, 'DROP VIEW moved_labels')).toBeLessThan(at(up, 'DROP FOREIGN TABLE moved, old_events'));
    expect(at(up, 'CREATE FOREIGN TABLE moved (')).toBeLessThan(at(up, 'CREATE VIEW moved_labels'));
    expect(at(up, "    sku text OPTIONS (column_name 'SKU') NOT NULL,\n    qty integer DEFAULT 0,")).toBeLessThan(
      at(up, 'CREATE VIEW item_totals'),
    );
    expect(
      at(
        up,
        'CREATE FOREIGN TABLE measurements_remote PARTITION OF measurements FOR VALUES IN (2) SERVER ' +
          "archive OPTIONS (filename '/data/city2.csv')",
      ),
    ).toBeLessThan(at(up, "ALTER FOREIGN TABLE measurements_remote ALTER COLUMN reading OPTIONS (ADD column_name 'value')"));
    // The column under a view changes type in place (the view is rebuilt), marked non-destructive: a foreign table holds no rows here.
    expect(at(up, 'DROP VIEW big_orders')).toBeLessThan(at(up, 'ALTER FOREIGN TABLE remote_orders ALTER COLUMN total TYPE numeric(12,2)'));
    expect(p.up.find((s) => s.sql.includes('ALTER COLUMN total TYPE'))!.destructive).toBe(false);
    expect(p.down.find((s) => s.sql.includes('DROP COLUMN placed_on'))!.destructive).toBe(false);
    expect(
      at(up, "ALTER FOREIGN TABLE remote_orders OPTIONS (DROP format, SET filename '/data/orders-2026.csv', ADD header 'true')"),
    ).toBeGreaterThan(0);
    expect(
      at(up, `ALTER FOREIGN TABLE remote_orders ALTER COLUMN note OPTIONS (SET column_name 'remarks', ADD "trim" 'true')`),
    ).toBeGreaterThan(0);
    expect(at(up, "COMMENT ON FOREIGN TABLE new_items IS 'stock, from the archive'")).toBeGreaterThan(
      at(up, 'CREATE FOREIGN TABLE new_items'),
    );
    expect(at(down, 'DROP VIEW item_totals')).toBeLessThan(at(down, 'DROP FOREIGN TABLE moved, measurements_remote, new_items'));
    expect(at(down, 'CREATE FOREIGN TABLE old_events')).toBeGreaterThan(0);
  });

  it('USAGE on wrappers, servers and trusted languages is compared and granted with privileges on', async () => {
    const base =
      'CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w; CREATE SERVER s2 FOREIGN DATA WRAPPER w;' +
      " CREATE FUNCTION h() RETURNS language_handler LANGUAGE c AS '$libdir/plpgsql', 'plpgsql_call_handler';" +
      ' CREATE TRUSTED LANGUAGE tpl HANDLER h;';
    const granted =
      `${base} GRANT USAGE ON FOREIGN DATA WRAPPER w TO PUBLIC; GRANT USAGE ON FOREIGN SERVER s TO PUBLIC;` +
      ' REVOKE USAGE ON LANGUAGE tpl FROM PUBLIC;';
    const [a, b] = await introspectPair(base, granted, 'fdwpriv');
    expect(compare(a, b, { privileges: true, left: 'production', right: 'the models' }).map((d) => d.message)).toEqual([
      'PUBLIC holds nothing on foreign-data wrapper w in production but USAGE in the models',
      'PUBLIC holds USAGE on language tpl in production but nothing in the models',
      'PUBLIC holds nothing on server s in production but USAGE in the models',
    ]);
    expect(plan(a, b, { privileges: true }).up.map((s) => s.sql)).toEqual([
      'GRANT USAGE ON FOREIGN DATA WRAPPER w TO PUBLIC',
      'REVOKE USAGE ON LANGUAGE tpl FROM PUBLIC',
      'GRANT USAGE ON FOREIGN SERVER s TO PUBLIC',
    ]);
    await roundTrip(base, granted, () => createTestDatabase('fdwpriv'), { privileges: true });
    // From nothing: created, then granted.
    await roundTrip('SELECT 1', granted, () => createTestDatabase('fdwpriv'), { privileges: true });
  });

  it('keep their privileges like tables (with privileges on)', async () => {
    const base = 'CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w; CREATE FOREIGN TABLE ft (a int) SERVER s;';
    await roundTrip(base, `${base} GRANT SELECT ON ft TO PUBLIC;`, () => createTestDatabase('ftpriv'), { privileges: true });
  });

  it("that is an extension member, and its wrapper, are the extension's and not listed", async () => {
    const [, b] = await introspectPair('SELECT 1', 'CREATE EXTENSION file_fdw; CREATE SERVER csv FOREIGN DATA WRAPPER file_fdw;', 'ftext');
    expect(b.foreignDataWrappers).toBeUndefined();
    expect(b.foreignServers?.csv?.wrapper).toBe('file_fdw');
  });
});

describe('languages and access methods', () => {
  it('are ordered by their handler functions and the functions written in them', async () => {
    const name = '122-languages-and-access-methods';
    const [a, b] = await introspectPair(fixture(name, 'a'), fixture(name, 'b'), 'lang');
    expect(b.languages?.kept_pl).toEqual({
      name: 'kept_pl',
      trusted: true,
      handler: 'public.strata_pl_handler()',
      inline: 'public.strata_pl_inline(internal)',
      validator: 'public.strata_pl_validator(oid)',
      comment: 'plpgsql under another name',
    });
    expect(b.accessMethods?.new_heap).toEqual({
      name: 'new_heap',
      type: 'table',
      handler: 'pg_catalog.heap_tableam_handler(internal)',
      comment: 'heap, by another name',
    });
    const sentences = compare(a, b, { left: 'production', right: 'the models' })
      .filter((d) => ['language', 'access method'].includes(d.objectType))
      .map((d) => d.message);
    expect(sentences).toEqual([
      'language kept_pl is not trusted in production but trusted in the models',
      'language kept_pl has no inline handler in production but strata_pl_inline in the models',
      'language kept_pl has no validator in production but strata_pl_validator in the models',
      'language kept_pl has no comment in production but has one in the models',
      'production is missing the language new_pl that the models define',
      'production has an extra language old_pl that the models do not define',
      'access method kept_am has handler pg_catalog.bthandler in production but pg_catalog.hashhandler in the models',
      'production is missing the access method new_heap that the models define',
      'production has an extra access method old_am that the models do not define',
    ]);
    const up = renderSteps(plan(a, b).up);
    const down = renderSteps(plan(a, b).down);
    expect(at(up, 'DROP FUNCTION in_old_pl()')).toBeLessThan(at(up, 'DROP LANGUAGE old_pl'));
    expect(at(up, 'CREATE OR REPLACE FUNCTION public.strata_new_handler()')).toBeLessThan(
      at(up, 'CREATE LANGUAGE new_pl HANDLER strata_new_handler'),
    );
    expect(at(up, 'CREATE LANGUAGE new_pl')).toBeLessThan(at(up, 'CREATE OR REPLACE FUNCTION public.in_new_pl(n integer)'));
    expect(
      at(up, 'CREATE OR REPLACE TRUSTED LANGUAGE kept_pl HANDLER strata_pl_handler INLINE strata_pl_inline VALIDATOR strata_pl_validator'),
    ).toBeGreaterThan(0);
    expect(at(up, 'DROP ACCESS METHOD kept_am')).toBeLessThan(
      at(up, 'CREATE ACCESS METHOD kept_am TYPE INDEX HANDLER pg_catalog.hashhandler'),
    );
    expect(at(up, 'CREATE ACCESS METHOD new_heap TYPE TABLE HANDLER pg_catalog.heap_tableam_handler')).toBeGreaterThan(0);
    expect(at(down, 'DROP FUNCTION in_new_pl(n integer)')).toBeLessThan(at(down, 'DROP LANGUAGE new_pl'));
    expect(at(down, 'DROP LANGUAGE new_pl')).toBeLessThan(at(down, 'DROP FUNCTION strata_new_handler()'));
    expect(at(down, 'CREATE LANGUAGE old_pl')).toBeLessThan(at(down, 'CREATE OR REPLACE FUNCTION public.in_old_pl()'));
    // A table of a custom table access method: created after it, dropped before it.
    expect(b.tables['public.new_rows']?.accessMethod).toBe('new_heap');
    expect(a.tables['public.new_rows']).toBeUndefined();
    expect(at(up, 'CREATE ACCESS METHOD new_heap')).toBeLessThan(at(up, ') USING new_heap;'));
    expect(at(down, 'DROP TABLE new_rows')).toBeLessThan(at(down, 'DROP ACCESS METHOD new_heap'));
  });

  it('move a table to another table access method with SET ACCESS METHOD, before the old one is dropped', async () => {
    const am = 'CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;';
    const [a, b] = await introspectPair(`${am} CREATE TABLE t (id int) USING heap2;`, 'CREATE TABLE t (id int);', 'tam');
    expect(a.tables['public.t']?.accessMethod).toBe('heap2');
    expect(b.tables['public.t']).not.toHaveProperty('accessMethod');
    expect(compare(a, b, { left: 'production', right: 'the models' }).map((d) => d.message)).toEqual([
      'table t uses access method heap2 in production but heap in the models',
      'production has an extra access method heap2 that the models do not define',
    ]);
    const p = plan(a, b);
    expect(p.up.map((s) => s.sql)).toEqual(['ALTER TABLE t SET ACCESS METHOD heap', 'DROP ACCESS METHOD heap2']);
    expect(p.down.map((s) => s.sql)).toEqual([
      'CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER pg_catalog.heap_tableam_handler',
      'ALTER TABLE t SET ACCESS METHOD heap2',
    ]);
    // An access method to be created again while a table uses it: said in a hint (PostgreSQL would refuse the drop).
    const other = structuredClone(a);
    other.accessMethods!.heap2!.handler = 'public.my_tableam_handler(internal)';
    expect(plan(a, other).hints.map((h) => h.message)).toEqual([
      'access method heap2 is dropped and created again (its type or handler changes), but t uses it and PostgreSQL refuses the ' +
        'drop: first move what uses it to another access method (or drop it, and its operator classes), by hand',
    ]);
  });
});
