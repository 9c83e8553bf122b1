// --write and --verify on a temporary copy of the legacy estate, against real
// PostgreSQL: the baseline reproduces production, baseline + migrations the
// models except the manual-review items, nothing under legacy/ is lost, and a
// second run changes nothing.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '@pg-strata/auditor';
import { lintMigrations } from '@pg-strata/lint';
import { testServerUrl, useTestDatabase } from '@pg-strata/testkit';
import { convertEstate, renderVerify, verifyConversion, writeConversion, type ConversionPlan, type WriteResult } from '../src/index.js';
import { estateSnapshots } from './estate-databases.js';

const legacyDir = fileURLToPath(new URL('../../../legacy/', import.meta.url));
const explicit = ['backend/main.py'];

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (n === '.git') continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('writeConversion + verifyConversion on a copy of the legacy estate', () => {
  const productionDb = useTestDatabase('write_production');
  const modelsDb = useTestDatabase('write_models');
  let production: Snapshot;
  let models: Snapshot;
  let work: string;
  let root: string;
  let before: Map<string, Buffer>;
  let plan: ConversionPlan;
  let written: WriteResult;

  beforeAll(async () => {
    ({ production, models } = await estateSnapshots(productionDb().url, modelsDb().url));
    work = mkdtempSync(join(tmpdir(), 'strata-convert-'));
    root = join(work, 'legacy');
    cpSync(legacyDir, root, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'legacy');
    before = tree(root);
    plan = await convertEstate({ root, production, models, files: explicit, productionUrl: productionDb().url });
    written = await writeConversion(plan, { production });
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the baseline first, then one migration per converted script, chained', () => {
    const files = readdirSync(join(work, 'migrations')).sort();
    expect(files[0]).toBe('0001_baseline.sql');
    expect(files.length).toBe(
      1 + plan.scripts.filter((s) => s.target.action === 'migration').reduce((n, s) => n + (s.target.indexMigration ? 2 : 1), 0),
    );
    let parent = 'none';
    for (const m of written.migrations) {
      const text = readFileSync(m.file, 'utf8');
      expect(text).toMatch(new RegExp(`^-- revision: ${m.revision}\\n-- parents: ${parent}\\n`));
      expect(text).toContain('-- migrate:up\n');
      expect(text).toContain('-- migrate:down\n');
      parent = m.revision;
    }
    const baseline = readFileSync(join(work, 'migrations/0001_baseline.sql'), 'utf8');
    expect(baseline).not.toContain('CREATE SCHEMA public');
    expect(baseline).not.toContain('USING btree');
    expect(baseline).toContain('CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at DESC);');
  });

  it('a migration carries only what production lacks, without the redundant guard; CONCURRENTLY runs outside a transaction', () => {
    const of = (path: string) => readFileSync(written.migrations.find((m) => m.source === path)!.file, 'utf8');
    const updatedAt = of('backend/fix_updated_at_columns.py');
    expect(updatedAt).toContain('-- message: add prompt_templates.updated_at\n');
    // The author's text, minus the IF NOT EXISTS the baseline made redundant.
    expect(updatedAt).toMatch(/\nALTER TABLE prompt_templates ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now\(\);\n/);
    expect(updatedAt).not.toContain('documents ADD');
    expect(updatedAt).not.toContain('IF NOT EXISTS');
    expect(updatedAt).toContain('\n-- migrate:down\nALTER TABLE prompt_templates DROP COLUMN updated_at;\n');
    const concurrent = of('backend/migrations/008_documents_title_index.sql');
    expect(concurrent).toContain('-- transactional: false\n');
    expect(concurrent).toContain('DROP INDEX CONCURRENTLY idx_documents_title_lower;');
    const rename = of('backend/migrations/005_rename_message_metadata.sql');
    expect(rename).toContain('\nALTER TABLE messages RENAME COLUMN metadata TO message_metadata;\n');
    expect(rename).toContain('\n-- migrate:down\nALTER TABLE messages RENAME COLUMN message_metadata TO metadata;\n');
    const locations = of('backend/migrations/007_create_locations.sql');
    expect(locations).toContain('-- message: create locations\n');
    expect(locations).toContain('\nCREATE TABLE locations (\n    id SERIAL PRIMARY KEY,\n');
    expect(locations).toContain('\n-- migrate:down\nDROP TABLE locations;\n');
    expect(of('backend/migrations/008_documents_title_index.sql')).toContain(
      '\nCREATE INDEX CONCURRENTLY idx_documents_title_lower ON documents (lower(title));\n',
    );
    const backfill = of('backend/fix_backfill_processing_status.py');
    expect(backfill).toContain('LIMIT 500');
    expect(backfill).toContain('EXIT WHEN changed = 0;');
  });

  it("passes up's own lint: no error-level finding in what it wrote (issue 18, point 14)", async () => {
    const findings = await lintMigrations(join(work, 'migrations'));
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('nothing is lost: every file is still there or under archived/, byte-identical; manual-review scripts stay', () => {
    const after = tree(root);
    for (const [path, bytes] of before) {
      const kept = after.get(path);
      const archived = after.get(join('archived', path));
      expect(kept !== undefined || archived !== undefined, path).toBe(true);
      expect((kept ?? archived)!.equals(bytes), path).toBe(true);
    }
    for (const s of plan.scripts.filter((x) => x.class === 'manual_review')) expect(existsSync(join(root, s.path)), s.path).toBe(true);
    for (const a of written.archived) expect(existsSync(join(root, a.from)), a.from).toBe(false);
    expect(written.archived.every((a) => a.git)).toBe(true);
    expect(existsSync(join(root, 'CONVERSION.md'))).toBe(true);
    expect(existsSync(join(root, 'conversion.json'))).toBe(true);
  });

  it('a second run changes nothing', async () => {
    const snapshotBefore = tree(work);
    const again = await convertEstate({ root, production, models, files: explicit, productionUrl: productionDb().url });
    const r = await writeConversion(again, { production });
    expect(r.unchanged).toBe(true);
    const snapshotAfter = tree(work);
    expect([...snapshotAfter.keys()].sort()).toEqual([...snapshotBefore.keys()].sort());
    for (const [k, v] of snapshotBefore) expect(snapshotAfter.get(k)!.equals(v), k).toBe(true);
  });

  it('refuses to write into a folder that already holds migrations', async () => {
    const other = mkdtempSync(join(tmpdir(), 'strata-convert-refuse-'));
    try {
      cpSync(legacyDir, join(other, 'legacy'), { recursive: true });
      mkdirSync(join(other, 'migrations'));
      cpSync(join(work, 'migrations/0001_baseline.sql'), join(other, 'migrations/0001_baseline.sql'));
      const p = await convertEstate({ root: join(other, 'legacy'), production, models, files: explicit });
      await expect(writeConversion(p, { production })).rejects.toMatchObject({ code: 'CONVERT_REFUSED' });
      expect(existsSync(join(other, 'legacy/backend/fix_users_last_login.py'))).toBe(true);
      // --force: the converted scripts follow the folder's head; no second baseline (no second root).
      const forced = await writeConversion(p, { production, force: true });
      expect(forced.migrations.some((m) => m.source === null)).toBe(false);
      const head = written.migrations[0]!.revision;
      expect(readFileSync(forced.migrations[0]!.file, 'utf8')).toContain(`-- parents: ${head}\n`);
      expect(readdirSync(join(other, 'migrations')).filter((f) => f.endsWith('_baseline.sql'))).toEqual(['0001_baseline.sql']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('verify: the baseline reproduces production exactly; with the migrations, the models except manual-review items', async () => {
    const v = await verifyConversion(plan, written, { production, models, shadowUrl: testServerUrl() });
    // The baseline reproduces production exactly (messages_role_check included: the auditor keeps
    // PostgreSQL's round-trip form of `role IN (...)` on varchar, see expression-canon.ts).
    expect(v.rows[0]!.differences, renderVerify(v)).toEqual([]);
    const unexplained = v.rows[1]!.differences.filter((d) => d.owner === undefined);
    expect(unexplained, renderVerify(v)).toEqual([]);
    const owners = new Set(v.rows[1]!.differences.flatMap((d) => (d.owner ? [d.owner.split(' ')[0]] : [])));
    expect([...owners].sort()).toEqual(['backend/fix_cleanup_legacy_columns.py', 'backend/migrations/009_add_document_summary.sql']);
  });
});
