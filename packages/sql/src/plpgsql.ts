import { StrataError, isStrataError } from '@pg-strata/core';
import { parserErrorDetails, rawParse, rawParsePlpgsql, loadParser } from './parser.js';
import type { SqlStatement } from './types.js';

/** The condition of the innermost IF (or CASE WHEN) a statement sits under. */
export interface PlpgsqlGuard {
  /** True for `IF NOT <cond>` and for the ELSE branch of `IF <cond>`. */
  negated: boolean;
  /** The condition's SQL without a leading NOT, e.g. `EXISTS (SELECT 1 FROM ...)`. */
  conditionSql: string;
}

/** One SQL statement found in a PL/pgSQL body. */
export interface PlpgsqlStatement {
  /** The SQL as written (`PERFORM x` appears as `SELECT x`; a constant EXECUTE string unquoted; `COMMIT`/`ROLLBACK` as such). */
  sql: string;
  /** Present when the statement only runs under a condition. */
  guard?: PlpgsqlGuard;
  /** Line of the statement: within the body for parsePlpgsql, within the script for inspectDoBlock. */
  line?: number;
}

/** What a PL/pgSQL body does, as far as it can be known without running it. */
export interface PlpgsqlInspection {
  statements: PlpgsqlStatement[];
  /** True when it runs SQL built at run time (`EXECUTE` of a non-constant string, `FOR ... IN EXECUTE`). */
  dynamic: boolean;
}

type PlNode = Record<string, unknown>;

function expr(node: unknown): string | undefined {
  const e = (node as { PLpgSQL_expr?: { query?: string } } | undefined)?.PLpgSQL_expr;
  return e?.query;
}

function stmtList(value: unknown): PlNode[] {
  return Array.isArray(value) ? (value as PlNode[]) : [];
}

/** The string value of a constant SQL expression (`'a'`, `'a' || 'b'`, `E'x'`), or undefined. */
function constantString(exprSql: string): string | undefined {
  let tree;
  try {
    tree = rawParse(`SELECT ${exprSql}`, 'inspectDoBlock');
  } catch {
    return undefined;
  }
  const target = (
    tree.stmts?.[0]?.stmt as { SelectStmt?: { targetList?: { ResTarget?: { val?: unknown } }[]; fromClause?: unknown } } | undefined
  )?.SelectStmt;
  if (target === undefined || target.fromClause !== undefined || target.targetList?.length !== 1) return undefined;
  const value = (node: unknown): string | undefined => {
    const n = node as Record<string, Record<string, unknown>> | undefined;
    if (n === undefined) return undefined;
    if (n['A_Const'] !== undefined) {
      const s = n['A_Const']['sval'] as { sval?: string } | undefined;
      return s === undefined ? undefined : (s.sval ?? '');
    }
    if (n['TypeCast'] !== undefined) return value(n['TypeCast']['arg']);
    const e = n['A_Expr'];
    if (e !== undefined && e['kind'] === 'AEXPR_OP') {
      const op = (e['name'] as { String?: { sval?: string } }[] | undefined)?.[0]?.String?.sval;
      if (op !== '||') return undefined;
      const l = value(e['lexpr']);
      const r = value(e['rexpr']);
      return l === undefined || r === undefined ? undefined : l + r;
    }
    return undefined;
  };
  return value(target.targetList[0]?.ResTarget?.val);
}

/** Split `NOT <x>` into a negated guard; anything else is a positive guard. */
function guardOf(cond: string, inElse: boolean): PlpgsqlGuard {
  const trimmed = cond.trim();
  const m = /^not\b\s*/i.exec(trimmed);
  let negated = false;
  let conditionSql = trimmed;
  if (m !== null) {
    // `NOT a AND b` is `(NOT a) AND b`: only strip NOT when it covers the whole condition.
    const top = topBoolOp(trimmed);
    if (top === 'NOT_EXPR') {
      negated = true;
      conditionSql = trimmed.slice(m[0].length);
    }
  }
  return { negated: inElse ? !negated : negated, conditionSql };
}

function topBoolOp(cond: string): string | undefined {
  try {
    const tree = rawParse(`SELECT ${cond}`, 'inspectDoBlock');
    const sel = (
      tree.stmts?.[0]?.stmt as { SelectStmt?: { targetList?: { ResTarget?: { val?: { BoolExpr?: { boolop?: string } } } }[] } } | undefined
    )?.SelectStmt;
    return sel?.targetList?.[0]?.ResTarget?.val?.BoolExpr?.boolop;
  } catch {
    return undefined;
  }
}

function walk(list: PlNode[], guard: PlpgsqlGuard | undefined, out: PlpgsqlInspection): void {
  for (const item of list) {
    for (const [type, raw] of Object.entries(item)) {
      const s = raw as PlNode;
      const line = typeof s['lineno'] === 'number' ? s['lineno'] : undefined;
      const push = (sql: string | undefined): void => {
        if (sql === undefined) return;
        out.statements.push({ sql, ...(guard === undefined ? {} : { guard }), ...(line === undefined ? {} : { line }) });
      };
      switch (type) {
        case 'PLpgSQL_stmt_execsql':
          push(expr(s['sqlstmt']));
          break;
        case 'PLpgSQL_stmt_perform':
        case 'PLpgSQL_stmt_call':
          push(expr(s['expr']));
          break;
        case 'PLpgSQL_stmt_commit':
          push(s['chain'] === true ? 'COMMIT AND CHAIN' : 'COMMIT');
          break;
        case 'PLpgSQL_stmt_rollback':
          push(s['chain'] === true ? 'ROLLBACK AND CHAIN' : 'ROLLBACK');
          break;
        case 'PLpgSQL_stmt_dynexecute': {
          const q = expr(s['query']);
          const constant = q === undefined ? undefined : constantString(q);
          if (constant === undefined) out.dynamic = true;
          else push(constant);
          break;
        }
        case 'PLpgSQL_stmt_dynfors':
          out.dynamic = true;
          walk(stmtList(s['body']), guard, out);
          break;
        case 'PLpgSQL_stmt_return_query':
        case 'PLpgSQL_stmt_open':
          if (s['dynquery'] !== undefined) out.dynamic = true;
          break;
        case 'PLpgSQL_stmt_if': {
          const cond = expr(s['cond']) ?? '';
          walk(stmtList(s['then_body']), guardOf(cond, false), out);
          // An ELSIF/ELSE branch is reported under its own condition only, not
          // the conjunction with the earlier conditions' negations.
          for (const e of stmtList(s['elsif_list'])) {
            const branch = e['PLpgSQL_if_elsif'] as PlNode | undefined;
            if (branch !== undefined) walk(stmtList(branch['stmts']), guardOf(expr(branch['cond']) ?? '', false), out);
          }
          walk(stmtList(s['else_body']), guardOf(cond, true), out);
          break;
        }
        case 'PLpgSQL_stmt_case':
          for (const w of stmtList(s['case_when_list'])) {
            const branch = w['PLpgSQL_case_when'] as PlNode | undefined;
            if (branch !== undefined) walk(stmtList(branch['stmts']), guardOf(expr(branch['expr']) ?? '', false), out);
          }
          walk(stmtList(s['else_stmts']), guard, out);
          break;
        case 'PLpgSQL_stmt_block': {
          walk(stmtList(s['body']), guard, out);
          const exc = (s['exceptions'] as { PLpgSQL_exception_block?: { exc_list?: PlNode[] } } | undefined)?.PLpgSQL_exception_block;
          for (const e of exc?.exc_list ?? []) walk(stmtList((e['PLpgSQL_exception'] as PlNode | undefined)?.['action']), guard, out);
          break;
        }
        default:
          // Loops (LOOP, WHILE, FOR ..., FOREACH) keep the enclosing guard.
          if (Array.isArray(s['body'])) walk(stmtList(s['body']), guard, out);
          break;
      }
    }
  }
}

function inspect(source: string, lineOffset: number): PlpgsqlInspection {
  let tree: unknown;
  try {
    tree = rawParsePlpgsql(source, 'parsePlpgsql');
  } catch (err) {
    if (isStrataError(err)) throw err;
    const { message } = parserErrorDetails(err);
    // libpg_query reports PL/pgSQL errors without a position.
    throw new StrataError(
      'SQL_SYNTAX',
      `PL/pgSQL body does not compile: ${message.replace(/^Unexpected token .*is not valid JSON$/, 'invalid PL/pgSQL')}`,
      {
        meta: { parserMessage: message },
        cause: err,
      },
    );
  }
  const out: PlpgsqlInspection = { statements: [], dynamic: false };
  const funcs = (tree as { plpgsql_funcs?: { PLpgSQL_function?: { action?: PlNode } }[] }).plpgsql_funcs ?? [];
  for (const f of funcs) {
    const action = f.PLpgSQL_function?.action;
    if (action !== undefined) walk([action], undefined, out);
  }
  if (lineOffset !== 0) for (const s of out.statements) if (s.line !== undefined) s.line += lineOffset;
  return out;
}

function dollarQuote(body: string): string {
  let tag = 'body';
  for (let i = 0; body.includes(`$${tag}$`); i++) tag = `body${i}`;
  return `DO $${tag}$${body}$${tag}$`;
}

/**
 * The SQL statements inside a PL/pgSQL block body (the text between the `$$`
 * of a `DO` block or a function), each with the IF condition guarding it.
 */
export async function parsePlpgsql(body: string): Promise<PlpgsqlInspection> {
  await loadParser();
  return parsePlpgsqlSync(body);
}

/** {@link parsePlpgsql} without the promise; call `await loadParser()` once first. */
export function parsePlpgsqlSync(body: string): PlpgsqlInspection {
  return inspect(dollarQuote(body), 0);
}

/**
 * Inspect a `DO` statement from {@link parseScript}: the SQL it runs and the
 * IF guards around it (`IF NOT EXISTS (SELECT 1 FROM information_schema.columns
 * ...) THEN ALTER TABLE ... END IF`). Lines are the script's. A `DO` block in
 * another language yields no statements and `dynamic: true`.
 */
export function inspectDoBlock(stmt: SqlStatement): PlpgsqlInspection {
  if (stmt.kind !== 'DoStmt') {
    throw new StrataError('INTERNAL', `inspectDoBlock() needs a DO statement, got ${stmt.tag}`);
  }
  const args =
    (stmt.ast as { DoStmt?: { args?: { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }[] } }).DoStmt?.args ?? [];
  const language = args.find((a) => a.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval ?? 'plpgsql';
  if (language.toLowerCase() !== 'plpgsql') return { statements: [], dynamic: true };
  // PL/pgSQL numbers lines from the line of the opening quote of the body.
  const bodyStart = stmt.text.search(/\$[A-Za-z_0-9]*\$|'/);
  const linesBefore = bodyStart <= 0 ? 0 : stmt.text.slice(0, bodyStart).split('\n').length - 1;
  return inspect(stmt.text, stmt.range.line - 1 + linesBefore);
}

/**
 * Whether a DO statement commits or rolls back inside its body, which
 * PostgreSQL refuses inside a transaction block ("invalid transaction
 * termination"). Only parses the body when the words appear at all; a body
 * that does not compile is left for PostgreSQL to report.
 */
export function doBlockEndsTransaction(doStatementText: string, ast: unknown): boolean {
  if (!/\b(commit|rollback)\b/i.test(doStatementText)) return false;
  const args =
    (ast as { DoStmt?: { args?: { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }[] } }).DoStmt?.args ?? [];
  const language = args.find((a) => a.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval ?? 'plpgsql';
  if (language.toLowerCase() !== 'plpgsql') return false;
  try {
    return inspect(doStatementText, 0).statements.some((s) => /^(COMMIT|ROLLBACK)( AND CHAIN)?$/.test(s.sql));
  } catch {
    return false;
  }
}
