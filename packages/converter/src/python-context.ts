import { LineIndex } from '@pg-strata/sql';
// What the Python extractor's modules share: the walk's context and scope, and telling an SQL call from another call.
import type { SyntaxNode } from '@lezer/common';
import type { Env, Val } from './python-values.js';
import { callArgs } from './python-nodes.js';
import { GuardBook } from './python-helpers.js';
import type { CatalogVal } from './python-catalog.js';
import type { ExtractionWarning, SqlFragment, SqlGuard } from './types.js';

/** Methods that run the SQL given as first argument (DB-API, SQLAlchemy, Alembic `op.execute`). */
export const SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'exec_driver_sql', 'copy_expert']);
/** Wrappers whose first argument is SQL text (SQLAlchemy). */
export const TEXT_WRAPPERS = new Set(['text', 'DDL']);
export interface Ctx {
  readonly text: string;
  readonly lines: LineIndex;
  readonly fragments: SqlFragment[];
  readonly warnings: ExtractionWarning[];
  readonly calls: ReadonlySet<string>;
  /** Functions of this file that pass one of their parameters to an SQL call (`def run_sql(cur, sql): cur.execute(sql)`). */
  readonly wrappers: Map<string, Wrapper>;
  /** text() values bound to names, not yet executed: emitted at the end. */
  readonly pendingText: Map<number, { value: Val; node: SyntaxNode; scope?: Scope }>;
  readonly warned: Set<number>;
  /** Module-level single-assignment constants (set before the walk). */
  globals?: Env;
  /** The helpers conditions can call (set before the walk). */
  guards?: GuardBook;
  /** What the last catalogue query run through a cursor returns (`cur` → the columns of users). */
  readonly lastCatalog: Map<string, CatalogVal>;
}

export interface Scope {
  env: Env;
  readonly guard: SqlGuard | undefined;
  readonly iteration: Readonly<Record<string, string>> | undefined;
}

export function src(ctx: Ctx, node: SyntaxNode): string {
  return ctx.text.slice(node.from, node.to);
}

export function warn(ctx: Ctx, offset: number, message: string): void {
  if (ctx.warned.has(offset)) return;
  ctx.warned.add(offset);
  ctx.warnings.push({ message, ...ctx.lines.locate(offset) });
}

// ---------- expressions ----------

/** A call's positional and keyword arguments: the guards module's parser, one for both. */
export const parseArgs = (ctx: Ctx, argList: SyntaxNode | null) => callArgs(ctx.text, argList);

export function calleeName(ctx: Ctx, callee: SyntaxNode): { full: string; last: string } {
  const full = src(ctx, callee).replace(/\s+/g, '');
  const last = callee.name === 'MemberExpression' ? (callee.lastChild ? src(ctx, callee.lastChild) : full) : full;
  return { full, last };
}

interface Wrapper {
  /** Index of the SQL parameter among the positional arguments of a call. */
  readonly index: number;
  readonly param: string;
  /** Defined with `self`/`cls` first: called as `obj.name(...)`. */
  readonly method: boolean;
  readonly from: number;
  readonly to: number;
  calls: number;
}

export interface SqlCallSite {
  via: string;
  kind: 'exec' | 'text';
  /** Which positional argument (and keyword) holds the SQL; default the first. */
  argIndex?: number;
  argName?: string;
  wrapper?: Wrapper;
}

export function isSqlCall(ctx: Ctx, node: SyntaxNode): SqlCallSite | null {
  if (node.name !== 'CallExpression') return null;
  const callee = node.firstChild;
  if (!callee) return null;
  const { full, last } = calleeName(ctx, callee);
  const w = ctx.wrappers.get(last);
  if (w && (callee.name === 'VariableName') === !w.method && !(node.from >= w.from && node.to <= w.to)) {
    return { via: full, kind: 'exec', argIndex: w.index, argName: w.param, wrapper: w };
  }
  if (callee.name === 'MemberExpression' && SQL_METHODS.has(last)) return { via: full, kind: 'exec' };
  if (ctx.calls.has(full) || ctx.calls.has(last)) return { via: full, kind: 'exec' };
  if (TEXT_WRAPPERS.has(last) && (callee.name === 'VariableName' || /^(sa|sqlalchemy|sql|sqlalchemy\.sql)\.(text|DDL)$/.test(full)))
    return { via: 'text()', kind: 'text' };
  return null;
}
