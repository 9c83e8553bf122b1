import { deparse } from '@pg-strata/sql';
import type { AnalyzedStatement } from './effect-types.js';

type Node = Record<string, unknown>;

/** Functions whose value changes between runs: an UPDATE setting them never looks "done". */
const VOLATILE = new Set([
  'now',
  'random',
  'clock_timestamp',
  'statement_timestamp',
  'transaction_timestamp',
  'timeofday',
  'gen_random_uuid',
  'uuid_generate_v4',
  'nextval',
  'txid_current',
]);

function hasVolatile(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasVolatile);
  if (node === null || typeof node !== 'object') return false;
  const n = node as Node;
  if (n['SQLValueFunction'] !== undefined || n['SetToDefault'] !== undefined) return true;
  const fc = n['FuncCall'] as { funcname?: { String?: { sval?: string } }[] } | undefined;
  if (fc !== undefined && VOLATILE.has(fc.funcname?.at(-1)?.String?.sval ?? '')) return true;
  return Object.values(n).some(hasVolatile);
}

/** Replace `$n` in a parse tree with the constant values of one execution (`null` is SQL NULL); throws on a missing value. */
export function bindParams(node: unknown, row: readonly (string | null)[] | undefined): unknown {
  if (Array.isArray(node)) return node.map((n) => bindParams(n, row));
  if (node === null || typeof node !== 'object') return node;
  const n = node as Node;
  const p = n['ParamRef'] as { number?: number } | undefined;
  if (p !== undefined) {
    const v = row?.[(p.number ?? 1) - 1];
    if (row === undefined || v === undefined) throw new Error('unbound parameter');
    return v === null ? { A_Const: { isnull: true } } : { A_Const: { sval: { sval: v } } };
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) {
    const bound = k === 'location' ? v : bindParams(v, row);
    // LIMIT/OFFSET of a digits-only value read better as a number than as '500'.
    const sval = (bound as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const?.sval?.sval;
    out[k] =
      (k === 'limitCount' || k === 'limitOffset') && sval !== undefined && /^\d{1,15}$/.test(sval)
        ? { A_Const: { ival: { ival: Number(sval) } } }
        : bound;
  }
  return out;
}

function colRef(qualifier: string, name: string): Node {
  return { ColumnRef: { fields: [{ String: { sval: qualifier } }, { String: { sval: name } }] } };
}

function and(args: unknown[]): unknown {
  const list = args.filter((a) => a !== undefined);
  return list.length === 1 ? list[0] : { BoolExpr: { boolop: 'AND_EXPR', args: list } };
}

function or(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : { BoolExpr: { boolop: 'OR_EXPR', args } };
}

function selectOne(from: unknown[], where: unknown): string {
  const inner = deparse({
    SelectStmt: {
      targetList: [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }],
      fromClause: from,
      ...(where === undefined ? {} : { whereClause: where }),
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  } as never);
  return `SELECT EXISTS (${inner}) AS pending`;
}

/**
 * The queries that tell whether a DML statement still has work to do on a
 * database: each is `SELECT EXISTS (...) AS pending`, true while rows remain
 * that it would change. UPDATE: rows matching its WHERE whose SET columns
 * differ from the new values; DELETE: rows matching its WHERE; INSERT ...
 * VALUES: a row (by the ON CONFLICT columns, else by every inserted column)
 * that is missing. Returns an explanation instead when no honest check exists
 * (volatile values, INSERT ... SELECT, parameters without constant values).
 */
export function deriveDataChecks(st: AnalyzedStatement): { sql: string[] } | { why: string } {
  const [kind, raw] = Object.entries(st.ast as Node)[0] ?? ['', {}];
  const n = raw as Node;
  const rows = st.params === true ? st.paramValues : [undefined];
  if (rows === undefined || rows.length === 0) return { why: 'its parameters are not constants of the script' };
  try {
    if (kind === 'UpdateStmt') {
      const rel = n['relation'] as { relname?: string; alias?: { aliasname?: string } };
      const q = rel.alias?.aliasname ?? rel.relname ?? '';
      const targets = (n['targetList'] as { ResTarget?: { name?: string; val?: unknown; indirection?: unknown } }[] | undefined) ?? [];
      if (
        targets.some(
          (t) => t.ResTarget?.indirection !== undefined || (t.ResTarget?.val as Node | undefined)?.['MultiAssignRef'] !== undefined,
        )
      )
        return { why: 'it assigns several columns at once or into array elements' };
      if (hasVolatile(targets)) return { why: 'it sets a value that changes on every run (now(), random(), DEFAULT...)' };
      if (n['withClause'] !== undefined) return { why: 'it has a WITH clause' };
      const sql = rows.map((row) => {
        const differs = targets.map((t) => ({
          A_Expr: {
            kind: 'AEXPR_DISTINCT',
            name: [{ String: { sval: '=' } }],
            lexpr: colRef(q, t.ResTarget!.name!),
            rexpr: bindParams(t.ResTarget!.val, row),
          },
        }));
        const where = n['whereClause'] === undefined ? undefined : bindParams(n['whereClause'], row);
        return selectOne(
          [{ RangeVar: n['relation'] }, ...((n['fromClause'] as unknown[] | undefined) ?? []).map((f) => bindParams(f, row))],
          and([where, or(differs)]),
        );
      });
      return { sql };
    }
    if (kind === 'DeleteStmt') {
      if (n['withClause'] !== undefined) return { why: 'it has a WITH clause' };
      const sql = rows.map((row) =>
        selectOne(
          [{ RangeVar: n['relation'] }, ...((n['usingClause'] as unknown[] | undefined) ?? []).map((f) => bindParams(f, row))],
          n['whereClause'] === undefined ? undefined : bindParams(n['whereClause'], row),
        ),
      );
      return { sql };
    }
    if (kind === 'InsertStmt') {
      const cols = ((n['cols'] as { ResTarget?: { name?: string } }[] | undefined) ?? []).map((c) => c.ResTarget?.name ?? '');
      const values = ((n['selectStmt'] as { SelectStmt?: { valuesLists?: unknown[] } } | undefined)?.SelectStmt?.valuesLists ?? []).map(
        (l) => (l as { List?: { items?: unknown[] } }).List?.items ?? [],
      );
      if (cols.length === 0 || values.length === 0) return { why: 'it inserts from a query or without a column list' };
      if (hasVolatile(values)) return { why: 'it inserts values that change on every run' };
      const conflict = (
        (n['onConflictClause'] as { infer?: { indexElems?: { IndexElem?: { name?: string } }[] } } | undefined)?.infer?.indexElems ?? []
      )
        .map((e) => e.IndexElem?.name)
        .filter((s): s is string => s !== undefined);
      const keys = conflict.length > 0 && conflict.every((c) => cols.includes(c)) ? conflict : cols;
      const rel = n['relation'] as { relname?: string; alias?: { aliasname?: string } };
      const q = rel.alias?.aliasname ?? rel.relname ?? '';
      const sql: string[] = [];
      for (const row of rows) {
        for (const items of values) {
          const eqs = keys.map((k) => ({
            A_Expr: {
              kind: 'AEXPR_NOT_DISTINCT',
              name: [{ String: { sval: '=' } }],
              lexpr: colRef(q, k),
              rexpr: bindParams(items[cols.indexOf(k)], row),
            },
          }));
          const exists = selectOne([{ RangeVar: n['relation'] }], and(eqs));
          sql.push(`SELECT NOT ${exists.slice('SELECT '.length).replace(/ AS pending$/, '')} AS pending`);
        }
      }
      return { sql };
    }
  } catch (err) {
    return { why: `no check could be derived (${(err as Error).message})` };
  }
  return { why: `${kind} is not a row change the conversion can check` };
}
