import { isDeepStrictEqual } from 'node:util';
import type { Snapshot } from './snapshot.js';
import { byCodePoint } from './snapshot.js';
import {
  DriftBuilder,
  attributeShape,
  displayName,
  dn,
  comment,
  keyed,
  prettyType,
  type CompareOptions,
  type Drift,
} from './compare-drift.js';
import { compareAggregate, compareEventTrigger, comparePublication, notHandled, privileges } from './compare-kinds.js';
import { compareOperatorKinds } from './compare-operators.js';
import { compareTable } from './compare-table.js';
import { defaultPrivileges, owners } from './compare-access.js';
import { compareRulesAndCasts } from './compare-rules-casts.js';
import { compareForeignKinds, compareForeignTable, compareTableAccessMethod } from './compare-foreign.js';

export {
  attributeShape,
  displayName,
  prettyType,
  type CompareOptions,
  type Difference,
  type Drift,
  type ObjectType,
  type Severity,
} from './compare-drift.js';

/**
 * Compare two Snapshots. Each difference says what `left` has or lacks
 * relative to `right`; `compare(a, b)` is empty exactly when the schemas are
 * equal (as far as a Snapshot describes them).
 */
export function compare(a: Snapshot, b: Snapshot, options: CompareOptions = {}): Drift {
  const d = new DriftBuilder(options.left ?? 'the database', options.right ?? 'the models');

  keyed(
    d,
    a.schemas,
    b.schemas,
    'schema',
    (x) => x.name,
    'error',
    (n, x, y) => {
      comment(d, 'schema', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    a.extensions,
    b.extensions,
    'extension',
    (x) => x.name,
    'error',
    (n, x, y) => {
      if (x.version !== y.version)
        d.isVs('extension', n, 'version', x.version, y.version, 'warning', `is at version ${x.version}`, `at version ${y.version}`);
      if (x.schema !== y.schema)
        d.isVs('extension', n, 'schema', x.schema, y.schema, 'warning', `is installed in schema ${x.schema}`, `in schema ${y.schema}`);
      // Snapshots written before extension comments were read have none: compared only when both sides have them.
      if (x.comment !== undefined && y.comment !== undefined) comment(d, 'extension', n, x.comment, y.comment);
    },
  );
  keyed(d, a.collations ?? {}, b.collations ?? {}, 'collation', dn, 'error', (n, x, y) => {
    for (const k of ['provider', 'locale', 'lcCollate', 'lcCtype', 'deterministic', 'rules'] as const) {
      if (x[k] !== y[k]) d.different('collation', n, k, x[k], y[k], 'error');
    }
    comment(d, 'collation', n, x.comment, y.comment);
  });
  keyed(d, a.textSearchDictionaries ?? {}, b.textSearchDictionaries ?? {}, 'text search dictionary', dn, 'error', (n, x, y) => {
    if (x.template !== y.template)
      d.isVs('text search dictionary', n, 'template', x.template, y.template, 'error', `has template ${x.template}`, y.template);
    if (x.options !== y.options)
      d.isVs(
        'text search dictionary',
        n,
        'options',
        x.options,
        y.options,
        'error',
        x.options ? `has options (${x.options})` : 'has no options',
        y.options ? `(${y.options})` : 'none',
      );
    comment(d, 'text search dictionary', n, x.comment, y.comment);
  });
  keyed(d, a.textSearchConfigurations ?? {}, b.textSearchConfigurations ?? {}, 'text search configuration', dn, 'error', (n, x, y) => {
    if (x.parser !== y.parser)
      d.isVs('text search configuration', n, 'parser', x.parser, y.parser, 'error', `uses parser ${x.parser}`, y.parser);
    for (const t of [...new Set([...Object.keys(x.mappings), ...Object.keys(y.mappings)])].sort(byCodePoint)) {
      const u = x.mappings[t];
      const v = y.mappings[t];
      if (isDeepStrictEqual(u, v)) continue;
      d.isVs(
        'text search configuration',
        n,
        `mapping ${t}`,
        u ?? null,
        v ?? null,
        'error',
        u ? `maps ${t} to ${u.join(', ')}` : `has no mapping for ${t}`,
        v ? `to ${v.join(', ')}` : 'none',
      );
    }
    comment(d, 'text search configuration', n, x.comment, y.comment);
  });
  compareOperatorKinds(d, a, b);
  keyed(d, a.enums, b.enums, 'enum', dn, 'error', (n, x, y) => {
    if (!isDeepStrictEqual(x.values, y.values))
      d.isVs('enum', n, 'values', x.values, y.values, 'error', `has values (${x.values.join(', ')})`, `(${y.values.join(', ')})`);
    comment(d, 'enum', n, x.comment, y.comment);
  });
  keyed(d, a.domains, b.domains, 'domain', dn, 'error', (n, x, y) => {
    if (x.type !== y.type)
      d.isVs('domain', n, 'type', x.type, y.type, 'error', `is over ${prettyType(x.type)}`, `over ${prettyType(y.type)}`);
    if (x.notNull !== y.notNull)
      d.isVs(
        'domain',
        n,
        'notNull',
        x.notNull,
        y.notNull,
        'error',
        x.notNull ? 'is NOT NULL' : 'is nullable',
        y.notNull ? 'NOT NULL' : 'nullable',
      );
    if (x.default !== y.default) d.different('domain', n, 'default', x.default, y.default, 'warning');
    if (x.collation !== y.collation) d.different('domain', n, 'collation', x.collation, y.collation, 'warning');
    const checks = (t: typeof x) => t.checks.map((c) => ({ name: c.name, definition: c.definition, validated: c.validated }));
    if (!isDeepStrictEqual(checks(x), checks(y)))
      d.different(
        'domain',
        n,
        'checks',
        x.checks.map((c) => `${c.name} ${c.definition}`),
        y.checks.map((c) => `${c.name} ${c.definition}`),
        'error',
      );
    const yChecks = new Map(y.checks.map((c) => [c.name, c]));
    for (const c of x.checks) {
      const o = yChecks.get(c.name);
      if (o) comment(d, 'constraint', `${n}.${c.name}`, c.comment ?? null, o.comment ?? null);
    }
    comment(d, 'domain', n, x.comment, y.comment);
  });
  keyed(d, a.compositeTypes, b.compositeTypes, 'composite type', dn, 'error', (n, x, y) => {
    if (!isDeepStrictEqual(attributeShape(x.attributes), attributeShape(y.attributes))) {
      const fmt = (t: typeof x) =>
        t.attributes.map((at) => `${at.name} ${prettyType(at.type)}${at.collation ? ` COLLATE ${at.collation}` : ''}`);
      d.isVs('composite type', n, 'attributes', fmt(x), fmt(y), 'error', `has attributes (${fmt(x).join(', ')})`, `(${fmt(y).join(', ')})`);
    }
    comment(d, 'composite type', n, x.comment, y.comment);
    const yAttrs = new Map(y.attributes.map((at) => [at.name, at]));
    for (const at of x.attributes) {
      const o = yAttrs.get(at.name);
      if (o) comment(d, 'column', `${n}.${at.name}`, at.comment ?? null, o.comment ?? null);
    }
  });
  keyed(d, a.rangeTypes ?? {}, b.rangeTypes ?? {}, 'range type', dn, 'error', (n, x, y) => {
    for (const k of ['subtype', 'subtypeOpclass', 'collation', 'canonical', 'subtypeDiff', 'multirange'] as const) {
      if (x[k] !== y[k]) d.different('range type', n, k, x[k], y[k], 'error');
    }
    comment(d, 'range type', n, x.comment, y.comment);
  });
  keyed(d, a.sequences, b.sequences, 'sequence', dn, 'error', (n, x, y) => {
    for (const k of ['type', 'start', 'increment', 'min', 'max', 'cache', 'cycle'] as const) {
      if (x[k] !== y[k]) d.different('sequence', n, k, x[k], y[k], 'warning');
    }
    if (!isDeepStrictEqual(x.ownedBy, y.ownedBy)) {
      const own = (o: typeof x.ownedBy) => (o ? `owned by ${o.table.replace(/^public\./, '')}.${o.column}` : 'not owned by a column');
      d.isVs('sequence', n, 'ownedBy', x.ownedBy, y.ownedBy, 'warning', `is ${own(x.ownedBy)}`, own(y.ownedBy));
    }
    comment(d, 'sequence', n, x.comment, y.comment);
  });
  // Foreign tables (on either side) apart, so that sentences call them foreign tables.
  const isForeign = (k: string) => Boolean(a.tables[k]?.foreign || b.tables[k]?.foreign);
  const tables = (s: Snapshot, foreign: boolean) => Object.fromEntries(Object.entries(s.tables).filter(([k]) => isForeign(k) === foreign));
  keyed(d, tables(a, false), tables(b, false), 'table', dn, 'error', (n, x, y) => {
    compareTable(d, n, x, y, a, b);
    compareTableAccessMethod(d, n, x, y);
  });
  compareForeignKinds(d, a, b);
  keyed(d, tables(a, true), tables(b, true), 'foreign table', dn, 'error', (n, x, y) => {
    compareForeignTable(d, n, x, y);
    compareTable(d, n, x, y, a, b, 'foreign table');
  });
  keyed(d, a.indexes, b.indexes, 'index', dn, 'warning', (n, x, y) => {
    if (x.definition !== y.definition)
      d.isVs(
        'index',
        n,
        'definition',
        x.definition,
        y.definition,
        'warning',
        `is defined as ${x.definition.replace(/^CREATE /, '')}`,
        `as ${y.definition.replace(/^CREATE /, '')}`,
      );
    if (x.valid !== y.valid)
      d.isVs(
        'index',
        n,
        'valid',
        x.valid,
        y.valid,
        'warning',
        x.valid ? 'is valid' : 'is invalid (a failed CREATE INDEX CONCURRENTLY?)',
        y.valid ? 'valid' : 'invalid',
      );
    comment(d, 'index', n, x.comment, y.comment);
  });
  for (const [coll, type] of [
    ['views', 'view'],
    ['materializedViews', 'materialized view'],
  ] as const) {
    keyed(d, a[coll], b[coll], type, dn, 'error', (n, x, y) => {
      if (x.definition !== y.definition)
        d.different(
          type,
          n,
          'definition',
          x.definition,
          y.definition,
          'error',
          `${type} ${n} has a different definition in ${d.left} than in ${d.right}`,
        );
      const cols = (v: typeof x) => v.columns.map((c) => `${c.name} ${prettyType(c.type)}`);
      if (!isDeepStrictEqual(cols(x), cols(y)))
        d.isVs(type, n, 'columns', cols(x), cols(y), 'error', `has columns (${cols(x).join(', ')})`, `(${cols(y).join(', ')})`);
      if (!isDeepStrictEqual(x.options, y.options)) d.different(type, n, 'options', x.options, y.options, 'warning');
      if ('populated' in x && 'populated' in y && x.populated !== y.populated) {
        d.isVs(
          type,
          n,
          'populated',
          x.populated,
          y.populated,
          'info',
          x.populated ? 'is populated' : 'is not populated (WITH NO DATA)',
          y.populated ? 'populated' : 'not populated',
        );
      }
      comment(d, type, n, x.comment, y.comment);
      const yc = new Map(y.columns.map((c) => [c.name, c]));
      for (const c of x.columns) {
        const o = yc.get(c.name);
        if (o) comment(d, 'column', `${n}.${c.name}`, c.comment, o.comment);
      }
    });
  }
  // Aggregates (on either side) apart, so that sentences call them aggregates.
  const isAgg = (k: string) => a.functions[k]?.kind === 'aggregate' || b.functions[k]?.kind === 'aggregate';
  const part = (s: Snapshot, agg: boolean) => Object.fromEntries(Object.entries(s.functions).filter(([k]) => isAgg(k) === agg));
  keyed(
    d,
    part(a, false),
    part(b, false),
    'function',
    (f) => `${displayName(f.schema, f.name)}(${f.identityArguments})`,
    'error',
    (n, x, y) => {
      if (x.definition !== y.definition)
        d.different(
          'function',
          n,
          'definition',
          x.definition,
          y.definition,
          'warning',
          `function ${n} has a different definition in ${d.left} than in ${d.right}`,
        );
      comment(d, 'function', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    part(a, true),
    part(b, true),
    'aggregate',
    (f) => `${displayName(f.schema, f.name)}(${f.identityArguments || '*'})`,
    'error',
    (n, x, y) => {
      compareAggregate(d, n, x, y);
      comment(d, 'aggregate', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    a.triggers,
    b.triggers,
    'trigger',
    (t) => `${displayName(t.schema, t.table)}.${t.name}`,
    'error',
    (n, x, y) => {
      if (x.definition !== y.definition)
        d.isVs('trigger', n, 'definition', x.definition, y.definition, 'error', `is "${x.definition}"`, `"${y.definition}"`);
      if (x.enabled !== y.enabled) d.different('trigger', n, 'enabled', x.enabled, y.enabled, 'warning');
      comment(d, 'trigger', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    a.policies,
    b.policies,
    'policy',
    (p) => `${displayName(p.schema, p.table)}.${p.name}`,
    'error',
    (n, x, y) => {
      for (const k of ['permissive', 'command', 'roles', 'using', 'withCheck'] as const) {
        if (!isDeepStrictEqual(x[k], y[k])) d.different('policy', n, k, x[k], y[k], 'error');
      }
      comment(d, 'policy', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    a.eventTriggers ?? {},
    b.eventTriggers ?? {},
    'event trigger',
    (e) => e.name,
    'error',
    (n, x, y) => compareEventTrigger(d, n, x, y, a, b),
  );
  keyed(
    d,
    a.publications ?? {},
    b.publications ?? {},
    'publication',
    (p) => p.name,
    'error',
    (n, x, y) => comparePublication(d, n, x, y, a, b),
  );
  compareRulesAndCasts(d, a, b);
  if (options.privileges) privileges(d, a, b);
  if (options.privileges) defaultPrivileges(d, a, b);
  if (options.owners) owners(d, a, b);
  notHandled(d, a, b, options.uncompared ?? true, options.privileges ?? false);
  return d.out;
}
