import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import type { OperatorDef, Snapshot } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** An operator reference (`public.===(integer, text)`) split into its qualified name and its argument list. */
export function splitRef(ref: string): [string, string] {
  const m = /^(.+?\.[-+*/<>=~!@#%^&|`?]+)(\(.*\))$/.exec(ref);
  return m ? [m[1]!, m[2]!] : [ref, ''];
}

/** `schema.op (left, right)` as DROP / ALTER / COMMENT ON OPERATOR take it, from an operator's key. */
export function operatorSignature(ref: string): string {
  return splitRef(ref).join(' ');
}

/** `OPERATOR(schema.op)`, from an operator's key (for COMMUTATOR / NEGATOR). */
function operatorName(ref: string): string {
  return `OPERATOR(${splitRef(ref)[0]})`;
}

/** Snapshot function keys by their qualified, quoted reference (`public.f(integer)`), as operators and classes name functions. */
export function functionKeys(s: Snapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, f] of Object.entries(s.functions)) out.set(`${quoteIdent(f.schema)}.${quoteIdent(f.name)}(${f.identityArguments})`, k);
  return out;
}

/** Keys of `a`'s functions that the plan drops (gone, or created again), by reference. */
export function goneFunctions(ctx: PlanContext): Set<string> {
  const out = new Set<string>();
  for (const [ref, k] of functionKeys(ctx.a)) if (!(k in ctx.b.functions) || ctx.facts.recreatedFunctions.has(k)) out.add(ref);
  return out;
}

/** Edges to the creation of the functions `refs` names, where the plan creates them (a function may wait for tables). */
export function afterFunctions(ctx: PlanContext, refs: (string | null)[]): string[] {
  const keys = functionKeys(ctx.b);
  return refs.flatMap((r) => {
    const k = r === null ? undefined : keys.get(r);
    return k === undefined ? [] : [`function:create:${k}`];
  });
}

function createOperator(k: string, o: OperatorDef): string {
  const opts = [
    `FUNCTION = ${o.function.slice(0, o.function.indexOf('('))}`,
    ...(o.left !== null ? [`LEFTARG = ${o.left}`] : []),
    `RIGHTARG = ${o.right}`,
    ...(o.commutator ? [`COMMUTATOR = ${operatorName(o.commutator)}`] : []),
    ...(o.negator ? [`NEGATOR = ${operatorName(o.negator)}`] : []),
    ...(o.restrict ? [`RESTRICT = ${o.restrict}`] : []),
    ...(o.join ? [`JOIN = ${o.join}`] : []),
    ...(o.hashes ? ['HASHES'] : []),
    ...(o.merges ? ['MERGES'] : []),
  ];
  return `CREATE OPERATOR ${splitRef(k)[0]} (\n    ${opts.join(',\n    ')}\n)`;
}

/** Whether an operator must be dropped and created again to become `n` (only its estimators and comment can change in place). */
function operatorChanges(o: OperatorDef, n: OperatorDef): boolean {
  return (
    o.function !== n.function || o.commutator !== n.commutator || o.negator !== n.negator || o.hashes !== n.hashes || o.merges !== n.merges
  );
}

/**
 * What PostgreSQL would refuse to drop an operator under: views, indexes, CHECK and
 * exclusion constraints whose text uses it (`a === b`, `OPERATOR(app.===)`; by name,
 * so an operator of the same name over other types counts too: one more rebuild at worst).
 */
function usersOf(ctx: PlanContext, refs: string[]): void {
  const { a, facts } = ctx;
  const names = [...new Set(refs.map((r) => splitRef(r)[0].replace(/^.*?\./, '')))];
  if (names.length === 0) return;
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const res = names.map((n) => new RegExp(`(^|[\\s(])${escape(n)}\\s|OPERATOR\\([^)]*\\.${escape(n)}\\)`));
  const uses = (text: string) => res.some((re) => re.test(text));
  for (const [k, v] of [...sorted(a.views), ...sorted(a.materializedViews)]) if (uses(v.definition)) facts.viewsOverRecreated.add(k);
  for (const [k, i] of sorted(a.indexes)) if (uses(i.definition)) facts.indexesOverRecreated.add(k);
  for (const [k, t] of sorted(a.tables))
    for (const c of Object.values(t.constraints))
      if ((c.type === 'check' || c.type === 'exclude') && uses(c.definition)) facts.constraintsOverRecreated.add(`${k}\0${c.name}`);
}

/**
 * Operators: created after the functions they call (and the types they take),
 * before the operator classes, columns, constraints, indexes and views that
 * use them; dropped after those and before their functions. A changed
 * restriction or join estimator is `ALTER OPERATOR ... SET`; any other change
 * (function, commutator, negator, HASHES, MERGES: PostgreSQL before 17 cannot
 * alter them) drops the operator and creates it again, as does a function it
 * calls being dropped or created again; that is recorded in
 * `recreatedOperators`, so the classes and families that list it follow.
 * Commutator pairs need no order: the first created names the second, which
 * PostgreSQL makes a shell that the second's CREATE fills; dropping one clears
 * the other's link, which the second CREATE sets again.
 */
export const operatorKind: PlanKind = {
  name: 'operator',
  plan(ctx: PlanContext): void {
    const oa = ctx.a.operators ?? {};
    const ob = ctx.b.operators ?? {};
    const gone = goneFunctions(ctx);
    const recreated = ctx.facts.recreatedOperators;
    for (const [k, o] of sorted(oa)) {
      const n = ob[k];
      if (n && !operatorChanges(o, n) && !gone.has(o.function)) continue;
      if (n) recreated.add(k);
      const why = !n
        ? undefined
        : gone.has(o.function) && o.function === n.function
          ? 'the function it calls is created again: the operator is created again'
          : 'its function, commutator, negator, HASHES or MERGES change (ALTER OPERATOR cannot do that): the operator is created again';
      ctx.emit(
        'dropOperators',
        { sql: `DROP OPERATOR ${operatorSignature(k)}`, destructive: false, ...(why ? { comment: why } : {}) },
        { id: `operator:drop:${k}` },
      );
    }
    usersOf(ctx, [...recreated]);
    for (const [k, n] of sorted(ob)) {
      const o = oa[k];
      const fresh = !o || recreated.has(k);
      if (fresh)
        ctx.emit(
          'operators',
          { sql: createOperator(k, n), destructive: false },
          { id: `operator:create:${k}`, after: afterFunctions(ctx, [n.function]) },
        );
      else if (o.restrict !== n.restrict || o.join !== n.join) {
        const set = [
          ...(o.restrict !== n.restrict ? [`RESTRICT = ${n.restrict ?? 'NONE'}`] : []),
          ...(o.join !== n.join ? [`JOIN = ${n.join ?? 'NONE'}`] : []),
        ];
        ctx.emit('operators', { sql: `ALTER OPERATOR ${operatorSignature(k)} SET (${set.join(', ')})`, destructive: false });
      }
      if (n.comment !== (fresh ? null : o.comment))
        ctx.emit('comments', {
          sql: `COMMENT ON OPERATOR ${operatorSignature(k)} IS ${n.comment === null ? 'NULL' : quoteLiteral(n.comment)}`,
          destructive: false,
        });
    }
  },
};
