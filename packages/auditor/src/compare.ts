import { isDeepStrictEqual } from 'node:util';
import type {
  AggregateDef,
  ColumnDef,
  CompositeTypeDef,
  ConstraintDef,
  EventTriggerDef,
  FunctionDef,
  PrivilegeDef,
  PublicationDef,
  PublicationTableDef,
  Snapshot,
  TableDef,
} from './snapshot.js';
import { byCodePoint, inheritedColumn, privilegeObjectExists } from './snapshot.js';

/** How serious a difference is. */
export type Severity = 'error' | 'warning' | 'info';

/** The kind of object a difference is about. */
export type ObjectType =
  | 'schema'
  | 'extension'
  | 'collation'
  | 'enum'
  | 'domain'
  | 'composite type'
  | 'range type'
  | 'sequence'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'aggregate'
  | 'text search dictionary'
  | 'text search configuration'
  | 'trigger'
  | 'policy'
  | 'privilege'
  | 'event trigger'
  | 'publication'
  | 'not handled';

/**
 * One difference between two Snapshots, seen from the left side:
 * `missing` exists only on the right, `extra` only on the left, `different`
 * exists on both with an attribute that differs (`from` left, `to` right).
 */
export interface Difference {
  kind: 'missing' | 'extra' | 'different';
  objectType: ObjectType;
  /** Display name: `users`, `users.email`, `app.orders`, `users.users_email_key`. */
  name: string;
  attribute?: string;
  from?: unknown;
  to?: unknown;
  severity: Severity;
  /** A sentence a person understands. */
  message: string;
}

/** The differences between two Snapshots; empty when they are equal. */
export type Drift = Difference[];

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Name of the left side in messages. Default `'the database'`. */
  left?: string;
  /** Name of the right side in messages. Default `'the models'`. */
  right?: string;
  /**
   * Compare privileges (GRANT/REVOKE on schemas, tables, views, sequences,
   * functions) too. Default `false`, as migra's `--with-privileges`:
   * production grants to its application roles, which models rarely describe,
   * so a default-on check would report drift on every real database.
   */
  privileges?: boolean;
  /**
   * List objects of kinds Strata does not handle that both sides have (as
   * warnings: they were not compared). Default `true`. Objects on one side
   * only are always errors. Set false where two sides Strata built are
   * checked for equality (autogenerate, create_all's check, stamp --verify).
   */
  uncompared?: boolean;
}

/** A schema-qualified name as people write it: unqualified in `public`. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** A `format_type` name in the short form people write (`varchar(255)`, `timestamptz`). */
export function prettyType(type: string): string {
  return type
    .replace(/\bcharacter varying\b/g, 'varchar')
    .replace(/\btimestamp(\(\d+\))? without time zone\b/g, 'timestamp$1')
    .replace(/\btimestamp(\(\d+\))? with time zone\b/g, 'timestamptz$1')
    .replace(/\btime(\(\d+\))? without time zone\b/g, 'time$1')
    .replace(/\btime(\(\d+\))? with time zone\b/g, 'timetz$1')
    .replace(/\bcharacter\b/g, 'char');
}

/** `the models` -> plural verb; `production` -> singular. */
function verb(side: string, singular: string, plural: string): string {
  return /^the .*s$/i.test(side) ? plural : singular;
}

class DriftBuilder {
  readonly out: Difference[] = [];
  constructor(
    readonly left: string,
    readonly right: string,
  ) {}

  extra(objectType: ObjectType, name: string, severity: Severity): void {
    this.out.push({
      kind: 'extra',
      objectType,
      name,
      severity,
      message:
        `${this.left} ${verb(this.left, 'has', 'have')} an extra ${objectType} ${name} that ` +
        `${this.right} ${verb(this.right, 'does', 'do')} not define`,
    });
  }

  missing(objectType: ObjectType, name: string, severity: Severity): void {
    this.out.push({
      kind: 'missing',
      objectType,
      name,
      severity,
      message:
        `${this.left} ${verb(this.left, 'is', 'are')} missing the ${objectType} ${name} that ` +
        `${this.right} ${verb(this.right, 'defines', 'define')}`,
    });
  }

  different(
    objectType: ObjectType,
    name: string,
    attribute: string,
    from: unknown,
    to: unknown,
    severity: Severity,
    message?: string,
  ): void {
    this.out.push({
      kind: 'different',
      objectType,
      name,
      attribute,
      from,
      to,
      severity,
      message:
        message ?? `${objectType} ${name} has a different ${attribute} in ${this.left} (${show(from)}) than in ${this.right} (${show(to)})`,
    });
  }

  /** "column users.email is varchar(255) in production but text in the models" */
  isVs(
    objectType: ObjectType,
    name: string,
    attribute: string,
    from: unknown,
    to: unknown,
    severity: Severity,
    fromText: string,
    toText: string,
  ): void {
    this.different(
      objectType,
      name,
      attribute,
      from,
      to,
      severity,
      `${objectType} ${name} ${fromText} in ${this.left} but ${toText} in ${this.right}`,
    );
  }
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return v.length > 80 ? `${v.slice(0, 77).replace(/\s+/g, ' ')}...` : v.replace(/\s+/g, ' ');
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  return JSON.stringify(v);
}

const has = (a: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(a, k);

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
  keyed(d, a.tables, b.tables, 'table', dn, 'error', (n, x, y) => compareTable(d, n, x, y, a, b));
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
  if (options.privileges) privileges(d, a, b);
  notHandled(d, a, b, options.uncompared ?? true);
  return d.out;
}

/**
 * Objects of kinds Strata does not compare or create: each is listed, never
 * skipped. On one side only it is an error (a plan cannot create or drop it);
 * on both it is a warning (it was not compared).
 */
function notHandled(d: DriftBuilder, a: Snapshot, b: Snapshot, bothSides: boolean): void {
  const ua = a.unhandled ?? {};
  const ub = b.unhandled ?? {};
  for (const key of [...new Set([...Object.keys(ua), ...Object.keys(ub)])].sort(byCodePoint)) {
    const o = (ua[key] ?? ub[key])!;
    if (key in ua && key in ub && !bothSides) continue;
    const name = `${o.kind} ${o.name}`;
    const where = !(key in ub) ? `only in ${d.left}` : !(key in ua) ? `only in ${d.right}` : `in both ${d.left} and ${d.right}`;
    d.out.push({
      kind: !(key in ub) ? 'extra' : !(key in ua) ? 'missing' : 'different',
      objectType: 'not handled',
      name,
      severity: key in ua && key in ub ? 'warning' : 'error',
      message:
        `not handled: ${name} (${where}): Strata does not compare or create ${o.kind}s yet; check it by ` +
        `hand${key in ua && key in ub ? '' : ' and write it in a migration'}`,
    });
  }
}

const ENABLED: Record<EventTriggerDef['enabled'], string> = {
  O: 'enabled',
  D: 'disabled',
  R: 'enabled on replicas only',
  A: 'enabled always',
};

const AGG_KIND: Record<AggregateDef['kind'], string> = {
  normal: 'a normal aggregate',
  'ordered-set': 'an ordered-set aggregate',
  hypothetical: 'a hypothetical-set aggregate',
};

/** CREATE AGGREGATE's options in the order its documentation (and a Snapshot) lists them. */
const AGG_OPTIONS = [
  'SFUNC',
  'STYPE',
  'SSPACE',
  'FINALFUNC',
  'FINALFUNC_EXTRA',
  'FINALFUNC_MODIFY',
  'COMBINEFUNC',
  'SERIALFUNC',
  'DESERIALFUNC',
  'INITCOND',
  'MSFUNC',
  'MINVFUNC',
  'MSTYPE',
  'MSSPACE',
  'MFINALFUNC',
  'MFINALFUNC_EXTRA',
  'MFINALFUNC_MODIFY',
  'MINITCOND',
  'SORTOP',
  'PARALLEL',
  'HYPOTHETICAL',
];

/** `SFUNC = int4pl` -> [`SFUNC`, `int4pl`]; `FINALFUNC_EXTRA` -> [`FINALFUNC_EXTRA`, `on`]. */
function aggregateOptionMap(options: string[]): Map<string, string> {
  return new Map(
    options.map((o) => {
      const i = o.indexOf(' = ');
      return i < 0 ? [o, 'on'] : [o.slice(0, i), o.slice(i + 3)];
    }),
  );
}

/**
 * An aggregate on both sides: its kind and each option of CREATE AGGREGATE
 * that differs. Aggregates of a Snapshot written before they were read have
 * no definition: then only the result type is compared.
 */
function compareAggregate(d: DriftBuilder, n: string, x: FunctionDef, y: FunctionDef): void {
  if (x.result !== y.result)
    d.isVs('aggregate', n, 'result', x.result, y.result, 'error', `returns ${prettyType(x.result ?? '')}`, prettyType(y.result ?? ''));
  const xa = x.aggregate;
  const ya = y.aggregate;
  if (!xa || !ya) return;
  if (xa.kind !== ya.kind) d.isVs('aggregate', n, 'kind', xa.kind, ya.kind, 'error', `is ${AGG_KIND[xa.kind]}`, AGG_KIND[ya.kind]);
  const xo = aggregateOptionMap(xa.options);
  const yo = aggregateOptionMap(ya.options);
  const rank = (o: string) => AGG_OPTIONS.indexOf(o);
  for (const opt of [...new Set([...xo.keys(), ...yo.keys()])].sort((p, q) => rank(p) - rank(q))) {
    const u = xo.get(opt);
    const v = yo.get(opt);
    if (u === v || opt === 'HYPOTHETICAL') continue;
    const say = (w: string | undefined, first: boolean) =>
      w === undefined
        ? first
          ? `has no ${opt}`
          : 'none'
        : w === 'on'
          ? first
            ? `has ${opt}`
            : opt
          : first
            ? `has ${opt} = ${w}`
            : `${opt} = ${w}`;
    d.isVs('aggregate', n, opt.toLowerCase(), u ?? null, v ?? null, 'error', say(u, true), say(v, false));
  }
}

/** A function key as people write it: `log_ddl()`, `audit.log_ddl()`. */
function functionName(s: Snapshot, key: string): string {
  const f = s.functions[key];
  return f ? `${displayName(f.schema, f.name)}(${f.identityArguments})` : key.replace(/^public\./, '');
}

function compareEventTrigger(d: DriftBuilder, n: string, x: EventTriggerDef, y: EventTriggerDef, sa: Snapshot, sb: Snapshot): void {
  if (x.event !== y.event) d.isVs('event trigger', n, 'event', x.event, y.event, 'error', `fires on ${x.event}`, `on ${y.event}`);
  if (!isDeepStrictEqual(x.tags, y.tags)) {
    const tags = (t: string[]) => (t.length ? `(${t.join(', ')})` : 'every command');
    d.isVs(
      'event trigger',
      n,
      'tags',
      x.tags,
      y.tags,
      'error',
      `fires for ${x.tags.length ? 'tags ' : ''}${tags(x.tags)}`,
      `for ${y.tags.length ? 'tags ' : ''}${tags(y.tags)}`,
    );
  }
  if (x.function !== y.function)
    d.isVs(
      'event trigger',
      n,
      'function',
      x.function,
      y.function,
      'error',
      `executes ${functionName(sa, x.function)}`,
      functionName(sb, y.function),
    );
  if (x.enabled !== y.enabled)
    d.isVs('event trigger', n, 'enabled', x.enabled, y.enabled, 'warning', `is ${ENABLED[x.enabled]}`, ENABLED[y.enabled]);
  comment(d, 'event trigger', n, x.comment, y.comment);
}

/** A table key as people write it (the table may lie outside the Snapshot's schemas). */
function relationName(s: Snapshot, key: string): string {
  const t = s.tables[key];
  return t ? displayName(t.schema, t.name) : key.replace(/^public\./, '');
}

/** `table orders (id, total) WHERE (total > 0)`. */
function publishedTable(s: Snapshot, e: PublicationTableDef): string {
  return `table ${relationName(s, e.table)}${e.columns ? ` (${e.columns.join(', ')})` : ''}${e.where !== null ? ` WHERE ${e.where}` : ''}`;
}

function comparePublication(d: DriftBuilder, n: string, x: PublicationDef, y: PublicationDef, sa: Snapshot, sb: Snapshot): void {
  if (x.allTables !== y.allTables)
    d.isVs(
      'publication',
      n,
      'allTables',
      x.allTables,
      y.allTables,
      'error',
      x.allTables ? 'publishes all tables' : 'publishes a list of tables',
      y.allTables ? 'all tables' : 'a list of tables',
    );
  const xt = new Map(x.tables.map((t) => [t.table, t]));
  const yt = new Map(y.tables.map((t) => [t.table, t]));
  for (const k of [...new Set([...xt.keys(), ...yt.keys()])].sort(byCodePoint)) {
    const e = xt.get(k);
    const f = yt.get(k);
    if (e && f && isDeepStrictEqual(e, f)) continue;
    const fromText = e ? `publishes ${publishedTable(sa, e)}` : `does not publish table ${relationName(sb, k)}`;
    const toText = f ? (e ? publishedTable(sb, f) : 'does') : 'not';
    d.isVs('publication', n, 'tables', e ?? null, f ?? null, 'error', fromText, toText);
  }
  for (const sc of [...new Set([...x.schemas, ...y.schemas])].sort(byCodePoint)) {
    const inX = x.schemas.includes(sc);
    if (inX === y.schemas.includes(sc)) continue;
    d.isVs(
      'publication',
      n,
      'schemas',
      x.schemas,
      y.schemas,
      'error',
      inX ? `publishes the tables in schema ${sc}` : `does not publish the tables in schema ${sc}`,
      inX ? 'not' : 'does',
    );
  }
  if (!isDeepStrictEqual(x.publish, y.publish)) {
    const acts = (p: string[]) => (p.length ? p.join(', ') : 'nothing');
    d.isVs('publication', n, 'publish', x.publish, y.publish, 'error', `publishes ${acts(x.publish)}`, acts(y.publish));
  }
  if (x.viaPartitionRoot !== y.viaPartitionRoot) {
    const via = (v: boolean) => (v ? "as their partitioned table's (publish_via_partition_root)" : 'as their own');
    d.isVs(
      'publication',
      n,
      'viaPartitionRoot',
      x.viaPartitionRoot,
      y.viaPartitionRoot,
      'warning',
      `publishes the changes of partitions ${via(x.viaPartitionRoot)}`,
      via(y.viaPartitionRoot),
    );
  }
  comment(d, 'publication', n, x.comment, y.comment);
}

/** How a privilege's object is named in a sentence: `table users`, `function f(integer)`. */
function privilegeObject(s: Snapshot, type: PrivilegeDef['objectType'], object: string): string {
  if (type === 'schema') return `schema ${object}`;
  if (type === 'function') {
    const f = s.functions[object];
    return f
      ? `${f.kind === 'procedure' ? 'procedure' : 'function'} ${displayName(f.schema, f.name)}(${f.identityArguments})`
      : `function ${object}`;
  }
  const rel = s.tables[object] ?? s.views[object] ?? s.materializedViews[object] ?? s.sequences[object];
  const word =
    type === 'sequence' ? 'sequence' : object in s.views ? 'view' : object in s.materializedViews ? 'materialized view' : 'table';
  return `${word} ${rel ? displayName(rel.schema, rel.name) : object}`;
}

function privilegeText(p: PrivilegeDef | undefined): string {
  if (!p || p.privileges.length === 0) return 'nothing';
  return p.privileges.map((x) => (p.grantable.includes(x) ? `${x} (with grant option)` : x)).join(', ');
}

function privileges(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  const pa = a.privileges ?? {};
  const pb = b.privileges ?? {};
  for (const k of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort(byCodePoint)) {
    const x = pa[k];
    const y = pb[k];
    const e = (x ?? y) as PrivilegeDef;
    if (x && y && isDeepStrictEqual(x.privileges, y.privileges) && isDeepStrictEqual(x.grantable, y.grantable)) continue;
    // A privilege on an object only one side has is part of that object's difference.
    if (!privilegeObjectExists(a, e.objectType, e.object) || !privilegeObjectExists(b, e.objectType, e.object)) continue;
    const on = privilegeObject(b, e.objectType, e.object);
    const to = e.grantee === 'public' ? 'PUBLIC' : e.grantee;
    const name = `${on} to ${to}`;
    d.different(
      'privilege',
      name,
      'privileges',
      x ? x.privileges : [],
      y ? y.privileges : [],
      'warning',
      `${to} holds ${privilegeText(x)} on ${on} in ${d.left} but ${privilegeText(y)} in ${d.right}`,
    );
  }
}

/** A composite type's attributes without their comments: what its shape is. */
export function attributeShape(attrs: CompositeTypeDef['attributes']): { name: string; type: string; collation: string | null }[] {
  return attrs.map((at) => ({ name: at.name, type: at.type, collation: at.collation }));
}

function dn(x: { schema: string; name: string }): string {
  return displayName(x.schema, x.name);
}

function comment(d: DriftBuilder, type: ObjectType, name: string, x: string | null, y: string | null): void {
  if (x === y) return;
  const msg =
    x === null
      ? `${type} ${name} has no comment in ${d.left} but has one in ${d.right}`
      : y === null
        ? `${type} ${name} has a comment in ${d.left} but none in ${d.right}`
        : `${type} ${name} has a different comment in ${d.left} than in ${d.right}`;
  d.different(type, name, 'comment', x, y, 'info', msg);
}

function keyed<T>(
  d: DriftBuilder,
  a: Record<string, T>,
  b: Record<string, T>,
  type: ObjectType,
  name: (x: T) => string,
  severity: Severity,
  both: (name: string, x: T, y: T) => void,
): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(byCodePoint);
  for (const k of keys) {
    const inA = has(a, k);
    const inB = has(b, k);
    if (inA && inB) both(name(a[k] as T), a[k] as T, b[k] as T);
    else if (inA) d.extra(type, name(a[k] as T), severity);
    else d.missing(type, name(b[k] as T), severity);
  }
}

function compareTable(d: DriftBuilder, n: string, x: TableDef, y: TableDef, sa: Snapshot, sb: Snapshot): void {
  if (x.partitionBy !== y.partitionBy)
    d.isVs(
      'table',
      n,
      'partitionBy',
      x.partitionBy,
      y.partitionBy,
      'error',
      x.partitionBy ? `is partitioned by ${x.partitionBy}` : 'is not partitioned',
      y.partitionBy ? `partitioned by ${y.partitionBy}` : 'not partitioned',
    );
  if (!isDeepStrictEqual(x.partitionOf, y.partitionOf)) d.different('table', n, 'partitionOf', x.partitionOf, y.partitionOf, 'error');
  if (!isDeepStrictEqual(x.inherits ?? [], y.inherits ?? [])) {
    const inh = (t: TableDef) =>
      (t.inherits ?? []).length
        ? `inherits from ${(t.inherits ?? []).map((p) => p.replace(/^public\./, '')).join(', ')}`
        : 'inherits from no table';
    d.isVs('table', n, 'inherits', x.inherits, y.inherits, 'error', inh(x), inh(y).replace(/^inherits from /, 'from '));
  }
  if (Boolean(x.unlogged) !== Boolean(y.unlogged))
    d.isVs(
      'table',
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
      'table',
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
  if (ri(x) !== ri(y)) d.isVs('table', n, 'replicaIdentity', ri(x), ri(y), 'warning', `has REPLICA IDENTITY ${ri(x)}`, ri(y));
  if (x.rowSecurity !== y.rowSecurity)
    d.isVs(
      'table',
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
      'table',
      n,
      'forceRowSecurity',
      x.forceRowSecurity,
      y.forceRowSecurity,
      'error',
      x.forceRowSecurity ? 'forces row level security' : 'does not force row level security',
      y.forceRowSecurity ? 'forces it' : 'does not',
    );
  comment(d, 'table', n, x.comment, y.comment);

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
