import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../snapshot.js';
import type { CatalogContext } from '../context.js';
import { collationKind } from './collation.js';
import { columnKind } from './column.js';
import { constraintKind } from './constraint.js';
import { CATALOG_KINDS } from './registry.js';
import { relationKind } from './relation.js';
import { schemaKind } from './schema.js';

const context = (options: CatalogContext['options'] = {}, major = 17): CatalogContext => ({
  major,
  options,
  snap: emptySnapshot(major),
  namespaces: [],
  relations: new Map(),
  attributeNames: new Map(),
});

const relation = (oid: number, name: string, extra: Record<string, unknown> = {}) => ({
  oid,
  schema: 'public',
  name,
  kind: 'r',
  partkey: null,
  parent: null,
  bound: null,
  inherits: [],
  unlogged: false,
  replident: 'd',
  replindex: null,
  rls: false,
  force: false,
  comment: null,
  viewdef: null,
  options: null,
  populated: true,
  deps: null,
  ...extra,
});
const column = (rel: number, num: number, name: string, extra: Record<string, unknown> = {}) => ({
  rel,
  num,
  name,
  type: 'integer',
  notnull: false,
  def: null,
  identity: '',
  generated: '',
  coll: null,
  comment: null,
  local: true,
  inh: 0,
  seq: null,
  ...extra,
});

describe('catalogue kinds: one query and one mapper each', () => {
  it('registry: schemas first, relations before columns, columns before constraints and indexes', () => {
    const names = CATALOG_KINDS.map((k) => k.name);
    expect(names[0]).toBe('schema');
    expect(names.indexOf('relation')).toBeLessThan(names.indexOf('column'));
    for (const k of ['constraint', 'index', 'trigger', 'policy']) expect(names.indexOf('column')).toBeLessThan(names.indexOf(k));
    expect(new Set(names).size).toBe(names.length);
  });

  it("schema: extension schemas, Strata's own and filtered ones are left out; the rest give the namespaces read", () => {
    const ctx = context({ excludeSchemas: ['audit_*'] });
    schemaKind.map(
      [
        { oid: 1, name: 'public', comment: null, ext: false },
        { oid: 2, name: 'strata', comment: null, ext: false },
        { oid: 3, name: 'topology', comment: null, ext: true },
        { oid: 4, name: 'audit_2024', comment: null, ext: false },
        { oid: 5, name: 'app', comment: 'the app', ext: false },
      ],
      ctx,
    );
    expect(ctx.namespaces).toEqual([1, 5]);
    expect(Object.keys(ctx.snap.schemas)).toEqual(['public', 'app']);
  });

  it('collation: the query follows the server version', () => {
    expect(collationKind.sql(context({}, 17))).toContain('co.colllocale');
    expect(collationKind.sql(context({}, 15))).toContain('co.colliculocale');
    expect(collationKind.sql(context({}, 14))).not.toContain('collicurules');
  });

  it(
    'column and constraint: an inherited column is listed only where it differs; constraint columns ' + 'are named from the column rows',
    () => {
      const ctx = context();
      relationKind.map([relation(10, 'parent'), relation(11, 'child', { inherits: ['public.parent'] })] as never, ctx);
      columnKind.map(
        [
          column(11, 2, 'note', { type: 'text' }),
          column(10, 1, 'id', { notnull: true }),
          column(11, 1, 'id', { notnull: true, inh: 1, local: false }),
          column(10, 2, 'n', { inh: 0 }),
          column(11, 3, 'n', { inh: 1, notnull: true }),
        ] as never,
        ctx,
      );
      expect(ctx.snap.tables['public.parent']!.columns.map((c) => c.name)).toEqual(['id', 'n']);
      // id is the parent's as it is; n has a NOT NULL of its own.
      expect(ctx.snap.tables['public.child']!.columns.map((c) => `${c.name}:${c.notNull}`)).toEqual(['note:false', 'n:true']);
      constraintKind.map(
        [
          {
            rel: 10,
            name: 'parent_pkey',
            type: 'p',
            def: 'PRIMARY KEY (id)',
            cols: [1],
            frel: 0,
            fnums: null,
            validated: true,
            deferrable: false,
            deferred: false,
            noinherit: false,
            fschema: null,
            ftable: null,
            fcols: null,
            upd: 'a',
            del: 'a',
            match: 's',
            nnd: false,
            comment: null,
          },
        ],
        ctx,
      );
      expect(ctx.snap.tables['public.parent']!.constraints.parent_pkey).toMatchObject({
        type: 'primary key',
        columns: ['id'],
        references: null,
      });
    },
  );
});
