// A statement production already has in part: `ADD COLUMN IF NOT EXISTS a, ADD
// COLUMN IF NOT EXISTS b` where production has a (with another type, so only
// a note). Its migration keeps the guards (without them it fails on the
// baseline, which is production) and its down drops only what it added.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withConnection } from '@pg-strata/core';
import { introspect } from '@pg-strata/auditor';
import { upgrade } from '@pg-strata/runner';
import { useTestDatabase } from '@pg-strata/testkit';
import { convertEstate, writeConversion } from '../src/index.js';

const productionDb = useTestDatabase('partly_production');
const emptyDb = useTestDatabase('partly_empty');
const work = mkdtempSync(join(tmpdir(), 'strata-partly-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a statement production has in part', () => {
  it('keeps its guards in the migration, which applies to the baseline; the down drops only the new column', async () => {
    const url = productionDb().url;
    await withConnection({ url }, (c) => c.query('CREATE TABLE sessions (id int PRIMARY KEY, user_id text)'));
    const production = await introspect(url);
    const root = join(work, 'legacy');
    mkdirSync(root);
    writeFileSync(
      join(root, 'fix_sessions.sql'),
      'ALTER TABLE sessions\nADD COLUMN IF NOT EXISTS user_id INTEGER,\nADD COLUMN IF NOT EXISTS updated_at TIMESTAMP DEFAULT NOW();\n',
    );
    const plan = await convertEstate({ root, production, outDir: join(work, 'migrations') });
    expect(plan.scripts.map((s) => [s.path, s.class])).toEqual([['fix_sessions.sql', 'still_needed']]);
    const written = await writeConversion(plan, { production });
    const text = readFileSync(written.migrations.find((m) => m.source === 'fix_sessions.sql')!.file, 'utf8');
    expect(text).toContain('ADD COLUMN IF NOT EXISTS user_id INTEGER');
    expect(text.slice(text.indexOf('-- migrate:down'))).toBe('-- migrate:down\nALTER TABLE sessions DROP COLUMN updated_at;\n');
    // Baseline + migration on an empty database: the migration applies after the baseline.
    const r = await upgrade({ url: emptyDb().url, migrationsDir: join(work, 'migrations'), schema: 'strata_partly' });
    expect(r.error?.message).toBeUndefined();
    expect(r.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
  });
});
