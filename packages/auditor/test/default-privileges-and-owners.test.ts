import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { loadParser } from '@pg-strata/sql';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, introspect, plan, renderSteps, type Snapshot } from '../src/index.js';
import { parsedCalls } from '../src/plan/function-calls.js';
import { applySteps, introspectPair, roundTrip, runSql } from './helpers.js';

// Default privileges (--privileges), owners (--owners) and the order of LANGUAGE sql functions: fixtures 140-142
// (round-tripped by round-trip.test.ts), here the sentences and the order of the statements.
const fixture = (name: string, side: 'a' | 'b') => readFileSync(new URL(`./fixtures/${name}.${side}.sql`, import.meta.url), 'utf8');
const statements = (steps: { sql: string }[]) => steps.map((s) => s.sql.split('\n')[0]!);

async function currentUser(): Promise<string> {
  const db = await createTestDatabase('dpo');
  try {
    return await withConnection({ url: db.url }, async (c) => (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u);
  } finally {
    await db.drop();
  }
}

/** The Snapshots, owners read, of two fresh databases built from `a` and `b`. */
async function withOwners(a: string, b: string): Promise<[Snapshot, Snapshot]> {
  const out: Snapshot[] = [];
  for (const sql of [a, b]) {
    const db = await createTestDatabase('dpo');
    try {
      await runSql(db.url, sql);
      out.push(await introspect(db.url, { owners: true }));
    } finally {
      await db.drop();
    }
  }
  return [out[0]!, out[1]!];
}

describe('default privileges', () => {
  it('are read where they differ from the built-in ones, compared with --privileges naming role, schema and kind', async () => {
    const me = await currentUser();
    const [a, b] = await introspectPair(fixture('140-default-privileges', 'a'), fixture('140-default-privileges', 'b'), 'dpo');
    expect(a.defaultPrivileges?.[`functions:${me}::public`]).toEqual({
      role: me,
      schema: null,
      objectType: 'functions',
      grantee: 'public',
      privileges: [],
      grantable: [],
      builtin: ['EXECUTE'],
    });
    // The owner's own entry of a default for the whole database is the built-in one: not listed.
    expect(Object.keys(a.defaultPrivileges ?? {}).filter((k) => k.startsWith(`functions:${me}::`))).toHaveLength(1);
    expect(a.unhandled).toBeUndefined();
    expect(compare(a, b)).toEqual(compare(a, b).filter((d) => d.objectType !== 'default privileges'));
    const sentences = compare(a, b, { left: 'production', right: 'the models', privileges: true })
      .filter((d) => d.objectType === 'default privileges')
      .map((d) => d.message);
    // Those in a schema one side lacks (reports, old) are part of that schema's difference.
    expect(sentences).toEqual([
      `default privileges for role ${me} on FUNCTIONS grant nothing to PUBLIC in production but EXECUTE in the models`,
      `default privileges for role ${me} on SCHEMAS grant nothing to pg_monitor in production but USAGE in the models`,
      'default privileges for role pg_monitor on SEQUENCES grant USAGE to pg_read_all_stats in production but nothing in the models',
      `default privileges for role ${me} in schema app on TABLES grant SELECT to pg_read_all_stats in production but INSERT (with ` +
        'grant option), SELECT in the models',
      `default privileges for role ${me} on TYPES grant USAGE to PUBLIC in production but nothing in the models`,
    ]);
    const up = statements(plan(a, b, { privileges: true }).up);
    // After the schema they are in is created; none for the schema that goes (they go with it).
    expect(up.indexOf('CREATE SCHEMA reports')).toBeLessThan(
      up.indexOf('ALTER DEFAULT PRIVILEGES FOR ROLE pg_monitor IN SCHEMA reports GRANT SELECT, UPDATE ON TABLES TO PUBLIC'),
    );
    expect(up.filter((s) => s.includes('IN SCHEMA old'))).toEqual([]);
    expect(up).toContain(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${me} IN SCHEMA app GRANT INSERT ON TABLES TO pg_read_all_stats WITH GRANT OPTION`,
    );
    expect(up).toContain(`ALTER DEFAULT PRIVILEGES FOR ROLE ${me} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`);
    expect(up).toContain(`ALTER DEFAULT PRIVILEGES FOR ROLE ${me} REVOKE USAGE ON TYPES FROM PUBLIC`);
    expect(renderSteps(plan(a, b).up)).not.toContain('DEFAULT PRIVILEGES');
  });

  it('that would act on objects the plan creates are set back to the built-in ones first, and set again at the end', async () => {
    const me = await currentUser();
    const a = `ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
      ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO pg_monitor;`;
    // b made its objects under the same defaults, then changed the table's default.
    const b = `ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
      ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO pg_monitor;
      CREATE FUNCTION locked() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TABLE seen (id int);
      ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO pg_monitor;`;
    const [sa, sb] = await introspectPair(a, b, 'dpo');
    const up = statements(plan(sa, sb, { privileges: true }).up);
    expect(up).toEqual([
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${me} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${me} REVOKE SELECT ON TABLES FROM pg_monitor`,
      'SET check_function_bodies = off',
      'CREATE OR REPLACE FUNCTION public.locked()',
      'CREATE TABLE seen (',
      'REVOKE EXECUTE ON FUNCTION locked() FROM PUBLIC',
      'GRANT SELECT ON TABLE seen TO pg_monitor',
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${me} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${me} GRANT INSERT, SELECT ON TABLES TO pg_monitor`,
    ]);
    await roundTrip(a, b, () => createTestDatabase('dpo'), { privileges: true });
  });
});

describe('owners', () => {
  it('are read only when asked for, compared with --owners, and planned after what the plan creates', async () => {
    const [a0] = await introspectPair(fixture('141-owners', 'a'), 'SELECT 1', 'dpo');
    expect(a0.owners).toBeUndefined();
    const [a, b] = await withOwners(fixture('141-owners', 'a'), fixture('141-owners', 'b'));
    expect(a.owners?.['table:app.accounts']).toEqual({ objectType: 'table', object: 'app.accounts', owner: 'pg_monitor' });
    // A serial's sequence follows its table.
    expect(a.owners?.['sequence:app.accounts_id_seq']).toBeUndefined();
    expect(compare(a, b).filter((d) => d.objectType === 'owner')).toEqual([]);
    const sentences = compare(a, b, { left: 'production', right: 'the models', owners: true })
      .filter((d) => d.objectType === 'owner')
      .map((d) => d.message);
    expect(sentences).toEqual([
      'domain app.positive is owned by pg_monitor in production but pg_read_all_stats in the models',
      'function app.answer() is owned by pg_monitor in production but pg_read_all_stats in the models',
      'schema app is owned by pg_monitor in production but pg_read_all_stats in the models',
      'sequence app.tickets is owned by pg_monitor in production but pg_read_all_stats in the models',
      'table app.accounts is owned by pg_monitor in production but pg_read_all_stats in the models',
      'type app.mood is owned by pg_monitor in production but pg_read_all_stats in the models',
      'view app.names is owned by pg_monitor in production but pg_read_all_stats in the models',
    ]);
    const up = statements(plan(a, b, { owners: true }).up);
    expect(up.indexOf('CREATE TABLE app.audit (')).toBeLessThan(up.indexOf('ALTER TABLE app.audit OWNER TO pg_monitor'));
    expect(up.indexOf('CREATE AGGREGATE app.total(integer) (')).toBeLessThan(
      up.indexOf('ALTER AGGREGATE app.total(integer) OWNER TO pg_monitor'),
    );
    expect(up).toContain('ALTER SEQUENCE app.tickets OWNER TO pg_read_all_stats');
    expect(up.filter((s) => s.includes('accounts_id_seq'))).toEqual([]);
    // Same owner on both sides, but created again (a collation's locale has no ALTER): given back to its owner.
    expect(up.indexOf("CREATE COLLATION app.sorting (provider = libc, locale = 'POSIX')")).toBeGreaterThanOrEqual(0);
    expect(up.indexOf("CREATE COLLATION app.sorting (provider = libc, locale = 'POSIX')")).toBeLessThan(
      up.indexOf('ALTER COLLATION app.sorting OWNER TO pg_monitor'),
    );
    expect(renderSteps(plan(a, b).up)).not.toContain('OWNER TO');
    // Down: the dropped materialized view is created again and given back to its owner.
    const down = statements(plan(a, b, { owners: true }).down);
    expect(down.indexOf('CREATE MATERIALIZED VIEW app.totals AS')).toBeLessThan(
      down.indexOf('ALTER MATERIALIZED VIEW app.totals OWNER TO pg_read_all_stats'),
    );
  });
});

describe('LANGUAGE sql functions with string bodies', () => {
  it('are created after the functions they call, and the plan applies with check_function_bodies on', async () => {
    const [a, b] = await introspectPair(
      fixture('142-sql-function-calls-a-later-name', 'a'),
      fixture('142-sql-function-calls-a-later-name', 'b'),
      'dpo',
    );
    const p = plan(a, b);
    const up = statements(p.up);
    expect(up.indexOf('CREATE OR REPLACE FUNCTION public.z_base(i integer)')).toBeLessThan(
      up.indexOf('CREATE OR REPLACE FUNCTION public.a_total(i integer)'),
    );
    expect(up.indexOf('CREATE OR REPLACE FUNCTION public.z_base(i integer)')).toBeLessThan(
      up.indexOf('CREATE OR REPLACE FUNCTION public.b_twice(i integer)'),
    );
    // Without the plan's SET check_function_bodies = off, as a tool that runs the statements one by one might.
    const db = await createTestDatabase('dpo');
    try {
      await runSql(db.url, fixture('142-sql-function-calls-a-later-name', 'a'));
      await applySteps(
        db.url,
        p.up.filter((s) => !s.sql.startsWith('SET check_function_bodies')),
      );
      const after = await introspect(db.url);
      expect(compare(after, b)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('are read with the SQL parser: names in strings and comments are not calls; a body it cannot read falls back', async () => {
    await loadParser();
    const [, b] = await introspectPair('SELECT 1', fixture('142-sql-function-calls-a-later-name', 'b'), 'dpo');
    expect(parsedCalls("SELECT 'z_base(1)' -- z_base(2)\n", b)).toEqual([]);
    expect(parsedCalls('SELECT public.z_base(1) + other.z_base(2)', b)).toEqual(['public.z_base(i integer)']);
    expect(parsedCalls('SELEC z_base(1)', b)).toBeUndefined();
  });
});

describe('base types', () => {
  it('are listed as not handled (their array type is not), instead of being left out without a word', async () => {
    const [a, b] = await introspectPair(
      'SELECT 1',
      `CREATE TYPE label;
       CREATE FUNCTION label_in(cstring) RETURNS label LANGUAGE internal IMMUTABLE STRICT AS 'textin';
       CREATE FUNCTION label_out(label) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
       CREATE TYPE label (INPUT = label_in, OUTPUT = label_out, LIKE = text);`,
      'dpo',
    );
    expect(b.unhandled).toEqual({ 'base type:public.label': { kind: 'base type', name: 'public.label' } });
    const errors = compare(a, b).filter((d) => d.objectType === 'not handled' && d.severity === 'error');
    expect(errors.map((d) => d.name)).toEqual(['base type public.label']);
  });
});
