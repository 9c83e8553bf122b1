import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { emptySnapshot, parseSnapshot, serializeSnapshot, type TableDef } from './snapshot.js';

// A Snapshot saved before storage parameters and replica identity were
// recorded (a start-up shim's head snapshot written by an older Strata) must
// read as the same schema, not as drift.
describe('parseSnapshot of an older version-1 Snapshot', () => {
  const table: TableDef = {
    schema: 'public',
    name: 't',
    partitionBy: null,
    partitionOf: null,
    inherits: [],
    unlogged: false,
    options: [],
    replicaIdentity: 'default',
    replicaIdentityIndex: null,
    columns: [
      { name: 'id', type: 'integer', notNull: true, default: null, identity: null, generated: null, collation: null, comment: null },
    ],
    constraints: {},
    rowSecurity: false,
    forceRowSecurity: false,
    comment: null,
  };
  const now = emptySnapshot(17);
  now.tables['public.t'] = table;

  it('fills in what the attributes meant then', () => {
    const old = JSON.parse(serializeSnapshot(now)) as { tables: Record<string, Record<string, unknown>> };
    for (const k of ['options', 'replicaIdentity', 'replicaIdentityIndex']) delete old.tables['public.t']![k];
    const read = parseSnapshot(JSON.stringify(old));
    expect(read).toEqual(now);
    expect(compare(read, now)).toEqual([]);
  });

  it('still sees a real difference', () => {
    const other = structuredClone(now);
    other.tables['public.t']!.options = ['fillfactor=70'];
    other.tables['public.t']!.replicaIdentity = 'full';
    expect(compare(now, other, { left: 'production', right: 'the models' }).map((d) => d.message)).toEqual([
      'table t has no storage parameters in production but (fillfactor=70) in the models',
      'table t has REPLICA IDENTITY DEFAULT in production but FULL in the models',
    ]);
  });
});

describe('parseSnapshot of a Snapshot written before event triggers and publications were recorded', () => {
  it('reads them as none', () => {
    const now = emptySnapshot(15);
    const old = JSON.parse(serializeSnapshot(now)) as Record<string, unknown>;
    delete old.eventTriggers;
    delete old.publications;
    const read = parseSnapshot(JSON.stringify(old));
    expect(read.eventTriggers).toEqual({});
    expect(read.publications).toEqual({});
    expect(read).toEqual(now);
  });

  it('keeps them, keys sorted, when it has them', () => {
    const s = emptySnapshot(17);
    s.publications.zeta = {
      name: 'zeta',
      allTables: true,
      tables: [],
      schemas: [],
      publish: ['insert'],
      viaPartitionRoot: false,
      comment: null,
    };
    s.publications.alpha = {
      name: 'alpha',
      allTables: false,
      tables: [{ table: 'public.t', columns: ['id'], where: null }],
      schemas: [],
      publish: ['insert', 'update', 'delete', 'truncate'],
      viaPartitionRoot: false,
      comment: null,
    };
    s.eventTriggers.guard = {
      name: 'guard',
      event: 'ddl_command_start',
      tags: [],
      function: 'public.guard()',
      enabled: 'O',
      comment: null,
    };
    const read = parseSnapshot(serializeSnapshot(s));
    expect(Object.keys(read.publications)).toEqual(['alpha', 'zeta']);
    expect(compare(read, s)).toEqual([]);
  });
});

describe('parseSnapshot and text search objects', () => {
  it('reads a Snapshot without them (all written before they were recorded) as none, and writes none back', () => {
    const s = emptySnapshot(17);
    const text = serializeSnapshot(s);
    expect(text).not.toMatch(/textSearch/);
    const read = parseSnapshot(text);
    expect(read.textSearchConfigurations).toBeUndefined();
    expect(compare(read, s)).toEqual([]);
  });

  it('keeps them, keys and mappings sorted, and a lost mapping is drift', () => {
    const s = emptySnapshot(17);
    s.textSearchDictionaries = {
      'public.codes': { schema: 'public', name: 'codes', template: 'pg_catalog.simple', options: "accept = 'false'", comment: null },
    };
    s.textSearchConfigurations = {
      'public.docs': {
        schema: 'public',
        name: 'docs',
        parser: 'pg_catalog."default"',
        mappings: { word: ['pg_catalog.simple'], int: ['public.codes'] },
        comment: null,
      },
    };
    const read = parseSnapshot(serializeSnapshot(s));
    expect(Object.keys(read.textSearchConfigurations!['public.docs']!.mappings)).toEqual(['int', 'word']);
    expect(compare(read, s)).toEqual([]);
    const other = structuredClone(read);
    delete other.textSearchConfigurations!['public.docs']!.mappings.int;
    expect(compare(read, other).map((d) => d.message)).toEqual([
      'text search configuration docs maps int to public.codes in the database but none in the models',
    ]);
  });
});
