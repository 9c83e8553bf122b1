import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plan } from '../src/index.js';
import { fixturesDir, introspectPair } from './helpers.js';

// What the round trip of fixtures 105-107 cannot see: how the plan gets there.
const fixture = (name: string) =>
  [readFileSync(`${fixturesDir}${name}.a.sql`, 'utf8'), readFileSync(`${fixturesDir}${name}.b.sql`, 'utf8')] as const;

describe('plans found by the peers suites', () => {
  it('renames constraints and indexes that keep their definition, and rebuilds those that do not', async () => {
    const [a, b] = await introspectPair(...fixture('107-renamed-constraints-and-indexes'), 'renames');
    const up = plan(a, b).up.map((s) => s.sql);
    expect(up).toEqual(
      expect.arrayContaining([
        'ALTER TABLE accounts RENAME CONSTRAINT accounts_email_check TO email_not_empty',
        'ALTER TABLE accounts RENAME CONSTRAINT accounts_pkey TO accounts_pk',
        'ALTER TABLE orders RENAME CONSTRAINT orders_account_fk TO orders_account_id_fkey',
        'ALTER INDEX accounts_email_idx RENAME TO accounts_lower_email_key',
        'ALTER INDEX orders_account_idx RENAME TO orders_account_id_idx',
        'DROP INDEX orders_id_idx',
        'CREATE INDEX orders_id_desc_idx ON orders (id DESC)',
      ]),
    );
    expect(up).toHaveLength(7);
  });

  it('creates a function after the functions its body calls and drops it before them', async () => {
    const [a, b] = await introspectPair(...fixture('105-functions-call-functions'), 'calls');
    const p = plan(a, b);
    const at = (steps: { sql: string }[], text: string) => steps.findIndex((s) => s.sql.includes(text));
    expect(at(p.up, 'FUNCTION s1.mul(')).toBeLessThan(at(p.up, 'FUNCTION public.a_total('));
    expect(at(p.up, 'CREATE OR REPLACE FUNCTION public.uses_increment(')).toBeLessThan(at(p.up, 'DROP FUNCTION "increment func"'));
    expect(at(p.up, 'FUNCTION s1.mul(')).toBeLessThan(at(p.up, 'ADD CONSTRAINT positive'));
    expect(at(p.down, 'DROP FUNCTION a_total(')).toBeLessThan(at(p.down, 'DROP FUNCTION s1.mul('));
  });
});
