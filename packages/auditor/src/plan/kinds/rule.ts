import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import type { RuleDef } from '../../snapshot.js';
import { objectKey } from '../../snapshot.js';
import { disturbed, type PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

function enableRule(r: RuleDef): string {
  const how = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[r.enabled];
  return `ALTER TABLE ${qn(r.schema, r.table)} ${how} RULE ${quoteIdent(r.name)}`;
}

/** pg_get_ruledef's text (read with search_path=public, so public relations unqualified), as CREATE or CREATE OR REPLACE. */
function ruleSql(r: RuleDef, orReplace: boolean): string {
  return orReplace ? r.definition.replace(/^CREATE RULE /, 'CREATE OR REPLACE RULE ') : r.definition;
}

/**
 * Rewrite rules go with their table or view: dropped with it (no statement),
 * created again after it when the plan builds it again. A rule whose action or
 * condition reads a relation the plan drops or rebuilds, a column that is
 * dropped or changes type, or a function created again, is dropped first
 * (`dropRules`, before views, columns, tables and functions go) and created
 * again at the end (`rules`, after tables, views and functions exist); a rule
 * whose definition changes otherwise is `CREATE OR REPLACE RULE` (which keeps its
 * enabled state and comment). ENABLE / DISABLE RULE change in place.
 */
export const ruleKind: PlanKind = {
  name: 'rule',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const ra = a.rules ?? {};
    const rb = b.rules ?? {};
    // A table dropped, or a view dropped or built again: its rules go with it.
    const wasView = (rel: string) => rel in a.views || rel in a.materializedViews;
    const isView = (rel: string) => rel in b.views || rel in b.materializedViews;
    const gone = (rel: string) => facts.droppedTables.has(rel) || (wasView(rel) && (facts.rebuiltViews.has(rel) || !isView(rel)));
    const touched = (r: RuleDef): boolean => {
      const own = objectKey(r.schema, r.table);
      if (disturbed(ctx, own, r.definition)) return true;
      return r.dependsOn.some((dep) =>
        dep in a.functions || /\(.*\)$/.test(dep)
          ? facts.recreatedFunctions.has(dep) || (dep in a.functions && !(dep in b.functions))
          : gone(dep) || disturbed(ctx, dep, r.definition),
      );
    };
    const again = new Set<string>();
    for (const [k, r] of sorted(ra)) {
      const n = rb[k];
      if (gone(objectKey(r.schema, r.table))) {
        if (n) again.add(k);
        continue;
      }
      if (n && !touched(r)) continue;
      if (n) again.add(k);
      ctx.emit('dropRules', {
        sql: `DROP RULE ${quoteIdent(r.name)} ON ${qn(r.schema, r.table)}`,
        destructive: false,
        ...(n ? { comment: 'what it reads is dropped or changes: the rule is created again' } : {}),
      });
    }
    for (const [k, r] of sorted(rb)) {
      const o = ra[k];
      const fresh = !o || again.has(k);
      if (fresh) {
        ctx.emit('rules', { sql: ruleSql(r, false), destructive: false });
        if (r.enabled !== 'O') ctx.emit('rules', { sql: enableRule(r), destructive: false });
      } else {
        if (o.definition !== r.definition) ctx.emit('rules', { sql: ruleSql(r, true), destructive: false });
        if (o.enabled !== r.enabled) ctx.emit('rules', { sql: enableRule(r), destructive: false });
      }
      if (r.comment !== (fresh ? null : o!.comment)) {
        const text = r.comment === null ? 'NULL' : quoteLiteral(r.comment);
        ctx.emit('comments', { sql: `COMMENT ON RULE ${quoteIdent(r.name)} ON ${qn(r.schema, r.table)} IS ${text}`, destructive: false });
      }
    }
  },
};
