import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { Snapshot, ViewDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted, stripSemicolon, topo } from '../sql.js';
import { createIndex } from './index.js';
import type { PlanKind } from './kind.js';

type V = { key: string; def: ViewDef; mat: boolean };

function all(s: Snapshot): Map<string, V> {
  return new Map<string, V>([
    ...Object.entries(s.views).map(([key, def]): [string, V] => [key, { key, def, mat: false }]),
    ...Object.entries(s.materializedViews).map(([key, def]): [string, V] => [key, { key, def, mat: true }]),
  ]);
}

/**
 * Views and materialised views: rebuilt (dropped dependents first, created in
 * dependency order) when they change or anything they depend on does (a table,
 * column, constraint, function, column type or another rebuilt view); then
 * REFRESH where only `populated` changes, and the materialised views' indexes.
 */
export const viewKind: PlanKind = {
  name: 'view',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const av = all(a);
    const bv = all(b);
    const rebuild = new Set<string>();
    for (const [k, v] of av) {
      const n = bv.get(k);
      if (
        !n ||
        facts.viewsOverRecreated.has(k) ||
        n.mat !== v.mat ||
        n.def.definition !== v.def.definition ||
        !deepEqual(
          n.def.columns.map((c) => [c.name, c.type]),
          v.def.columns.map((c) => [c.name, c.type]),
        ) ||
        !deepEqual(n.def.options, v.def.options)
      ) {
        rebuild.add(k);
      }
    }
    const touchedFns = new Set([...facts.recreatedFunctions, ...Object.keys(a.functions).filter((f) => !(f in b.functions))]);
    const affected = (dep: string) =>
      facts.droppedTables.has(dep) ||
      facts.droppedConstraints.has(dep) ||
      facts.typeChanged.has(dep) ||
      rebuild.has(dep) ||
      touchedFns.has(dep) ||
      [...facts.droppedColumns].some((c) => c.startsWith(`${dep}\0`));
    for (let grew = true; grew; ) {
      grew = false;
      for (const [k, v] of av) {
        if (!rebuild.has(k) && v.def.dependsOn.some(affected)) {
          rebuild.add(k);
          grew = true;
        }
      }
    }
    // Drop dependents first.
    const dropOrder = topo(
      [...av.values()].filter((v) => rebuild.has(v.key)),
      (v) => v.def.dependsOn,
    ).reverse();
    for (const v of dropOrder)
      ctx.emit('dropViews', {
        sql: `DROP ${v.mat ? 'MATERIALIZED VIEW' : 'VIEW'} ${qn(v.def.schema, v.def.name)}`,
        destructive: v.mat && !bv.has(v.key),
      });
    const create = [...bv.values()].filter((v) => !av.has(v.key) || rebuild.has(v.key));
    for (const v of topo(create, (x) => x.def.dependsOn)) {
      const d = v.def;
      const opts = d.options.length ? ` WITH (${d.options.join(', ')})` : '';
      const body = stripSemicolon(d.definition);
      if (v.mat) {
        const populated = (d as Snapshot['materializedViews'][string]).populated;
        ctx.emit('views', {
          sql: `CREATE MATERIALIZED VIEW ${qn(d.schema, d.name)}${opts} AS\n${body}\nWITH ${populated ? '' : 'NO '}DATA`,
          destructive: false,
        });
      } else {
        ctx.emit('views', { sql: `CREATE VIEW ${qn(d.schema, d.name)}${opts} AS\n${body}`, destructive: false });
      }
    }
    for (const v of create) facts.rebuiltViews.add(v.key);
    for (const [k, v] of sorted(b.materializedViews)) {
      const o = a.materializedViews[k];
      if (!o || rebuild.has(k) || o.populated === v.populated) continue;
      ctx.emit('views', {
        sql: `REFRESH MATERIALIZED VIEW ${qn(v.schema, v.name)}${v.populated ? '' : ' WITH NO DATA'}`,
        destructive: false,
      });
    }
    // Indexes of materialised views: after the view; all of them when it was built again.
    const conc = Boolean(ctx.options.concurrently);
    for (const [k, i] of sorted(a.indexes)) {
      if (!(i.table in a.materializedViews) || rebuild.has(i.table)) continue;
      const n = b.indexes[k];
      if (n && n.definition === i.definition) continue;
      ctx.emit('dropIndexes', { sql: `DROP INDEX ${qn(i.schema, i.name)}`, destructive: false });
    }
    for (const [k, i] of sorted(b.indexes)) {
      if (!(i.table in b.materializedViews)) continue;
      const o = a.indexes[k];
      if (o && o.definition === i.definition && !facts.rebuiltViews.has(i.table)) continue;
      ctx.emit('viewIndexes', createIndex(i, conc && !facts.rebuiltViews.has(i.table)));
    }
  },
};
