import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import { createScratchDatabase, startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { compare, introspect, plan, renderSteps, type Snapshot } from '../src/index.js';
import { introspectPair, roundTrip, runSql } from './helpers.js';

// Roles are cluster-global: this file makes its own, named for it and for
// this process, and drops them when it is done (the databases that held
// their grants are gone by then).
const suffix = `${process.pid}`;
const reader = `strata_priv_reader_${suffix}`;
const writer = `strata_priv_writer_${suffix}`;
const roles = [reader, writer];
const PG15 = '/usr/lib/postgresql/15/bin';

// The objects of the first pair, the same on both sides: only their grants differ.
const appObjects = `
      CREATE SCHEMA app;
      CREATE TABLE app.accounts (id int PRIMARY KEY, name text);
      CREATE SEQUENCE app.ticket_seq;
      CREATE VIEW app.account_names AS SELECT name FROM app.accounts;
      CREATE FUNCTION app.secret() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;
      CREATE PROCEDURE app.tidy() LANGUAGE sql AS $$ SELECT 1 $$;`;

const pairs: { name: string; a: string; b: string }[] = [
  {
    name: 'grants and revokes on schemas, tables, views, sequences and functions',
    a: `${appObjects}
      GRANT USAGE ON SCHEMA app TO ${reader};
      GRANT SELECT ON app.accounts TO ${reader};
      GRANT SELECT, INSERT, UPDATE ON app.accounts TO ${writer} WITH GRANT OPTION;`,
    b: `${appObjects}
      GRANT USAGE, CREATE ON SCHEMA app TO ${writer};
      GRANT SELECT, REFERENCES ON app.accounts TO ${reader};
      GRANT SELECT, INSERT ON app.accounts TO ${writer};
      GRANT UPDATE ON app.accounts TO ${writer} WITH GRANT OPTION;
      GRANT SELECT ON app.account_names TO PUBLIC;
      GRANT USAGE, SELECT ON SEQUENCE app.ticket_seq TO ${writer};
      REVOKE EXECUTE ON FUNCTION app.secret() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION app.secret() TO ${reader};
      REVOKE EXECUTE ON PROCEDURE app.tidy() FROM PUBLIC;
      REVOKE USAGE ON SCHEMA public FROM PUBLIC;`,
  },
  {
    name: 'objects the plan creates or builds again start from the default privileges',
    a: `
      CREATE TABLE events (id int, at date NOT NULL);
      CREATE VIEW recent AS SELECT id, at FROM events;
      CREATE FUNCTION total() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
      GRANT SELECT ON events TO ${reader};
      GRANT SELECT ON recent TO ${reader};
      REVOKE EXECUTE ON FUNCTION total() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION total() TO ${writer};`,
    b: `
      CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
      CREATE VIEW recent AS SELECT id, at FROM events;
      CREATE FUNCTION total() RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
      CREATE FUNCTION fresh_locked() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;
      CREATE TABLE audit (id int);
      GRANT SELECT ON events TO ${reader};
      GRANT SELECT, DELETE ON recent TO ${reader};
      REVOKE EXECUTE ON FUNCTION total() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION total() TO ${writer};
      REVOKE EXECUTE ON FUNCTION fresh_locked() FROM PUBLIC;
      GRANT INSERT ON audit TO ${writer};`,
  },
  {
    name: 'grants on aggregates, one without arguments among them, kept when the aggregate is created again',
    a: `
      CREATE FUNCTION bump(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + 1 $$;
      CREATE AGGREGATE tally(*) (SFUNC = bump, STYPE = bigint, INITCOND = '0');
      GRANT EXECUTE ON FUNCTION tally() TO ${reader};`,
    b: `
      CREATE FUNCTION bump(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + 1 $$;
      CREATE FUNCTION as_text(bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text $$;
      CREATE AGGREGATE tally(*) (SFUNC = bump, STYPE = bigint, FINALFUNC = as_text, INITCOND = '0');
      CREATE AGGREGATE tally_of(int) (SFUNC = int8inc_any, STYPE = bigint, INITCOND = '0');
      REVOKE EXECUTE ON FUNCTION tally() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION tally() TO ${reader};
      REVOKE EXECUTE ON FUNCTION tally_of(int) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION tally_of(int) TO ${writer};`,
  },
];

async function createRoles(url: string): Promise<void> {
  await runSql(url, roles.map((r) => `DROP ROLE IF EXISTS ${r}; CREATE ROLE ${r};`).join('\n'));
}

async function dropRoles(url: string): Promise<void> {
  await runSql(url, roles.map((r) => `DROP ROLE IF EXISTS ${r};`).join('\n'));
}

describe('privileges', () => {
  beforeAll(async () => {
    await createRoles(testServerUrl());
  });
  afterAll(async () => {
    await dropRoles(testServerUrl());
  });

  for (const pair of pairs) {
    it(`round trip: ${pair.name}`, async () => {
      await roundTrip(pair.a, pair.b, () => createTestDatabase('priv'), { privileges: true });
    });
  }

  describe('between the two sides of the first pair', () => {
    let sa: Snapshot;
    let sb: Snapshot;
    beforeAll(async () => {
      [sa, sb] = await introspectPair(pairs[0]!.a, pairs[0]!.b, 'priv');
    });

    it('are compared with a sentence naming the role, the object and both sides', () => {
      const drift = compare(sa, sb, { left: 'production', right: 'the models', privileges: true });
      const messages = drift.filter((d) => d.objectType === 'privilege').map((d) => d.message);
      expect(messages).toContain(`${reader} holds SELECT on table app.accounts in production but REFERENCES, SELECT in the models`);
      expect(messages).toContain(`PUBLIC holds EXECUTE on function app.secret() in production but nothing in the models`);
      expect(messages).toContain(
        `${writer} holds INSERT (with grant option), SELECT (with grant option), UPDATE (with grant ` +
          `option) on table app.accounts in production but INSERT, SELECT, UPDATE (with grant option) in ` +
          `the models`,
      );
      expect(drift.every((d) => d.objectType === 'privilege' && d.severity === 'warning')).toBe(true);
    });

    it('are left out of compare and plan unless asked for (production grants to roles the models do not describe)', () => {
      expect(Object.keys(sa.privileges).length).toBeGreaterThan(0);
      expect(compare(sa, sb)).toEqual([]);
      expect(renderSteps(plan(sa, sb).up)).not.toMatch(/\b(GRANT|REVOKE)\b/);
      expect(compare(sa, sb, { privileges: true }).length).toBeGreaterThan(0);
    });

    it('a plan writes GRANT and REVOKE, quoting role names', () => {
      const up = renderSteps(plan(sa, sb, { privileges: true }).up);
      expect(up).toContain(`REVOKE EXECUTE ON FUNCTION app.secret() FROM PUBLIC;`);
      expect(up).toContain(`REVOKE EXECUTE ON PROCEDURE app.tidy() FROM PUBLIC;`);
      expect(up).toContain(`REVOKE GRANT OPTION FOR INSERT, SELECT ON TABLE app.accounts FROM ${writer};`);
      expect(up).toContain(`GRANT SELECT, USAGE ON SEQUENCE app.ticket_seq TO ${writer};`);
      expect(up).toContain(`REVOKE USAGE ON SCHEMA public FROM PUBLIC;`);
    });
  });
});

describe('privileges on PostgreSQL 15', () => {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    if (!existsSync(`${PG15}/postgres`))
      throw new Error(`PostgreSQL 15 is not installed in ${PG15}: run \`apt-get update && apt-get install -y postgresql-15\`.`);
    server = await startLocalServer({ binDir: PG15 });
    await createRoles(server.url);
  });
  afterAll(async () => {
    if (server) await dropRoles(server.url);
    await server?.stop();
  });
  for (const pair of pairs) {
    it(`round trip: ${pair.name}`, async () => {
      await roundTrip(pair.a, pair.b, () => createScratchDatabase(server!.url, { prefix: 'priv15' }), { privileges: true });
    });
  }
});
