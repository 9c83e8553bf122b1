import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compare, snapshotFrom, type Difference, type Snapshot, type SnapshotFromOptions } from '@pg-strata/auditor';
import type { ConversionPlan } from './conversion-plan.js';
import type { WriteResult } from './write.js';

/** Options of {@link verifyConversion}. */
export interface VerifyOptions {
  readonly production: Snapshot;
  /** Without models only the baseline is checked. */
  readonly models?: Snapshot;
  /** A server where scratch shadow databases may be created. Default: an embedded PostgreSQL started for the check. */
  readonly shadowUrl?: string;
  /** Passed to the auditor (logger, binDirs...). */
  readonly source?: Omit<SnapshotFromOptions, 'shadowUrl'>;
}

/** One line of the verification table. */
export interface VerifyRow {
  readonly check: string;
  readonly ok: boolean;
  /** Differences found, with who owns each one when it is expected. */
  readonly differences: { readonly message: string; readonly owner?: string }[];
}

/** The verification: `ok` when every row is. */
export interface VerifyResult {
  readonly ok: boolean;
  readonly rows: VerifyRow[];
}

function words(name: string): string[] {
  return name.split(/[.\s]+/).filter((w) => w.length > 0);
}

/**
 * On shadow databases: the baseline alone must reproduce production's
 * Snapshot exactly, and the baseline plus the converted migrations must
 * reproduce the models except what belongs to a manual-review script (an
 * effect it lists, or an object its source names, for a script that could
 * not be parsed).
 */
export async function verifyConversion(plan: ConversionPlan, written: WriteResult, options: VerifyOptions): Promise<VerifyResult> {
  const base = { ...(options.source ?? {}), ...(options.shadowUrl ? { shadowUrl: options.shadowUrl } : {}) };
  const baseline = written.migrations.find((m) => m.source === null);
  const rows: VerifyRow[] = [];
  if (baseline !== undefined) {
    const atBaseline = await snapshotFrom({ kind: 'migrations', dir: plan.outDir, revision: baseline.revision }, base);
    const d1 = compare(options.production, atBaseline.snapshot, { left: 'production', right: 'the baseline' });
    rows.push({
      check: `baseline ${baseline.revision} = production`,
      ok: d1.length === 0,
      differences: d1.map((d) => ({ message: d.message })),
    });
  }
  if (options.models === undefined && written.migrations.length > (baseline === undefined ? 0 : 1)) {
    // Without models there is nothing to compare the head with, but every migration must still apply.
    const head = written.migrations.at(-1)!;
    const converted = written.migrations.filter((m) => m.source !== null);
    try {
      await snapshotFrom({ kind: 'migrations', dir: plan.outDir, revision: head.revision }, base);
      rows.push({ check: `${baseline ? 'baseline + ' : ''}${converted.length} converted migrations apply`, ok: true, differences: [] });
    } catch (err) {
      const message = (err as Error).message;
      const failing = converted.find((m) => message.includes(basename(m.file)));
      rows.push({
        check: `${baseline ? 'baseline + ' : ''}${converted.length} converted migrations apply`,
        ok: false,
        differences: [
          {
            message: failing
              ? `${basename(failing.file)} (from ${failing.source}) does not apply: ${message.split('\n')[0]}`
              : message.split('\n')[0]!,
          },
        ],
      });
    }
  }
  if (options.models !== undefined && written.migrations.length > 0) {
    const head = written.migrations.at(-1)!;
    let atHead: Awaited<ReturnType<typeof snapshotFrom>>;
    try {
      atHead = await snapshotFrom({ kind: 'migrations', dir: plan.outDir, revision: head.revision }, base);
    } catch (err) {
      const message = (err as Error).message;
      const failing = written.migrations.find((m) => m.source !== null && message.includes(basename(m.file)));
      rows.push({
        check: 'converted migrations apply',
        ok: false,
        differences: [
          {
            message: failing
              ? `${basename(failing.file)} (from ${failing.source}) does not apply: ${message.split('\n')[0]}`
              : message.split('\n')[0]!,
          },
        ],
      });
      return { ok: false, rows };
    }
    const d2 = compare(atHead.snapshot, options.models, { left: 'the converted migrations', right: 'the models' });
    const manual = plan.scripts.filter((s) => s.class === 'manual_review');
    const sources = new Map<string, string>();
    for (const s of manual) sources.set(s.path, await readFile(join(plan.root, s.path), 'utf8').catch(() => ''));
    const ownerOf = (d: Difference): string | undefined => {
      const parts = words(d.name);
      const byEffect = manual.find((s) =>
        s.effects.some((j) => {
          const e = j.effect;
          const names = [e.table, e.column, e.index, e.constraint, e.from, e.to].filter((x): x is string => x !== undefined);
          return parts.every((p) => names.includes(p));
        }),
      );
      if (byEffect !== undefined) return byEffect.path;
      const bySource = manual.find(
        (s) =>
          s.effects.length === 0 &&
          parts.every((p) => new RegExp(`\\b${p.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'i').test(sources.get(s.path) ?? '')),
      );
      return bySource === undefined ? undefined : `${bySource.path} (names it; not parsed)`;
    };
    const diffs = d2.map((d) => {
      const owner = ownerOf(d);
      return owner === undefined ? { message: d.message } : { message: d.message, owner };
    });
    rows.push({
      check:
        `${baseline ? `baseline + ${written.migrations.length - 1}` : `head + ${written.migrations.length}`}` +
        ` migrations = models, except manual review`,
      ok: diffs.every((d) => d.owner !== undefined),
      differences: diffs,
    });
  }
  return { ok: rows.every((r) => r.ok), rows };
}

/** The verification as a short text table. */
export function renderVerify(result: VerifyResult): string {
  const out = ['| check | result | differences |', '|---|---|---|'];
  for (const r of result.rows) {
    const expected = r.differences.filter((d) => d.owner !== undefined).length;
    const other = r.differences.length - expected;
    out.push(
      `| ${r.check} | ${r.ok ? 'ok' : 'FAILED'} | ` +
        `${r.differences.length === 0 ? 'none' : `${expected} owned by manual review${other ? `, ${other} unexplained` : ''}`}` +
        ` |`,
    );
  }
  for (const r of result.rows) for (const d of r.differences) out.push(`- ${d.message}${d.owner ? ` (manual: ${d.owner})` : ''}`);
  return `${out.join('\n')}\n`;
}
