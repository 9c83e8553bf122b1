import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { EventTriggerDef, Snapshot } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

function enableEventTrigger(e: EventTriggerDef): string {
  const how = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[e.enabled];
  return `ALTER EVENT TRIGGER ${quoteIdent(e.name)} ${how}`;
}

/** A call of an argument-less function by key; one outside the Snapshot (another schema, an extension's) is named from its key. */
function functionCall(key: string, snap: Snapshot): string {
  const f = snap.functions[key];
  if (f) return `${qn(f.schema, f.name)}()`;
  const m = /^([^.]+)\.(.+)\(.*\)$/.exec(key);
  return m ? `${qn(m[1]!, m[2]!)}()` : key;
}

/**
 * Event triggers fire on the plan's own statements. Those that go, change
 * or are disabled are dropped or disabled first of all; new ones are
 * created (and enabled) last, as pg_dump restores them, so that an event
 * trigger that refuses DDL cannot stop the plan half-way. One whose
 * function is dropped and created again goes and comes back with it.
 */
export const eventTriggerKind: PlanKind = {
  name: 'event trigger',
  plan(ctx: PlanContext): void {
    const { facts } = ctx;
    const ea = ctx.a.eventTriggers ?? {};
    const eb = ctx.b.eventTriggers ?? {};
    for (const [k, e] of sorted(ea)) {
      const n = eb[k];
      if (n && n.event === e.event && deepEqual(n.tags, e.tags) && n.function === e.function && !facts.recreatedFunctions.has(e.function))
        continue;
      if (n) facts.recreatedEventTriggers.add(k);
      ctx.emit('dropEventTriggers', { sql: `DROP EVENT TRIGGER ${quoteIdent(e.name)}`, destructive: false });
    }
    for (const [k, e] of sorted(eb)) {
      const o = ea[k];
      if (!o || facts.recreatedEventTriggers.has(k)) {
        facts.recreatedEventTriggers.add(k);
        const tags = e.tags.length ? ` WHEN TAG IN (${e.tags.map(quoteLiteral).join(', ')})` : '';
        ctx.emit('eventTriggers', {
          sql:
            `CREATE EVENT TRIGGER ${quoteIdent(e.name)} ON ${quoteIdent(e.event)}${tags} EXECUTE FUNCTION ` +
            `${functionCall(e.function, ctx.b)}`,
          destructive: false,
        });
        if (e.enabled !== 'O') ctx.emit('eventTriggers', { sql: enableEventTrigger(e), destructive: false });
      } else if (o.enabled !== e.enabled)
        ctx.emit(e.enabled === 'D' ? 'dropEventTriggers' : 'eventTriggers', { sql: enableEventTrigger(e), destructive: false });
    }
  },
};
