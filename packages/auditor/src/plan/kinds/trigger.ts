import { quoteIdent } from '@pg-strata/core';
import { objectKey, type TriggerDef } from '../../snapshot.js';
import { disturbed, type PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

function enableTrigger(t: TriggerDef): string {
  const how = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[t.enabled];
  return `ALTER TABLE ${qn(t.schema, t.table)} ${how} TRIGGER ${quoteIdent(t.name)}`;
}

/** Triggers: dropped and created again when they change or what they read does; enabled state changes in place. */
export const triggerKind: PlanKind = {
  name: 'trigger',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const recreate = new Set<string>();
    for (const [k, t] of sorted(a.triggers)) {
      const tk = objectKey(t.schema, t.table);
      const n = b.triggers[k];
      if (facts.droppedTables.has(tk) || facts.rebuiltViews.has(tk)) {
        if (n) recreate.add(k);
        continue;
      }
      if (!n || n.definition !== t.definition || disturbed(ctx, tk, t.definition)) {
        if (n) recreate.add(k);
        ctx.emit('dropTriggers', { sql: `DROP TRIGGER ${quoteIdent(t.name)} ON ${qn(t.schema, t.table)}`, destructive: false });
      }
    }
    for (const [k, t] of sorted(b.triggers)) {
      const o = a.triggers[k];
      if (!o || recreate.has(k)) {
        facts.recreatedTriggers.add(k);
        ctx.emit('triggers', { sql: t.definition, destructive: false });
        if (t.enabled !== 'O') ctx.emit('triggers', { sql: enableTrigger(t), destructive: false });
      } else if (o.enabled !== t.enabled) ctx.emit('triggers', { sql: enableTrigger(t), destructive: false });
    }
  },
};
