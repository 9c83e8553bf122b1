import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { MIGRATION_FILE_RE, buildGraph, loadMigrations, slugOf } from '@pg-strata/runner';
import type { ImportTool, ReportItem, SourceSet } from './types.js';

const REVISION_RE = /^[A-Za-z0-9_]+$/;

/** The Strata revision id of a source migration: Alembic's own id when it is a valid one, else 12 hex digits of sha256(`tool:id`) (so a
 * re-import gives the same ids). */
export function revisionFor(tool: ImportTool, id: string): string {
  if (tool === 'alembic' && REVISION_RE.test(id) && id.length >= 4) return id;
  return hash('sha256', `${tool}:${id}`, 'hex').slice(0, 12);
}

/** One file the import writes. */
export interface PlannedFile {
  /** `NNNN_slug.sql` or `.ts`. */
  name: string;
  text: string;
  revision: string;
  parents: string[];
  /** The source's id (what its history table holds). */
  sourceId: string;
  sourceFile: string;
  hasDown: boolean;
}

/** What an import writes, and what it reports. */
export interface ImportPlan {
  tool: ImportTool;
  files: PlannedFile[];
  report: ReportItem[];
}

const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** A header value on one line that the header parser reads back as written. */
function headerValue(s: string): string {
  return oneLine(s).replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
}

/**
 * Turn a source set into Strata files: one per source migration, in its
 * order, with its parents (the previous migration, or Alembic's
 * down_revision), numbered from `firstNumber`, the first one's parents being
 * `rootParents` (empty for a fresh folder).
 */
export function planImport(source: SourceSet, options: { firstNumber?: number; rootParents?: string[] } = {}): ImportPlan {
  const first = options.firstNumber ?? 1;
  const width = Math.max(4, String(first + source.migrations.length).length);
  const revisionOf = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const m of source.migrations) {
    const r = revisionFor(source.tool, m.id);
    const clash = taken.get(r);
    if (clash !== undefined)
      throw new StrataError('USAGE', `${source.tool}: ${m.file} and ${clash} map to the same revision ${r}.`, {
        meta: { files: [clash, m.file] },
      });
    taken.set(r, m.file);
    revisionOf.set(m.id, r);
  }
  const notesOf = new Map<string, ReportItem[]>();
  for (const item of source.report) {
    const list = notesOf.get(item.file) ?? [];
    list.push(item);
    notesOf.set(item.file, list);
  }
  let previous: string | undefined;
  const files = source.migrations.map((m, i): PlannedFile => {
    const revision = revisionOf.get(m.id)!;
    let parents: string[];
    if (m.parents !== undefined) {
      parents = m.parents.map((p) => {
        const r = revisionOf.get(p);
        if (r === undefined)
          throw new StrataError('USAGE', `${source.tool}: ${m.file} follows ${p}, which is not in the folder.`, {
            meta: { file: m.file, parent: p },
          });
        return r;
      });
      if (parents.length === 0) parents = [...(options.rootParents ?? [])];
    } else parents = previous === undefined ? [...(options.rootParents ?? [])] : [previous];
    previous = revision;
    const sources = [m.file, ...(m.otherFiles ?? [])];
    const notes = sources.flatMap((f) => notesOf.get(f) ?? []);
    const number = String(first + i).padStart(width, '0');
    const name = `${number}_${slugOf(m.message)}.${m.ts ? 'ts' : 'sql'}`;
    const hasDown = m.ts ? m.ts.hasDown : m.down !== undefined;
    let text: string;
    if (m.ts) {
      text =
        `${m.ts.text.trimEnd()}\n\n// Imported by Strata (strata import --from ${source.tool}) from ` +
        `${sources.join(', ')}.\n` +
        `${notes.map((n) => `// import ${n.severity}: ${oneLine(n.message)}\n`).join('')}export const ` +
        `revision = '${revision}';\nexport const parents: string[] = [` +
        `${parents.map((p) => `'${p}'`).join(', ')}];\nexport const message = ` +
        `${JSON.stringify(oneLine(m.message))};\nexport const importedFrom = ` +
        `${JSON.stringify(`${source.tool} ${sources.join(', ')}`)};\nexport const importId = ` +
        `${JSON.stringify(m.id)};\n` +
        `${m.transactional === false ? 'export const transactional = false;\n' : ''}`;
    } else {
      const header = [
        `-- revision: ${revision}`,
        `-- parents: ${parents.length > 0 ? parents.join(', ') : 'none'}`,
        `-- message: ${headerValue(m.message)}`,
        `-- imported-from: ${source.tool} ${headerValue(sources.join(', '))}`,
        `-- import-id: ${headerValue(m.id)}`,
        ...(m.transactional === false ? ['-- transactional: false'] : []),
        ...notes.map((n) => `-- import-${n.severity}: ${n.line ? `${n.file}:${n.line}: ` : ''}${headerValue(n.message)}`),
      ];
      const body = (s: string) => {
        const t = s.replace(/\r\n/g, '\n').trim();
        return t === '' ? '' : `${t}\n`;
      };
      text = `${header.join('\n')}\n\n-- migrate:up\n${body(m.up ?? '')}${hasDown ? `\n-- migrate:down\n${body(m.down ?? '')}` : ''}`;
    }
    return { name, text, revision, parents, sourceId: m.id, sourceFile: m.file, hasDown };
  });
  return { tool: source.tool, files, report: source.report };
}

/** What {@link writeImport} did. */
export interface WriteImportResult {
  written: string[];
  /** Files already there with exactly this content (a re-import). */
  unchanged: string[];
  /** The report written beside the migrations (`IMPORT-<tool>.md`), when anything was reported. */
  reportFile?: string;
}

/**
 * Write a source set into `outDir`. A folder already holding migrations is
 * refused unless it holds exactly this import (then nothing changes) or
 * `append` is set (the imported chain then follows the folder's single head).
 * Nothing is written when anything is refused.
 */
export async function writeImport(
  source: SourceSet,
  outDir: string,
  options: { append?: boolean } = {},
): Promise<WriteImportResult & { plan: ImportPlan }> {
  const dir = resolve(outDir);
  const existing = existsSync(dir) ? readdirSync(dir).filter((n) => MIGRATION_FILE_RE.test(n)) : [];
  let plan = planImport(source);
  if (existing.length > 0) {
    const planned = new Map(plan.files.map((f) => [f.name, f.text]));
    const same = existing.every((n) => planned.get(n) === readFileSync(join(dir, n), 'utf8')) && existing.length === plan.files.length;
    if (same) return { plan, written: [], unchanged: existing.sort() };
    const set = await loadMigrations(dir);
    const byRevision = new Set(set.migrations.map((m) => m.revision));
    const already = plan.files.filter((f) => byRevision.has(f.revision));
    if (!options.append) {
      throw new StrataError(
        'USAGE',
        `${dir} already holds ${existing.length} migration(s)` +
          `${
            already.length
              ? `, ${already.length} of them from an earlier import of this folder that differs from this one ` + `(the source changed?)`
              : ''
          }` +
          `: not importing into it. Import into an empty folder (--out), or pass --append to add the ` +
          `imported migrations after its current head.`,
        { meta: { dir, existing: existing.length } },
      );
    }
    if (already.length === plan.files.length && options.append) {
      // An appended import, imported again: the same files after the same head change nothing.
      const first = set.migrations.find((m) => m.revision === plan.files[0]!.revision)!;
      const again = planImport(source, { firstNumber: first.number, rootParents: [...first.parents] });
      if (again.files.every((f) => existsSync(join(dir, f.name)) && readFileSync(join(dir, f.name), 'utf8') === f.text))
        return { plan: again, written: [], unchanged: again.files.map((f) => f.name) };
    }
    if (already.length > 0)
      throw new StrataError(
        'USAGE',
        `${dir} already holds revisions of this import (${already
          .map((f) => f.revision)
          .slice(0, 3)
          .join(', ')}...): --append adds a folder's migrations once. Remove them first to import again.`,
        { meta: { dir } },
      );
    const graph = buildGraph(set);
    if (graph.heads.length !== 1)
      throw new StrataError('USAGE', `${dir} has ${graph.heads.length} heads: merge them (migrate merge) before appending an import.`, {
        meta: { heads: [...graph.heads] },
      });
    const next = Math.max(0, ...set.migrations.map((m) => (Number.isNaN(m.number) ? 0 : m.number))) + 1;
    plan = planImport(source, { firstNumber: next, rootParents: [...graph.heads] });
  }
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of plan.files) {
    writeFileSync(join(dir, f.name), f.text, { flag: 'wx' });
    written.push(f.name);
  }
  let reportFile: string | undefined;
  if (plan.report.length > 0) {
    reportFile = join(dir, `IMPORT-${source.tool}.md`);
    writeFileSync(reportFile, renderReport(plan, 'markdown'));
  }
  return { plan, written, unchanged: [], ...(reportFile ? { reportFile } : {}) };
}

/** The report of an import: what could not be carried over (errors) and what differs (warnings). */
export function renderReport(plan: ImportPlan, format: 'text' | 'markdown'): string {
  const errors = plan.report.filter((r) => r.severity === 'error');
  const warnings = plan.report.filter((r) => r.severity === 'warning');
  const at = (r: ReportItem) => `${r.file}${r.line ? `:${r.line}` : ''}`;
  if (format === 'text') {
    const lines = [
      `${plan.files.length} migration(s) imported from ${plan.tool}; ${errors.length} not carried over, ${warnings.length} warning(s).`,
    ];
    for (const r of errors) lines.push(`  error   ${at(r)}: [${r.kind}] ${r.message}`);
    for (const r of warnings) lines.push(`  warning ${at(r)}: [${r.kind}] ${r.message}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [
    `# Import from ${plan.tool}`,
    '',
    `${plan.files.length} migration(s) imported. ${errors.length} item(s) not carried over (a ` +
      `person must finish them), ${warnings.length} warning(s).`,
    '',
    '| Revision | File | Source |',
    '| --- | --- | --- |',
    ...plan.files.map((f) => `| ${f.revision} | ${f.name} | ${f.sourceFile} (${f.sourceId}) |`),
    '',
  ];
  if (errors.length) lines.push('## Not carried over', '', ...errors.map((r) => `- \`${at(r)}\` (${r.kind}): ${r.message}`), '');
  if (warnings.length) lines.push('## Warnings', '', ...warnings.map((r) => `- \`${at(r)}\` (${r.kind}): ${r.message}`), '');
  return lines.join('\n');
}
