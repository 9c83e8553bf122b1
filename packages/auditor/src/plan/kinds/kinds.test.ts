import { describe, expect, it } from 'vitest';
import { emptySnapshot, type ColumnDef, type SequenceDef, type Snapshot, type TableDef, type ViewDef } from '../../snapshot.js';
import { PlanContext } from '../context.js';
import { planChanges, planSteps } from '../index.js';
import { isWidening, needsUsing } from './column.js';
import { enumKind } from './enum.js';
import { extensionKind } from './extension.js';
import type { PlanKind } from './kind.js';
import { KINDS } from './registry.js';
import { sequenceKind } from './sequence.js';
import { analyzeTables, tableKind } from './table.js';
import { viewKind } from './view.js';

/** One kind on its own: the changes it emits as `phase: sql`, and the context for its facts. */
function run(kind: PlanKind, a: Snapshot, b: Snapshot, before: (ctx: PlanContext) => void = () => {}): { out: string[]; ctx: PlanContext } {
  const ctx = new PlanContext(a, b, {}, []);
  before(ctx);
  kind.plan(ctx);
  return { out: ctx.changes.map((c) => `${c.phase}: ${c.step.sql}`), ctx };
}

const snap = (fill: (s: Snapshot) => void): Snapshot => {
  const s = emptySnapshot(17);
  s.schemas.public = { name: 'public', comment: null };
  fill(s);
  return s;
};
const col = (name: string, type: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  notNull: false,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  comment: null,
  ...extra,
});
const table = (name: string, columns: ColumnDef[]): TableDef => ({
  schema: 'public',
  name,
  partitionBy: null,
  partitionOf: null,
  inherits: [],
  unlogged: false,
  columns,
  constraints: {},
  rowSecurity: false,
  forceRowSecurity: false,
  comment: null,
});
const seq = (name: string, extra: Partial<SequenceDef> = {}): SequenceDef => ({
  schema: 'public',
  name,
  type: 'bigint',
  start: '1',
  increment: '1',
  min: '1',
  max: '9223372036854775807',
  cache: '1',
  cycle: false,
  ownedBy: null,
  comment: null,
  ...extra,
});
const view = (name: string, dependsOn: string[]): ViewDef => ({
  schema: 'public',
  name,
  definition: ` SELECT 1;`,
  columns: [],
  options: [],
  dependsOn,
  comment: null,
});

describe('plan kinds, each on its own', () => {
  it('registry: every kind once, comments and privileges after the kinds whose facts they read', () => {
    const names = KINDS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    for (const later of ['comment', 'privilege'])
      for (const earlier of ['table', 'function', 'view', 'trigger']) expect(names.indexOf(later)).toBeGreaterThan(names.indexOf(earlier));
    expect(names.indexOf('removed types')).toBeGreaterThan(names.indexOf('composite type'));
  });

  it('extension: created in requires order, dropped in the reverse', () => {
    const a = snap(() => {});
    const b = snap((s) => {
      s.extensions.earthdistance = { name: 'earthdistance', schema: 'public', version: '1.2', requires: ['cube'] };
      s.extensions.cube = { name: 'cube', schema: 'public', version: '1.5', requires: [] };
    });
    expect(run(extensionKind, a, b).out).toEqual([
      'extensions: CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public',
      'extensions: CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public',
    ]);
    expect(run(extensionKind, b, a).out).toEqual(['dropExtensions: DROP EXTENSION earthdistance', 'dropExtensions: DROP EXTENSION cube']);
  });

  it('enum: additions in place (outside a transaction), a removal rebuilds the type and records it', () => {
    const mood = (values: string[]) => snap((s) => (s.enums['public.mood'] = { schema: 'public', name: 'mood', values, comment: null }));
    const add = run(enumKind, mood(['sad']), mood(['sad', 'happy']));
    expect(add.out).toEqual(["types: ALTER TYPE mood ADD VALUE 'happy'"]);
    expect(add.ctx.changes[0]!.step.transactional).toBe(false);
    const rebuilt = run(enumKind, mood(['sad', 'happy']), mood(['happy']));
    expect(rebuilt.out).toEqual([
      'types: ALTER TYPE mood RENAME TO mood_old',
      "types: CREATE TYPE mood AS ENUM ('happy')",
      'typeCleanup: DROP TYPE mood_old',
    ]);
    expect([...rebuilt.ctx.facts.rebuiltTypes]).toEqual(['mood']);
    expect(
      run(
        enumKind,
        mood(['a']),
        snap(() => {}),
      ).ctx.facts.removedTypes.map((r) => r.step.sql),
    ).toEqual(['DROP TYPE mood']);
  });

  it('sequence: created with non-default options only; narrower bounds restart', () => {
    const a = snap((s) => (s.sequences['public.s'] = seq('s')));
    const b = snap((s) => (s.sequences['public.s'] = seq('s', { max: '1000', increment: '2' })));
    expect(
      run(
        sequenceKind,
        snap(() => {}),
        b,
      ).out,
    ).toEqual(['sequences: CREATE SEQUENCE s INCREMENT BY 2 MAXVALUE 1000']);
    expect(run(sequenceKind, a, b).out).toEqual(['sequences: ALTER SEQUENCE s INCREMENT BY 2 MAXVALUE 1000 RESTART']);
    expect(run(sequenceKind, b, a).out).toEqual(['sequences: ALTER SEQUENCE s INCREMENT BY 1 MAXVALUE 9223372036854775807']);
  });

  it('table: facts decided up front, columns added and dropped, a possible rename is a hint', () => {
    const a = snap((s) => (s.tables['public.t'] = table('t', [col('id', 'integer', { notNull: true }), col('old_name', 'text')])));
    const b = snap((s) => {
      s.tables['public.t'] = table('t', [col('id', 'integer', { notNull: true }), col('new_name', 'text')]);
      s.tables['public.u'] = table('u', [col('x', 'bigint')]);
    });
    const { out, ctx } = run(tableKind, a, b, analyzeTables);
    expect(out).toEqual([
      'dropColumns: ALTER TABLE t DROP COLUMN old_name',
      'columns: ALTER TABLE t ADD COLUMN new_name text',
      'tables: CREATE TABLE u (\n    x bigint\n)',
    ]);
    expect([...ctx.facts.createdTables]).toEqual(['public.u']);
    expect([...ctx.facts.droppedColumns]).toEqual(['public.t\0old_name']);
    expect(ctx.hints.map((h) => h.kind)).toEqual(['possible-rename']);
  });

  it('column: USING only without an assignment cast; narrowing is destructive', () => {
    expect(needsUsing('text', 'integer')).toBe(true);
    expect(needsUsing('integer', 'bigint')).toBe(false);
    expect(needsUsing('integer', 'text')).toBe(false);
    expect(isWidening('integer', 'bigint')).toBe(true);
    expect(isWidening('bigint', 'integer')).toBe(false);
    expect(isWidening('character varying(50)', 'character varying(255)')).toBe(true);
    expect(isWidening('character varying(255)', 'character varying(50)')).toBe(false);
  });

  it('view: a view over a view that changes is dropped first and created after it', () => {
    const a = snap((s) => {
      s.views['public.base'] = view('base', []);
      s.views['public.top'] = view('top', ['public.base']);
    });
    const b = structuredClone(a);
    b.views['public.base']!.definition = ' SELECT 2;';
    const { out, ctx } = run(viewKind, a, b);
    expect(out).toEqual([
      'dropViews: DROP VIEW top',
      'dropViews: DROP VIEW base',
      'views: CREATE VIEW base AS\nSELECT 2',
      'views: CREATE VIEW top AS\nSELECT 1',
    ]);
    expect([...ctx.facts.rebuiltViews].sort()).toEqual(['public.base', 'public.top']);
  });

  it('the whole pipeline: phases put the kinds together (a new column after its new type)', () => {
    const a = snap((s) => (s.tables['public.t'] = table('t', [col('id', 'integer')])));
    const b = snap((s) => {
      s.enums['public.mood'] = { schema: 'public', name: 'mood', values: ['ok'], comment: null };
      s.tables['public.t'] = table('t', [col('id', 'integer'), col('m', 'mood')]);
    });
    expect(planSteps(a, b, {}, []).map((s) => s.sql)).toEqual(["CREATE TYPE mood AS ENUM ('ok')", 'ALTER TABLE t ADD COLUMN m mood']);
    // Before the sort: each change with the kind that emitted it and its phase.
    const withComment = structuredClone(b);
    withComment.tables['public.t']!.comment = 'the table';
    expect(planChanges(a, withComment, {}, []).map((c) => `${c.kind} ${c.phase}`)).toEqual([
      'enum types',
      'table columns',
      'comment comments',
    ]);
  });
});
