import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { inheritedColumn } from '../../snapshot.js';
import { touchesRebuiltType, type PlanContext } from '../context.js';
import type { Phase } from '../phases.js';
import { fnKindWord, fnRef, qn, sorted, sortedValues } from '../sql.js';
import { recreatedDomain } from './domain.js';
import type { PlanKind } from './kind.js';

/**
 * `COMMENT ON` every object whose comment changes, or that the plan creates
 * (new, or again: a created object starts without one). Reads what the
 * other kinds created again, so it is registered after them.
 */
export const commentKind: PlanKind = {
  name: 'comment',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const put = (target: string, from: string | null | undefined, to: string | null, fresh: boolean, phase: Phase = 'comments') => {
      if (fresh ? to === null : from === to) return;
      ctx.emit(phase, { sql: `COMMENT ON ${target} IS ${to === null ? 'NULL' : quoteLiteral(to)}`, destructive: false });
    };
    for (const [k, s] of sorted(b.schemas)) put(`SCHEMA ${quoteIdent(s.name)}`, a.schemas[k]?.comment, s.comment, !(k in a.schemas));
    for (const [k, x] of sorted(b.extensions)) {
      if (x.comment === undefined) continue;
      const old = a.extensions[k];
      // CREATE EXTENSION sets the control file's comment; an existing one keeps its own.
      const from = old ? old.comment : (x.defaultComment ?? null);
      if (from !== undefined && from !== x.comment)
        ctx.emit('comments', {
          sql: `COMMENT ON EXTENSION ${quoteIdent(x.name)} IS ${x.comment === null ? 'NULL' : quoteLiteral(x.comment)}`,
          destructive: false,
        });
    }
    for (const [k, e] of sorted(b.enums))
      put(`TYPE ${qn(e.schema, e.name)}`, a.enums[k]?.comment, e.comment, !(k in a.enums) || facts.rebuiltEnums.has(k));
    for (const [k, d] of sorted(b.domains))
      put(`DOMAIN ${qn(d.schema, d.name)}`, a.domains[k]?.comment, d.comment, !(k in a.domains) || recreatedDomain(a.domains[k], d));
    for (const [k, d] of sorted(b.domains)) {
      const o = a.domains[k];
      const fresh = !o || recreatedDomain(o, d);
      for (const c of d.checks) {
        const oc = fresh ? undefined : o.checks.find((x) => x.name === c.name);
        const again = !oc || oc.definition !== c.definition || (oc.validated && !c.validated);
        put(`CONSTRAINT ${quoteIdent(c.name)} ON DOMAIN ${qn(d.schema, d.name)}`, oc?.comment ?? null, c.comment ?? null, again);
      }
    }
    for (const [k, t] of sorted(b.compositeTypes)) {
      const fresh = !(k in a.compositeTypes) || facts.recreatedComposites.has(k);
      const o = fresh ? undefined : a.compositeTypes[k];
      put(`TYPE ${qn(t.schema, t.name)}`, o?.comment, t.comment, fresh);
      for (const at of t.attributes) {
        const oa = o?.attributes.find((x) => x.name === at.name);
        put(`COLUMN ${qn(t.schema, t.name)}.${quoteIdent(at.name)}`, oa?.comment ?? null, at.comment ?? null, !oa);
      }
    }
    for (const [k, c] of sorted(b.collations ?? {})) {
      const o = a.collations?.[k];
      put(`COLLATION ${qn(c.schema, c.name)}`, o?.comment, c.comment, !o || !deepEqual(o, { ...c, comment: o.comment }));
    }
    for (const [k, r] of sorted(b.rangeTypes ?? {})) {
      const o = a.rangeTypes?.[k];
      put(`TYPE ${qn(r.schema, r.name)}`, o?.comment, r.comment, !o || !deepEqual(o, { ...r, comment: o.comment }));
    }
    for (const [k, s] of sorted(b.sequences))
      put(`SEQUENCE ${qn(s.schema, s.name)}`, a.sequences[k]?.comment, s.comment, !(k in a.sequences));
    for (const [k, t] of sorted(b.tables)) {
      const fresh = facts.createdTables.has(k);
      const old = fresh ? undefined : a.tables[k];
      const name = qn(t.schema, t.name);
      put(`${t.foreign ? 'FOREIGN ' : ''}TABLE ${name}`, old?.comment, t.comment, fresh);
      for (const c of t.columns) {
        const oc = old?.columns.find((x) => x.name === c.name);
        put(`COLUMN ${name}.${quoteIdent(c.name)}`, oc?.comment, c.comment, !oc || facts.droppedColumns.has(`${k}\0${c.name}`));
      }
      // An inherited column no longer listed has no comment of its own any more.
      for (const oc of old?.columns ?? []) {
        if (!t.columns.some((c) => c.name === oc.name) && inheritedColumn(b, t, oc.name))
          put(`COLUMN ${name}.${quoteIdent(oc.name)}`, oc.comment, null, false);
      }
      for (const c of sortedValues(t.constraints)) {
        const oc = old?.constraints[c.name];
        const again =
          !oc ||
          facts.recreatedConstraints.has(`${k}\0${c.name}`) ||
          oc.definition !== c.definition ||
          (oc.validated && !c.validated) ||
          touchesRebuiltType(ctx, k, oc.definition);
        put(`CONSTRAINT ${quoteIdent(c.name)} ON ${name}`, oc?.comment, c.comment, again);
      }
    }
    for (const [k, i] of sorted(b.indexes)) {
      const o = a.indexes[k];
      const again =
        !o ||
        facts.recreatedIndexes.has(k) ||
        o.definition !== i.definition ||
        facts.createdTables.has(i.table) ||
        facts.rebuiltViews.has(i.table) ||
        touchesRebuiltType(ctx, o.table, o.definition);
      put(`INDEX ${qn(i.schema, i.name)}`, o?.comment, i.comment, again);
    }
    for (const [coll, word] of [
      ['views', 'VIEW'],
      ['materializedViews', 'MATERIALIZED VIEW'],
    ] as const) {
      for (const [k, v] of sorted(b[coll])) {
        const fresh = facts.rebuiltViews.has(k);
        const old = a[coll][k];
        const name = qn(v.schema, v.name);
        put(`${word} ${name}`, old?.comment, v.comment, fresh);
        for (const c of v.columns)
          put(`COLUMN ${name}.${quoteIdent(c.name)}`, old?.columns.find((x) => x.name === c.name)?.comment, c.comment, fresh);
      }
    }
    for (const [k, f] of sorted(b.functions))
      put(`${fnKindWord(f)} ${fnRef(f)}`, a.functions[k]?.comment, f.comment, !(k in a.functions) || facts.recreatedFunctions.has(k));
    for (const [k, t] of sorted(b.triggers))
      put(`TRIGGER ${quoteIdent(t.name)} ON ${qn(t.schema, t.table)}`, a.triggers[k]?.comment, t.comment, facts.recreatedTriggers.has(k));
    for (const [k, p] of sorted(b.policies))
      put(`POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`, a.policies[k]?.comment, p.comment, facts.recreatedPolicies.has(k));
    for (const [k, p] of sorted(b.publications ?? {}))
      put(`PUBLICATION ${quoteIdent(p.name)}`, a.publications?.[k]?.comment, p.comment, facts.createdPublications.has(k));
    // Event triggers are created last of all, and their comments after them.
    for (const [k, e] of sorted(b.eventTriggers ?? {}))
      put(
        `EVENT TRIGGER ${quoteIdent(e.name)}`,
        a.eventTriggers?.[k]?.comment,
        e.comment,
        facts.recreatedEventTriggers.has(k),
        'eventTriggers',
      );
  },
};
