import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { displayName, prettyType } from '../../compare.js';
import { inheritedColumn, tableParents, type TableDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import type { Step } from '../step.js';
import { qn, sorted, topo } from '../sql.js';
import { alterColumn, columnClause, inheritedColumnChanges } from './column.js';
import type { PlanKind } from './kind.js';
import { sequenceClauses } from './sequence.js';
import { alterOptions, createOptions, recreatedServers } from './foreign.js';

const SERIAL: Record<string, string> = { smallint: 'smallserial', integer: 'serial', bigint: 'bigserial' };

/**
 * The table facts every kind may read, decided before any kind runs: which
 * tables are created (new, or again because their partitioning or parents
 * change), which are dropped, in which order `b`'s tables come (parents first),
 * and which new columns are plain serials (their sequence is then theirs).
 */
export function analyzeTables(ctx: PlanContext): void {
  const { a, b, facts } = ctx;
  facts.tableOrder = topo(
    sorted(b.tables).map(([key, t]) => ({ key, t })),
    (x) => [...(x.t.partitionOf ? [x.t.partitionOf.table] : []), ...(x.t.inherits ?? [])],
  ).map((x): [string, TableDef] => [x.key, x.t]);
  const serversAgain = recreatedServers(a, b);
  for (const [k, t] of facts.tableOrder) {
    const old = a.tables[k];
    const parentRecreated = [...(t.partitionOf ? [t.partitionOf.table] : []), ...(t.inherits ?? [])].some((p) =>
      facts.recreatedTables.has(p),
    );
    if (!old) facts.createdTables.add(k);
    else if (
      !deepEqual(old.partitionOf, t.partitionOf) ||
      old.partitionBy !== t.partitionBy ||
      !deepEqual(old.inherits ?? [], t.inherits ?? []) ||
      parentRecreated ||
      // A table becoming a foreign one (or the reverse), or a foreign table on another server (or on one created again).
      Boolean(old.foreign) !== Boolean(t.foreign) ||
      (old.foreign && (old.foreign.server !== t.foreign?.server || serversAgain.has(old.foreign.server)))
    ) {
      // Its parent's drop takes it along only if it was already under that parent (a table that becomes a partition is dropped itself).
      const oldParents = [...(old.partitionOf ? [old.partitionOf.table] : []), ...(old.inherits ?? [])];
      facts.recreatedTables.set(k, { withParent: parentRecreated && oldParents.some((p) => facts.recreatedTables.has(p)) });
      facts.droppedTables.add(k);
      facts.createdTables.add(k);
    }
  }
  for (const [k, t] of facts.tableOrder) {
    const old = facts.createdTables.has(k) ? undefined : a.tables[k];
    for (const c of t.columns) {
      if (old?.columns.some((x) => x.name === c.name) || inheritedColumn(b, t, c.name)) continue;
      const m = /^nextval\('(.+)'::regclass\)$/.exec(c.default ?? '');
      if (!m || !SERIAL[c.type] || !c.notNull || c.identity || c.generated !== null) continue;
      const seqKey = Object.keys(b.sequences).find((sk) => {
        const sq = b.sequences[sk]!;
        return qn(sq.schema, sq.name) === m[1] && sq.schema === t.schema;
      });
      const seq = seqKey ? b.sequences[seqKey] : undefined;
      if (!seq || !seqKey || seq.type !== c.type || seq.comment !== null || sequenceClauses(seq, false).length > 0) continue;
      if (seq.ownedBy?.table !== k || seq.ownedBy.column !== c.name || seq.name !== `${t.name}_${c.name}_seq`) continue;
      const before = a.sequences[seqKey];
      if (before && !(before.ownedBy && facts.droppedTables.has(before.ownedBy.table))) continue;
      facts.serialSequences.set(seqKey, { table: k, column: c.name });
      facts.serialColumns.set(`${k}\0${c.name}`, SERIAL[c.type]!);
    }
  }
  for (const [k] of sorted(a.tables)) if (!(k in b.tables)) facts.droppedTables.add(k);
}

/** ` WITH (...)` for a table's storage parameters, or nothing. */
function withOptions(t: TableDef): string {
  return t.options?.length ? ` WITH (${t.options.join(', ')})` : '';
}

/** `fillfactor=70` -> [`fillfactor`, `70`]. */
function splitOption(o: string): [string, string] {
  const at = o.indexOf('=');
  return at < 0 ? [o, ''] : [o.slice(0, at), o.slice(at + 1)];
}

/** CREATE TABLE with its own columns and its validated non-foreign-key constraints inline. */
export function createTable(ctx: PlanContext, t: TableDef, key: string): string {
  const name = qn(t.schema, t.name);
  const inline = Object.values(t.constraints).filter((c) => c.type !== 'foreign key' && c.validated);
  const own = t.columns.filter((c) => !inheritedColumn(ctx.b, t, c.name));
  const lines = [...own.map((c) => columnClause(ctx, c, key)), ...inline.map((c) => `CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`)];
  // A foreign table names its server and options where a table has its storage parameters.
  const using = t.accessMethod ? ` USING ${quoteIdent(t.accessMethod)}` : '';
  const tail = t.foreign ? ` SERVER ${quoteIdent(t.foreign.server)}${createOptions(t.foreign.options)}` : `${using}${withOptions(t)}`;
  const create = `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}${t.foreign ? 'FOREIGN ' : ''}TABLE`;
  if (t.partitionOf) {
    const parent = ctx.b.tables[t.partitionOf.table];
    const pname = parent ? qn(parent.schema, parent.name) : t.partitionOf.table;
    const body = lines.length ? ` (\n${lines.map((l) => `    ${l}`).join(',\n')}\n)` : '';
    return (
      `${create} ${name} PARTITION OF ${pname}${body} ` +
      `${t.partitionOf.bound}${t.partitionBy ? ` PARTITION BY ${t.partitionBy}` : ''}${tail}`
    );
  }
  const inherits = (t.inherits ?? []).map((p) => {
    const parent = ctx.b.tables[p];
    return parent ? qn(parent.schema, parent.name) : p;
  });
  const body = lines.length ? `(\n${lines.map((l) => `    ${l}`).join(',\n')}\n)` : '()';
  return (
    `${create} ${name} ${body}` +
    `${inherits.length ? ` INHERITS (${inherits.join(', ')})` : ''}` +
    `${t.partitionBy ? ` PARTITION BY ${t.partitionBy}` : ''}${tail}`
  );
}

/**
 * Tables and their columns: created (parents first, with row security),
 * altered column by column, dropped in one statement (partitions with their
 * parent); a dropped and an added column or table of the same shape is a hint.
 */
export const tableKind: PlanKind = {
  name: 'table',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    // Tables created again are dropped in one statement, with the removed ones: foreign keys among them need no ordering.
    const again: string[] = [];
    const againForeign: string[] = [];
    let dropAgain: Step | undefined;
    for (const [k, t] of facts.tableOrder) {
      const old = a.tables[k];
      if (facts.createdTables.has(k)) {
        const recreated = facts.recreatedTables.get(k);
        if (old?.foreign && recreated && !recreated.withParent) againForeign.push(qn(old.schema, old.name));
        else if (old && recreated && !recreated.withParent) {
          again.push(qn(old.schema, old.name));
          const comment = 'partitioning or inheritance changes: the table is created again';
          dropAgain ??= ctx.emit('dropTables', { sql: '', destructive: true, comment }).step;
        }
        ctx.emit('tables', { sql: createTable(ctx, t, k), destructive: false });
        // What the new child does not take from its parents as they are: NOT NULL and defaults of its own.
        for (const c of t.columns) {
          const from = inheritedColumn(b, t, c.name);
          if (from) inheritedColumnChanges(ctx, qn(t.schema, t.name), from, c);
          // A foreign partition's inherited column takes its OPTIONS here (PARTITION OF has no place for them).
          const opts = from && t.foreign ? alterOptions({}, c.fdwOptions) : undefined;
          if (opts)
            ctx.emit('columns', {
              sql: `ALTER FOREIGN TABLE ${qn(t.schema, t.name)} ALTER COLUMN ${quoteIdent(c.name)} ${opts}`,
              destructive: false,
            });
        }
        if (t.rowSecurity)
          ctx.emit('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} ENABLE ROW LEVEL SECURITY`, destructive: false });
        if (t.forceRowSecurity)
          ctx.emit('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} FORCE ROW LEVEL SECURITY`, destructive: false });
        continue;
      }
      if (old) alterTable(ctx, k, old, t);
    }
    const removed = sorted(a.tables).filter(([k]) => !(k in b.tables));
    // A partition goes with its parent.
    const parentGone = (t: TableDef): boolean =>
      t.partitionOf !== null &&
      (facts.droppedTables.has(t.partitionOf.table) ||
        (a.tables[t.partitionOf.table] ? parentGone(a.tables[t.partitionOf.table]!) : false));
    // Foreign tables apart: DROP TABLE refuses them.
    const dropped = removed.filter(([, t]) => !parentGone(t) && !t.foreign);
    const droppedForeign = [
      ...againForeign,
      ...removed.filter(([, t]) => !parentGone(t) && t.foreign).map(([, t]) => qn(t.schema, t.name)),
    ];
    if (droppedForeign.length) {
      const comment =
        `its server, partitioning or kind changes: ${againForeign.join(', ')} ` + `${againForeign.length > 1 ? 'are' : 'is'} created again`;
      ctx.emit('dropTables', {
        sql: `DROP FOREIGN TABLE ${droppedForeign.join(', ')}`,
        destructive: false,
        ...(againForeign.length ? { comment } : {}),
      });
    }
    if (dropAgain) {
      const names = [...again, ...dropped.map(([, t]) => qn(t.schema, t.name))];
      dropAgain.sql = `DROP TABLE ${names.join(', ')}`;
      const which = `${again.join(', ')} ${again.length > 1 ? 'are' : 'is'}`;
      if (names.length > 1) dropAgain.comment = `partitioning or inheritance changes: ${which} created again`;
    } else if (dropped.length) {
      // One statement: foreign keys among the dropped tables need no ordering.
      ctx.emit('dropTables', { sql: `DROP TABLE ${dropped.map(([, t]) => qn(t.schema, t.name)).join(', ')}`, destructive: true });
    }
    renameHints(ctx);
  },
};

function alterTable(ctx: PlanContext, k: string, old: TableDef, t: TableDef): void {
  const { facts } = ctx;
  const first = ctx.changes.length;
  const name = qn(t.schema, t.name);
  const at = (sql: string) => `ALTER ${t.foreign ? 'FOREIGN ' : ''}TABLE ${name} ${sql}`;
  const oldCols = new Map(old.columns.map((c) => [c.name, c]));
  const newCols = new Map(t.columns.map((c) => [c.name, c]));
  const fromParentA = (col: string) => inheritedColumn(ctx.a, old, col);
  const fromParentB = (col: string) => inheritedColumn(ctx.b, t, col);
  for (const c of old.columns) {
    const n = newCols.get(c.name);
    if (!n && fromParentA(c.name)) continue; // an inherited column: below, or gone with the parent's
    const regenerate = n && c.generated !== n.generated && n.generated !== null;
    if (!n || regenerate) {
      facts.droppedColumns.add(`${k}\0${c.name}`);
      ctx.emit('dropColumns', {
        sql: at(`DROP COLUMN ${quoteIdent(c.name)}`),
        destructive: c.generated === null,
        ...(regenerate ? { comment: `${c.name} becomes a different generated column: it is added again` } : {}),
      });
    }
  }
  for (const n of t.columns) {
    const c = oldCols.get(n.name);
    if (fromParentB(n.name)) continue; // an inherited column: below
    if (!c || facts.droppedColumns.has(`${k}\0${n.name}`)) {
      const step: Step = { sql: at(`ADD COLUMN ${columnClause(ctx, n, k)}`), destructive: false };
      if (c === undefined && n.notNull && n.default === null && !n.identity && n.generated === null) {
        step.comment = `NOT NULL without a default: fails if ${displayName(t.schema, t.name)} has rows (backfill first)`;
      }
      ctx.emit('columns', step);
      continue;
    }
    alterColumn(ctx, k, name, c, n, Boolean(t.foreign));
  }
  // Inherited columns: the child's own NOT NULL and default. The parent's SET/DROP DEFAULT and
  // SET/DROP NOT NULL recurse to its children, so where the parent's change, the child starts from the parent's new ones.
  for (const col of new Set([...old.columns, ...t.columns].map((c) => c.name))) {
    const pb = fromParentB(col);
    if (!pb) continue;
    const pa = fromParentA(col);
    const before = { ...(oldCols.get(col) ?? pa ?? pb) };
    const parentDefaultReset = tableParents(t).some((p) => facts.defaultDropped.has(`${p}\0${col}`));
    if (pa && (pa.default !== pb.default || parentDefaultReset)) before.default = pb.default;
    if (pa && pa.notNull !== pb.notNull) before.notNull = pb.notNull;
    inheritedColumnChanges(ctx, name, before, newCols.get(col) ?? pb);
  }
  foreignOptions(ctx, k, old, t, at);
  // Another table access method rewrites the table (PostgreSQL 15+); the access method's drop waits for it (kinds/language.ts).
  if ((old.accessMethod ?? 'heap') !== (t.accessMethod ?? 'heap'))
    ctx.emit(
      'columns',
      {
        sql: at(`SET ACCESS METHOD ${quoteIdent(t.accessMethod ?? 'heap')}`),
        destructive: false,
        comment: 'rewrites the table (PostgreSQL 15+)',
      },
      { id: `table:am:${k}` },
    );
  // A foreign table holds no rows here: dropping or narrowing its columns loses nothing (the remote data stays as it is).
  if (t.foreign) for (const c of ctx.changes.slice(first)) c.step.destructive = false;
  if (Boolean(old.unlogged) !== Boolean(t.unlogged))
    ctx.emit('columns', { sql: at(t.unlogged ? 'SET UNLOGGED' : 'SET LOGGED'), destructive: false });
  const oldOpts = new Map((old.options ?? []).map(splitOption));
  const newOpts = new Map((t.options ?? []).map(splitOption));
  const reset = [...oldOpts.keys()].filter((o) => !newOpts.has(o));
  const set = [...newOpts].filter(([o, v]) => oldOpts.get(o) !== v).map(([o, v]) => `${o}=${v}`);
  if (reset.length) ctx.emit('columns', { sql: at(`RESET (${reset.join(', ')})`), destructive: false });
  if (set.length) ctx.emit('columns', { sql: at(`SET (${set.join(', ')})`), destructive: false });
  if (old.rowSecurity !== t.rowSecurity)
    ctx.emit('rowSecurity', { sql: at(`${t.rowSecurity ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`), destructive: false });
  if (old.forceRowSecurity !== t.forceRowSecurity)
    ctx.emit('rowSecurity', { sql: at(`${t.forceRowSecurity ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`), destructive: false });
}

/** A foreign table's OPTIONS and its columns' (a column added again took its options with it). */
function foreignOptions(ctx: PlanContext, k: string, old: TableDef, t: TableDef, at: (sql: string) => string): void {
  if (!t.foreign || !old.foreign) return;
  for (const n of t.columns) {
    const c = old.columns.find((x) => x.name === n.name) ?? inheritedColumn(ctx.a, old, n.name);
    if (!c || ctx.facts.droppedColumns.has(`${k}\0${n.name}`)) continue;
    const opts = alterOptions(c.fdwOptions, n.fdwOptions);
    if (opts) ctx.emit('columns', { sql: at(`ALTER COLUMN ${quoteIdent(n.name)} ${opts}`), destructive: false });
  }
  const opts = alterOptions(old.foreign.options, t.foreign.options);
  if (opts) ctx.emit('columns', { sql: at(opts), destructive: false });
}

/** Renames are never guessed: a dropped and an added column (or table) of the same shape become a hint with the RENAME to use instead. */
function renameHints(ctx: PlanContext): void {
  const { a, b, hints } = ctx;
  for (const [k, t] of sorted(b.tables)) {
    const old = a.tables[k];
    if (!old) continue;
    const gone = old.columns.filter((c) => !t.columns.some((n) => n.name === c.name) && !inheritedColumn(a, old, c.name));
    const added = t.columns.filter((n) => !old.columns.some((c) => c.name === n.name) && !inheritedColumn(b, t, n.name));
    for (const g of gone) {
      for (const n of added.filter((x) => x.type === g.type)) {
        const tn = displayName(t.schema, t.name);
        hints.push({
          kind: 'possible-rename',
          message:
            `column ${tn}.${g.name} is dropped and ${tn}.${n.name} added with the same type ` +
            `${prettyType(n.type)}: if this is a rename, replace both steps with ALTER TABLE ` +
            `${qn(t.schema, t.name)} RENAME COLUMN ${quoteIdent(g.name)} TO ${quoteIdent(n.name)} to keep ` +
            `the data`,
        });
      }
    }
  }
  const sig = (t: TableDef) => t.columns.map((c) => `${c.name} ${c.type}`).join(',');
  for (const [k, t] of sorted(a.tables)) {
    if (k in b.tables) continue;
    for (const [k2, n] of sorted(b.tables)) {
      if (k2 in a.tables || n.schema !== t.schema || sig(n) !== sig(t)) continue;
      hints.push({
        kind: 'possible-rename',
        message:
          `table ${displayName(t.schema, t.name)} is dropped and ${displayName(n.schema, n.name)} created ` +
          `with the same columns: if this is a rename, replace both steps with ALTER TABLE ` +
          `${qn(t.schema, t.name)} RENAME TO ${quoteIdent(n.name)} to keep the data`,
      });
    }
  }
}
