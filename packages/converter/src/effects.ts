// Script analysis: each fragment's statements with their effects, guards (helper calls, IF [NOT] EXISTS) and DO blocks.
// The effect vocabulary is in effect-types.ts, one statement's effects in statement-effects.ts.
import { isStrataError } from '@pg-strata/core';
import { inspectDoBlock, parseScript, type SqlStatement } from '@pg-strata/sql';
import { fragmentPosition } from './fragments.js';
import type { Extraction, SqlFragment, SqlGuard } from './types.js';
import type { Effect, StatementGuard, AnalyzedStatement, ScriptProblem, ScriptAnalysis } from './effect-types.js';
import { type Node, str, statementEffects } from './statement-effects.js';

/** Relations that existence checks read, as they are written in guards. */
const CATALOG_RELATIONS = new Set([
  'pg_indexes',
  'pg_class',
  'pg_constraint',
  'pg_tables',
  'pg_attribute',
  'pg_type',
  'pg_namespace',
  'pg_index',
  'pg_views',
  'pg_proc',
  'pg_trigger',
  'pg_extension',
  'pg_sequences',
  'information_schema.columns',
  'information_schema.tables',
  'information_schema.table_constraints',
  'information_schema.constraint_column_usage',
  'information_schema.key_column_usage',
  'information_schema.views',
  'information_schema.routines',
  'information_schema.sequences',
]);
const SCHEMA_COLUMNS = new Set([
  'schemaname',
  'table_schema',
  'nspname',
  'constraint_schema',
  'connamespace',
  'relnamespace',
  'routine_schema',
  'sequence_schema',
  'table_catalog',
]);

function stringConsts(where: unknown, out: string[]): void {
  if (where === null || typeof where !== 'object') return;
  const n = where as Node;
  const be = n['BoolExpr'] as { boolop?: string; args?: unknown[] } | undefined;
  if (be !== undefined) {
    if (be.boolop === 'AND_EXPR') for (const a of be.args ?? []) stringConsts(a, out);
    return;
  }
  const e = n['A_Expr'] as { kind?: string; name?: unknown[]; lexpr?: unknown; rexpr?: unknown } | undefined;
  if (e === undefined || e.kind !== 'AEXPR_OP' || str(e.name?.[0]) !== '=') return;
  const col = (x: unknown) => str(((x as { ColumnRef?: { fields?: unknown[] } }).ColumnRef?.fields ?? []).at(-1));
  const val = (x: unknown): string | undefined => {
    const c = (x as { A_Const?: { sval?: { sval?: string } } }).A_Const;
    if (c?.sval !== undefined) return c.sval.sval ?? '';
    const tc = (x as { TypeCast?: { arg?: unknown } }).TypeCast;
    return tc === undefined ? undefined : val(tc.arg);
  };
  const [c, v] = col(e.lexpr) !== undefined ? [col(e.lexpr), val(e.rexpr)] : [col(e.rexpr), val(e.lexpr)];
  if (c === undefined || v === undefined || SCHEMA_COLUMNS.has(c)) return;
  out.push(v);
}

/**
 * Recognise `EXISTS (SELECT ... FROM <catalogue> WHERE col = 'name' ...)` in a
 * PL/pgSQL condition: gives `[catalogue, names...]`, or undefined.
 */
export async function catalogueCheck(conditionSql: string): Promise<string[] | undefined> {
  let parsed;
  try {
    parsed = await parseScript(`SELECT ${conditionSql}`);
  } catch {
    return undefined;
  }
  const sel = (parsed.statements[0]?.ast as { SelectStmt?: { targetList?: { ResTarget?: { val?: Node } }[] } } | undefined)?.SelectStmt;
  const sub = sel?.targetList?.[0]?.ResTarget?.val?.['SubLink'] as { subLinkType?: string; subselect?: { SelectStmt?: Node } } | undefined;
  if (sub?.subLinkType !== 'EXISTS_SUBLINK') return undefined;
  const inner = sub.subselect?.SelectStmt;
  const from = (inner?.['fromClause'] as unknown[] | undefined) ?? [];
  if (from.length !== 1) return undefined;
  const rv = (from[0] as { RangeVar?: { schemaname?: string; relname?: string } }).RangeVar;
  if (rv === undefined) return undefined;
  const rel = rv.schemaname !== undefined && rv.schemaname !== 'pg_catalog' ? `${rv.schemaname}.${rv.relname}` : (rv.relname ?? '');
  if (!CATALOG_RELATIONS.has(rel)) return undefined;
  const names: string[] = [];
  stringConsts(inner?.['whereClause'], names);
  return names.length > 0 ? [rel, ...names] : undefined;
}

function effectNames(effects: readonly Effect[]): Set<string> {
  const names = new Set<string>();
  for (const e of effects)
    for (const v of [e.table, e.column, e.index, e.constraint, e.name, e.from, e.to]) if (v !== undefined) names.add(v);
  return names;
}

function helperGuard(g: SqlGuard, effects: readonly Effect[]): StatementGuard {
  if (g.kind === 'exception') {
    // try/except around one statement: it is always attempted, so it runs on production
    // exactly when production lacks its effect (a CREATE/ADD of what exists, a DROP of what
    // is gone, fails and is swallowed): judging the effect against production is the whole
    // answer, as for IF [NOT] EXISTS. Never opaque.
    const drops = effects.length > 0 && effects.every((e) => /^drop_/.test(e.kind));
    return { kind: 'exception', negated: !drops, args: g.args, recognised: true };
  }
  const names = effectNames(effects);
  const args = g.kind === 'if' ? g.args.slice(1) : g.args;
  return { kind: g.kind, negated: g.negated, args: g.args, recognised: args.length > 0 && args.every((a) => names.has(a)) };
}

function clauseGuard(effects: readonly Effect[]): StatementGuard[] {
  if (!effects.some((e) => e.conditional)) return [];
  const creates = effects.some((e) => e.conditional && /^(create|add)_/.test(e.kind));
  return [{ kind: creates ? 'if_not_exists' : 'if_exists', negated: creates, args: [], recognised: true }];
}

/**
 * Parse every fragment of an extraction with PostgreSQL's parser, look inside
 * DO blocks, and turn each statement into effects with the guards it runs
 * under. Never throws on bad SQL: a syntax error becomes a problem with its
 * `file:line:column` in the original script; unresolved SQL a `dynamic_sql`
 * problem.
 */
export async function analyzeScript(extraction: Extraction): Promise<ScriptAnalysis> {
  const statements: AnalyzedStatement[] = [];
  const problems: ScriptProblem[] = [];
  const includes: ScriptAnalysis['includes'] = [];
  for (const w of extraction.warnings) problems.push({ kind: 'unsupported', message: w.message, line: w.line, column: w.column });
  for (const [fi, f] of extraction.fragments.entries()) {
    const at = f.callLoc ?? f.loc;
    if (f.includes !== undefined) {
      includes.push({ path: f.includes, line: at.line, column: at.column });
      continue;
    }
    if (f.dynamic || f.sql === null) {
      problems.push({ kind: 'dynamic_sql', message: f.reason ?? 'the SQL is built at run time', line: at.line, column: at.column });
      continue;
    }
    await analyzeFragment(extraction.path, fi, f, statements, problems);
  }
  return {
    path: extraction.path,
    language: extraction.language,
    statements,
    problems,
    includes,
    fragmentCount: extraction.fragments.length,
  };
}

async function analyzeFragment(
  path: string,
  fi: number,
  f: SqlFragment,
  statements: AnalyzedStatement[],
  problems: ScriptProblem[],
): Promise<void> {
  const sql = f.sql ?? '';
  let parsed;
  try {
    parsed = await parseScript(sql, { file: path, startLine: f.loc.line, startColumn: f.loc.column });
  } catch (err) {
    if (isStrataError(err) && err.code === 'SQL_SYNTAX') {
      const meta = err.meta as { offset?: number; parserMessage?: string };
      const pos = fragmentPosition(f, meta.offset ?? 0);
      problems.push({
        kind: 'syntax_error',
        message: meta.parserMessage ?? err.message,
        line: pos.line,
        column: pos.column,
        exact: pos.exact,
      });
      return;
    }
    throw err;
  }
  const exact = f.mapping === 'exact';
  for (const st of parsed.statements) {
    const base = {
      fragment: fi,
      line: exact ? st.range.line : f.loc.line,
      column: exact ? st.range.column : f.loc.column,
      exact,
      ...(f.paramValues !== undefined ? { paramValues: f.paramValues } : {}),
      ...(f.params === true ? { params: true } : {}),
    };
    if (st.kind === 'DoStmt') {
      await analyzeDoBlock(path, st, base, f, statements, problems);
      continue;
    }
    const effects = statementEffects(st.ast);
    const guards = [...(f.guard ? [helperGuard(f.guard, effects)] : []), ...clauseGuard(effects)];
    statements.push({
      ...base,
      sql: st.text,
      tag: st.tag,
      kind: st.kind,
      transactional: st.transactional,
      dataLoss: st.dataLoss,
      effects,
      guards,
      ast: st.ast,
    });
  }
}

async function analyzeDoBlock(
  path: string,
  st: SqlStatement,
  base: { fragment: number; line: number; column: number; exact: boolean },
  f: SqlFragment,
  statements: AnalyzedStatement[],
  problems: ScriptProblem[],
): Promise<void> {
  let inspection;
  try {
    inspection = inspectDoBlock(st);
  } catch (err) {
    const message = isStrataError(err) ? err.message : String(err);
    problems.push({ kind: 'syntax_error', message: `DO block: ${message}`, line: base.line, column: base.column, exact: false });
    return;
  }
  if (inspection.dynamic)
    problems.push({
      kind: 'dynamic_sql',
      message: 'the DO block runs SQL built at run time (EXECUTE of a computed string)',
      line: base.line,
      column: base.column,
    });
  for (const inner of inspection.statements) {
    let parsed;
    try {
      parsed = await parseScript(inner.sql, { file: path });
    } catch (err) {
      const message = isStrataError(err) ? ((err.meta as { parserMessage?: string }).parserMessage ?? err.message) : String(err);
      problems.push({
        kind: 'syntax_error',
        message: `in the DO block: ${message}`,
        line: inner.line ?? base.line,
        column: 1,
        exact: false,
      });
      continue;
    }
    for (const s of parsed.statements) {
      const effects = statementEffects(s.ast);
      const guards: StatementGuard[] = [...(f.guard ? [helperGuard(f.guard, effects)] : []), ...clauseGuard(effects)];
      if (inner.guard !== undefined) {
        const check = await catalogueCheck(inner.guard.conditionSql);
        const names = effectNames(effects);
        guards.push({
          kind: check === undefined ? 'plpgsql' : 'if',
          negated: inner.guard.negated,
          args: check ?? [],
          conditionSql: inner.guard.conditionSql,
          recognised: check !== undefined && check.slice(1).some((a) => names.has(a)),
        });
      }
      statements.push({
        ...base,
        line: inner.line ?? base.line,
        column: inner.line === undefined ? base.column : 1,
        exact: false,
        sql: s.text,
        tag: s.tag,
        kind: s.kind,
        transactional: s.transactional,
        dataLoss: s.dataLoss,
        effects,
        guards,
        doBlock: st.text,
        ast: s.ast,
        ...(f.paramValues !== undefined ? { paramValues: f.paramValues } : {}),
      });
    }
  }
}
