import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { FunctionDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** `name(args)` of an aggregate as CREATE and DROP AGGREGATE take it: `(*)` for one without arguments. */
export function aggregateRef(f: FunctionDef): string {
  return `${qn(f.schema, f.name)}(${f.identityArguments === '' ? '*' : f.identityArguments})`;
}

/** `CREATE [OR REPLACE] AGGREGATE name (args) (options)`. */
export function createAggregate(f: FunctionDef, orReplace = false): string {
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}AGGREGATE ${aggregateRef(f)} (\n    ${f.aggregate!.options.join(',\n    ')}\n)`;
}

/** Whether two Snapshot entries are the same aggregate. */
function sameAggregate(x: FunctionDef, y: FunctionDef): boolean {
  return x.kind === y.kind && x.result === y.result && deepEqual(x.aggregate, y.aggregate);
}

/**
 * Aggregates (functions with an `aggregate` definition): created once every
 * function and type they are built from exists and before the views that
 * use them (phase `aggregates`); dropped after those views and before their
 * functions (`dropAggregates`). A changed definition is `CREATE OR REPLACE
 * AGGREGATE` when the result type and kind stay (PostgreSQL allows nothing
 * more), else the aggregate is dropped and created again, as it is when a
 * function it is built from is: that is recorded in `recreatedFunctions`, so
 * the views over it are rebuilt and its comment and grants written again.
 * Aggregates of a Snapshot written before aggregates were read have no
 * definition: a hint says to create them by hand.
 */
export const aggregateKind: PlanKind = {
  name: 'aggregate',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    const recreated = ctx.facts.recreatedFunctions;
    for (const [k, f] of sorted(b.functions)) {
      if (f.kind !== 'aggregate' || !f.aggregate) continue;
      const old = a.functions[k];
      const supportRecreated = f.aggregate.functions.some((s) => recreated.has(s) || (s in a.functions && !(s in b.functions)));
      if (old && !recreated.has(k) && !supportRecreated && sameAggregate(old, f)) continue;
      if (old && !recreated.has(k)) {
        if (
          !supportRecreated &&
          old.aggregate &&
          old.kind === f.kind &&
          old.result === f.result &&
          old.aggregate.kind === f.aggregate.kind
        ) {
          ctx.emit('aggregates', { sql: createAggregate(f, true), destructive: false });
          continue;
        }
        recreated.add(k);
        const why = supportRecreated
          ? 'a function it is built from is created again'
          : 'its result type or kind changes (CREATE OR REPLACE cannot do that)';
        ctx.emit('dropAggregates', {
          sql: `DROP AGGREGATE ${aggregateRef(old)}`,
          destructive: false,
          comment: `${why}: the aggregate is created again`,
        });
      }
      ctx.emit('aggregates', { sql: createAggregate(f), destructive: false });
    }
    for (const [k, f] of sorted(a.functions)) {
      if (f.kind !== 'aggregate' || !f.aggregate || k in b.functions) continue;
      ctx.emit('dropAggregates', { sql: `DROP AGGREGATE ${aggregateRef(f)}`, destructive: false });
    }
  },
};
