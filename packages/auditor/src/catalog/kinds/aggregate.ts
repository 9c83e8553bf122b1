import { quoteLiteral } from '@pg-strata/core';
import { byCodePoint, objectKey, type AggregateDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Fn = { name: string; key: string } | null;
type Row = {
  schema: string;
  name: string;
  args: string;
  kind: 'n' | 'o' | 'h';
  sfunc: Fn;
  stype: string;
  sspace: number;
  finalfunc: Fn;
  finalextra: boolean;
  finalmodify: string;
  combinefunc: Fn;
  serialfunc: Fn;
  deserialfunc: Fn;
  initcond: string | null;
  msfunc: Fn;
  minvfunc: Fn;
  mstype: string | null;
  msspace: number;
  mfinalfunc: Fn;
  mfinalextra: boolean;
  mfinalmodify: string;
  minitcond: string | null;
  sortop: string | null;
  parallel: 's' | 'r' | 'u';
};

/** A support function as `CREATE AGGREGATE` names it (schema-qualified) and as the Snapshot keys it. */
const fn = (col: string) =>
  `(SELECT json_build_object('name', quote_ident(fn.nspname) || '.' || quote_ident(f.proname), ` +
  `'key', fn.nspname || '.' || f.proname || '(' || pg_get_function_identity_arguments(f.oid) || ` +
  `')')
      FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ${col}::oid)`;

const MODIFY: Record<string, string> = { r: 'READ_ONLY', s: 'SHAREABLE', w: 'READ_WRITE' };
const PARALLEL: Record<string, string> = { s: 'SAFE', r: 'RESTRICTED', u: 'UNSAFE' };

/** The options of `CREATE AGGREGATE` for one row, in the documented order, defaults left out. */
export function aggregateOptions(r: Row): string[] {
  const out: string[] = [];
  const put = (name: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined) out.push(`${name} = ${v}`);
  };
  // FINALFUNC_MODIFY defaults to READ_ONLY, except for ordered-set aggregates (READ_WRITE).
  const defaultModify = r.kind === 'n' ? 'r' : 'w';
  put('SFUNC', r.sfunc?.name);
  put('STYPE', r.stype);
  if (r.sspace > 0) put('SSPACE', String(r.sspace));
  put('FINALFUNC', r.finalfunc?.name);
  if (r.finalextra) out.push('FINALFUNC_EXTRA');
  if (r.finalmodify !== defaultModify) put('FINALFUNC_MODIFY', MODIFY[r.finalmodify]);
  put('COMBINEFUNC', r.combinefunc?.name);
  put('SERIALFUNC', r.serialfunc?.name);
  put('DESERIALFUNC', r.deserialfunc?.name);
  if (r.initcond !== null) put('INITCOND', quoteLiteral(r.initcond));
  put('MSFUNC', r.msfunc?.name);
  put('MINVFUNC', r.minvfunc?.name);
  put('MSTYPE', r.mstype);
  if (r.msspace > 0) put('MSSPACE', String(r.msspace));
  put('MFINALFUNC', r.mfinalfunc?.name);
  if (r.mfinalextra) out.push('MFINALFUNC_EXTRA');
  // MFINALFUNC_MODIFY defaults to FINALFUNC_MODIFY.
  if (r.mstype !== null && r.mfinalmodify !== r.finalmodify) put('MFINALFUNC_MODIFY', MODIFY[r.mfinalmodify]);
  if (r.minitcond !== null) put('MINITCOND', quoteLiteral(r.minitcond));
  put('SORTOP', r.sortop);
  if (r.parallel !== 'u') put('PARALLEL', PARALLEL[r.parallel]);
  if (r.kind === 'h') out.push('HYPOTHETICAL');
  return out;
}

/**
 * Aggregates (`pg_aggregate`): adds its definition to the aggregate the
 * function kind read (registered after it). Not extension members.
 */
export const aggregateKind: CatalogKind<Row> = {
  name: 'aggregate',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, a.aggkind AS kind,
            ${fn('a.aggtransfn')} AS sfunc, format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace AS sspace,
            ${fn('a.aggfinalfn')} AS finalfunc, a.aggfinalextra AS finalextra, a.aggfinalmodify AS finalmodify,
            ${fn('a.aggcombinefn')} AS combinefunc, ${fn('a.aggserialfn')} AS serialfunc, ` +
    `${fn('a.aggdeserialfn')} AS deserialfunc, a.agginitval AS initcond,
            ${fn('a.aggmtransfn')} AS msfunc, ${fn('a.aggminvtransfn')} AS minvfunc,
            CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS mstype, a.aggmtransspace AS msspace,
            ${fn('a.aggmfinalfn')} AS mfinalfunc, a.aggmfinalextra AS mfinalextra, ` +
    `a.aggmfinalmodify AS mfinalmodify, a.aggminitval AS minitcond,
            (SELECT CASE WHEN onsp.nspname = 'pg_catalog' THEN o.oprname ELSE 'OPERATOR(' || ` +
    `quote_ident(onsp.nspname) || '.' || o.oprname || ')' END
               FROM pg_operator o JOIN pg_namespace onsp ON onsp.oid = o.oprnamespace WHERE o.oid = a.aggsortop) AS sortop,
            p.proparallel AS parallel
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.pronamespace = ANY($1::oid[]) AND ${notExt('pg_proc', 'p.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      const f = ctx.snap.functions[`${objectKey(r.schema, r.name)}(${r.args})`];
      if (!f) continue;
      const support = [r.sfunc, r.finalfunc, r.combinefunc, r.serialfunc, r.deserialfunc, r.msfunc, r.minvfunc, r.mfinalfunc].flatMap(
        (x) => (x ? [x.key] : []),
      );
      const kind: AggregateDef['kind'] = r.kind === 'n' ? 'normal' : r.kind === 'o' ? 'ordered-set' : 'hypothetical';
      f.aggregate = { kind, options: aggregateOptions(r), functions: [...new Set(support)].sort(byCodePoint) };
    }
  },
};
