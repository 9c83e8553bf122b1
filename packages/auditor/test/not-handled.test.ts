import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { compare, introspect, plan } from '../src/index.js';
import { runSql } from './helpers.js';

// Nothing is skipped silently: objects of kinds the auditor does not compare
// or create are listed by kind and name, as errors where one side lacks them.
// Every other kind of the list round-trips (their own tests); what is
// left is what the issue allows to be reported: subscriptions (and security
// labels, which need a label provider module this server does not load), and
// grants on single columns, listed only when privileges are compared.
const KINDS = `
CREATE TABLE t (a int, b int);
GRANT SELECT (a), UPDATE (b) ON t TO PUBLIC;
CREATE PUBLICATION nh_pub;
CREATE SUBSCRIPTION nh_sub CONNECTION 'dbname=nowhere' PUBLICATION nh_pub WITH (connect = false, slot_name = NONE);
`;

describe('objects of kinds Strata does not handle', () => {
  it('are listed by kind and name: errors on one side only, warnings on both, never silently skipped', async () => {
    const emptyDb = await createTestDatabase('nh');
    const fullDb = await createTestDatabase('nh');
    try {
      await runSql(emptyDb.url, 'CREATE TABLE t (a int, b int);');
      await runSql(fullDb.url, KINDS);
      const empty = await introspect(emptyDb.url);
      const full = await introspect(fullDb.url);
      expect(Object.keys(full.unhandled ?? {}).sort()).toEqual([
        'column privilege:public.t(a)',
        'column privilege:public.t(b)',
        'subscription:nh_sub',
      ]);
      // Column grants are privileges: listed (as errors where one side lacks them) only when privileges are compared.
      const withPrivileges = compare(empty, full, { privileges: true }).filter((d) => d.objectType === 'not handled');
      expect(withPrivileges.map((d) => d.name)).toEqual([
        'column privilege public.t(a)',
        'column privilege public.t(b)',
        'subscription nh_sub',
      ]);
      expect(withPrivileges[0]?.severity).toBe('error');
      const drift = compare(empty, full, { left: 'the database', right: 'the models' }).filter((d) => d.objectType === 'not handled');
      expect(drift.map((d) => [d.kind, d.severity])).toEqual([['missing', 'error']]);
      expect(drift.map((d) => d.message)).toEqual([
        'not handled: subscription nh_sub (only in the models): Strata does not compare ' +
          'or create subscriptions yet; check it by hand and write it in a migration',
      ]);
      // The connection string of the subscription is never part of what is listed.
      expect(JSON.stringify(full)).not.toContain('nowhere');
      // On both sides: listed as not compared; left out where two built sides are checked for equality.
      const both = compare(full, full).filter((d) => d.objectType === 'not handled');
      expect(both.map((d) => [d.kind, d.severity])).toEqual([['different', 'warning']]);
      expect(compare(full, full, { uncompared: false })).toEqual([]);
      // The plan writes no SQL for it (the CLI prints it first and exits 1).
      expect(
        plan(empty, full)
          .up.map((s) => s.sql)
          .join('\n'),
      ).not.toMatch(/SUBSCRIPTION/);
    } finally {
      // PostgreSQL refuses to drop a database that still has a subscription.
      await runSql(fullDb.url, 'DROP SUBSCRIPTION IF EXISTS nh_sub;').catch(() => {});
      await emptyDb.drop();
      await fullDb.drop();
    }
  });
});
