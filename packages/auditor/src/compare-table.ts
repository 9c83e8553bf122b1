// Tables, their columns and constraints, compared.
import { isDeepStrictEqual } from 'node:util';
import type { ColumnDef, ConstraintDef, Snapshot, TableDef } from './snapshot.js';
import { byCodePoint, inheritedColumn } from './snapshot.js';
import { DriftBuilder, comment, prettyType } from './compare-drift.js';
import { compareOptions } from './compare-foreign.js';

/** A table on both sides; `type` is `foreign table` for a foreign one (compare-foreign.ts compares what makes it foreign). */
export function compareTable(
  d: DriftBuilder,
  n: string,
  x: TableDef,
  y: TableDef,
  sa: Snapshot,
  sb: Snapshot,
  type: 'table' | 'foreign table' = 'table',
): void {
  if (x.partitionBy !== y.partitionBy)
    d.isVs(
      type,
      n,
      'partitionBy',
      x.partitionBy,
      y.partitionBy,
      'error',
      x.partitionBy ? `is partitioned by ${x.partitionBy}` : 'is not partitioned',
      y.partitionBy ? `partitioned by ${y.partitionBy}` : 'not partitioned',
    );
  if (!isDeepStrictEqual(x.partitionOf, y.partitionOf)) d.different(type, n, 'partitionOf', x.partitionOf, y.partitionOf, 'error');
  if (!isDeepStrictEqual(x.inherits ?? [], y.inherits ?? [])) {
    const inh = (t: TableDef) =>
      (t.inherits ?? []).length
        ? `inherits from ${(t.inherits ?? []).map((p) => p.replace(/^public\./, '')).join(', ')}`
        : 'inherits from no table';
    d.isVs(type, n, 'inherits', x.inherits, y.inherits, 'error', inh(x), inh(y).replace(/^inherits from /, 'from '));
  }
  if (Boolean(x.unlogged) !== Boolean(y.unlogged))
    d.isVs(
      type,
      n,
      'unlogged',
      x.unlogged,
      y.unlogged,
      'warning',
      x.unlogged ? 'is UNLOGGED' : 'is logged',
      y.unlogged ? 'UNLOGGED' : 'logged',
    );
  const xo = x.options ?? [];
  const yo = y.options ?? [];
  if (!isDeepStrictEqual(xo, yo))
    d.isVs(
      type,
      n,
      'options',
      xo,
      yo,
      'warning',
      xo.length ? `has storage parameters (${xo.join(', ')})` : 'has no storage parameters',
      yo.length ? `(${yo.join(', ')})` : 'none',
    );
  const ri = (t: TableDef) =>
    (t.replicaIdentity ?? 'default') === 'index'
      ? `USING INDEX ${t.replicaIdentityIndex ?? '?'}`
      : (t.replicaIdentity ?? 'default').toUpperCase();
  if (ri(x) !== ri(y)) d.isVs(type, n, 'replicaIdentity', ri(x), ri(y), 'warning', `has REPLICA IDENTITY ${ri(x)}`, ri(y));
  if (x.rowSecurity !== y.rowSecurity)
    d.isVs(
      type,
      n,
      'rowSecurity',
      x.rowSecurity,
      y.rowSecurity,
      'error',
      x.rowSecurity ? 'has row level security enabled' : 'has row level security disabled',
      y.rowSecurity ? 'enabled' : 'disabled',
    );
  if (x.forceRowSecurity !== y.forceRowSecurity)
    d.isVs(
      type,
      n,
      'forceRowSecurity',
      x.forceRowSecurity,
      y.forceRowSecurity,
      'error',
      x.forceRowSecurity ? 'forces row level security' : 'does not force row level security',
      y.forceRowSecurity ? 'forces it' : 'does not',
    );
  comment(d, type, n, x.comment, y.comment);

  const ycols = new Map(y.columns.map((c) => [c.name, c]));
  const xcols = new Map(x.columns.map((c) => [c.name, c]));
  // A child table lists an inherited column only where it differs from its parent's: compare with what it inherits.
  for (const c of x.columns) {
    const o = ycols.get(c.name) ?? inheritedColumn(sb, y, c.name);
    if (!o) d.extra('column', `${n}.${c.name}`, 'error');
    else compareColumn(d, `${n}.${c.name}`, c, o);
  }
  for (const c of y.columns) {
    if (xcols.has(c.name)) continue;
    const o = inheritedColumn(sa, x, c.name);
    if (!o) d.missing('column', `${n}.${c.name}`, 'error');
    else compareColumn(d, `${n}.${c.name}`, o, c);
  }

  const keys = [...new Set([...Object.keys(x.constraints), ...Object.keys(y.constraints)])].sort(byCodePoint);
  for (const k of keys) {
    const cx = x.constraints[k];
    const cy = y.constraints[k];
    const cn = `${n}.${k}`;
    if (cx && cy) compareConstraint(d, cn, cx, cy);
    else if (cx) d.extra('constraint', cn, 'error');
    else if (cy) d.missing('constraint', cn, 'error');
  }
}

function compareColumn(d: DriftBuilder, n: string, x: ColumnDef, y: ColumnDef): void {
  if (x.type !== y.type) d.isVs('column', n, 'type', x.type, y.type, 'error', `is ${prettyType(x.type)}`, prettyType(y.type));
  if (x.notNull !== y.notNull)
    d.isVs(
      'column',
      n,
      'notNull',
      x.notNull,
      y.notNull,
      'error',
      x.notNull ? 'is NOT NULL' : 'is nullable',
      y.notNull ? 'NOT NULL' : 'nullable',
    );
  if (x.default !== y.default) {
    d.isVs(
      'column',
      n,
      'default',
      x.default,
      y.default,
      'warning',
      x.default === null ? 'has no default' : `defaults to ${x.default}`,
      y.default === null ? 'has no default' : `defaults to ${y.default}`,
    );
  }
  if (!isDeepStrictEqual(x.identity, y.identity)) {
    const id = (i: ColumnDef['identity']) => (i ? `GENERATED ${i.generation.toUpperCase()} AS IDENTITY` : 'not an identity column');
    const fromText = x.identity ? `is ${id(x.identity)}` : 'is not an identity column';
    const toText = id(y.identity) === id(x.identity) ? `${id(y.identity)} with other sequence options` : id(y.identity);
    d.isVs('column', n, 'identity', x.identity, y.identity, 'error', fromText, toText);
  }
  if (x.generated !== y.generated) {
    d.isVs(
      'column',
      n,
      'generated',
      x.generated,
      y.generated,
      'error',
      x.generated ? `is generated as ${x.generated}` : 'is not generated',
      y.generated ? `generated as ${y.generated}` : 'not generated',
    );
  }
  if (x.collation !== y.collation)
    d.isVs(
      'column',
      n,
      'collation',
      x.collation,
      y.collation,
      'warning',
      x.collation ? `has collation ${x.collation}` : 'has the default collation',
      y.collation ? `collation ${y.collation}` : 'the default collation',
    );
  comment(d, 'column', n, x.comment, y.comment);
  compareOptions(d, 'column', n, x.fdwOptions ?? {}, y.fdwOptions ?? {});
}

function compareConstraint(d: DriftBuilder, n: string, x: ConstraintDef, y: ConstraintDef): void {
  if (x.definition !== y.definition)
    d.isVs('constraint', n, 'definition', x.definition, y.definition, 'error', `is ${x.definition}`, y.definition);
  if (x.validated !== y.validated)
    d.isVs(
      'constraint',
      n,
      'validated',
      x.validated,
      y.validated,
      'warning',
      x.validated ? 'is validated' : 'is NOT VALID',
      y.validated ? 'validated' : 'NOT VALID',
    );
  comment(d, 'constraint', n, x.comment, y.comment);
}
