// The dry run on the repository's legacy estate: production built from
// legacy/production/recipe.json and the models from legacy/models/create_all.sql
// on real PostgreSQL, introspected by the auditor; every script must land in
// the class GROUND_TRUTH.json gives it, for the reasons it gives.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '@pg-strata/auditor';
import { useTestDatabase } from '@pg-strata/testkit';
import { conversionJson, convertEstate, renderConversionMarkdown, type ConversionPlan } from '../src/index.js';
import { effectSummary } from '../src/report.js';
import { estateSnapshots } from './estate-databases.js';

const legacyDir = fileURLToPath(new URL('../../../legacy/', import.meta.url));

interface ScriptTruth {
  path: string;
  class: string;
  reasons: string[];
  discovery: 'default' | 'explicit';
  effects: Record<string, unknown>[];
  guards?: { kind: string; negated: boolean; args: string[] }[];
  syntax_error?: { line: number; column: number; near: string };
  concurrent?: boolean;
}
const truth = JSON.parse(readFileSync(`${legacyDir}GROUND_TRUTH.json`, 'utf8')) as {
  scripts: ScriptTruth[];
  residual_drift_after_conversion: { items: { kind: string; table: string; column: string; owner: string }[] };
};
const explicit = truth.scripts.filter((s) => s.discovery === 'explicit').map((s) => s.path);

describe('convertEstate on the legacy estate (dry run)', () => {
  const productionDb = useTestDatabase('convert_production');
  const modelsDb = useTestDatabase('convert_models');
  let production: Snapshot;
  let models: Snapshot;
  let live: ConversionPlan;
  let offline: ConversionPlan;

  beforeAll(async () => {
    ({ production, models } = await estateSnapshots(productionDb().url, modelsDb().url));
    live = await convertEstate({ root: legacyDir, production, models, files: explicit, productionUrl: productionDb().url });
    offline = await convertEstate({ root: legacyDir, production, models, files: explicit });
  });

  it('plans every script of the ground truth, once', () => {
    expect(live.scripts.map((s) => s.path).sort()).toEqual(truth.scripts.map((s) => s.path).sort());
  });

  describe.each(truth.scripts.map((s) => [s.path, s] as const))('%s', (path, t) => {
    it(`is ${t.class} (${t.reasons.join(', ')})`, () => {
      const s = live.scripts.find((x) => x.path === path)!;
      expect({ class: s.class, reasons: s.reasons }, s.reason).toEqual({ class: t.class, reasons: t.reasons });
    });

    it('has the ground truth effects', () => {
      const s = live.scripts.find((x) => x.path === path)!;
      const mine = s.effects.map((j) => effectSummary(j.effect));
      // A script that does not parse has no effects the converter can know: it says so instead.
      if (t.syntax_error) {
        expect(mine).toEqual([]);
        return;
      }
      for (const e of t.effects) {
        if (e['kind'] === 'unknown') continue;
        const want = Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'columns' || e['kind'] !== 'insert_rows'));
        expect(mine, JSON.stringify(want)).toContainEqual(expect.objectContaining(want));
      }
    });
  });

  it('recognises the guards the ground truth lists (helpers, catalogue checks in DO blocks)', () => {
    for (const t of truth.scripts) {
      const s = live.scripts.find((x) => x.path === t.path)!;
      const found = s.statements.flatMap((st) =>
        st.guards
          .filter((g) => g.kind !== 'if_not_exists' && g.kind !== 'if_exists')
          .map((g) => ({ kind: g.kind, negated: g.negated, args: [...g.args] })),
      );
      expect(found, t.path).toEqual(t.guards ?? []);
    }
  });

  it('reports the syntax error at its line and column in the original file', () => {
    for (const t of truth.scripts.filter((x) => x.syntax_error)) {
      const s = live.scripts.find((x) => x.path === t.path)!;
      const p = s.problems.find((x) => x.kind === 'syntax_error')!;
      expect({ line: p.line, column: p.column, message: p.message }).toEqual({
        line: t.syntax_error!.line,
        column: t.syntax_error!.column,
        message: `syntax error at or near "${t.syntax_error!.near}"`,
      });
      expect(s.reason).toContain(`${t.path}:${t.syntax_error!.line}:${t.syntax_error!.column}: syntax error at or near "ADD"`);
    }
  });

  it('without a production connection, data fixes are data_fix "cannot tell" and archived; nothing else changes', () => {
    for (const s of offline.scripts) {
      const l = live.scripts.find((x) => x.path === s.path)!;
      if (l.class === 'data_fix') {
        expect({ class: s.class, reasons: s.reasons, action: s.target.action }).toEqual({
          class: 'data_fix',
          reasons: ['dml_unknown'],
          action: 'archive',
        });
        expect(s.reason).toContain('cannot tell whether it has run');
      } else {
        expect({ path: s.path, class: s.class, reasons: s.reasons }).toEqual({ path: l.path, class: l.class, reasons: l.reasons });
      }
    }
  });

  it('plans migrations for still-needed scripts and the data fix that has not run, archives the rest, leaves manual ones', () => {
    for (const s of live.scripts) {
      const want =
        s.class === 'manual_review'
          ? 'leave'
          : s.class === 'still_needed' || (s.class === 'data_fix' && s.dataFix?.hasRun === false)
            ? 'migration'
            : 'archive';
      expect(s.target.action, s.path).toBe(want);
      if (s.target.action !== 'leave') expect(s.target.archivedAs).toBe(`archived/${s.path}`);
    }
    const migrations = live.scripts.filter((s) => s.target.action === 'migration').map((s) => s.target.migration);
    expect(new Set(migrations).size).toBe(migrations.length);
    // The repository already holds migrations/0001..NNNN: the plan numbers after them.
    const repoMigrations = readdirSync(fileURLToPath(new URL('../../../migrations/', import.meta.url))).filter((f) =>
      /^\d{4}_.*\.(sql|ts)$/.test(f),
    );
    const last = Math.max(...repoMigrations.map((f) => Number(f.slice(0, 4))));
    const num = (file: string) => Number(/^migrations\/(\d{4})_/.exec(file)?.[1]);
    expect(live.baseline.file).toBe(`migrations/${String(last + 1).padStart(4, '0')}_baseline.sql`);
    for (const m of migrations) {
      expect(m).toMatch(/^migrations\/\d{4}_[a-z0-9_]+\.sql$/);
      expect(num(m!)).toBeGreaterThan(last + 1);
    }
  });

  it('orders numbered files numerically and says why', () => {
    const numbered = live.order.filter((o) => o.path.startsWith('backend/migrations/'));
    expect(numbered.map((o) => o.path)).toEqual([...numbered.map((o) => o.path)].sort());
    for (const o of numbered) expect(o.reason).toMatch(/numeric prefix \d+ among the files of backend\/migrations\//);
  });

  it('lists as manual drift the owner of every residual item of the ground truth', () => {
    const owners = new Set(live.manualItems.map((m) => m.path));
    for (const r of truth.residual_drift_after_conversion.items) expect(owners, `${r.table}.${r.column}`).toContain(r.owner);
    expect(live.manualItems).toContainEqual({
      path: 'backend/fix_cleanup_legacy_columns.py',
      description: 'drop column users.legacy_password_hash',
    });
    expect(live.manualItems).toContainEqual({
      path: 'backend/migrations/009_add_document_summary.sql',
      description: 'whatever it meant to change: its SQL cannot be read (syntax error at line 4)',
    });
    // and every manual item belongs to a manual-review script
    const manualPaths = new Set(live.scripts.filter((s) => s.class === 'manual_review').map((s) => s.path));
    for (const m of live.manualItems) expect(manualPaths.has(m.path), m.path).toBe(true);
  });

  it('renders CONVERSION.md with manual review first and conversion.json with one row per script', () => {
    const md = renderConversionMarkdown(live);
    const firstRow = md.split('\n').find((l) => l.startsWith('| `'))!;
    expect(firstRow).toContain('| manual_review |');
    expect(md).toContain('## Needs a person');
    const json = JSON.parse(conversionJson(live)) as { scripts: { path: string; class: string }[] };
    expect(json.scripts.length).toBe(truth.scripts.length);
    expect(json.scripts[0]!.class).toBe('manual_review');
    const lastManual = json.scripts.map((s) => s.class).lastIndexOf('manual_review');
    expect(json.scripts.slice(0, lastManual + 1).every((s) => s.class === 'manual_review')).toBe(true);
  });
});
