import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { byCodePoint, type ConstraintDef } from '../../snapshot.js';
import { callsRecreatedFunction, touchesRebuiltType, usesDroppedColumn, type PlanContext } from '../context.js';
import { calledFunctions } from '../function-calls.js';
import type { Phase } from '../phases.js';
import { qn, sorted, sortedValues } from '../sql.js';
import { needsUsing } from './column.js';
import { indexGoes, renamedIndexes } from './index.js';
import type { PlanKind } from './kind.js';

/**
 * Table constraints: dropped when they change or something under them does
 * (a column, a rebuilt type, a recreated function, for a foreign key the key it
 * references), added back (foreign keys after every table), or validated.
 * Those of a created table are inline in its CREATE TABLE.
 */
export const constraintKind: PlanKind = {
  name: 'constraint',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const renames = renamedConstraints(ctx);
    const changed = (x: ConstraintDef | undefined, y: ConstraintDef | undefined) =>
      !x || !y || x.definition !== y.definition || (x.validated && !y.validated);
    // Unique/primary keys dropped or changed: foreign keys that rely on them go first.
    const keyGone = new Set<string>();
    for (const [k, t] of sorted(a.tables)) {
      if (facts.droppedTables.has(k)) continue;
      for (const c of Object.values(t.constraints)) {
        if (c.type !== 'primary key' && c.type !== 'unique') continue;
        if (changed(c, b.tables[k]?.constraints[c.name]) && !renames.has(`${k}\0${c.name}`)) keyGone.add(`${k}(${c.columns.join(',')})`);
      }
    }
    // ... and so do unique indexes a foreign key may rest on instead of a constraint.
    const renamed = renamedIndexes(ctx);
    for (const [k, i] of sorted(a.indexes)) {
      if (!i.unique || i.predicate !== null || facts.droppedTables.has(i.table) || renamed.has(k)) continue;
      if (indexGoes(ctx, k, i)) keyGone.add(`${i.table}(${[...i.keys].sort(byCodePoint).join(',')})`);
    }
    const fkRelies = (c: ConstraintDef, k: string) =>
      c.references !== null &&
      (castlessTypeChange(ctx, k, c.columns) ||
        castlessTypeChange(ctx, c.references.table, c.references.columns) ||
        keyGone.has(`${c.references.table}(${c.references.columns.join(',')})`) ||
        keyGone.has(`${c.references.table}(${[...c.references.columns].sort(byCodePoint).join(',')})`) ||
        facts.droppedTables.has(c.references.table) ||
        c.references.columns.some((col) => facts.droppedColumns.has(`${c.references!.table}\0${col}`)));
    const dropped = new Set<string>();
    for (const [k, t] of sorted(a.tables)) {
      if (facts.droppedTables.has(k)) continue;
      const nt = b.tables[k];
      for (const c of sortedValues(t.constraints)) {
        const n = nt?.constraints[c.name];
        const colsGone = c.columns.length > 0 && c.columns.every((col) => facts.droppedColumns.has(`${k}\0${col}`));
        // A foreign key goes explicitly: dropped only with its own columns, it would still hold the
        // referenced table's key when that table's columns are dropped first.
        if (colsGone && !n && c.type !== 'foreign key') {
          facts.droppedConstraints.add(`${k}#${c.name}`);
          continue; // dropped with its columns
        }
        const exprText = c.type === 'exclude' || c.type === 'check' ? c.definition : '';
        if (c.type === 'foreign key' && fkRelies(c, k)) renames.delete(`${k}\0${c.name}`); // its key is built again: so is it
        const renamedTo = renames.get(`${k}\0${c.name}`);
        if (renamedTo !== undefined) {
          const sql = `ALTER TABLE ${qn(t.schema, t.name)} RENAME CONSTRAINT ${quoteIdent(c.name)} TO ${quoteIdent(renamedTo)}`;
          ctx.emit('dropConstraints', { sql, destructive: false, comment: 'same definition under another name' });
          continue;
        }
        const under =
          facts.constraintsOverRecreated.has(`${k}\0${c.name}`) ||
          touchesRebuiltType(ctx, k, c.definition) ||
          callsRecreatedFunction(ctx, c.definition) ||
          usesDroppedColumn(ctx, k, c.columns, exprText);
        if (changed(c, n) || (c.type === 'foreign key' && fkRelies(c, k)) || under) {
          dropped.add(`${k}\0${c.name}`);
          facts.recreatedConstraints.add(`${k}\0${c.name}`);
          facts.droppedConstraints.add(`${k}#${c.name}`);
          ctx.emit(c.type === 'foreign key' ? 'dropForeignKeys' : 'dropConstraints', {
            sql: `ALTER TABLE ${qn(t.schema, t.name)} DROP CONSTRAINT ${quoteIdent(c.name)}`,
            destructive: false,
          });
        }
      }
    }
    const renamedTargets = new Set([...renames].map(([from, to]) => `${from.slice(0, from.indexOf('\0'))}\0${to}`));
    for (const [k, t] of sorted(b.tables)) {
      const created = facts.createdTables.has(k);
      const ot = a.tables[k];
      for (const c of sortedValues(t.constraints)) {
        const o = created ? undefined : ot?.constraints[c.name];
        if (!created && renamedTargets.has(`${k}\0${c.name}`)) continue;
        const phase: Phase = c.type === 'foreign key' ? 'foreignKeys' : 'constraints';
        const name = qn(t.schema, t.name);
        if (created && c.type !== 'foreign key' && c.validated) continue; // inline in CREATE TABLE
        if (!o || dropped.has(`${k}\0${c.name}`)) {
          // A CHECK calling a function the plan creates (an SQL-standard body waits for the tables) comes after it.
          const calls = c.type === 'check' || c.type === 'exclude' ? calledFunctions(c.definition, b) : [];
          const after = calls.map((f) => `function:create:${f}`);
          const sql = `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`;
          ctx.emit(phase, { sql, destructive: false }, { after });
        } else if (!o.validated && c.validated) {
          ctx.emit(phase, { sql: `ALTER TABLE ${name} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
        }
      }
    }
  },
};

/**
 * Constraints of a kept table that `b` has under another name (everything else
 * equal, nothing under them changing): renamed rather than dropped and added
 * (`table\0old` -> new name). A key's index is renamed with it.
 */
function renamedConstraints(ctx: PlanContext): Map<string, string> {
  const { a, b, facts } = ctx;
  const out = new Map<string, string>();
  // A parent's RENAME CONSTRAINT renames its children's inherited copies too: tables in a hierarchy keep drop and add.
  const parents = new Set(Object.values(a.tables).flatMap((t) => [...(t.partitionOf ? [t.partitionOf.table] : []), ...(t.inherits ?? [])]));
  for (const [k, t] of sorted(a.tables)) {
    const nt = b.tables[k];
    if (!nt || facts.droppedTables.has(k) || parents.has(k) || t.partitionOf || t.inherits?.length) continue;
    const added = sortedValues(nt.constraints).filter((n) => !(n.name in t.constraints));
    if (added.length === 0) continue;
    for (const c of sortedValues(t.constraints)) {
      if (c.name in nt.constraints || touchesRebuiltType(ctx, k, c.definition) || callsRecreatedFunction(ctx, c.definition)) continue;
      if (c.columns.some((col) => facts.droppedColumns.has(`${k}\0${col}`) || facts.typeChanged.get(k)?.has(col))) continue;
      const refs = c.references;
      if (refs && (facts.droppedTables.has(refs.table) || refs.columns.some((col) => facts.typeChanged.get(refs.table)?.has(col)))) {
        continue;
      }
      const i = added.findIndex((n) => deepEqual({ ...n, name: '' }, { ...c, name: '' }));
      if (i < 0) continue;
      out.set(`${k}\0${c.name}`, added[i]!.name);
      added.splice(i, 1);
    }
  }
  return out;
}

/**
 * Whether a column of these changes type with no cast PostgreSQL would apply by
 * itself (`bigint -> timestamp`): a foreign key over it may find no equality
 * operator between the two sides halfway, so it is dropped first and added back.
 */
function castlessTypeChange(ctx: PlanContext, table: string, columns: readonly string[]): boolean {
  const changed = ctx.facts.typeChanged.get(table);
  if (!changed) return false;
  return columns.some((col) => {
    if (!changed.has(col)) return false;
    const from = ctx.a.tables[table]?.columns.find((c) => c.name === col)?.type;
    const to = ctx.b.tables[table]?.columns.find((c) => c.name === col)?.type;
    return from !== undefined && to !== undefined && from !== to && needsUsing(from, to);
  });
}
