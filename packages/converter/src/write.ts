import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { StrataError } from '@pg-strata/core';
import { type Snapshot } from '@pg-strata/auditor';
import { loadMigrations, buildGraph } from '@pg-strata/runner';
import { lintSql } from '@pg-strata/lint';
import { isDataEffect, neededStatements } from './classify.js';
import type { ConversionPlan, ScriptPlan } from './conversion-plan.js';
import type { AnalyzedStatement } from './effect-types.js';
import { conversionJson, renderConversionMarkdown } from './report.js';
import { baselineSql, inverse, upSql } from './write-sql.js';

const run = promisify(execFile);

/** Options of {@link writeConversion}. */
export interface WriteOptions {
  /** Production's schema: the baseline is its DDL. */
  readonly production: Snapshot;
  /**
   * Write into a migrations folder that already holds migrations: the converted
   * scripts follow its single head and no baseline is written. Default `false`.
   */
  readonly force?: boolean;
  /** Use `git mv` when the root is inside a git work tree. Default `true`. */
  readonly git?: boolean;
  /** New revision ids. Default: 12 random hex characters. */
  readonly newRevision?: () => string;
}

/** What {@link writeConversion} did. */
export interface WriteResult {
  /** True when the estate was already converted and nothing was touched. */
  readonly unchanged: boolean;
  /** Migration files written (absolute paths), baseline first (`source: null`; absent when forced into an existing history). */
  readonly migrations: { readonly file: string; readonly revision: string; readonly source: string | null }[];
  /** Scripts moved, relative to the root. */
  readonly archived: { readonly from: string; readonly to: string; readonly git: boolean }[];
  /** Report files written. */
  readonly reports: string[];
}

const MIGRATION_FILE = /^\d+_.+\.(sql|ts)$/;

function header(revision: string, parents: string, message: string, transactional: boolean, notes: string[]): string {
  return [
    `-- revision: ${revision}`,
    `-- parents: ${parents}`,
    `-- message: ${message.replace(/\n/g, ' ')}`,
    ...(transactional ? [] : ['-- transactional: false']),
    ...(notes.length > 0 ? ['--', ...notes.map((n) => `-- ${n}`)] : []),
    '',
  ].join('\n');
}

function slugMessage(s: ScriptPlan): string {
  const createdTables = new Set(s.effects.filter((j) => j.effect.kind === 'create_table').map((j) => j.effect.table));
  const needed = s.effects.filter(
    (j) =>
      (j.production === 'absent' || isDataEffect(j.effect)) && (j.effect.kind === 'create_table' || !createdTables.has(j.effect.table)),
  );
  const parts = needed.slice(0, 3).map((j) => {
    const e = j.effect;
    switch (e.kind) {
      case 'add_column':
        return `add ${e.table}.${e.column}`;
      case 'create_table':
        return `create ${e.table}`;
      case 'create_index':
        return `index ${e.index}`;
      case 'rename_column':
        return `rename ${e.table}.${e.from} to ${e.to}`;
      case 'update_rows':
      case 'insert_rows':
        return (
          `${e.kind === 'update_rows' ? 'update' : 'insert into'} ${e.table}` +
          `${e.columns && e.columns.length > 0 ? `.${(e.columns as readonly string[]).join(', ')}` : ''}`
        );
      default:
        return `${e.kind.replace(/_/g, ' ')} ${e.table ?? e.name ?? ''}`.trim();
    }
  });
  return parts.join(', ') + (needed.length > 3 ? ', ...' : '');
}

async function insideGit(root: string): Promise<boolean> {
  try {
    const r = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root });
    return r.stdout.trim() === 'true';
  } catch {
    return false;
  }
}

async function move(root: string, from: string, to: string, useGit: boolean): Promise<boolean> {
  const src = join(root, from);
  const dst = join(root, to);
  await mkdir(dirname(dst), { recursive: true });
  if (useGit) {
    try {
      await run('git', ['mv', '--', from, to], { cwd: root });
      return true;
    } catch {
      // Not tracked: a plain move keeps the bytes all the same.
    }
  }
  await rename(src, dst);
  return false;
}

/** A rendering failure named by the script and line it came from. */
function fromScript(s: ScriptPlan, line: number, err: unknown): StrataError {
  const why = err instanceof Error ? err.message : String(err);
  return new StrataError(
    'CONVERT_REFUSED',
    `${s.path}:${line}: the migration for this script could not be written (${why}). Nothing was ` +
      `written; exclude the script (--exclude ${s.path}) or fix it, then run again.`,
    {
      meta: { script: s.path, line },
    },
  );
}

/**
 * A converted script's statements split as a careful person would: what runs
 * in a transaction, and the index builds on tables production already has,
 * which go CONCURRENTLY into a migration of their own (`transactional: false`)
 * so that `up`'s lint passes and writes to the table never wait for the build.
 * An index on a table the same script creates stays with it: the table is empty.
 */
export function migrationParts(s: Pick<ScriptPlan, 'analysis' | 'effects'>): {
  transactional: AnalyzedStatement[];
  concurrent: AnalyzedStatement[];
} {
  const statements = neededStatements(s.analysis, s);
  const created = new Set(
    statements.flatMap((st) => st.effects.filter((e) => e.kind === 'create_table').map((e) => `${e.schema}.${e.table}`)),
  );
  const concurrent = statements.filter(
    (st) =>
      !st.transactional ||
      (st.kind === 'IndexStmt' && st.effects.some((e) => e.kind === 'create_index' && !created.has(`${e.schema}.${e.table}`))),
  );
  return { transactional: statements.filter((st) => !concurrent.includes(st)), concurrent };
}

/** `CREATE [UNIQUE] INDEX` as `CREATE [UNIQUE] INDEX CONCURRENTLY`. */
function concurrently(sql: string): string {
  return /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i.test(sql)
    ? sql
    : sql.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\s+/i, '$1 CONCURRENTLY ');
}

/** One migration's text, or an error naming the script and the line of the statement that failed. */
function renderMigration(
  s: ScriptPlan,
  part: 'transactional' | 'concurrent' | 'all',
  rev: string,
  parent: string,
  production: Snapshot,
): string {
  const parts = migrationParts(s);
  const statements = part === 'all' ? [...parts.transactional, ...parts.concurrent] : parts[part];
  const moved = new Set(parts.concurrent);
  let current = s.sourceLines?.first ?? 1;
  try {
    const transactional = statements.every((st) => !moved.has(st));
    // Each statement's judged effects, in the order of its effects (classify judges every one).
    const judgedOf = (st: AnalyzedStatement) => {
      const si = s.analysis.statements.indexOf(st);
      return s.effects.filter((j) => j.statement === si);
    };
    // A statement production already has in part (ADD COLUMN IF NOT EXISTS a, ADD COLUMN
    // IF NOT EXISTS b, with a in production) keeps its guards: without them it fails on the baseline.
    const inProduction = (st: AnalyzedStatement, k: number) => {
      const j = judgedOf(st)[k];
      return j !== undefined && j.production === 'present' && j.supersededBy === undefined && !isDataEffect(j.effect);
    };
    const partly = (st: AnalyzedStatement) => st.effects.some((e, k) => e.conditional === true && inProduction(st, k));
    const ups: string[] = [];
    for (const st of statements) {
      current = st.line;
      const sql = partly(st) ? `${st.sql};` : upSql(st);
      ups.push(moved.has(st) && st.kind === 'IndexStmt' ? concurrently(sql) : sql);
    }
    // Dropping a table this migration creates drops its indexes and constraints too.
    const created = new Set(
      statements.flatMap((st) => st.effects.filter((e) => e.kind === 'create_table').map((e) => `${e.schema}.${e.table}`)),
    );
    const downs: string[] = [];
    for (const st of [...statements].reverse()) {
      current = st.line;
      for (const [k, e] of [...st.effects.entries()].reverse()) {
        if (!(e.kind === 'create_table' || e.table === undefined || !created.has(`${e.schema}.${e.table}`))) continue;
        // What production already had is not this migration's to take away.
        if (e.conditional === true && inProduction(st, k)) continue;
        if (e.kind === 'add_constraint' && e.derivedName === true) continue;
        downs.push(inverse(moved.has(st) && e.kind === 'create_index' ? { ...e, concurrent: true } : e, production));
      }
    }
    const notes = [`From legacy ${s.path} (${s.class}): ${s.reason}`];
    if (part === 'concurrent')
      notes.push(
        `The index builds of ${s.path}, on tables production already has: CONCURRENTLY, so writes never ` +
          `wait for them, and in a migration of their own because PostgreSQL refuses CONCURRENTLY inside a ` +
          `transaction.`,
      );
    else if (!transactional)
      notes.push('It holds a statement PostgreSQL refuses in a transaction (CONCURRENTLY): Strata runs it outside one.');
    const message = slugMessage(s) || `from ${s.path}`;
    return (
      header(rev, parent, part === 'concurrent' && parts.transactional.length > 0 ? `${message} (indexes)` : message, transactional, []) +
      `\n-- migrate:up\n${notes.map((n) => `-- ${n}`).join('\n')}\n${ups.join('\n')}\n\n-- migrate:down\n${downs.join('\n')}\n`
    );
  } catch (err) {
    throw fromScript(s, current, err);
  }
}

const LINT_REASONS: Partial<Record<string, string>> = {
  'add-foreign-key-without-not-valid':
    'validating it scans the table under SHARE ROW EXCLUSIVE; check its size first, or split it into NOT VALID + VALIDATE CONSTRAINT',
  'add-check-without-not-valid':
    'validating it scans the table under ACCESS EXCLUSIVE; check its size first, or split it into NOT VALID + VALIDATE CONSTRAINT',
  'set-not-null-without-check':
    'SET NOT NULL scans the table under ACCESS EXCLUSIVE; check its size first, or add a validated CHECK (col IS NOT NULL) before it',
  'alter-column-type-rewrite': 'the type change rewrites the table under ACCESS EXCLUSIVE; check its size first',
  'add-column-not-null-without-default': 'it fails if the table has rows; check that it is empty in production',
  'volatile-default': 'the default is computed per row and rewrites the table; check its size first',
  'create-index-non-concurrently': 'the index backs a constraint added in the same statement; check the table size first',
};

/**
 * Run `up`'s own lint on a rendered migration; every error it would refuse is
 * marked with a `strata-lint-ignore` that says where the statement came from
 * and what to check, so the output passes `up` and the person reading it sees why.
 */
async function withLintReasons(text: string, file: string, s: ScriptPlan | null): Promise<string> {
  const findings = (await lintSql(text, { file })).filter((f) => f.severity === 'error' && f.rule !== 'invalid-ignore');
  if (findings.length === 0) return text;
  const lines = text.split('\n');
  const byLine = new Map<number, Set<string>>();
  for (const f of findings) (byLine.get(f.line) ?? byLine.set(f.line, new Set()).get(f.line)!).add(f.rule);
  for (const line of [...byLine.keys()].sort((a, b) => b - a)) {
    const rules = [...byLine.get(line)!];
    const why = rules.map((r) => LINT_REASONS[r] ?? 'review it before deploying').join('; ');
    const from = s === null ? "production's schema as it is" : `as legacy ${s.path} ran it, and production lacks it`;
    const indent = /^\s*/.exec(lines[line - 1] ?? '')![0];
    lines.splice(line - 1, 0, `${indent}-- strata-lint-ignore ${rules.join(', ')}: converted ${from}; ${why}.`);
  }
  return lines.join('\n');
}

/** A folder beside `dir` that no one else uses: same file system, so a rename is atomic. */
async function stagingDir(dir: string): Promise<string> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `.${basename(dir)}.strata-convert-`));
}

/**
 * Perform a plan: the baseline (production's schema) and one migration per
 * converted script in `plan.outDir`, the scripts archived under
 * `<root>/archived/` with their relative paths (`git mv` in a git work tree;
 * never deleted), manual-review scripts left in place, and `CONVERSION.md` +
 * `conversion.json` in the root. A second run on a converted estate changes
 * nothing. Refuses (`CONVERT_REFUSED`) to write into a migrations folder that
 * already holds migrations unless `force`.
 *
 * All or nothing: every file is rendered first (an error names the script and
 * line it came from), written into a staging folder beside the output folder,
 * and only then moved into place; a failure while moving undoes what was
 * moved, so the estate and the output folder are as they were.
 */
export async function writeConversion(plan: ConversionPlan, options: WriteOptions): Promise<WriteResult> {
  const newRevision = options.newRevision ?? (() => randomBytes(6).toString('hex'));
  const acting = plan.scripts.filter((s) => s.target.action !== 'leave');
  const archiving = acting.filter((s) => s.target.archivedAs !== undefined);
  const existing = existsSync(plan.outDir) ? readdirSync(plan.outDir).filter((f) => MIGRATION_FILE.test(f)) : [];
  if (acting.length === 0 && existsSync(join(plan.root, 'conversion.json')))
    return { unchanged: true, migrations: [], archived: [], reports: [] };
  if (existing.length > 0 && options.force !== true) {
    throw new StrataError(
      'CONVERT_REFUSED',
      `${plan.outDir} already holds ${existing.length} migration${existing.length === 1 ? '' : 's'} (` +
        `${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}): the baseline must be ` +
        `the first one. Pass another output folder (--out), or --force to add the converted scripts ` +
        `after its head (without a new baseline).`,
      { meta: { dir: plan.outDir, existing: existing.length } },
    );
  }
  // Everything is checked and rendered before the first byte is written.
  for (const s of archiving) {
    const to = s.target.archivedAs!;
    if (existsSync(join(plan.root, to))) {
      const same = (await readFile(join(plan.root, to))).equals(await readFile(join(plan.root, s.path)));
      if (!same)
        throw new StrataError(
          'CONVERT_REFUSED',
          `${to} already exists with other content than ${s.path}: move one of them aside and run again.`,
          { meta: { file: to } },
        );
    }
  }
  const files: { name: string; text: string; revision?: string; source?: string | null }[] = [];
  let parent: string;
  if (existing.length > 0) {
    // Forced into a folder with a history: a second root would split it, so the
    // converted scripts follow its single head and production's schema is not baselined again.
    const graph = buildGraph(await loadMigrations(plan.outDir));
    if (graph.heads.length !== 1) {
      throw new StrataError(
        'CONVERT_REFUSED',
        `${plan.outDir} has ${graph.heads.length} heads (${graph.heads.join(', ')}): merge them first (strata merge), then convert again.`,
        { meta: { dir: plan.outDir } },
      );
    }
    parent = graph.heads[0]!;
  } else {
    let baseline: { up: string; down: string };
    try {
      baseline = baselineSql(options.production);
    } catch (err) {
      throw new StrataError(
        'CONVERT_REFUSED',
        `the baseline could not be written from production's schema (${(err as Error).message}). Nothing was written.`,
        { meta: { file: plan.baseline.file } },
      );
    }
    const baseRev = newRevision();
    files.push({
      name: basename(plan.baseline.file),
      revision: baseRev,
      source: null,
      text:
        header(baseRev, 'none', "baseline: production's schema as audited", true, [
          "Production's schema, from its catalogue (the auditor's planner), in dependency order.",
          `Written by \`strata convert\` from ${plan.scripts.length} legacy scripts (see CONVERSION.md).`,
          `Existing databases are stamped at this revision (\`strata stamp ${baseRev}\`) instead of running it.`,
        ]) +
        `\n-- migrate:up\n${baseline.up}\n-- migrate:down\n-- Reverting the baseline empties the ` +
        `database: every table and its rows.\n${baseline.down}`,
    });
    const last = files.at(-1)!;
    last.text = await withLintReasons(last.text, plan.baseline.file, null);
    parent = baseRev;
  }
  for (const s of plan.scripts.filter((x) => x.target.action === 'migration')) {
    const split = s.target.indexMigration !== undefined;
    const parts: ['transactional' | 'concurrent' | 'all', string][] = split
      ? [
          ['transactional', s.target.migration!],
          ['concurrent', s.target.indexMigration!],
        ]
      : [['all', s.target.migration!]];
    for (const [part, file] of parts) {
      let rev: string;
      let text: string;
      try {
        rev = newRevision();
        text = await withLintReasons(renderMigration(s, part, rev, parent, options.production), file, s);
      } catch (err) {
        throw err instanceof StrataError && err.meta?.['script'] === s.path ? err : fromScript(s, s.sourceLines?.first ?? 1, err);
      }
      files.push({ name: basename(file), revision: rev, source: s.path, text });
      parent = rev;
    }
  }
  const reportTexts = [
    { name: 'CONVERSION.md', text: renderConversionMarkdown(plan) },
    { name: 'conversion.json', text: conversionJson(plan) },
  ];

  const staging = await stagingDir(plan.outDir);
  const undo: (() => Promise<void>)[] = [];
  const migrations: WriteResult['migrations'] = [];
  const archived: WriteResult['archived'] = [];
  const reports = reportTexts.map((r) => join(plan.root, r.name));
  let doing = `writing into ${staging}`;
  try {
    for (const f of files) await writeFile(join(staging, f.name), f.text);
    for (const r of reportTexts) await writeFile(join(staging, r.name), r.text);
    // Into place: the whole folder when it is new, else file by file.
    doing = `putting the migrations in ${plan.outDir}`;
    if (!existsSync(plan.outDir)) {
      const tmpOut = join(staging, 'out');
      await mkdir(tmpOut);
      for (const f of files) await rename(join(staging, f.name), join(tmpOut, f.name));
      await rename(tmpOut, plan.outDir);
      undo.push(() => rm(plan.outDir, { recursive: true, force: true }));
    } else {
      for (const f of files) {
        const dst = join(plan.outDir, f.name);
        if (existsSync(dst))
          throw new StrataError('CONVERT_REFUSED', `${dst} already exists: nothing was written.`, { meta: { file: dst } });
        await rename(join(staging, f.name), dst);
        undo.push(() => rm(dst, { force: true }));
      }
    }
    for (const f of files) migrations.push({ file: join(plan.outDir, f.name), revision: f.revision!, source: f.source ?? null });
    const useGit = options.git !== false && (await insideGit(plan.root));
    for (const s of archiving) {
      const to = s.target.archivedAs!;
      doing = `archiving ${s.path} to ${to}`;
      const git = await move(plan.root, s.path, to, useGit);
      undo.push(() => move(plan.root, to, s.path, git).then(() => undefined));
      archived.push({ from: s.path, to, git });
    }
    for (const r of reportTexts) {
      const dst = join(plan.root, r.name);
      doing = `putting ${dst} in place`;
      const before = existsSync(dst) ? await readFile(dst) : null;
      await rename(join(staging, r.name), dst);
      undo.push(() => (before === null ? rm(dst, { force: true }) : writeFile(dst, before)));
    }
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    if (err instanceof StrataError) throw err;
    throw new StrataError(
      'CONVERT_REFUSED',
      `${doing} failed (${(err as Error).message}); what had been moved was put back: nothing changed.`,
      { cause: err },
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { unchanged: false, migrations, archived, reports };
}
