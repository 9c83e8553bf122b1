import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger, withConnection } from '@pg-strata/core';
import { loadParser } from '@pg-strata/sql';
import {
  classifyScript,
  isDataEffect,
  SCRIPT_CLASSES,
  Timeline,
  type DataFixCheck,
  type ReasonCode,
  type ScriptClass,
  type ScriptClassification,
} from './classify.js';
import { scriptKind, type ScriptKind } from './script-kind.js';
import { deriveDataChecks } from './data-check.js';
import { discoverScripts } from './discover.js';
import { analyzeScript } from './effects.js';
import type { ScriptAnalysis, ScriptProblem } from './effect-types.js';
import { extractSql } from './extract.js';
import { orderScripts } from './order.js';
import { migrationParts } from './write.js';
import type { ConversionPlan, ConvertOptions, ScriptPlan, ScriptTarget } from './conversion-plan.js';

const run = promisify(execFile);

export type { ConversionPlan, ConvertOptions, ScriptPlan, ScriptTarget } from './conversion-plan.js';

function toPosix(p: string): string {
  return p.split('\\').join('/');
}

function slugOf(path: string): string {
  const base = posix.basename(toPosix(path)).replace(/\.[^.]+$/, '');
  const slug = base
    .replace(/^\d+[_-]/, '')
    .replace(/^(fix|migrate|add|apply)_(?=.)/, (m, w: string) => (w === 'add' ? 'add_' : ''))
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return slug || 'migration';
}

function nextNumber(outDir: string): number {
  if (!existsSync(outDir)) return 1;
  let max = 0;
  for (const f of readdirSync(outDir)) {
    const m = /^(\d+)_/.exec(f);
    if (m !== null) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function resolveInclude(
  root: string,
  script: string,
  include: string,
  discovered: ReadonlySet<string>,
): { resolved: string | null; discovered: boolean } {
  const inc = toPosix(include).replace(/^\.\//, '');
  const candidates = isAbsolute(include) ? [] : [posix.normalize(posix.join(posix.dirname(script), inc)), posix.normalize(inc)];
  for (const c of candidates) if (discovered.has(c)) return { resolved: c, discovered: true };
  const bySuffix = [...discovered].filter((d) => d === inc || d.endsWith(`/${inc}`));
  if (bySuffix.length === 1) return { resolved: bySuffix[0]!, discovered: true };
  for (const c of candidates) if (!c.startsWith('..') && existsSync(join(root, c))) return { resolved: c, discovered: false };
  return { resolved: null, discovered: false };
}

/**
 * Steps 1-6 of `migrate convert`, as a dry run: discover the scripts, extract
 * and parse their SQL, model effects, order them, classify each against
 * production and the models, and plan what `--write` would do with it.
 * Reads files and, when `productionUrl` is given, runs read-only checks of
 * data fixes; changes nothing.
 */
export async function convertEstate(options: ConvertOptions): Promise<ConversionPlan> {
  const logger = options.logger ?? silentLogger;
  const root = resolve(options.root);
  const outDir = resolve(options.outDir ?? join(dirname(root), 'migrations'));
  await loadParser();
  // A named file already archived by an earlier conversion is done with, not missing.
  const files = options.files?.filter((f) => existsSync(join(root, f)) || !existsSync(join(root, 'archived', f)));
  const found = await discoverScripts(root, {
    ...(files ? { files } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  });
  logger.info('discovered legacy scripts', { count: found.length });
  const application = new Set(found.filter((f) => f.reason === 'application').map((f) => f.path));
  const analyses = new Map<string, ScriptAnalysis>();
  const kinds = new Map<string, ScriptKind>();
  for (const f of found) {
    const text = await readFile(f.absolutePath, 'utf8');
    const extraction = extractSql({ path: f.path, text }, { root, ...(options.calls ? { calls: options.calls } : {}) });
    const analysis = await analyzeScript(extraction);
    analyses.set(f.path, analysis);
    const kind = scriptKind({ path: f.path, text, fragments: extraction.fragments, analysis });
    if (kind !== undefined) kinds.set(f.path, kind);
  }
  const discovered = new Set(found.map((f) => f.path));
  const includeInfo = new Map<string, { path: string; resolved: string | null; classifiedOnItsOwn: boolean }[]>();
  const extraProblems = new Map<string, ScriptProblem[]>();
  const runs = new Map<string, string[]>();
  for (const [path, a] of analyses) {
    const infos: { path: string; resolved: string | null; classifiedOnItsOwn: boolean }[] = [];
    for (const inc of a.includes) {
      const r = resolveInclude(root, path, inc.path, discovered);
      infos.push({ path: inc.path, resolved: r.resolved, classifiedOnItsOwn: r.discovered });
      if (r.resolved === null) {
        (extraProblems.get(path) ?? extraProblems.set(path, []).get(path)!).push({
          kind: 'include',
          message: `it runs ${inc.path}, which is neither beside it nor under the estate's root`,
          line: inc.line,
          column: inc.column,
        });
      } else if (r.discovered) {
        (runs.get(path) ?? runs.set(path, []).get(path)!).push(r.resolved);
      } else {
        // Not a script of its own: what it runs is part of this script.
        const text = await readFile(join(root, r.resolved), 'utf8');
        const sub = await analyzeScript(extractSql({ path: r.resolved, text, language: 'sql' }));
        a.statements.push(...sub.statements.map((s) => ({ ...s, fragment: -1 })));
        a.problems.push(...sub.problems.map((p) => ({ ...p, message: `${r.resolved}:${p.line}:${p.column}: ${p.message}` })));
      }
    }
    includeInfo.set(path, infos);
  }
  const committed = options.gitDates === false ? undefined : await firstCommitDates(root);
  const order = orderScripts([...analyses.keys()], {
    ...(options.order ? { override: options.order } : {}),
    runs,
    ...(committed ? { committed } : {}),
  });
  const timeline = new Timeline();
  const seqs = new Map<string, number[]>();
  for (const o of order) {
    const a = analyses.get(o.path)!;
    const seq = a.statements.map((_, i) => o.position * 1_000_000 + i);
    seqs.set(o.path, seq);
    // A SQLite script's drops and renames happen in another database.
    if (!kinds.has(o.path)) a.statements.forEach((s, i) => s.effects.forEach((e) => timeline.add(seq[i]!, e, o.path)));
  }

  const server = options.productionUrl === undefined ? undefined : await serverFacts(options.productionUrl);
  const checksFor = await dataChecks(new Map([...analyses].filter(([p]) => !kinds.has(p))), options.productionUrl);
  let number = nextNumber(outDir);
  const baseline = `${String(number).padStart(4, '0')}_baseline.sql`;
  number++;
  const scripts: ScriptPlan[] = [];
  // The tables a migration may count on: production's, then those created by the migrations planned before it.
  const tables = new Set(Object.keys(options.production.tables));
  const columns = new Map(Object.entries(options.production.tables).map(([k, t]) => [k, new Set(t.columns.map((c) => c.name))]));
  const columnTypes = new Map(
    Object.entries(options.production.tables).map(([k, t]) => [k, new Map(t.columns.map((c) => [c.name, c.type]))]),
  );
  const counts = Object.fromEntries(SCRIPT_CLASSES.map((k) => [k, 0])) as Record<ScriptClass, number>;
  const manualItems: ConversionPlan['manualItems'] = [];
  const outRel = toPosix(relative(dirname(root), outDir)) || '.';
  for (const o of order) {
    const a = analyses.get(o.path)!;
    const checks = checksFor.get(o.path);
    const kind = kinds.get(o.path);
    let c: ScriptClassification =
      kind !== undefined
        ? { class: kind.class, reasons: [kind.reason], reason: kind.sentence, effects: [], problems: [...a.problems] }
        : classifyScript({
            analysis: a,
            production: options.production,
            ...(options.models ? { models: options.models } : {}),
            seq: seqs.get(o.path)!,
            timeline,
            ...(checks ? { dataChecks: checks } : {}),
            ...(extraProblems.has(o.path) ? { extraProblems: extraProblems.get(o.path)! } : {}),
          });
    c = needsTables(c, a, tables, columns, columnTypes, options.dataFixes === 'convert', server);
    counts[c.class]++;
    const convert =
      c.class === 'still_needed' ||
      (c.class === 'data_fix' && (c.dataFix?.hasRun === false || (c.dataFix?.hasRun === null && options.dataFixes === 'convert')));
    let target: ScriptTarget;
    // The application's own module (found by its /fix-db handler or start-up create_all) is code the app runs: never moved.
    const appCode = application.has(o.path);
    if (c.class === 'manual_review' || kind !== undefined) target = { action: 'leave' };
    else if (convert) {
      const parts = migrationParts({ analysis: a, effects: c.effects });
      const split = parts.transactional.length > 0 && parts.concurrent.length > 0;
      const file = (n: number, suffix = '') => `${outRel}/${String(n).padStart(4, '0')}_${slugOf(o.path)}${suffix}.sql`;
      target = {
        action: 'migration',
        migration: file(number),
        ...(split ? { indexMigration: file(number + 1, '_indexes') } : {}),
        ...(appCode ? {} : { archivedAs: `archived/${o.path}` }),
      };
      number += split ? 2 : 1;
    } else target = appCode ? { action: 'leave' } : { action: 'archive', archivedAs: `archived/${o.path}` };
    if (c.class === 'manual_review') {
      const unreadable = c.problems.filter((p) => p.kind === 'syntax_error' || p.kind === 'dynamic_sql');
      if (unreadable.length > 0)
        manualItems.push({
          path: o.path,
          description:
            `whatever it meant to change: its SQL cannot be read (` +
            `${unreadable.map((p) => `${p.kind === 'syntax_error' ? 'syntax error' : 'built at run time'} at line ${p.line}`).join(', ')}` +
            `)`,
        });
      for (const j of c.effects)
        if (j.models === 'present' && j.production === 'absent' && !isDataEffect(j.effect))
          manualItems.push({
            path: o.path,
            description:
              `${j.effect.kind.replace(/_/g, ' ')} ` +
              `${[j.effect.table, j.effect.column ?? j.effect.index ?? j.effect.constraint ?? j.effect.to].filter(Boolean).join('.')}`,
          });
    }
    const lines = a.statements.map((s) => s.line).filter((l) => l > 0);
    const problemLines = c.problems.map((p) => p.line);
    const all = [...lines, ...problemLines];
    scripts.push({
      path: o.path,
      language: a.language,
      class: c.class,
      reasons: c.reasons,
      reason: c.reason,
      order: { position: o.position, reason: o.reason },
      effects: c.effects,
      statements: a.statements.map((s) => ({
        line: s.line,
        column: s.column,
        tag: s.tag,
        sql: s.sql,
        guards: s.guards,
        transactional: s.transactional,
      })),
      sourceLines: all.length === 0 ? null : { first: Math.min(...all), last: Math.max(...all) },
      problems: c.problems,
      includes: includeInfo.get(o.path) ?? [],
      ...(c.dataFix ? { dataFix: c.dataFix } : {}),
      target,
      analysis: a,
    });
  }
  return { root, outDir, order, scripts, baseline: { file: `${outRel}/${baseline}` }, counts, manualItems };
}

const ON_TABLE = new Set([
  'set_comment',
  'grant',
  'add_column',
  'create_index',
  'add_constraint',
  'rename_column',
  'alter_column_type',
  'set_not_null',
  'drop_not_null',
  'set_default',
  'drop_default',
  'insert_rows',
  'update_rows',
  'delete_rows',
]);

/**
 * A script that would become a migration must find its tables: in production,
 * or created by a migration planned before it (or by itself). One that changes
 * a table neither has cannot apply: it goes to a person with that reason.
 * Keeps `tables` up to date with what the planned migration creates.
 */
function needsTables(
  c: ScriptClassification,
  a: ScriptAnalysis,
  tables: Set<string>,
  columns: Map<string, Set<string>>,
  columnTypes: ReadonlyMap<string, ReadonlyMap<string, string>>,
  convertUnknown: boolean,
  server?: { readonly extensions: ReadonlySet<string>; readonly roles: ReadonlySet<string> },
): ScriptClassification {
  const converted =
    c.class === 'still_needed' ||
    (c.class === 'data_fix' && (c.dataFix?.hasRun === false || (c.dataFix?.hasRun === null && convertUnknown)));
  if (!converted) return c;
  const needed = new Set(c.effects.filter((j) => j.production === 'absent' || isDataEffect(j.effect)).map((j) => j.statement));
  const local = new Set(tables);
  const typesOf = columnTypes;
  const localColumns = new Map([...columns].map(([k, v]) => [k, new Set(v)]));
  const missing: string[] = [];
  a.statements.forEach((st, i) => {
    if (!needed.has(i)) return;
    for (const e of st.effects) {
      const key = `${e.schema}.${e.table ?? ''}`;
      if (e.kind === 'grant' && server !== undefined && e.grantee !== undefined && e.grantee !== 'public' && !server.roles.has(e.grantee)) {
        missing.push(
          `line ${st.line}: the role ${e.grantee} does not exist on production's server: GRANT ... TO ${e.grantee} could not apply.`,
        );
      }
      if (
        e.kind === 'create_object' &&
        e.objectType === 'extension' &&
        server !== undefined &&
        e.name !== undefined &&
        !server.extensions.has(e.name)
      ) {
        missing.push(
          `line ${st.line}: production lacks the extension ${e.name}, and its server cannot install it ` +
            `(not in pg_available_extensions): CREATE EXTENSION ${e.name} could not apply.`,
        );
      }
      if (e.kind === 'create_table') {
        for (const fk of foreignKeys(st.ast)) {
          const target = `${fk.schema}.${fk.table}`;
          const refCols = fk.pk.length > 0 ? fk.pk : ['id'];
          const refType = (c: string) => (target === key ? undefined : typesOf.get(target)?.get(c));
          const own = new Map(((e.columns ?? []) as readonly { name: string; type: string }[]).map((x) => [x.name, x.type]));
          fk.fk.forEach((col, i) => {
            const a = own.get(col);
            const b = refType(refCols[i] ?? '');
            if (a !== undefined && b !== undefined && family(a) !== family(b)) {
              missing.push(
                `line ${st.line}: ${e.table}.${col} (${a}) references ${fk.table}.${refCols[i]}, which is ${b} ` +
                  `in production: the foreign key could not be created.`,
              );
            }
          });
        }
        local.add(key);
        localColumns.set(key, new Set(((e.columns ?? []) as readonly { name: string }[]).map((x) => x.name)));
      }
      if (e.kind === 'add_column' && e.column !== undefined) localColumns.get(key)?.add(e.column);
      if (e.kind === 'rename_column' && e.to !== undefined) localColumns.get(key)?.add(e.to);
      if (e.kind === 'create_index' && local.has(key) && e.keyColumns !== undefined) {
        const have = localColumns.get(key);
        const absent = have === undefined ? [] : e.keyColumns.filter((k) => !have.has(k));
        if (absent.length > 0)
          missing.push(
            `line ${st.line}: ${e.table} has no column ${absent.join(', ')} in production nor from a ` +
              `migration planned before it: index ${e.index ?? ''} could not be built.`,
          );
      } else if (e.kind === 'rename_table' && e.to !== undefined) local.add(`${e.schema}.${e.to}`);
      else if (ON_TABLE.has(e.kind) && e.table !== undefined && !local.has(key))
        missing.push(
          `line ${st.line}: production has no table ${e.table}, and no migration planned before it ` +
            `creates one: ${e.kind.replace(/_/g, ' ')} on ${e.table} could not apply.`,
        );
    }
  });
  if (missing.length > 0) {
    const reasons: ReasonCode[] = [];
    if (missing.some((m) => m.includes('the extension'))) reasons.push('extension_unavailable');
    if (missing.some((m) => m.includes('has no table'))) reasons.push('table_missing');
    if (missing.some((m) => m.includes('has no column'))) reasons.push('column_missing');
    if (missing.some((m) => m.includes('the role'))) reasons.push('role_missing');
    if (missing.some((m) => m.includes('the foreign key'))) reasons.push('conflict');
    return { ...c, class: 'manual_review', reasons, reason: [...new Set(missing)].join(' ') };
  }
  for (const t of local) tables.add(t);
  for (const [k, v] of localColumns) columns.set(k, v);
  return c;
}

/** Broad type families whose values a foreign key cannot compare across. */
function family(type: string): string {
  if (/^(smallint|integer|bigint|serial|bigserial|smallserial|int\d?)\b/.test(type)) return 'integer';
  if (/^(text|character varying|varchar|character|char|citext)\b/.test(type)) return 'text';
  if (/^uuid\b/.test(type)) return 'uuid';
  return type;
}

/** The foreign keys a CREATE TABLE declares: its columns, the table and columns they reference. */
function foreignKeys(ast: unknown): { fk: string[]; schema: string; table: string; pk: string[] }[] {
  const create = (ast as { CreateStmt?: { tableElts?: unknown[] } } | undefined)?.CreateStmt;
  if (create === undefined) return [];
  const names = (list: unknown): string[] =>
    ((list as { String?: { sval?: string } }[] | undefined) ?? []).map((x) => x.String?.sval ?? '');
  const out: { fk: string[]; schema: string; table: string; pk: string[] }[] = [];
  const add = (c: Record<string, unknown>, own: string[]) => {
    if (c['contype'] !== 'CONSTR_FOREIGN') return;
    const rv = c['pktable'] as { schemaname?: string; relname?: string } | undefined;
    if (rv?.relname === undefined) return;
    out.push({ fk: own, schema: rv.schemaname ?? 'public', table: rv.relname, pk: names(c['pk_attrs']) });
  };
  for (const el of create.tableElts ?? []) {
    const col = (el as { ColumnDef?: { colname?: string; constraints?: { Constraint?: Record<string, unknown> }[] } }).ColumnDef;
    if (col?.colname !== undefined) for (const k of col.constraints ?? []) if (k.Constraint) add(k.Constraint, [col.colname]);
    const con = (el as { Constraint?: Record<string, unknown> }).Constraint;
    if (con !== undefined) add(con, names(con['fk_attrs']));
  }
  return out;
}

/** The extensions production's server could install and the roles it has (read-only queries). */
async function serverFacts(url: string): Promise<{ extensions: Set<string>; roles: Set<string> }> {
  return await withConnection({ url, applicationName: 'strata-convert' }, async (client) => {
    const e = await client.query<{ name: string }>('SELECT name FROM pg_available_extensions');
    const r = await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles');
    return { extensions: new Set(e.rows.map((x) => x.name)), roles: new Set(r.rows.map((x) => x.name)) };
  });
}

/** When each file under `root` was first committed (`YYYY-MM-DD`), relative to `root`; undefined outside git. */
async function firstCommitDates(root: string): Promise<Map<string, string> | undefined> {
  try {
    const prefix = (await run('git', ['rev-parse', '--show-prefix'], { cwd: root })).stdout.trim();
    const log = await run('git', ['log', '--diff-filter=A', '--format=%x00%aI', '--name-only', '--', '.'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    const out = new Map<string, string>();
    let date = '';
    for (const line of log.stdout.split('\n')) {
      if (line.startsWith('\0')) date = line.slice(1, 11);
      else if (line.trim() !== '' && line.startsWith(prefix)) out.set(line.slice(prefix.length), date); // oldest commit comes last and wins
    }
    return out.size > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

/** Derive and (with a production URL) run the checks of scripts whose only effects are DML. */
async function dataChecks(analyses: ReadonlyMap<string, ScriptAnalysis>, url: string | undefined): Promise<Map<string, DataFixCheck[]>> {
  const pending = new Map<string, { statement: number; sql: string[] | null; why?: string }[]>();
  for (const [path, a] of analyses) {
    const effects = a.statements.flatMap((s) => s.effects);
    if (effects.length === 0 || !effects.every(isDataEffect)) continue;
    pending.set(
      path,
      a.statements.flatMap((s, i): { statement: number; sql: string[] | null; why?: string }[] => {
        if (!s.effects.some(isDataEffect)) return [];
        const d = deriveDataChecks(s);
        return 'sql' in d ? [{ statement: i, sql: d.sql }] : [{ statement: i, sql: null, why: d.why }];
      }),
    );
  }
  const out = new Map<string, DataFixCheck[]>();
  if (pending.size === 0) return out;
  const run = async (query: ((sql: string) => Promise<{ pending: boolean; rows?: number }>) | undefined): Promise<void> => {
    for (const [path, list] of pending) {
      const checks: DataFixCheck[] = [];
      for (const item of list) {
        if (item.sql === null) {
          checks.push({ statement: item.statement, sql: null, pending: null, note: item.why ?? 'no check' });
          continue;
        }
        const sql = item.sql.join(';\n');
        if (query === undefined) {
          checks.push({ statement: item.statement, sql, pending: null, note: 'no production connection to check its rows' });
          continue;
        }
        try {
          let any = false;
          let rows: number | undefined = 0;
          for (const q of item.sql) {
            const r = await query(q);
            if (r.pending) any = true;
            rows = rows === undefined || r.rows === undefined ? undefined : rows + r.rows;
          }
          checks.push({ statement: item.statement, sql, pending: any, ...(rows !== undefined ? { rows } : {}) });
        } catch (err) {
          checks.push({ statement: item.statement, sql, pending: null, note: `production refused the check: ${(err as Error).message}` });
        }
      }
      out.set(path, checks);
    }
  };
  if (url === undefined) {
    await run(undefined);
    return out;
  }
  await withConnection({ url, applicationName: 'strata-convert' }, async (client) => {
    await client.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '30s'");
    try {
      await run(async (q) => {
        await client.query('SAVEPOINT check_row');
        try {
          const r = await client.query<{ pending: boolean }>(q);
          // The same rows, counted, for the report: how much of the fix production still needs.
          const inner = /^SELECT EXISTS \(([\s\S]*)\) AS pending$/.exec(q)?.[1];
          let rows: number | undefined;
          if (inner !== undefined && r.rows[0]?.pending === true) {
            const c = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${inner}) AS still_to_change`);
            rows = Number(c.rows[0]?.n ?? 0);
          } else if (r.rows[0]?.pending === false) rows = 0;
          await client.query('RELEASE SAVEPOINT check_row');
          return { pending: r.rows[0]?.pending === true, ...(rows !== undefined ? { rows } : {}) };
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT check_row');
          throw err;
        }
      });
    } finally {
      await client.query('ROLLBACK');
    }
  });
  return out;
}
