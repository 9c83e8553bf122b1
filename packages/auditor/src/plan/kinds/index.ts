import { quoteIdent } from '@pg-strata/core';
import { objectKey, type IndexDef } from '../../snapshot.js';
import { callsRecreatedFunction, touchesRebuiltType, usesDroppedColumn, type PlanContext } from '../context.js';
import type { Step } from '../step.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/**
 * pg_get_indexdef's canonical text, written the way a person would: the
 * `public.` qualifier dropped (plans write public objects unqualified, as
 * everywhere else) and the default `USING btree` left out. Only the table
 * reference and the method clause right after `ON` are touched, so
 * expressions and predicates stay exactly as PostgreSQL printed them.
 */
export function readableIndexDef(definition: string): string {
  return definition
    .replace(/^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)public\.((?:"(?:[^"]|"")+"|[^\s(]+)) USING btree \(/, '$1$2 (')
    .replace(/^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)public\./, '$1');
}

export function createIndex(i: IndexDef, concurrently: boolean): Step {
  // pg_get_indexdef says ON ONLY for a partitioned table's index; created that way it stays invalid until every partition's index is
  // attached.
  const sql = readableIndexDef(i.definition.replace(/ ON ONLY /, ' ON '));
  if (!concurrently) return { sql, destructive: false };
  return {
    sql: sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY '),
    destructive: false,
    concurrently: true,
    transactional: false,
  };
}

/** Whether an index of `a` (not of a materialised view) is dropped: it changes, goes, or a column or type under it does. */
export function indexGoes(ctx: PlanContext, k: string, i: IndexDef): boolean {
  const n = ctx.b.indexes[k];
  return !n || n.definition !== i.definition || n.valid !== i.valid || indexDisturbed(ctx, i);
}

/** Whether a column, type or function under an index changes (the index is built again). */
function indexDisturbed(ctx: PlanContext, i: IndexDef): boolean {
  return (
    ctx.facts.indexesOverRecreated.has(objectKey(i.schema, i.name)) ||
    touchesRebuiltType(ctx, i.table, i.definition) ||
    callsRecreatedFunction(ctx, i.definition) ||
    usesDroppedColumn(ctx, i.table, [...i.keys, ...i.include], [...i.keys, ...i.include, i.predicate ?? ''].join(' '))
  );
}

/** pg_get_indexdef without the index's own name, to find one index under another name. */
function unnamed(i: IndexDef): string {
  return i.definition.replace(/^(CREATE (?:UNIQUE )?INDEX )(?:"(?:[^"]|"")+"|\S+)/, '$1');
}

/**
 * Indexes of `a` that `b` has under another name in the same schema (same table,
 * definition, validity and comment; nothing under them changes): renamed rather
 * than built again (`a` key -> `b` key). Each pairs with one index at most.
 */
export function renamedIndexes(ctx: PlanContext): Map<string, string> {
  const { a, b, facts } = ctx;
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const added = sorted(b.indexes).filter(([k, n]) => !(k in a.indexes) && !facts.createdTables.has(n.table));
  const same = (i: IndexDef, n: IndexDef) =>
    n.table === i.table && n.schema === i.schema && n.valid && n.comment === i.comment && unnamed(n) === unnamed(i);
  for (const [k, i] of sorted(a.indexes)) {
    if (k in b.indexes || facts.droppedTables.has(i.table) || i.table in a.materializedViews) continue;
    if (!i.valid || indexDisturbed(ctx, i)) continue;
    const match = added.find(([nk, n]) => !taken.has(nk) && same(i, n)); // same table: not a materialised view's
    if (!match) continue;
    taken.add(match[0]);
    out.set(k, match[0]);
  }
  return out;
}

/** Indexes of tables (those of materialised views are the view kind's), optionally CONCURRENTLY on existing tables. */
export const indexKind: PlanKind = {
  name: 'index',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const conc = Boolean(ctx.options.concurrently);
    const renamed = renamedIndexes(ctx);
    for (const [k, to] of renamed) {
      const i = a.indexes[k]!;
      const sql = `ALTER INDEX ${qn(i.schema, i.name)} RENAME TO ${quoteIdent(b.indexes[to]!.name)}`;
      ctx.emit('indexes', { sql, destructive: false, comment: 'same definition under another name' });
    }
    const renamedTo = new Set(renamed.values());
    for (const [k, i] of sorted(a.indexes)) {
      const n = b.indexes[k];
      if (facts.droppedTables.has(i.table) || i.table in a.materializedViews) continue; // views handle their own
      if (!indexGoes(ctx, k, i) || renamed.has(k)) continue;
      const goneCols = i.keys.every((col) => facts.droppedColumns.has(`${i.table}\0${col}`));
      if (!n && goneCols) continue;
      ctx.emit(
        'dropIndexes',
        conc
          ? { sql: `DROP INDEX CONCURRENTLY ${qn(i.schema, i.name)}`, destructive: false, concurrently: true, transactional: false }
          : { sql: `DROP INDEX ${qn(i.schema, i.name)}`, destructive: false },
      );
    }
    for (const [k, i] of sorted(b.indexes)) {
      if (i.table in b.materializedViews) continue;
      const o = a.indexes[k];
      if ((o && !facts.droppedTables.has(o.table) && !indexGoes(ctx, k, o)) || renamedTo.has(k)) continue;
      facts.recreatedIndexes.add(k);
      ctx.emit('indexes', createIndex(i, conc && !facts.createdTables.has(i.table)));
    }
  },
};

/** `REPLICA IDENTITY`, once the index it may name exists; again when that index was built again. */
export const replicaIdentityKind: PlanKind = {
  name: 'replica identity',
  plan(ctx: PlanContext): void {
    const { facts } = ctx;
    for (const [k, t] of facts.tableOrder) {
      const want = t.replicaIdentity ?? 'default';
      const old = facts.createdTables.has(k) ? undefined : ctx.a.tables[k];
      const had = old ? (old.replicaIdentity ?? 'default') : 'default';
      const index = t.replicaIdentityIndex ?? null;
      const indexKey = objectKey(t.schema, index ?? '');
      const rebuilt = want === 'index' && (facts.recreatedIndexes.has(indexKey) || facts.recreatedConstraints.has(`${k}\0${index}`));
      if (want === had && (want !== 'index' || (index === (old?.replicaIdentityIndex ?? null) && !rebuilt))) continue;
      const how = want === 'index' ? `USING INDEX ${quoteIdent(index ?? '')}` : want.toUpperCase();
      ctx.emit('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} REPLICA IDENTITY ${how}`, destructive: false });
    }
  },
};
