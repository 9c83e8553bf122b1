import { escapeRegExp, quoteIdent } from '@pg-strata/core';
import { inheritedColumn, type ColumnDef, type FunctionDef, type Snapshot, type TableDef } from '../snapshot.js';
import type { Change } from './graph.js';
import type { Phase } from './phases.js';
import { fnKindWord, fnRef, qn, sorted } from './sql.js';
import type { PlanHint, PlanOptions, Step } from './step.js';

/** A column that has a type (or an array of it) both before and after. */
export interface TypedColumn {
  key: string;
  table: TableDef;
  column: ColumnDef;
}

/**
 * What one kind decided that other kinds must know. Each fact is written by the
 * kinds named in its comment; a kind that only reads it is registered after all of
 * them (kinds/registry.ts; checked by test/plan-facts.test.ts). Writers that
 * accumulate into one fact read it too, so that the first does a thing once
 * (drop a default, drop a function). The table facts are known before any kind runs.
 */
export class PlanFacts {
  /** Tables created (new, or created again). Known up front (kinds/table.ts `analyzeTables`). */
  readonly createdTables = new Set<string>();
  /** Tables dropped (removed, or dropped to be created again). Known up front. */
  readonly droppedTables = new Set<string>();
  /** Tables created again because their partitioning or parents change, and whether their parent's drop takes them along. Known up front.
   * */
  readonly recreatedTables = new Map<string, { withParent: boolean }>();
  /** `b`'s tables, parents before partitions and inheriting tables. Known up front. */
  tableOrder: [string, TableDef][] = [];
  /** Sequences that a new `serial` column creates (key -> column). Known up front. */
  readonly serialSequences = new Map<string, { table: string; column: string }>();
  /** New columns written as `serial` (`table\0column` -> `serial`/`bigserial`/`smallserial`). Known up front. */
  readonly serialColumns = new Map<string, string>();

  /** Columns dropped (`table\0column`). Writer: table. */
  readonly droppedColumns = new Set<string>();
  /** Tables whose column types change (views and policies reading them are rebuilt). Writers: enum, domain, composite (rebuilt types),
   * table (column types). */
  readonly typeChanged = new Map<string, Set<string>>();
  /** Enums rebuilt: key -> temporary name of the old type. Writer: enum. */
  readonly rebuiltEnums = new Map<string, string>();
  /** Type names (as columns spell them) built again: their columns are converted by the type's kind. Writers: enum, domain, composite. */
  readonly rebuiltTypes = new Set<string>();
  /** Composite types dropped (or renamed away) and created again. Writer: composite. */
  readonly recreatedComposites = new Set<string>();
  /** Functions dropped and created again. Writers: enum, domain, composite (signature over a rebuilt type), function, aggregate. */
  readonly recreatedFunctions = new Set<string>();
  /** Columns whose default is dropped early (`table\0column`). Writers: enum, domain, composite, table. */
  readonly defaultDropped = new Set<string>();
  /** Constraints dropped and added again (`table\0name`). Writer: constraint. */
  readonly recreatedConstraints = new Set<string>();
  /** Constraints dropped, as views name them in `dependsOn` (`schema.table#name`). Writer: constraint. */
  readonly droppedConstraints = new Set<string>();
  /** Indexes (not of materialised views) created, new or again. Writer: index. */
  readonly recreatedIndexes = new Set<string>();
  /** Views and materialised views created, new or again. Writer: view. */
  readonly rebuiltViews = new Set<string>();
  /** Writer: trigger. */
  readonly recreatedTriggers = new Set<string>();
  /** Writer: policy. */
  readonly recreatedPolicies = new Set<string>();
  /** Writer: publication. */
  readonly createdPublications = new Set<string>();
  /** Writer: event trigger. */
  readonly recreatedEventTriggers = new Set<string>();
  /** Operators dropped and created again (keys). Writer: operator. */
  readonly recreatedOperators = new Set<string>();
  /**
   * Indexes of `a` over an operator class, a text search configuration or an operator that is dropped or created
   * again: built again. Writers: text search, operator, operator class.
   */
  readonly indexesOverRecreated = new Set<string>();
  /**
   * CHECK and exclusion constraints (`table\0name`) over an operator or operator class that is dropped or created again.
   * Writers: operator, operator class.
   */
  readonly constraintsOverRecreated = new Set<string>();
  /** Views and materialised views of `a` whose definition uses an operator that is created again: rebuilt. Writer: operator. */
  readonly viewsOverRecreated = new Set<string>();
  /** Types removed from `a`, dropped by the removed-types kind each before the types it is built on. Writers: enum, range, domain,
   * composite. */
  readonly removedTypes: { key: string; uses: string[]; step: Step }[] = [];
}

/** What every kind gets: both Snapshots, the options, the facts so far, and where to put its changes and hints. */
export class PlanContext {
  readonly facts = new PlanFacts();
  readonly changes: Change[] = [];
  /** The kind running now: each change is tagged with it. */
  kind = '';

  constructor(
    readonly a: Snapshot,
    readonly b: Snapshot,
    readonly options: PlanOptions,
    readonly hints: PlanHint[],
  ) {}

  /**
   * Put a statement on a phase (emitted order is kept within the phase); `id` names
   * it for other changes' `after`, `after` lists the ids it must follow (graph.ts).
   */
  emit(phase: Phase, step: Step, edges: { id?: string; after?: readonly string[] } = {}): Change {
    const change: Change = { phase, step, seq: this.changes.length, kind: this.kind };
    if (edges.id !== undefined) change.id = edges.id;
    if (edges.after?.length) change.after = edges.after;
    this.changes.push(change);
    return change;
  }

  typeChanged(table: string, column: string): void {
    let s = this.facts.typeChanged.get(table);
    if (!s) this.facts.typeChanged.set(table, (s = new Set()));
    s.add(column);
  }
}

function columnsUsingType(t: TableDef, tname: string): ColumnDef[] {
  return t.columns.filter((c) => c.type === tname || c.type === `${tname}[]`);
}

/** Columns that have a type (or an array of it) both before and after. */
export function columnsOfType(ctx: PlanContext, tname: string): TypedColumn[] {
  const out: TypedColumn[] = [];
  for (const [key, t] of sorted(ctx.b.tables)) {
    const before = ctx.a.tables[key];
    if (!before) continue;
    // Inherited columns are converted by the parent's ALTER COLUMN, which recurses.
    for (const c of columnsUsingType(t, tname).filter((x) => !inheritedColumn(ctx.b, t, x.name))) {
      const oc = before.columns.find((x) => x.name === c.name);
      if (oc && oc.type === c.type) out.push({ key, table: t, column: oc });
    }
  }
  return out;
}

/** A name for the old type while it is being replaced. */
export function freeTypeName(ctx: PlanContext, schema: string, name: string): string {
  const { a, b } = ctx;
  const taken = new Set(
    [
      ...Object.values(a.enums),
      ...Object.values(b.enums),
      ...Object.values(a.compositeTypes),
      ...Object.values(b.compositeTypes),
      ...Object.values(a.domains),
      ...Object.values(b.domains),
    ]
      .filter((x) => x.schema === schema)
      .map((x) => x.name),
  );
  let tmp = `${name}_old`;
  for (let i = 2; taken.has(tmp); i++) tmp = `${name}_old${i}`;
  return tmp;
}

/** Drop a column's default before its type changes under it; it is set again afterwards. */
export function dropDefaultEarly(ctx: PlanContext, key: string, table: TableDef, column: ColumnDef): void {
  const id = `${key}\0${column.name}`;
  if (column.default === null || ctx.facts.defaultDropped.has(id)) return;
  ctx.facts.defaultDropped.add(id);
  ctx.emit('dropDefaults', {
    sql: `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} DROP DEFAULT`,
    destructive: false,
  });
}

/** Functions whose signature names a type about to be rebuilt: dropped first, created again against the new type. */
export function functionsUsingType(ctx: PlanContext, tname: string): void {
  const re = new RegExp(`(^|[\\s,(])${escapeRegExp(tname)}(\\[\\])?($|[\\s,)])`);
  for (const [k, f] of sorted(ctx.a.functions)) {
    if (!(k in ctx.b.functions) || ctx.facts.recreatedFunctions.has(k)) continue;
    if (!re.test(f.identityArguments) && !re.test(f.result ?? '')) continue;
    ctx.facts.recreatedFunctions.add(k);
    ctx.emit('dropFunctions', {
      sql: `DROP ${fnKindWord(f)} ${fnRef(f)}`,
      destructive: false,
      comment: `its signature uses ${tname}, which is built again`,
    });
  }
}

/** Whether an expression of a table whose columns are converted to a rebuilt type casts to that type (it would still name the old one). */
export function touchesRebuiltType(ctx: PlanContext, tableKey: string, text: string): boolean {
  if (!ctx.facts.typeChanged.has(tableKey)) return false;
  for (const tn of ctx.facts.rebuiltTypes) if (text.includes(`::${tn}`) || text.includes(`::${tn}[]`)) return true;
  return false;
}

/** Whether a function's signature names the row type of a table or view of `snap` (`RETURNS SETOF users`, `f(u users)`). */
export function usesRowType(f: FunctionDef, snap: Snapshot): boolean {
  const sig = ` ${f.identityArguments} ${f.result ?? ''} `;
  for (const rel of [...Object.values(snap.tables), ...Object.values(snap.views), ...Object.values(snap.materializedViews)]) {
    const tn = escapeRegExp(qn(rel.schema, rel.name));
    if (new RegExp(`[\\s,(]${tn}(\\[\\])?[\\s,)]`).test(sig)) return true;
  }
  return false;
}

/**
 * Whether a constraint or index of a table names a column that is dropped
 * (also one dropped and added again, as a changed generated column is):
 * PostgreSQL drops it with the column, so it is dropped first and created again.
 */
export function usesDroppedColumn(ctx: PlanContext, tableKey: string, columns: readonly string[], text: string): boolean {
  const prefix = `${tableKey}\0`;
  for (const dc of ctx.facts.droppedColumns) {
    if (!dc.startsWith(prefix)) continue;
    const col = dc.slice(prefix.length);
    if (columns.includes(col)) return true;
    const ident = escapeRegExp(quoteIdent(col));
    if (new RegExp(`(^|[^\\w"])${ident}($|[^\\w"])`).test(text)) return true;
  }
  return false;
}

/**
 * Whether an expression calls a function that is dropped, or dropped and
 * created again (a changed signature is another function): the default,
 * CHECK or index goes first and comes back after the function.
 */
export function callsRecreatedFunction(ctx: PlanContext, text: string): boolean {
  for (const [k, fn] of Object.entries(ctx.a.functions)) {
    if (k in ctx.b.functions && !ctx.facts.recreatedFunctions.has(k)) continue;
    if (text.includes(`${qn(fn.schema, fn.name)}(`)) return true;
  }
  return false;
}

/** Whether a trigger, policy or publication entry must be dropped and created again because something under it changes. */
export function disturbed(ctx: PlanContext, tableKey: string, text: string): boolean {
  if (ctx.facts.droppedTables.has(tableKey)) return false;
  const cols = ctx.facts.typeChanged.get(tableKey);
  if (cols && [...cols].some((c) => new RegExp(`\\b${escapeRegExp(c)}\\b`).test(text))) return true;
  if (usesDroppedColumn(ctx, tableKey, [], text)) return true;
  for (const f of ctx.facts.recreatedFunctions) {
    const fn = ctx.a.functions[f]!;
    if (text.includes(`${qn(fn.schema, fn.name)}(`)) return true;
  }
  return false;
}

/** A table by key; one outside the Snapshot's schemas is named from its key. */
export function tableRef(key: string, snap: Snapshot): string {
  const t = snap.tables[key];
  if (t) return qn(t.schema, t.name);
  const dot = key.indexOf('.');
  return qn(key.slice(0, dot), key.slice(dot + 1));
}
