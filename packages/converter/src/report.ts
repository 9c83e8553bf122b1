import { SCRIPT_CLASSES, type ScriptClass } from './classify.js';
import type { Effect } from './effect-types.js';
import type { ConversionPlan, ScriptPlan } from './conversion-plan.js';

const CLASS_ORDER: readonly ScriptClass[] = SCRIPT_CLASSES;

/** Scripts with manual review first, then still needed, data fixes, obsolete; run order within a class. */
export function reportOrder(plan: ConversionPlan): ScriptPlan[] {
  return [...plan.scripts].sort(
    (a, b) => CLASS_ORDER.indexOf(a.class) - CLASS_ORDER.indexOf(b.class) || a.order.position - b.order.position,
  );
}

/** An effect in the ground-truth vocabulary (`add_column`, `create_index`...), without internal fields. */
export function effectSummary(e: Effect): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: e.kind };
  if (e.schema !== 'public') out['schema'] = e.schema;
  for (const k of ['table', 'column', 'type', 'index', 'constraint', 'from', 'to', 'objectType', 'name'] as const)
    if (e[k] !== undefined) out[k] = e[k];
  if ((e.kind === 'update_rows' || e.kind === 'insert_rows') && e.columns !== undefined) out['columns'] = e.columns;
  return out;
}

/** The machine-readable report (`conversion.json`): one row per script, manual review first. */
export function conversionJson(plan: ConversionPlan): string {
  const rows = reportOrder(plan).map((s) => ({
    path: s.path,
    language: s.language,
    class: s.class,
    reasons: s.reasons,
    reason: s.reason,
    order: s.order,
    source_lines: s.sourceLines,
    effects: s.effects.map((j) => ({
      ...effectSummary(j.effect),
      production: j.production,
      models: j.models,
      ...(j.detail ? { detail: j.detail } : {}),
    })),
    problems: s.problems,
    includes: s.includes,
    ...(s.dataFix ? { data_fix: { has_run: s.dataFix.hasRun, checks: s.dataFix.checks } } : {}),
    target: s.target,
  }));
  const report = { version: 1, baseline: plan.baseline.file, counts: plan.counts, manual_items: plan.manualItems, scripts: rows };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function targetText(s: ScriptPlan): string {
  switch (s.target.action) {
    case 'migration':
      return (
        `${s.target.migration}${s.target.indexMigration ? ` + ${s.target.indexMigration}` : ''}` +
        `${s.target.archivedAs === undefined ? ' (application code: left in place)' : ` (script to ${s.target.archivedAs})`}`
      );
    case 'archive':
      return `archived to ${s.target.archivedAs}`;
    default:
      return s.class === 'manual_review'
        ? 'left in place for a person'
        : s.class === 'obsolete' || s.class === 'data_fix'
          ? 'left in place: application code (take its schema changes out by hand)'
          : s.class === 'not_postgresql'
            ? 'left in place: not PostgreSQL'
            : s.class === 'read_only'
              ? 'left in place: read-only'
              : 'left in place: not a database script';
  }
}

/** The human report (`CONVERSION.md`): summary, order, then every script, manual review first. */
export function renderConversionMarkdown(plan: ConversionPlan): string {
  const out: string[] = [];
  out.push('# Conversion of the legacy scripts', '');
  out.push(`Baseline: \`${plan.baseline.file}\` (production's schema).`, '');
  out.push('| class | scripts |', '|---|---|');
  for (const c of CLASS_ORDER) out.push(`| ${c} | ${plan.counts[c]} |`);
  out.push('');
  const manual = plan.scripts.filter((s) => s.class === 'manual_review');
  if (manual.length > 0) {
    out.push('## Needs a person', '');
    for (const s of manual) out.push(`- \`${s.path}\` (${s.reasons.join(', ')}): ${s.reason}`);
    if (plan.manualItems.length > 0) {
      out.push('', 'Left as drift between the converted migrations and the models (owned by the scripts above):', '');
      for (const m of plan.manualItems) out.push(`- ${m.description} (\`${m.path}\`)`);
    }
    out.push('');
  }
  out.push('## Scripts', '');
  out.push('| script | class | why | effects | lines | becomes |', '|---|---|---|---|---|---|');
  for (const s of reportOrder(plan)) {
    const effects = s.effects.map((j) => {
      const e = effectSummary(j.effect);
      const what = Object.entries(e)
        .filter(([k]) => k !== 'kind')
        .map(([, v]) => (Array.isArray(v) ? v.join(',') : String(v)))
        .join(' ');
      return `${String(e['kind'])} ${what}${j.production === 'n/a' ? '' : ` (production: ${j.production})`}`;
    });
    const lines =
      s.sourceLines === null
        ? ''
        : s.sourceLines.first === s.sourceLines.last
          ? `${s.sourceLines.first}`
          : `${s.sourceLines.first}-${s.sourceLines.last}`;
    out.push(`| \`${s.path}\` | ${s.class} | ${cell(s.reason)} | ${cell(effects.join('; '))} | ${lines} | ${cell(targetText(s))} |`);
  }
  out.push('', '## Order', '', 'The order the conversion assumes the scripts ran in, and why:', '');
  for (const o of plan.order) out.push(`${o.position}. \`${o.path}\`: ${o.reason}`);
  out.push('');
  return out.join('\n');
}
