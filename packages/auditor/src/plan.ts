// Stays whole until issue 21's planner pipeline (compare -> changes per kind -> one dependency graph -> render) replaces the Planner class: splitting its shared mutable sets by file first would only spread them.
import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { attributeShape, deepEqual, displayName, prettyType } from './compare.js';
import {
  PUBLISH_ACTIONS,
  byCodePoint,
  inheritedColumn,
  objectKey,
  privilegeKey,
  tableParents,
  type ColumnDef,
  type ConstraintDef,
  type DomainDef,
  type EnumDef,
  type EventTriggerDef,
  type ExtensionDef,
  type FunctionDef,
  type IndexDef,
  type PolicyDef,
  type PrivilegeDef,
  type PrivilegeObjectType,
  type PublicationDef,
  type PublicationTableDef,
  type SequenceDef,
  type SequenceOptions,
  type Snapshot,
  type TableDef,
  type TriggerDef,
  type ViewDef,
} from './snapshot.js';

/** One DDL statement of a plan. */
export interface Step {
  /** The statement, without a trailing semicolon. */
  sql: string;
  /** Whether it can lose data (drops a table, column or enum value; narrows a type). */
  destructive: boolean;
  /** `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`: must run outside a transaction. */
  concurrently?: boolean;
  /**
   * `false` when the step must run outside a transaction block or be committed
   * before the next step may rely on it (`CONCURRENTLY`; `ALTER TYPE ... ADD VALUE`,
   * whose new value cannot be used in the transaction that added it).
   */
  transactional?: boolean;
  /** Why the step is there, or what to watch for. */
  comment?: string;
}

/** Something the planner could not decide on its own and a person should look at. */
export interface PlanHint {
  kind: 'possible-rename' | 'unsupported';
  message: string;
}

/** The DDL turning one Snapshot into another, and back. */
export interface Plan {
  /** From `a` to `b`. */
  up: Step[];
  /** From `b` back to `a`. */
  down: Step[];
  hints: PlanHint[];
}

/** Options of {@link plan}. */
export interface PlanOptions {
  /**
   * Build and drop indexes on existing tables with `CONCURRENTLY` (no write
   * lock, but outside a transaction). Default `false`.
   */
  concurrently?: boolean;
  /** GRANT and REVOKE to match `b`'s privileges (see {@link CompareOptions.privileges}). Default `false`. */
  privileges?: boolean;
}

/**
 * The ordered DDL that turns Snapshot `a` into Snapshot `b` (`up`) and `b`
 * back into `a` (`down`), dependency-ordered and with destructive steps marked.
 * Renames are never guessed: a dropped and an added column of the same type
 * become a {@link PlanHint}.
 */
export function plan(a: Snapshot, b: Snapshot, options: PlanOptions = {}): Plan {
  const hints: PlanHint[] = [];
  const up = new Planner(a, b, options, hints).build();
  const down = new Planner(b, a, options, []).build();
  return { up, down, hints };
}

/** Render steps as an SQL script, with comments and destructive steps marked. */
export function renderSteps(steps: readonly Step[]): string {
  return steps
    .map((s) => {
      const notes: string[] = [];
      if (s.comment) notes.push(`-- ${s.comment.replace(/\n/g, '\n-- ')}`);
      if (s.destructive) notes.push('-- destructive: may lose data');
      if (s.transactional === false) notes.push('-- run outside a transaction block');
      return [...notes, `${s.sql};`].join('\n');
    })
    .join('\n\n')
    .concat(steps.length ? '\n' : '');
}

/** A name as the plan writes it: unqualified in `public`, like the catalogue output read with search_path=public. */
function qn(schema: string, name: string): string {
  return schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

const PHASES = [
  'pre',
  'dropEventTriggers',
  'dropPublications',
  'dropTriggers',
  'dropPolicies',
  'dropViews',
  'dropForeignKeys',
  'dropIndexes',
  'dropConstraints',
  'dropDefaults',
  'dropRowTypeFunctions',
  'dropTables',
  'dropColumns',
  'dropFunctions',
  'dropSequences',
  'dropTypes',
  'schemas',
  'extensions',
  'types',
  'functions',
  'sequences',
  'tables',
  'columns',
  'typeCleanup',
  'dropRemovedTypes',
  'dropFunctionsUsedByTypes',
  'dropExtensions',
  'dropSchemas',
  'sequenceOwnership',
  'constraints',
  'indexes',
  'foreignKeys',
  'lateFunctions',
  'views',
  'viewIndexes',
  'triggers',
  'rowSecurity',
  'policies',
  'publications',
  'comments',
  'privileges',
  'eventTriggers',
] as const;
type Phase = (typeof PHASES)[number];

const INT_RANGE: Record<string, [string, string]> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
};

/** Sequence options as SQL clauses, leaving out the ones equal to PostgreSQL's defaults. */
function sequenceClauses(s: SequenceOptions, withType: boolean): string[] {
  const [tmin, tmax] = INT_RANGE[s.type] ?? INT_RANGE.bigint!;
  const asc = !s.increment.startsWith('-');
  const dmin = asc ? '1' : tmin;
  const dmax = asc ? tmax : '-1';
  const dstart = asc ? s.min : s.max;
  const out: string[] = [];
  if (withType && s.type !== 'bigint') out.push(`AS ${s.type}`);
  if (s.increment !== '1') out.push(`INCREMENT BY ${s.increment}`);
  if (s.min !== dmin) out.push(`MINVALUE ${s.min}`);
  if (s.max !== dmax) out.push(`MAXVALUE ${s.max}`);
  if (s.start !== dstart) out.push(`START WITH ${s.start}`);
  if (s.cache !== '1') out.push(`CACHE ${s.cache}`);
  if (s.cycle) out.push('CYCLE');
  return out;
}

/** Changed sequence options as ALTER clauses. */
function sequenceChanges(x: SequenceOptions, y: SequenceOptions, withType: boolean): string[] {
  const out: string[] = [];
  if (withType && x.type !== y.type) out.push(`AS ${y.type}`);
  if (x.increment !== y.increment) out.push(`INCREMENT BY ${y.increment}`);
  if (x.min !== y.min) out.push(`MINVALUE ${y.min}`);
  if (x.max !== y.max) out.push(`MAXVALUE ${y.max}`);
  if (x.start !== y.start) out.push(`START WITH ${y.start}`);
  if (x.cache !== y.cache) out.push(`CACHE ${y.cache}`);
  if (x.cycle !== y.cycle) out.push(y.cycle ? 'CYCLE' : 'NO CYCLE');
  return out;
}

const STRING_TYPES = new Set(['text', 'character varying', 'character', 'name', 'citext', 'bpchar']);
const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);
const TIME_TYPES = new Set(['timestamp without time zone', 'timestamp with time zone', 'date']);

function baseType(t: string): string {
  return t.replace(/\(.*\)/, '').replace(/\[\]$/, '').trim();
}
function typmod(t: string): number[] {
  const m = /\(([\d, ]+)\)/.exec(t);
  return m ? m[1]!.split(',').map((x) => Number(x.trim())) : [];
}

/** Whether `from -> to` needs a USING clause (no assignment cast between them). */
function needsUsing(from: string, to: string): boolean {
  if (from.endsWith('[]') !== to.endsWith('[]')) return true;
  const f = baseType(from);
  const t = baseType(to);
  if (f === t) return false;
  if (STRING_TYPES.has(t) && !from.endsWith('[]')) return false; // every type has an I/O cast to text in assignment context
  if (NUMBER_TYPES.has(f) && NUMBER_TYPES.has(t)) return false;
  if (TIME_TYPES.has(f) && TIME_TYPES.has(t)) return false;
  return true;
}

/** Whether `from -> to` keeps every value (a widening): otherwise the step is marked destructive. */
function isWidening(from: string, to: string): boolean {
  if (from === to) return true;
  const f = baseType(from);
  const t = baseType(to);
  if (from.endsWith('[]') !== to.endsWith('[]')) return false;
  const order = ['smallint', 'integer', 'bigint', 'numeric'];
  if (order.includes(f) && order.includes(t)) {
    if (t === 'numeric') return typmod(to).length === 0 || (f !== 'numeric' && typmod(to)[0]! - (typmod(to)[1] ?? 0) >= 19);
    return order.indexOf(t) >= order.indexOf(f);
  }
  if (f === 'real' && t === 'double precision') return true;
  if (to === 'text') return true; // text holds every value's text form
  if (f === 'character varying' && t === 'character varying') {
    const [fm] = typmod(from);
    const [tm] = typmod(to);
    return tm === undefined || (fm !== undefined && tm >= fm);
  }
  if (f === 'character' && t === 'character varying') return typmod(to)[0] === undefined || (typmod(from)[0] ?? 1) <= typmod(to)[0]!;
  return false;
}

function stripSemicolon(def: string): string {
  return def.trim().replace(/;\s*$/, '');
}

function fnKindWord(f: FunctionDef): string {
  return f.kind === 'procedure' ? 'PROCEDURE' : f.kind === 'aggregate' ? 'AGGREGATE' : 'FUNCTION';
}

function fnRef(f: FunctionDef): string {
  return `${qn(f.schema, f.name)}(${f.identityArguments})`;
}

/** The name `format_type` prints for a type under search_path=public. */
function typeName(schema: string, name: string): string {
  return qn(schema, name);
}

/** Domains sorted by key, except that a domain over another domain comes after it (created after, dropped before). */
function domainsInOrder(domains: Record<string, DomainDef>): [string, DomainDef][] {
  const byType = new Map(Object.entries(domains).map(([k, d]) => [typeName(d.schema, d.name), k]));
  const baseDomain = (x: { d: DomainDef }) => {
    const k = byType.get(x.d.type.replace(/\[\]$/, ''));
    return k === undefined ? [] : [k];
  };
  return topo(sorted(domains).map(([key, d]) => ({ key, d })), baseDomain).map((x): [string, DomainDef] => [x.key, x.d]);
}

function columnsUsingType(t: TableDef, tname: string): ColumnDef[] {
  return t.columns.filter((c) => c.type === tname || c.type === `${tname}[]`);
}

class Planner {
  readonly #steps = new Map<Phase, Step[]>(PHASES.map((p) => [p, []]));
  readonly #createdTables = new Set<string>();
  readonly #droppedTables = new Set<string>();
  /** Columns dropped (`table key\0column`). */
  readonly #droppedColumns = new Set<string>();
  /** Tables whose column types change (views and policies reading them are rebuilt). */
  readonly #typeChanged = new Map<string, Set<string>>();
  /** Enums rebuilt: key -> temporary name of the old type. */
  readonly #rebuiltEnums = new Map<string, string>();
  /** Type names (as columns spell them) built again: their columns are converted by the type step. */
  readonly #rebuiltTypes = new Set<string>();
  /** Functions dropped and created again. */
  readonly #recreatedFunctions = new Set<string>();
  /** Columns whose default is dropped early (`table\0column`). */
  readonly #defaultDropped = new Set<string>();

  constructor(
    readonly a: Snapshot,
    readonly b: Snapshot,
    readonly options: PlanOptions,
    readonly hints: PlanHint[],
  ) {}

  add(phase: Phase, step: Step): void {
    this.#steps.get(phase)!.push(step);
  }

  build(): Step[] {
    this.prepareTables();
    this.schemasAndExtensions();
    this.types();
    this.functions();
    this.sequences();
    this.tables();
    this.constraints();
    this.indexes();
    this.replicaIdentities();
    this.views();
    this.triggers();
    this.policies();
    this.publications();
    this.eventTriggers();
    this.comments();
    if (this.options.privileges) this.privileges();
    const fnNeedsNoCheck = this.#steps.get('functions')!.some((s) => /\bLANGUAGE sql\b/i.test(s.sql));
    if (fnNeedsNoCheck) {
      this.add('pre', { sql: 'SET check_function_bodies = off', destructive: false, comment: 'SQL functions may refer to tables created further down, as pg_dump does' });
    }
    return PHASES.flatMap((p) => this.#steps.get(p)!);
  }

  // ---------------------------------------------------------------- schemas, extensions
  schemasAndExtensions(): void {
    const { a, b } = this;
    for (const [k, s] of sorted(b.schemas)) if (!(k in a.schemas)) this.add('schemas', { sql: `CREATE SCHEMA ${quoteIdent(s.name)}`, destructive: false });
    for (const [k, s] of sorted(a.schemas)) if (!(k in b.schemas)) this.add('dropSchemas', { sql: `DROP SCHEMA ${quoteIdent(s.name)}`, destructive: true });
    const extOrder = (snap: Snapshot) => topo(Object.values(snap.extensions).map((x) => ({ key: x.name, x })), (e) => e.x.requires ?? []).map((e): [string, ExtensionDef] => [e.key, e.x]);
    for (const [k, x] of extOrder(b)) {
      const old = a.extensions[k];
      if (!old) {
        // The extension's own schema (topology) is not part of a Snapshot: create it with the extension.
        if (!(x.schema in b.schemas) && !this.extensionSchemaIn(a, x.schema)) this.add('extensions', { sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(x.schema)}`, destructive: false });
        // The server's default version unless the target has another (then named, as pg_dump does not but migra's extversions case needs).
        const version = x.defaultVersion !== undefined && x.defaultVersion !== x.version ? ` VERSION ${quoteLiteral(x.version)}` : '';
        this.add('extensions', { sql: `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(x.name)} WITH SCHEMA ${quoteIdent(x.schema)}${version}`, destructive: false });
      }
      else {
        if (old.schema !== x.schema) this.add('extensions', { sql: `ALTER EXTENSION ${quoteIdent(x.name)} SET SCHEMA ${quoteIdent(x.schema)}`, destructive: false });
        if (old.version !== x.version) this.add('extensions', { sql: `ALTER EXTENSION ${quoteIdent(x.name)} UPDATE TO ${quoteLiteral(x.version)}`, destructive: false });
      }
    }
    for (const [k, x] of extOrder(a).reverse()) {
      if (k in b.extensions) continue;
      this.add('dropExtensions', { sql: `DROP EXTENSION ${quoteIdent(x.name)}`, destructive: true, comment: `drops every object of the extension ${x.name}` });
      if (!(x.schema in a.schemas) && !(x.schema in b.schemas) && !this.extensionSchemaIn(b, x.schema)) this.add('dropSchemas', { sql: `DROP SCHEMA IF EXISTS ${quoteIdent(x.schema)}`, destructive: false });
    }
  }

  /** Whether another extension of `snap` lives in `schema`, which then exists already or stays. */
  extensionSchemaIn(snap: Snapshot, schema: string): boolean {
    return Object.values(snap.extensions).some((e) => e.schema === schema);
  }

  // ---------------------------------------------------------------- types
  types(): void {
    const { a, b } = this;
    for (const [k, c] of sorted(b.collations ?? {})) {
      const old = a.collations?.[k];
      if (old && deepEqual(old, { ...c, comment: old.comment })) continue;
      if (old) this.add('dropTypes', { sql: `DROP COLLATION ${qn(old.schema, old.name)}`, destructive: false, comment: 'a collation cannot be altered: it is created again' });
      const opts = [`provider = ${c.provider}`];
      if (c.provider === 'libc') {
        if (c.lcCollate === c.lcCtype) opts.push(`locale = ${quoteLiteral(c.lcCollate ?? '')}`);
        else opts.push(`lc_collate = ${quoteLiteral(c.lcCollate ?? '')}`, `lc_ctype = ${quoteLiteral(c.lcCtype ?? '')}`);
      } else opts.push(`locale = ${quoteLiteral(c.locale ?? '')}`);
      if (!c.deterministic) opts.push('deterministic = false');
      if (c.rules) opts.push(`rules = ${quoteLiteral(c.rules)}`);
      this.add('types', { sql: `CREATE COLLATION ${qn(c.schema, c.name)} (${opts.join(', ')})`, destructive: false });
    }
    for (const [k, e] of sorted(b.enums)) {
      const old = a.enums[k];
      if (!old) this.add('types', { sql: createEnum(e), destructive: false });
      else if (!deepEqual(old.values, e.values)) this.changeEnum(old, e);
    }
    // Removed types go at the end, each before the types it is built on (a domain over an enum, a composite with a domain attribute).
    const removed: { key: string; uses: string[]; step: Step }[] = [];
    for (const [k, e] of sorted(a.enums)) if (!(k in b.enums)) removed.push({ key: typeName(e.schema, e.name), uses: [], step: { sql: `DROP TYPE ${qn(e.schema, e.name)}`, destructive: true } });

    for (const [k, r] of sorted(b.rangeTypes ?? {})) {
      const old = a.rangeTypes?.[k];
      if (old && deepEqual(old, { ...r, comment: old.comment })) continue;
      if (old) this.add('dropTypes', { sql: `DROP TYPE ${qn(old.schema, old.name)}`, destructive: true, comment: 'a range type cannot be altered: it is created again' });
      const opts = [`SUBTYPE = ${r.subtype}`];
      if (r.subtypeOpclass) opts.push(`SUBTYPE_OPCLASS = ${r.subtypeOpclass}`);
      if (r.collation) opts.push(`COLLATION = ${r.collation}`);
      if (r.canonical) opts.push(`CANONICAL = ${r.canonical}`);
      if (r.subtypeDiff) opts.push(`SUBTYPE_DIFF = ${r.subtypeDiff}`);
      if (r.multirange) opts.push(`MULTIRANGE_TYPE_NAME = ${qn(r.schema, r.multirange)}`);
      this.add('types', { sql: `CREATE TYPE ${qn(r.schema, r.name)} AS RANGE (${opts.join(', ')})`, destructive: false });
    }
    for (const [k, r] of sorted(a.rangeTypes ?? {})) if (!(k in (b.rangeTypes ?? {}))) removed.push({ key: typeName(r.schema, r.name), uses: [r.subtype], step: { sql: `DROP TYPE ${qn(r.schema, r.name)}`, destructive: true } });

    // A CHECK that calls one of our functions waits for the functions (which may in turn take the domain as an argument).
    const callsFunction = (text: string) => Object.values(b.functions).some((f) => text.includes(`${qn(f.schema, f.name)}(`));
    const checkPhase = (c: DomainDef['checks'][number]): Phase => (callsFunction(c.definition) ? 'constraints' : 'types');
    for (const [k, d] of domainsInOrder(b.domains)) {
      const old = a.domains[k];
      if (!old || old.type !== d.type || old.collation !== d.collation) {
        const users = old ? this.columnsOfType(typeName(d.schema, d.name)) : [];
        if (old && users.length) this.rebuildDomain(d, users);
        else if (old) this.add('dropTypes', { sql: `DROP DOMAIN ${qn(old.schema, old.name)}`, destructive: true });
        const early = d.checks.filter((c) => c.validated && checkPhase(c) === 'types');
        this.add('types', { sql: createDomain({ ...d, checks: early }), destructive: false });
        for (const c of d.checks) {
          if (early.includes(c)) continue;
          this.add(checkPhase(c), { sql: `ALTER DOMAIN ${qn(d.schema, d.name)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`, destructive: false });
        }
        continue;
      }
      const name = qn(d.schema, d.name);
      if (old.default !== d.default) this.add('types', { sql: d.default === null ? `ALTER DOMAIN ${name} DROP DEFAULT` : `ALTER DOMAIN ${name} SET DEFAULT ${d.default}`, destructive: false });
      if (old.notNull !== d.notNull) this.add('types', { sql: `ALTER DOMAIN ${name} ${d.notNull ? 'SET' : 'DROP'} NOT NULL`, destructive: false });
      const oc = new Map(old.checks.map((c) => [c.name, c]));
      const nc = new Map(d.checks.map((c) => [c.name, c]));
      for (const c of old.checks) {
        const n = nc.get(c.name);
        if (!n || n.definition !== c.definition || (c.validated && !n.validated)) this.add('types', { sql: `ALTER DOMAIN ${name} DROP CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
      }
      for (const c of d.checks) {
        const o = oc.get(c.name);
        if (!o || o.definition !== c.definition || (o.validated && !c.validated)) {
          this.add(checkPhase(c), { sql: `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`, destructive: false });
        } else if (!o.validated && c.validated) this.add('types', { sql: `ALTER DOMAIN ${name} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
      }
    }
    for (const [k, d] of sorted(a.domains)) if (!(k in b.domains)) removed.push({ key: typeName(d.schema, d.name), uses: [d.type], step: { sql: `DROP DOMAIN ${qn(d.schema, d.name)}`, destructive: true } });

    for (const [k, t] of sorted(b.compositeTypes)) {
      const old = a.compositeTypes[k];
      const create = () => `CREATE TYPE ${qn(t.schema, t.name)} AS (\n${t.attributes.map((at) => `    ${quoteIdent(at.name)} ${at.type}${at.collation ? ` COLLATE ${at.collation}` : ''}`).join(',\n')}\n)`;
      if (!old) {
        this.add('types', { sql: create(), destructive: false });
        continue;
      }
      if (deepEqual(attributeShape(old.attributes), attributeShape(t.attributes))) continue;
      const name = qn(t.schema, t.name);
      const onlyAdded = deepEqual(attributeShape(old.attributes), attributeShape(t.attributes.slice(0, old.attributes.length)));
      const users = this.columnsOfType(typeName(t.schema, t.name));
      if (onlyAdded) {
        for (const y of t.attributes.slice(old.attributes.length)) {
          this.add('types', { sql: `ALTER TYPE ${name} ADD ATTRIBUTE ${quoteIdent(y.name)} ${y.type}${y.collation ? ` COLLATE ${y.collation}` : ''}`, destructive: false });
        }
        continue;
      }
      this.#recreatedComposites.add(k);
      if (users.length === 0) {
        this.add('dropTypes', { sql: `DROP TYPE ${name}`, destructive: false, comment: 'no column uses it: it is created again' });
        this.add('types', { sql: create(), destructive: false });
        continue;
      }
      // Columns use it: PostgreSQL cannot change an attribute's type in place, so build the type again and convert each column value.
      const tmp = this.freeTypeName(t.schema, t.name);
      this.#rebuiltTypes.add(typeName(t.schema, t.name));
      this.functionsUsingType(typeName(t.schema, t.name));
      const lost = old.attributes.filter((x) => !t.attributes.some((y) => y.name === x.name)).map((x) => x.name);
      this.add('types', { sql: `ALTER TYPE ${name} RENAME TO ${quoteIdent(tmp)}`, destructive: false, comment: `composite type ${displayName(t.schema, t.name)} changes shape: it is built again` });
      this.add('types', { sql: create(), destructive: false });
      for (const { key, table, column } of users) {
        const col = quoteIdent(column.name);
        const fields = t.attributes.map((y) => (old.attributes.some((x) => x.name === y.name) ? `(${col}).${quoteIdent(y.name)}::${y.type}` : 'NULL'));
        this.dropDefaultEarly(key, table, column);
        this.typeChanged(key, column.name);
        this.add('columns', {
          sql: `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${col} TYPE ${name} USING CASE WHEN ${col} IS NULL THEN NULL ELSE ROW(${fields.join(', ')})::${name} END`,
          destructive: lost.length > 0,
          ...(lost.length ? { comment: `drops the attribute${lost.length > 1 ? 's' : ''} ${lost.join(', ')}` } : {}),
        });
      }
      this.add('typeCleanup', { sql: `DROP TYPE ${qn(t.schema, tmp)}`, destructive: false });
    }
    for (const [k, t] of sorted(a.compositeTypes)) if (!(k in b.compositeTypes)) removed.push({ key: typeName(t.schema, t.name), uses: t.attributes.map((at) => at.type), step: { sql: `DROP TYPE ${qn(t.schema, t.name)}`, destructive: true } });
    // Each after the removed types built on it: ordered by "is used by", so topo puts users first.
    const usedBy = (name: string) => removed.filter((r) => r.uses.some((u) => u.replace(/(\[\])+$/, '') === name)).map((r) => r.key);
    for (const r of topo(removed, (r) => usedBy(r.key))) this.add('dropRemovedTypes', r.step);
    for (const [k, c] of sorted(a.collations ?? {})) if (!(k in (b.collations ?? {}))) this.add('dropRemovedTypes', { sql: `DROP COLLATION ${qn(c.schema, c.name)}`, destructive: false });
  }

  /** Composite types dropped (or renamed away) and created again. */
  readonly #recreatedComposites = new Set<string>();

  /** Columns that have a type (or an array of it) both before and after. */
  columnsOfType(tname: string): { key: string; table: TableDef; column: ColumnDef }[] {
    const out: { key: string; table: TableDef; column: ColumnDef }[] = [];
    for (const [key, t] of sorted(this.b.tables)) {
      const before = this.a.tables[key];
      if (!before) continue;
      // Inherited columns are converted by the parent's ALTER COLUMN, which recurses.
      for (const c of columnsUsingType(t, tname).filter((x) => !inheritedColumn(this.b, t, x.name))) {
        const oc = before.columns.find((x) => x.name === c.name);
        if (oc && oc.type === c.type) out.push({ key, table: t, column: oc });
      }
    }
    return out;
  }

  /** A name for the old type while it is being replaced. */
  freeTypeName(schema: string, name: string): string {
    const taken = new Set(
      [...Object.values(this.a.enums), ...Object.values(this.b.enums), ...Object.values(this.a.compositeTypes), ...Object.values(this.b.compositeTypes), ...Object.values(this.a.domains), ...Object.values(this.b.domains)]
        .filter((x) => x.schema === schema)
        .map((x) => x.name),
    );
    let tmp = `${name}_old`;
    for (let i = 2; taken.has(tmp); i++) tmp = `${name}_old${i}`;
    return tmp;
  }

  /** Drop a column's default before its type changes under it; it is set again afterwards. */
  dropDefaultEarly(key: string, table: TableDef, column: ColumnDef): void {
    const id = `${key}\0${column.name}`;
    if (column.default === null || this.#defaultDropped.has(id)) return;
    this.#defaultDropped.add(id);
    this.add('dropDefaults', { sql: `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} DROP DEFAULT`, destructive: false });
  }

  /**
   * A domain whose base type or collation changes while columns use it: DROP DOMAIN would be
   * refused, so the old one is renamed out of the way, the new one created (by the caller) and
   * each column converted through the new base type before the old domain is dropped.
   */
  rebuildDomain(d: DomainDef, users: { key: string; table: TableDef; column: ColumnDef }[]): void {
    const tmp = this.freeTypeName(d.schema, d.name);
    const tname = typeName(d.schema, d.name);
    this.#rebuiltTypes.add(tname);
    this.functionsUsingType(tname);
    this.add('types', { sql: `ALTER DOMAIN ${qn(d.schema, d.name)} RENAME TO ${quoteIdent(tmp)}`, destructive: false, comment: `domain ${displayName(d.schema, d.name)} changes its base type: it is built again` });
    for (const { key, table, column } of users) {
      this.dropDefaultEarly(key, table, column);
      this.typeChanged(key, column.name);
      const arr = column.type.endsWith('[]') ? '[]' : '';
      this.add('columns', {
        sql: `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} TYPE ${column.type} USING ${quoteIdent(column.name)}::${d.type}${arr}::${column.type}`,
        destructive: true,
        comment: `${prettyType(d.type)} is the new base type of ${displayName(d.schema, d.name)}: fails if a value does not convert`,
      });
    }
    this.add('typeCleanup', { sql: `DROP DOMAIN ${qn(d.schema, tmp)}`, destructive: false });
  }

  changeEnum(old: EnumDef, e: EnumDef): void {
    const name = qn(e.schema, e.name);
    // Only additions, in an order compatible with the existing values: ADD VALUE.
    const kept = e.values.filter((v) => old.values.includes(v));
    if (deepEqual(kept, old.values)) {
      const present = [...old.values];
      e.values.forEach((v, i) => {
        if (present.includes(v)) return;
        const at = i === e.values.length - 1 && present.length === i ? '' : i === 0 ? ` BEFORE ${quoteLiteral(e.values[1]!)}` : ` AFTER ${quoteLiteral(e.values[i - 1]!)}`;
        this.add('types', {
          sql: `ALTER TYPE ${name} ADD VALUE ${quoteLiteral(v)}${at}`,
          destructive: false,
          transactional: false,
          comment: 'a new enum value cannot be used in the transaction that adds it: commit before using it',
        });
        present.splice(i, 0, v);
      });
      return;
    }
    // A value removed or reordered: build the type again and convert the columns through text.
    const tmp = this.freeTypeName(e.schema, e.name);
    const removed = old.values.filter((v) => !e.values.includes(v));
    const key = objectKey(e.schema, e.name);
    this.#rebuiltEnums.set(key, tmp);
    this.#rebuiltTypes.add(typeName(e.schema, e.name));
    this.functionsUsingType(typeName(e.schema, e.name));
    this.add('types', {
      sql: `ALTER TYPE ${name} RENAME TO ${quoteIdent(tmp)}`,
      destructive: false,
      comment: removed.length ? `enum ${displayName(e.schema, e.name)} loses ${removed.map((v) => `'${v}'`).join(', ')}: it is built again` : `enum ${displayName(e.schema, e.name)} values are reordered: it is built again`,
    });
    this.add('types', { sql: createEnum(e), destructive: false });
    for (const { key, table, column } of this.columnsOfType(typeName(e.schema, e.name))) {
      this.dropDefaultEarly(key, table, column);
      this.typeChanged(key, column.name);
      const arr = column.type.endsWith('[]') ? '[]' : '';
      this.add('columns', {
        sql: `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} TYPE ${column.type} USING ${quoteIdent(column.name)}::text${arr}::${column.type}`,
        destructive: removed.length > 0,
        ...(removed.length ? { comment: `fails if a row still holds ${removed.map((v) => `'${v}'`).join(', ')}` } : {}),
      });
    }
    this.add('typeCleanup', { sql: `DROP TYPE ${qn(e.schema, tmp)}`, destructive: false });
  }

  /** Whether an expression of a table whose columns are converted to a rebuilt type casts to that type (it would still name the old one). */
  touchesRebuiltType(tableKey: string, text: string): boolean {
    if (!this.#typeChanged.has(tableKey)) return false;
    for (const tn of this.#rebuiltTypes) if (text.includes(`::${tn}`) || text.includes(`::${tn}[]`)) return true;
    return false;
  }

  /** Functions whose signature names a type about to be rebuilt: dropped first, created again against the new type. */
  functionsUsingType(tname: string): void {
    const re = new RegExp(`(^|[\\s,(])${tname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\[\\])?($|[\\s,)])`);
    for (const [k, f] of sorted(this.a.functions)) {
      if (!(k in this.b.functions) || this.#recreatedFunctions.has(k)) continue;
      if (!re.test(f.identityArguments) && !re.test(f.result ?? '')) continue;
      this.#recreatedFunctions.add(k);
      this.add('dropFunctions', { sql: `DROP ${fnKindWord(f)} ${fnRef(f)}`, destructive: false, comment: `its signature uses ${tname}, which is built again` });
    }
  }

  typeChanged(table: string, column: string): void {
    let s = this.#typeChanged.get(table);
    if (!s) this.#typeChanged.set(table, (s = new Set()));
    s.add(column);
  }

  // ---------------------------------------------------------------- functions
  /** Whether a function's signature names the row type of a table or view of `snap` (`RETURNS SETOF users`, `f(u users)`). */
  usesRowType(f: FunctionDef, snap: Snapshot): boolean {
    const sig = ` ${f.identityArguments} ${f.result ?? ''} `;
    for (const rel of [...Object.values(snap.tables), ...Object.values(snap.views), ...Object.values(snap.materializedViews)]) {
      const tn = qn(rel.schema, rel.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`[\\s,(]${tn}(\\[\\])?[\\s,)]`).test(sig)) return true;
    }
    return false;
  }

  functions(): void {
    const { a, b } = this;
    for (const [k, f] of sorted(b.functions)) {
      const old = a.functions[k];
      if (old && old.definition === f.definition && !this.#recreatedFunctions.has(k)) continue;
      if (f.definition === null) {
        this.hints.push({ kind: 'unsupported', message: `aggregate ${displayName(f.schema, f.name)}(${f.identityArguments}) must be created by hand` });
        continue;
      }
      if (old && !this.#recreatedFunctions.has(k) && (old.kind !== f.kind || old.result !== f.result || signatureOf(old) !== signatureOf(f))) {
        this.#recreatedFunctions.add(k);
        const why = old.kind !== f.kind || old.result !== f.result ? 'the result type changes' : 'parameter names, defaults or OUT parameters change';
        this.add(this.usesRowType(old, a) ? 'dropRowTypeFunctions' : 'dropFunctions', { sql: `DROP ${fnKindWord(old)} ${fnRef(old)}`, destructive: false, comment: `${why} (CREATE OR REPLACE cannot do that): the function is created again` });
      }
      // A signature naming a table's row type needs the table; so does an SQL-standard body.
      this.add(f.sqlBody || this.usesRowType(f, b) ? 'lateFunctions' : 'functions', { sql: stripSemicolon(f.definition), destructive: false });
    }
    // A function over a table's row type goes before the table can.
    // ... and one that a domain's CHECK calls goes after the domain.
    const calledByDomain = (f: FunctionDef) => Object.values(a.domains).some((d) => d.checks.some((c) => c.definition.includes(`${qn(f.schema, f.name)}(`)));
    for (const [k, f] of sorted(a.functions)) {
      if (k in b.functions) continue;
      const phase: Phase = this.usesRowType(f, a) ? 'dropRowTypeFunctions' : calledByDomain(f) ? 'dropFunctionsUsedByTypes' : 'dropFunctions';
      this.add(phase, { sql: `DROP ${fnKindWord(f)} ${fnRef(f)}`, destructive: false });
    }
  }

  // ---------------------------------------------------------------- sequences
  sequences(): void {
    const { a, b } = this;
    for (const [k, s] of sorted(b.sequences)) {
      if (this.#serialSequences.has(k)) continue; // the serial column creates it
      const old = a.sequences[k];
      const name = qn(s.schema, s.name);
      if (old?.ownedBy && this.#recreated.has(old.ownedBy.table)) {
        // Keep the sequence (and its position) while its table is dropped and created again.
        this.add('dropDefaults', { sql: `ALTER SEQUENCE ${name} OWNED BY NONE`, destructive: false });
        if (s.ownedBy) this.add('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${this.ownerRef(s.ownedBy, b)}`, destructive: false });
        const changes = sequenceChanges(old, s, true);
        if (changes.length) this.add('sequences', { sql: `ALTER SEQUENCE ${name} ${changes.join(' ')}`, destructive: false });
        continue;
      }
      if (!old) {
        const opts = sequenceClauses(s, true);
        this.add('sequences', { sql: `CREATE SEQUENCE ${name}${opts.length ? ` ${opts.join(' ')}` : ''}`, destructive: false });
        if (s.ownedBy) this.add('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${this.ownerRef(s.ownedBy, b)}`, destructive: false });
        continue;
      }
      const changes = sequenceChanges(old, s, true);
      // Narrower bounds are refused while the current value lies outside them: restart at START WITH.
      const narrower = BigInt(s.min) > BigInt(old.min) || BigInt(s.max) < BigInt(old.max);
      if (narrower) changes.push('RESTART');
      if (changes.length) {
        this.add('sequences', {
          sql: `ALTER SEQUENCE ${name} ${changes.join(' ')}`,
          destructive: false,
          ...(narrower ? { comment: 'the bounds narrow: the sequence restarts at its START WITH value; check it stays clear of existing keys' } : {}),
        });
      }
      if (!deepEqual(old.ownedBy, s.ownedBy)) {
        // Drop the old owner's claim first: dropping that column or table would drop the sequence too.
        if (old.ownedBy) this.add('dropDefaults', { sql: `ALTER SEQUENCE ${name} OWNED BY NONE`, destructive: false });
        if (s.ownedBy) this.add('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${this.ownerRef(s.ownedBy, b)}`, destructive: false });
      }
    }
    for (const [k, s] of sorted(a.sequences)) {
      if (k in b.sequences) continue;
      // Owned sequences go with their table or column.
      if (s.ownedBy && (!(s.ownedBy.table in b.tables) || this.#droppedTables.has(s.ownedBy.table) || !b.tables[s.ownedBy.table]!.columns.some((c) => c.name === s.ownedBy!.column))) continue;
      this.add('dropSequences', { sql: `DROP SEQUENCE ${qn(s.schema, s.name)}`, destructive: true });
    }
  }

  ownerRef(o: NonNullable<SequenceDef['ownedBy']>, snap: Snapshot): string {
    const t = snap.tables[o.table];
    return t ? `${qn(t.schema, t.name)}.${quoteIdent(o.column)}` : `${o.table}.${quoteIdent(o.column)}`;
  }

  // ---------------------------------------------------------------- tables and columns
  /** Parents before partitions and inheriting tables. */
  #tableOrder: [string, TableDef][] = [];
  /** Tables created again because their partitioning or parents change, and whether their parent's drop takes them along. */
  readonly #recreated = new Map<string, { withParent: boolean }>();
  /** Sequences that a new `serial` column creates (key -> column). */
  readonly #serialSequences = new Map<string, { table: string; column: string }>();
  /** New columns written as `serial` (`table\0column`). */
  readonly #serialColumns = new Map<string, string>();

  /** Decide up front which tables are created (new or recreated) and which new columns are plain serials. */
  prepareTables(): void {
    const { a, b } = this;
    this.#tableOrder = topo(sorted(b.tables).map(([key, t]) => ({ key, t })), (x) => [...(x.t.partitionOf ? [x.t.partitionOf.table] : []), ...(x.t.inherits ?? [])]).map((x): [string, TableDef] => [x.key, x.t]);
    for (const [k, t] of this.#tableOrder) {
      const old = a.tables[k];
      const parentRecreated = [...(t.partitionOf ? [t.partitionOf.table] : []), ...(t.inherits ?? [])].some((p) => this.#recreated.has(p));
      if (!old) this.#createdTables.add(k);
      else if (!deepEqual(old.partitionOf, t.partitionOf) || old.partitionBy !== t.partitionBy || !deepEqual(old.inherits ?? [], t.inherits ?? []) || parentRecreated) {
        this.#recreated.set(k, { withParent: parentRecreated });
        this.#droppedTables.add(k);
        this.#createdTables.add(k);
      }
    }
    const SERIAL: Record<string, string> = { smallint: 'smallserial', integer: 'serial', bigint: 'bigserial' };
    for (const [k, t] of this.#tableOrder) {
      const old = this.#createdTables.has(k) ? undefined : a.tables[k];
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
        if (before && !(before.ownedBy && this.#droppedTables.has(before.ownedBy.table))) continue;
        this.#serialSequences.set(seqKey, { table: k, column: c.name });
        this.#serialColumns.set(`${k}\0${c.name}`, SERIAL[c.type]!);
      }
    }
  }

  tables(): void {
    const { a, b } = this;
    for (const [k, t] of this.#tableOrder) {
      const old = a.tables[k];
      if (this.#createdTables.has(k)) {
        const again = this.#recreated.get(k);
        if (old && again && !again.withParent) this.add('dropTables', { sql: `DROP TABLE ${qn(old.schema, old.name)}`, destructive: true, comment: 'partitioning or inheritance changes: the table is created again' });
        this.add('tables', { sql: this.createTable(t, k), destructive: false });
        // What the new child does not take from its parents as they are: NOT NULL and defaults of its own.
        for (const c of t.columns) {
          const from = inheritedColumn(b, t, c.name);
          if (from) this.inheritedColumnChanges(qn(t.schema, t.name), from, c);
        }
        if (t.rowSecurity) this.add('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} ENABLE ROW LEVEL SECURITY`, destructive: false });
        if (t.forceRowSecurity) this.add('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} FORCE ROW LEVEL SECURITY`, destructive: false });
        continue;
      }
      if (old) this.alterTable(k, old, t);
    }
    const removed = sorted(a.tables).filter(([k]) => !(k in b.tables));
    for (const [k] of removed) this.#droppedTables.add(k);
    // A partition goes with its parent.
    const parentGone = (t: TableDef): boolean => t.partitionOf !== null && (this.#droppedTables.has(t.partitionOf.table) || (a.tables[t.partitionOf.table] ? parentGone(a.tables[t.partitionOf.table]!) : false));
    const dropped = removed.filter(([, t]) => !parentGone(t));
    if (dropped.length) {
      // One statement: foreign keys among the dropped tables need no ordering.
      this.add('dropTables', { sql: `DROP TABLE ${dropped.map(([, t]) => qn(t.schema, t.name)).join(', ')}`, destructive: true });
    }
    this.renameHints();
  }

  columnClause(c: ColumnDef, tableKey?: string): string {
    const serial = tableKey ? this.#serialColumns.get(`${tableKey}\0${c.name}`) : undefined;
    if (serial) return `${quoteIdent(c.name)} ${serial}`;
    let s = `${quoteIdent(c.name)} ${c.type}`;
    if (c.collation) s += ` COLLATE ${c.collation}`;
    if (c.generated !== null) s += ` GENERATED ALWAYS AS (${c.generated.replace(/^\((.*)\)$/s, '$1')}) STORED`;
    if (c.default !== null) s += ` DEFAULT ${c.default}`;
    if (c.identity) {
      const opts = sequenceClauses(c.identity, c.identity.type !== c.type);
      s += ` GENERATED ${c.identity.generation.toUpperCase()} AS IDENTITY${opts.length ? ` (${opts.join(' ')})` : ''}`;
    }
    if (c.notNull && !c.identity) s += ' NOT NULL';
    return s;
  }

  createTable(t: TableDef, key: string): string {
    const name = qn(t.schema, t.name);
    const inline = Object.values(t.constraints).filter((c) => c.type !== 'foreign key' && c.validated);
    const own = t.columns.filter((c) => !inheritedColumn(this.b, t, c.name));
    const lines = [...own.map((c) => this.columnClause(c, key)), ...inline.map((c) => `CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`)];
    if (t.partitionOf) {
      const parent = this.b.tables[t.partitionOf.table];
      const pname = parent ? qn(parent.schema, parent.name) : t.partitionOf.table;
      const body = lines.length ? ` (\n${lines.map((l) => `    ${l}`).join(',\n')}\n)` : '';
      return `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE ${name} PARTITION OF ${pname}${body} ${t.partitionOf.bound}${t.partitionBy ? ` PARTITION BY ${t.partitionBy}` : ''}${withOptions(t)}`;
    }
    const inherits = (t.inherits ?? []).map((p) => {
      const parent = this.b.tables[p];
      return parent ? qn(parent.schema, parent.name) : p;
    });
    const body = lines.length ? `(\n${lines.map((l) => `    ${l}`).join(',\n')}\n)` : '()';
    return `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE ${name} ${body}${inherits.length ? ` INHERITS (${inherits.join(', ')})` : ''}${t.partitionBy ? ` PARTITION BY ${t.partitionBy}` : ''}${withOptions(t)}`;
  }

  alterTable(k: string, old: TableDef, t: TableDef): void {
    const name = qn(t.schema, t.name);
    const at = (sql: string) => `ALTER TABLE ${name} ${sql}`;
    const oldCols = new Map(old.columns.map((c) => [c.name, c]));
    const newCols = new Map(t.columns.map((c) => [c.name, c]));
    const fromParentA = (col: string) => inheritedColumn(this.a, old, col);
    const fromParentB = (col: string) => inheritedColumn(this.b, t, col);
    for (const c of old.columns) {
      const n = newCols.get(c.name);
      if (!n && fromParentA(c.name)) continue; // an inherited column: below, or gone with the parent's
      const regenerate = n && c.generated !== n.generated && n.generated !== null;
      if (!n || regenerate) {
        this.#droppedColumns.add(`${k}\0${c.name}`);
        this.add('dropColumns', {
          sql: at(`DROP COLUMN ${quoteIdent(c.name)}`),
          destructive: c.generated === null,
          ...(regenerate ? { comment: `${c.name} becomes a different generated column: it is added again` } : {}),
        });
      }
    }
    for (const n of t.columns) {
      const c = oldCols.get(n.name);
      if (fromParentB(n.name)) continue; // an inherited column: below
      if (!c || this.#droppedColumns.has(`${k}\0${n.name}`)) {
        const step: Step = { sql: at(`ADD COLUMN ${this.columnClause(n, k)}`), destructive: false };
        if (c === undefined && n.notNull && n.default === null && !n.identity && n.generated === null) {
          step.comment = `NOT NULL without a default: fails if ${displayName(t.schema, t.name)} has rows (backfill first)`;
        }
        this.add('columns', step);
        continue;
      }
      this.alterColumn(k, name, c, n);
    }
    // Inherited columns: the child's own NOT NULL and default. The parent's SET/DROP DEFAULT and
    // SET/DROP NOT NULL recurse to its children, so where the parent's change, the child starts from the parent's new ones.
    for (const col of new Set([...old.columns, ...t.columns].map((c) => c.name))) {
      const pb = fromParentB(col);
      if (!pb) continue;
      const pa = fromParentA(col);
      const before = { ...(oldCols.get(col) ?? pa ?? pb) };
      const parentDefaultReset = tableParents(t).some((p) => this.#defaultDropped.has(`${p}\0${col}`));
      if (pa && (pa.default !== pb.default || parentDefaultReset)) before.default = pb.default;
      if (pa && pa.notNull !== pb.notNull) before.notNull = pb.notNull;
      this.inheritedColumnChanges(name, before, newCols.get(col) ?? pb);
    }
    if (Boolean(old.unlogged) !== Boolean(t.unlogged)) this.add('columns', { sql: at(t.unlogged ? 'SET UNLOGGED' : 'SET LOGGED'), destructive: false });
    const oldOpts = new Map((old.options ?? []).map(splitOption));
    const newOpts = new Map((t.options ?? []).map(splitOption));
    const reset = [...oldOpts.keys()].filter((o) => !newOpts.has(o));
    const set = [...newOpts].filter(([o, v]) => oldOpts.get(o) !== v).map(([o, v]) => `${o}=${v}`);
    if (reset.length) this.add('columns', { sql: at(`RESET (${reset.join(', ')})`), destructive: false });
    if (set.length) this.add('columns', { sql: at(`SET (${set.join(', ')})`), destructive: false });
    if (old.rowSecurity !== t.rowSecurity) this.add('rowSecurity', { sql: at(`${t.rowSecurity ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`), destructive: false });
    if (old.forceRowSecurity !== t.forceRowSecurity) this.add('rowSecurity', { sql: at(`${t.forceRowSecurity ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`), destructive: false });
  }

  /** NOT NULL and default of an inherited column, from what it has to what it should have. */
  inheritedColumnChanges(table: string, before: ColumnDef, target: ColumnDef): void {
    const alter = (sql: string) => `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(target.name)} ${sql}`;
    if (before.default !== target.default) this.add('columns', { sql: alter(target.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${target.default}`), destructive: false });
    if (before.notNull !== target.notNull) this.add('columns', { sql: alter(target.notNull ? 'SET NOT NULL' : 'DROP NOT NULL'), destructive: false });
  }

  /** `::text` (or `::text[]`) when a column of an enum changes to another type: PostgreSQL has no cast from one enum to another, but every enum reads from and prints to text. */
  castThroughText(from: string, to: string): string {
    const arr = from.endsWith('[]');
    const base = from.replace(/\[\]$/, '');
    if (arr !== to.endsWith('[]') || !Object.values(this.a.enums).some((e) => typeName(e.schema, e.name) === base)) return '';
    return arr ? '::text[]' : '::text';
  }

  alterColumn(k: string, table: string, c: ColumnDef, n: ColumnDef): void {
    const col = quoteIdent(n.name);
    const alter = (sql: string) => `ALTER TABLE ${table} ALTER COLUMN ${col} ${sql}`;
    const key = `${k}\0${n.name}`;
    const typeChanges = c.type !== n.type || c.collation !== n.collation;
    const rebuiltType = this.#rebuiltTypes.has(c.type.replace(/\[\]$/, ''));
    const using = c.type !== n.type && needsUsing(c.type, n.type);
    if (c.default !== null && (c.default !== n.default || using || this.callsRecreatedFunction(c.default)) && !this.#defaultDropped.has(key)) {
      this.#defaultDropped.add(key);
      this.add('dropDefaults', { sql: alter('DROP DEFAULT'), destructive: false });
    }
    if (c.generated !== null && n.generated === null) this.add('columns', { sql: alter('DROP EXPRESSION'), destructive: false });
    // Early: a serial column taking its place may want the identity sequence's name.
    if (c.identity && !n.identity) this.add('dropDefaults', { sql: alter('DROP IDENTITY'), destructive: false });
    if (typeChanges && !(rebuiltType && c.type === n.type)) {
      this.typeChanged(k, n.name);
      const coll = c.collation !== n.collation ? ` COLLATE ${n.collation ?? '"default"'}` : '';
      this.add('columns', {
        sql: alter(`TYPE ${n.type}${coll}${using ? ` USING ${col}${this.castThroughText(c.type, n.type)}::${n.type}` : ''}`),
        destructive: !isWidening(c.type, n.type),
        ...(c.type !== n.type ? { comment: `${prettyType(c.type)} -> ${prettyType(n.type)}` } : {}),
      });
    }
    if (n.default !== null && (n.default !== c.default || this.#defaultDropped.has(key))) this.add('columns', { sql: alter(`SET DEFAULT ${n.default}`), destructive: false });
    if (c.notNull !== n.notNull && !(n.identity && n.notNull)) this.add('columns', { sql: alter(n.notNull ? 'SET NOT NULL' : 'DROP NOT NULL'), destructive: false });
    if (n.identity && !c.identity) {
      if (!c.notNull) this.add('columns', { sql: alter('SET NOT NULL'), destructive: false });
      const opts = sequenceClauses(n.identity, n.identity.type !== n.type);
      this.add('columns', { sql: alter(`ADD GENERATED ${n.identity.generation.toUpperCase()} AS IDENTITY${opts.length ? ` (${opts.join(' ')})` : ''}`), destructive: false });
    } else if (n.identity && c.identity && !deepEqual(n.identity, c.identity)) {
      const parts: string[] = [];
      if (n.identity.generation !== c.identity.generation) parts.push(`SET GENERATED ${n.identity.generation.toUpperCase()}`);
      for (const ch of sequenceChanges(c.identity, n.identity, false)) parts.push(ch === 'NO CYCLE' ? 'SET NO CYCLE' : `SET ${ch}`);
      // As for a sequence: narrower bounds are refused while the current value lies outside them.
      const narrower = BigInt(n.identity.min) > BigInt(c.identity.min) || BigInt(n.identity.max) < BigInt(c.identity.max);
      if (narrower) parts.push('RESTART');
      if (parts.length) this.add('columns', { sql: alter(parts.join(' ')), destructive: false });
    }
  }

  renameHints(): void {
    const { a, b, hints } = this;
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
            message: `column ${tn}.${g.name} is dropped and ${tn}.${n.name} added with the same type ${prettyType(n.type)}: if this is a rename, replace both steps with ALTER TABLE ${qn(t.schema, t.name)} RENAME COLUMN ${quoteIdent(g.name)} TO ${quoteIdent(n.name)} to keep the data`,
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
          message: `table ${displayName(t.schema, t.name)} is dropped and ${displayName(n.schema, n.name)} created with the same columns: if this is a rename, replace both steps with ALTER TABLE ${qn(t.schema, t.name)} RENAME TO ${quoteIdent(n.name)} to keep the data`,
        });
      }
    }
  }

  // ---------------------------------------------------------------- constraints
  constraints(): void {
    const { a, b } = this;
    const changed = (x: ConstraintDef | undefined, y: ConstraintDef | undefined) => !x || !y || x.definition !== y.definition || (x.validated && !y.validated);
    // Unique/primary keys dropped or changed: foreign keys that rely on them go first.
    const keyGone = new Set<string>();
    for (const [k, t] of sorted(a.tables)) {
      if (this.#droppedTables.has(k)) continue;
      for (const c of Object.values(t.constraints)) {
        if ((c.type === 'primary key' || c.type === 'unique') && changed(c, b.tables[k]?.constraints[c.name])) keyGone.add(`${k}(${c.columns.join(',')})`);
      }
    }
    // ... and so do unique indexes a foreign key may rest on instead of a constraint.
    for (const [k, i] of sorted(a.indexes)) {
      if (i.unique && i.predicate === null && !this.#droppedTables.has(i.table) && this.indexGoes(k, i)) keyGone.add(`${i.table}(${[...i.keys].sort(byCodePoint).join(',')})`);
    }
    const fkRelies = (c: ConstraintDef) =>
      c.references !== null &&
      (keyGone.has(`${c.references.table}(${c.references.columns.join(',')})`) ||
        keyGone.has(`${c.references.table}(${[...c.references.columns].sort(byCodePoint).join(',')})`) ||
        this.#droppedTables.has(c.references.table) ||
        c.references.columns.some((col) => this.#droppedColumns.has(`${c.references!.table}\0${col}`)));
    const dropped = new Set<string>();
    for (const [k, t] of sorted(a.tables)) {
      if (this.#droppedTables.has(k)) continue;
      const nt = b.tables[k];
      for (const c of sortedValues(t.constraints)) {
        const n = nt?.constraints[c.name];
        const colsGone = c.columns.length > 0 && c.columns.every((col) => this.#droppedColumns.has(`${k}\0${col}`));
        // A foreign key goes explicitly: dropped only with its own columns, it would still hold the
        // referenced table's key when that table's columns are dropped first.
        if (colsGone && !n && c.type !== 'foreign key') {
          this.#droppedConstraints.add(`${k}#${c.name}`);
          continue; // dropped with its columns
        }
        if (changed(c, n) || (c.type === 'foreign key' && fkRelies(c)) || this.touchesRebuiltType(k, c.definition) || this.callsRecreatedFunction(c.definition) || this.usesDroppedColumn(k, c.columns, c.type === 'exclude' || c.type === 'check' ? c.definition : '')) {
          dropped.add(`${k}\0${c.name}`);
          this.#recreatedConstraints.add(`${k}\0${c.name}`);
          this.#droppedConstraints.add(`${k}#${c.name}`);
          this.add(c.type === 'foreign key' ? 'dropForeignKeys' : 'dropConstraints', { sql: `ALTER TABLE ${qn(t.schema, t.name)} DROP CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
        }
      }
    }
    for (const [k, t] of sorted(b.tables)) {
      const created = this.#createdTables.has(k);
      const ot = a.tables[k];
      for (const c of sortedValues(t.constraints)) {
        const o = created ? undefined : ot?.constraints[c.name];
        const phase: Phase = c.type === 'foreign key' ? 'foreignKeys' : 'constraints';
        const name = qn(t.schema, t.name);
        if (created && c.type !== 'foreign key' && c.validated) continue; // inline in CREATE TABLE
        if (!o || dropped.has(`${k}\0${c.name}`)) {
          this.add(phase, { sql: `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`, destructive: false });
        } else if (!o.validated && c.validated) {
          this.add(phase, { sql: `ALTER TABLE ${name} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
        }
      }
    }
  }

  // ---------------------------------------------------------------- indexes
  indexes(): void {
    const { a, b } = this;
    const conc = Boolean(this.options.concurrently);
    for (const [k, i] of sorted(a.indexes)) {
      const n = b.indexes[k];
      if (this.#droppedTables.has(i.table) || i.table in a.materializedViews) continue; // views handle their own
      if (!this.indexGoes(k, i)) continue;
      const goneCols = i.keys.every((col) => this.#droppedColumns.has(`${i.table}\0${col}`));
      if (!n && goneCols) continue;
      this.add('dropIndexes', conc ? { sql: `DROP INDEX CONCURRENTLY ${qn(i.schema, i.name)}`, destructive: false, concurrently: true, transactional: false } : { sql: `DROP INDEX ${qn(i.schema, i.name)}`, destructive: false });
    }
    for (const [k, i] of sorted(b.indexes)) {
      if (i.table in b.materializedViews) continue;
      const o = a.indexes[k];
      if (o && !this.#droppedTables.has(o.table) && !this.indexGoes(k, o)) continue;
      this.#recreatedIndexes.add(k);
      this.add('indexes', this.createIndex(i, conc && !this.#createdTables.has(i.table)));
    }
  }

  /** Whether an index of `a` (not of a materialised view) is dropped: it changes, goes, or a column or type under it does. */
  indexGoes(k: string, i: IndexDef): boolean {
    const n = this.b.indexes[k];
    return !n || n.definition !== i.definition || n.valid !== i.valid || this.touchesRebuiltType(i.table, i.definition) || this.callsRecreatedFunction(i.definition) || this.usesDroppedColumn(i.table, [...i.keys, ...i.include], [...i.keys, ...i.include, i.predicate ?? ''].join(' '));
  }

  /**
   * Whether a constraint or index of a table names a column that is dropped
   * (also one dropped and added again, as a changed generated column is):
   * PostgreSQL drops it with the column, so it is dropped first and created again.
   */
  usesDroppedColumn(tableKey: string, columns: readonly string[], text: string): boolean {
    const prefix = `${tableKey}\0`;
    for (const dc of this.#droppedColumns) {
      if (!dc.startsWith(prefix)) continue;
      const col = dc.slice(prefix.length);
      if (columns.includes(col)) return true;
      const ident = quoteIdent(col).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`(^|[^\\w"])${ident}($|[^\\w"])`).test(text)) return true;
    }
    return false;
  }

  readonly #recreatedIndexes = new Set<string>();
  /** Constraints dropped, as views name them in `dependsOn` (`schema.table#name`). */
  readonly #droppedConstraints = new Set<string>();

  /**
   * Whether an expression calls a function that is dropped, or dropped and
   * created again (a changed signature is another function): the default,
   * CHECK or index goes first and comes back after the function.
   */
  callsRecreatedFunction(text: string): boolean {
    for (const [k, fn] of Object.entries(this.a.functions)) {
      if (k in this.b.functions && !this.#recreatedFunctions.has(k)) continue;
      if (text.includes(`${qn(fn.schema, fn.name)}(`)) return true;
    }
    return false;
  }
  readonly #recreatedConstraints = new Set<string>();

  createIndex(i: IndexDef, concurrently: boolean): Step {
    // pg_get_indexdef says ON ONLY for a partitioned table's index; created that way it stays invalid until every partition's index is attached.
    const sql = readableIndexDef(i.definition.replace(/ ON ONLY /, ' ON '));
    if (!concurrently) return { sql, destructive: false };
    return { sql: sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY '), destructive: false, concurrently: true, transactional: false };
  }

  /** `REPLICA IDENTITY`, once the index it may name exists; again when that index was built again. */
  replicaIdentities(): void {
    for (const [k, t] of this.#tableOrder) {
      const want = t.replicaIdentity ?? 'default';
      const old = this.#createdTables.has(k) ? undefined : this.a.tables[k];
      const had = old ? (old.replicaIdentity ?? 'default') : 'default';
      const index = t.replicaIdentityIndex ?? null;
      const indexKey = objectKey(t.schema, index ?? '');
      const rebuilt = want === 'index' && (this.#recreatedIndexes.has(indexKey) || this.#recreatedConstraints.has(`${k}\0${index}`));
      if (want === had && (want !== 'index' || (index === (old?.replicaIdentityIndex ?? null) && !rebuilt))) continue;
      const how = want === 'index' ? `USING INDEX ${quoteIdent(index ?? '')}` : want.toUpperCase();
      this.add('rowSecurity', { sql: `ALTER TABLE ${qn(t.schema, t.name)} REPLICA IDENTITY ${how}`, destructive: false });
    }
  }

  // ---------------------------------------------------------------- views and materialised views
  views(): void {
    const { a, b } = this;
    type V = { key: string; def: ViewDef; mat: boolean };
    const all = (s: Snapshot): Map<string, V> =>
      new Map<string, V>([
        ...Object.entries(s.views).map(([key, def]): [string, V] => [key, { key, def, mat: false }]),
        ...Object.entries(s.materializedViews).map(([key, def]): [string, V] => [key, { key, def, mat: true }]),
      ]);
    const av = all(a);
    const bv = all(b);
    const rebuild = new Set<string>();
    for (const [k, v] of av) {
      const n = bv.get(k);
      if (!n || n.mat !== v.mat || n.def.definition !== v.def.definition || !deepEqual(n.def.columns.map((c) => [c.name, c.type]), v.def.columns.map((c) => [c.name, c.type])) || !deepEqual(n.def.options, v.def.options)) {
        rebuild.add(k);
      }
    }
    const touchedFns = new Set([...this.#recreatedFunctions, ...Object.keys(a.functions).filter((f) => !(f in b.functions))]);
    const affected = (dep: string) => this.#droppedTables.has(dep) || this.#droppedConstraints.has(dep) || this.#typeChanged.has(dep) || rebuild.has(dep) || touchedFns.has(dep) || [...this.#droppedColumns].some((c) => c.startsWith(`${dep}\0`));
    for (let grew = true; grew; ) {
      grew = false;
      for (const [k, v] of av) {
        if (!rebuild.has(k) && v.def.dependsOn.some(affected)) {
          rebuild.add(k);
          grew = true;
        }
      }
    }
    // Drop dependents first.
    const dropOrder = topo([...av.values()].filter((v) => rebuild.has(v.key)), (v) => v.def.dependsOn).reverse();
    for (const v of dropOrder) this.add('dropViews', { sql: `DROP ${v.mat ? 'MATERIALIZED VIEW' : 'VIEW'} ${qn(v.def.schema, v.def.name)}`, destructive: v.mat && !bv.has(v.key) });
    const create = [...bv.values()].filter((v) => !av.has(v.key) || rebuild.has(v.key));
    for (const v of topo(create, (x) => x.def.dependsOn)) {
      const d = v.def;
      const opts = d.options.length ? ` WITH (${d.options.join(', ')})` : '';
      const body = stripSemicolon(d.definition);
      if (v.mat) {
        const populated = (d as Snapshot['materializedViews'][string]).populated;
        this.add('views', { sql: `CREATE MATERIALIZED VIEW ${qn(d.schema, d.name)}${opts} AS\n${body}\nWITH ${populated ? '' : 'NO '}DATA`, destructive: false });
      } else {
        this.add('views', { sql: `CREATE VIEW ${qn(d.schema, d.name)}${opts} AS\n${body}`, destructive: false });
      }
    }
    this.#rebuiltViews = new Set(create.map((v) => v.key));
    for (const [k, v] of sorted(b.materializedViews)) {
      const o = a.materializedViews[k];
      if (!o || rebuild.has(k) || o.populated === v.populated) continue;
      this.add('views', { sql: `REFRESH MATERIALIZED VIEW ${qn(v.schema, v.name)}${v.populated ? '' : ' WITH NO DATA'}`, destructive: false });
    }
    // Indexes of materialised views: after the view; all of them when it was built again.
    const conc = Boolean(this.options.concurrently);
    for (const [k, i] of sorted(a.indexes)) {
      if (!(i.table in a.materializedViews) || rebuild.has(i.table)) continue;
      const n = b.indexes[k];
      if (n && n.definition === i.definition) continue;
      this.add('dropIndexes', { sql: `DROP INDEX ${qn(i.schema, i.name)}`, destructive: false });
    }
    for (const [k, i] of sorted(b.indexes)) {
      if (!(i.table in b.materializedViews)) continue;
      const o = a.indexes[k];
      if (o && o.definition === i.definition && !this.#rebuiltViews.has(i.table)) continue;
      this.add('viewIndexes', this.createIndex(i, conc && !this.#rebuiltViews.has(i.table)));
    }
  }

  #rebuiltViews = new Set<string>();

  // ---------------------------------------------------------------- triggers and policies
  /** Whether a trigger or policy must be dropped and created again because something under it changes. */
  disturbed(tableKey: string, text: string): boolean {
    if (this.#droppedTables.has(tableKey)) return false;
    const cols = this.#typeChanged.get(tableKey);
    if (cols && [...cols].some((c) => new RegExp(`\\b${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text))) return true;
    if (this.usesDroppedColumn(tableKey, [], text)) return true;
    for (const f of this.#recreatedFunctions) {
      const fn = this.a.functions[f]!;
      if (text.includes(`${qn(fn.schema, fn.name)}(`)) return true;
    }
    return false;
  }

  #recreatedTriggers = new Set<string>();
  #recreatedPolicies = new Set<string>();

  triggers(): void {
    const { a, b } = this;
    const recreate = new Set<string>();
    for (const [k, t] of sorted(a.triggers)) {
      const tk = objectKey(t.schema, t.table);
      const n = b.triggers[k];
      if (this.#droppedTables.has(tk) || this.#rebuiltViews.has(tk)) {
        if (n) recreate.add(k);
        continue;
      }
      if (!n || n.definition !== t.definition || this.disturbed(tk, t.definition)) {
        if (n) recreate.add(k);
        this.add('dropTriggers', { sql: `DROP TRIGGER ${quoteIdent(t.name)} ON ${qn(t.schema, t.table)}`, destructive: false });
      }
    }
    for (const [k, t] of sorted(b.triggers)) {
      const o = a.triggers[k];
      if (!o || recreate.has(k)) {
        this.#recreatedTriggers.add(k);
        this.add('triggers', { sql: t.definition, destructive: false });
        if (t.enabled !== 'O') this.add('triggers', { sql: enableTrigger(t), destructive: false });
      } else if (o.enabled !== t.enabled) this.add('triggers', { sql: enableTrigger(t), destructive: false });
    }
  }

  policies(): void {
    const { a, b } = this;
    const recreate = new Set<string>();
    for (const [k, p] of sorted(a.policies)) {
      const tk = objectKey(p.schema, p.table);
      const n = b.policies[k];
      if (this.#droppedTables.has(tk)) {
        if (n) recreate.add(k);
        continue;
      }
      const text = `${p.using ?? ''} ${p.withCheck ?? ''}`;
      const needsDrop = !n || n.permissive !== p.permissive || n.command !== p.command || (p.using !== null && n.using === null) || (p.withCheck !== null && n.withCheck === null) || this.disturbed(tk, text);
      if (needsDrop) {
        if (n) recreate.add(k);
        this.add('dropPolicies', { sql: `DROP POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`, destructive: false });
      }
    }
    for (const [k, p] of sorted(b.policies)) {
      const o = a.policies[k];
      if (!o || recreate.has(k)) {
        this.#recreatedPolicies.add(k);
        this.add('policies', { sql: createPolicy(p), destructive: false });
        continue;
      }
      const parts: string[] = [];
      if (!deepEqual(o.roles, p.roles)) parts.push(`TO ${roles(p)}`);
      if (o.using !== p.using && p.using !== null) parts.push(`USING (${p.using})`);
      if (o.withCheck !== p.withCheck && p.withCheck !== null) parts.push(`WITH CHECK (${p.withCheck})`);
      if (parts.length) this.add('policies', { sql: `ALTER POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)} ${parts.join(' ')}`, destructive: false });
    }
  }

  // ---------------------------------------------------------------- publications
  readonly #createdPublications = new Set<string>();

  /**
   * Whether a publication's entry for a table must leave it before the rest
   * of the plan runs: the table is dropped (or built again), or a column its
   * column list or row filter names is dropped or changes type, which
   * PostgreSQL refuses while the publication depends on the column.
   */
  publicationEntryDisturbed(e: PublicationTableDef): boolean {
    if (this.#droppedTables.has(e.table)) return true;
    const columns = e.columns ?? [];
    const text = [...columns.map(quoteIdent), e.where ?? ''].join(' ');
    return this.disturbed(e.table, text) || this.usesDroppedColumn(e.table, columns, e.where ?? '');
  }

  /**
   * Publications: dropped, and tables or schemas taken out of them, before
   * anything else (so a table or column they name can go); created, altered
   * and added to once every table and column of `b` exists.
   */
  publications(): void {
    const pa = this.a.publications ?? {};
    const pb = this.b.publications ?? {};
    for (const [k, p] of sorted(pa)) {
      const n = pb[k];
      if (n && n.allTables === p.allTables) continue;
      if (n) this.#createdPublications.add(k);
      this.add('dropPublications', { sql: `DROP PUBLICATION ${quoteIdent(p.name)}`, destructive: false, ...(n ? { comment: 'FOR ALL TABLES cannot be switched on or off: the publication is created again' } : {}) });
    }
    for (const [k, p] of sorted(pb)) {
      const o = pa[k];
      if (!o || this.#createdPublications.has(k)) {
        this.#createdPublications.add(k);
        const objects = p.allTables ? ' FOR ALL TABLES' : p.tables.length || p.schemas.length ? ` FOR ${this.publicationObjects(p)}` : '';
        const opts = publicationOptions(undefined, p);
        this.add('publications', { sql: `CREATE PUBLICATION ${quoteIdent(p.name)}${objects}${opts.length ? ` WITH (${opts.join(', ')})` : ''}`, destructive: false });
      } else this.alterPublication(o, p);
    }
  }

  alterPublication(o: PublicationDef, p: PublicationDef): void {
    const name = quoteIdent(p.name);
    const want = new Map(p.tables.map((t) => [t.table, t]));
    const leave = o.tables.filter((t) => !want.has(t.table) || this.publicationEntryDisturbed(t));
    if (leave.length) this.add('dropPublications', { sql: `ALTER PUBLICATION ${name} DROP TABLE ${leave.map((t) => this.tableRef(t.table, this.a)).join(', ')}`, destructive: false });
    const goneSchemas = o.schemas.filter((x) => !p.schemas.includes(x));
    if (goneSchemas.length) this.add('dropPublications', { sql: `ALTER PUBLICATION ${name} DROP TABLES IN SCHEMA ${goneSchemas.map(quoteIdent).join(', ')}`, destructive: false });
    // Options first: a partitioned table with a row filter may only be added once publish_via_partition_root is on.
    const opts = publicationOptions(o, p);
    if (opts.length) this.add('publications', { sql: `ALTER PUBLICATION ${name} SET (${opts.join(', ')})`, destructive: false });
    const kept = new Map(o.tables.filter((t) => !leave.includes(t)).map((t) => [t.table, t]));
    if (p.tables.some((t) => kept.has(t.table) && !deepEqual(kept.get(t.table), t))) {
      this.add('publications', { sql: `ALTER PUBLICATION ${name} SET ${this.publicationObjects(p)}`, destructive: false, comment: 'a column list or row filter changes: SET writes the whole list of tables and schemas' });
      return;
    }
    const added = p.tables.filter((t) => !kept.has(t.table));
    if (added.length) this.add('publications', { sql: `ALTER PUBLICATION ${name} ADD ${added.map((t) => this.publishedTable(t)).join(', ')}`, destructive: false });
    const newSchemas = p.schemas.filter((x) => !o.schemas.includes(x));
    if (newSchemas.length) this.add('publications', { sql: `ALTER PUBLICATION ${name} ADD TABLES IN SCHEMA ${newSchemas.map(quoteIdent).join(', ')}`, destructive: false });
  }

  /** `TABLE orders (id, total) WHERE (total > 0), TABLES IN SCHEMA sales`. */
  publicationObjects(p: PublicationDef): string {
    return [...p.tables.map((t) => this.publishedTable(t)), ...p.schemas.map((x) => `TABLES IN SCHEMA ${quoteIdent(x)}`)].join(', ');
  }

  publishedTable(t: PublicationTableDef): string {
    return `TABLE ${this.tableRef(t.table, this.b)}${t.columns ? ` (${t.columns.map(quoteIdent).join(', ')})` : ''}${t.where !== null ? ` WHERE ${parenthesised(t.where)}` : ''}`;
  }

  /** A table by key; one outside the Snapshot's schemas is named from its key. */
  tableRef(key: string, snap: Snapshot): string {
    const t = snap.tables[key];
    if (t) return qn(t.schema, t.name);
    const dot = key.indexOf('.');
    return qn(key.slice(0, dot), key.slice(dot + 1));
  }

  // ---------------------------------------------------------------- event triggers
  readonly #recreatedEventTriggers = new Set<string>();

  /**
   * Event triggers fire on the plan's own statements. Those that go, change
   * or are disabled are dropped or disabled first of all; new ones are
   * created (and enabled) last, as pg_dump restores them, so that an event
   * trigger that refuses DDL cannot stop the plan half-way. One whose
   * function is dropped and created again goes and comes back with it.
   */
  eventTriggers(): void {
    const ea = this.a.eventTriggers ?? {};
    const eb = this.b.eventTriggers ?? {};
    for (const [k, e] of sorted(ea)) {
      const n = eb[k];
      if (n && n.event === e.event && deepEqual(n.tags, e.tags) && n.function === e.function && !this.#recreatedFunctions.has(e.function)) continue;
      if (n) this.#recreatedEventTriggers.add(k);
      this.add('dropEventTriggers', { sql: `DROP EVENT TRIGGER ${quoteIdent(e.name)}`, destructive: false });
    }
    for (const [k, e] of sorted(eb)) {
      const o = ea[k];
      if (!o || this.#recreatedEventTriggers.has(k)) {
        this.#recreatedEventTriggers.add(k);
        const tags = e.tags.length ? ` WHEN TAG IN (${e.tags.map(quoteLiteral).join(', ')})` : '';
        this.add('eventTriggers', { sql: `CREATE EVENT TRIGGER ${quoteIdent(e.name)} ON ${quoteIdent(e.event)}${tags} EXECUTE FUNCTION ${this.functionCall(e.function, this.b)}`, destructive: false });
        if (e.enabled !== 'O') this.add('eventTriggers', { sql: enableEventTrigger(e), destructive: false });
      } else if (o.enabled !== e.enabled) this.add(e.enabled === 'D' ? 'dropEventTriggers' : 'eventTriggers', { sql: enableEventTrigger(e), destructive: false });
    }
  }

  /** A call of an argument-less function by key; one outside the Snapshot (another schema, an extension's) is named from its key. */
  functionCall(key: string, snap: Snapshot): string {
    const f = snap.functions[key];
    if (f) return `${qn(f.schema, f.name)}()`;
    const m = /^([^.]+)\.(.+)\(.*\)$/.exec(key);
    return m ? `${qn(m[1]!, m[2]!)}()` : key;
  }

  // ---------------------------------------------------------------- privileges
  /** Whether the plan creates the object (new, or dropped and created again), which then starts with PostgreSQL's default privileges. */
  createdInPlan(type: PrivilegeObjectType, object: string): boolean {
    switch (type) {
      case 'schema':
        return !(object in this.a.schemas);
      case 'sequence':
        return !(object in this.a.sequences);
      case 'function':
        return !(object in this.a.functions) || this.#recreatedFunctions.has(object);
      case 'table':
        return this.#createdTables.has(object) || this.#rebuiltViews.has(object);
    }
  }

  privilegeTarget(e: PrivilegeDef): string | undefined {
    const { b } = this;
    switch (e.objectType) {
      case 'schema':
        return e.object in b.schemas ? `SCHEMA ${quoteIdent(e.object)}` : undefined;
      case 'sequence': {
        const sq = b.sequences[e.object];
        return sq ? `SEQUENCE ${qn(sq.schema, sq.name)}` : undefined;
      }
      case 'function': {
        const f = b.functions[e.object];
        return f ? `${f.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${fnRef(f)}` : undefined;
      }
      case 'table': {
        const rel = b.tables[e.object] ?? b.views[e.object] ?? b.materializedViews[e.object];
        return rel ? `TABLE ${qn(rel.schema, rel.name)}` : undefined;
      }
    }
  }

  privileges(): void {
    const pa = this.a.privileges ?? {};
    const pb = this.b.privileges ?? {};
    const entries = new Map<string, PrivilegeDef>();
    for (const [k, e] of [...Object.entries(pa), ...Object.entries(pb)]) entries.set(k, e);
    // A new function holds PUBLIC EXECUTE even where b has it revoked (and so lists no entry).
    for (const k of Object.keys(this.b.functions)) {
      if (!this.createdInPlan('function', k)) continue;
      const key = privilegeKey('function', k, 'public');
      if (!entries.has(key)) entries.set(key, { objectType: 'function', object: k, grantee: 'public', privileges: [], grantable: [] });
    }
    for (const [k, e] of [...entries].sort(([x], [y]) => byCodePoint(x, y))) {
      const on = this.privilegeTarget(e);
      if (!on) continue; // the object goes, and its privileges with it
      const old = pa[k];
      const before = this.createdInPlan(e.objectType, e.object) ? defaultPrivileges(e) : { privileges: old?.privileges ?? [], grantable: old?.grantable ?? [] };
      const want = { privileges: pb[k]?.privileges ?? [], grantable: pb[k]?.grantable ?? [] };
      const who = e.grantee === 'public' ? 'PUBLIC' : quoteIdent(e.grantee);
      const minus = (x: string[], y: string[]) => x.filter((p) => !y.includes(p));
      const revoke = minus(before.privileges, want.privileges);
      const revokeOption = minus(before.grantable.filter((p) => want.privileges.includes(p)), want.grantable);
      const grant = minus(minus(want.privileges, want.grantable), before.privileges);
      const grantOption = minus(want.grantable, before.grantable);
      if (revoke.length) this.add('privileges', { sql: `REVOKE ${revoke.join(', ')} ON ${on} FROM ${who}`, destructive: false });
      if (revokeOption.length) this.add('privileges', { sql: `REVOKE GRANT OPTION FOR ${revokeOption.join(', ')} ON ${on} FROM ${who}`, destructive: false });
      if (grant.length) this.add('privileges', { sql: `GRANT ${grant.join(', ')} ON ${on} TO ${who}`, destructive: false });
      if (grantOption.length) this.add('privileges', { sql: `GRANT ${grantOption.join(', ')} ON ${on} TO ${who} WITH GRANT OPTION`, destructive: false });
    }
  }

  // ---------------------------------------------------------------- comments
  comments(): void {
    const { a, b } = this;
    const put = (target: string, from: string | null | undefined, to: string | null, fresh: boolean, phase: Phase = 'comments') => {
      if (fresh ? to === null : from === to) return;
      this.add(phase, { sql: `COMMENT ON ${target} IS ${to === null ? 'NULL' : quoteLiteral(to)}`, destructive: false });
    };
    for (const [k, s] of sorted(b.schemas)) put(`SCHEMA ${quoteIdent(s.name)}`, a.schemas[k]?.comment, s.comment, !(k in a.schemas));
    for (const [k, x] of sorted(b.extensions)) {
      if (x.comment === undefined) continue;
      const old = a.extensions[k];
      // CREATE EXTENSION sets the control file's comment; an existing one keeps its own.
      const from = old ? old.comment : (x.defaultComment ?? null);
      if (from !== undefined && from !== x.comment) this.add('comments', { sql: `COMMENT ON EXTENSION ${quoteIdent(x.name)} IS ${x.comment === null ? 'NULL' : quoteLiteral(x.comment)}`, destructive: false });
    }
    for (const [k, e] of sorted(b.enums)) put(`TYPE ${qn(e.schema, e.name)}`, a.enums[k]?.comment, e.comment, !(k in a.enums) || this.#rebuiltEnums.has(k));
    for (const [k, d] of sorted(b.domains)) put(`DOMAIN ${qn(d.schema, d.name)}`, a.domains[k]?.comment, d.comment, !(k in a.domains) || recreatedDomain(a.domains[k], d));
    for (const [k, d] of sorted(b.domains)) {
      const o = a.domains[k];
      const fresh = !o || recreatedDomain(o, d);
      for (const c of d.checks) {
        const oc = fresh ? undefined : o.checks.find((x) => x.name === c.name);
        const again = !oc || oc.definition !== c.definition || (oc.validated && !c.validated);
        put(`CONSTRAINT ${quoteIdent(c.name)} ON DOMAIN ${qn(d.schema, d.name)}`, oc?.comment ?? null, c.comment ?? null, again);
      }
    }
    for (const [k, t] of sorted(b.compositeTypes)) {
      const fresh = !(k in a.compositeTypes) || this.#recreatedComposites.has(k);
      const o = fresh ? undefined : a.compositeTypes[k];
      put(`TYPE ${qn(t.schema, t.name)}`, o?.comment, t.comment, fresh);
      for (const at of t.attributes) {
        const oa = o?.attributes.find((x) => x.name === at.name);
        put(`COLUMN ${qn(t.schema, t.name)}.${quoteIdent(at.name)}`, oa?.comment ?? null, at.comment ?? null, !oa);
      }
    }
    for (const [k, c] of sorted(b.collations ?? {})) {
      const o = a.collations?.[k];
      put(`COLLATION ${qn(c.schema, c.name)}`, o?.comment, c.comment, !o || !deepEqual(o, { ...c, comment: o.comment }));
    }
    for (const [k, r] of sorted(b.rangeTypes ?? {})) {
      const o = a.rangeTypes?.[k];
      put(`TYPE ${qn(r.schema, r.name)}`, o?.comment, r.comment, !o || !deepEqual(o, { ...r, comment: o.comment }));
    }
    for (const [k, s] of sorted(b.sequences)) put(`SEQUENCE ${qn(s.schema, s.name)}`, a.sequences[k]?.comment, s.comment, !(k in a.sequences));
    for (const [k, t] of sorted(b.tables)) {
      const fresh = this.#createdTables.has(k);
      const old = fresh ? undefined : a.tables[k];
      const name = qn(t.schema, t.name);
      put(`TABLE ${name}`, old?.comment, t.comment, fresh);
      for (const c of t.columns) {
        const oc = old?.columns.find((x) => x.name === c.name);
        put(`COLUMN ${name}.${quoteIdent(c.name)}`, oc?.comment, c.comment, !oc || this.#droppedColumns.has(`${k}\0${c.name}`));
      }
      // An inherited column no longer listed has no comment of its own any more.
      for (const oc of old?.columns ?? []) {
        if (!t.columns.some((c) => c.name === oc.name) && inheritedColumn(b, t, oc.name)) put(`COLUMN ${name}.${quoteIdent(oc.name)}`, oc.comment, null, false);
      }
      for (const c of sortedValues(t.constraints)) {
        const oc = old?.constraints[c.name];
        put(`CONSTRAINT ${quoteIdent(c.name)} ON ${name}`, oc?.comment, c.comment, !oc || this.#recreatedConstraints.has(`${k}\0${c.name}`) || oc.definition !== c.definition || (oc.validated && !c.validated) || this.touchesRebuiltType(k, oc.definition));
      }
    }
    for (const [k, i] of sorted(b.indexes)) {
      const o = a.indexes[k];
      put(`INDEX ${qn(i.schema, i.name)}`, o?.comment, i.comment, !o || this.#recreatedIndexes.has(k) || o.definition !== i.definition || this.#createdTables.has(i.table) || this.#rebuiltViews.has(i.table) || this.touchesRebuiltType(o.table, o.definition));
    }
    for (const [coll, word] of [['views', 'VIEW'], ['materializedViews', 'MATERIALIZED VIEW']] as const) {
      for (const [k, v] of sorted(b[coll])) {
        const fresh = this.#rebuiltViews.has(k);
        const old = a[coll][k];
        const name = qn(v.schema, v.name);
        put(`${word} ${name}`, old?.comment, v.comment, fresh);
        for (const c of v.columns) put(`COLUMN ${name}.${quoteIdent(c.name)}`, old?.columns.find((x) => x.name === c.name)?.comment, c.comment, fresh);
      }
    }
    for (const [k, f] of sorted(b.functions)) put(`${fnKindWord(f)} ${fnRef(f)}`, a.functions[k]?.comment, f.comment, !(k in a.functions) || this.#recreatedFunctions.has(k));
    for (const [k, t] of sorted(b.triggers)) put(`TRIGGER ${quoteIdent(t.name)} ON ${qn(t.schema, t.table)}`, a.triggers[k]?.comment, t.comment, this.#recreatedTriggers.has(k));
    for (const [k, p] of sorted(b.policies)) put(`POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`, a.policies[k]?.comment, p.comment, this.#recreatedPolicies.has(k));
    for (const [k, p] of sorted(b.publications ?? {})) put(`PUBLICATION ${quoteIdent(p.name)}`, a.publications?.[k]?.comment, p.comment, this.#createdPublications.has(k));
    // Event triggers are created last of all, and their comments after them.
    for (const [k, e] of sorted(b.eventTriggers ?? {})) put(`EVENT TRIGGER ${quoteIdent(e.name)}`, a.eventTriggers?.[k]?.comment, e.comment, this.#recreatedEventTriggers.has(k), 'eventTriggers');
  }
}

/**
 * The part of pg_get_functiondef that CREATE OR REPLACE may not change:
 * the header with parameter names, modes and defaults, and the RETURNS line.
 */
function signatureOf(f: FunctionDef): string {
  if (f.definition === null) return '';
  const lines = f.definition.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && !l.startsWith(' RETURNS '));
  return lines.slice(0, end < 0 ? lines.length : end).join('\n');
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

/** What a role holds on a newly created object before any GRANT: `EXECUTE` for PUBLIC on functions, else nothing. */
function defaultPrivileges(e: PrivilegeDef): { privileges: string[]; grantable: string[] } {
  return { privileges: e.objectType === 'function' && e.grantee === 'public' ? ['EXECUTE'] : [], grantable: [] };
}

function recreatedDomain(o: DomainDef | undefined, d: DomainDef): boolean {
  return !o || o.type !== d.type || o.collation !== d.collation;
}

function createEnum(e: EnumDef): string {
  return `CREATE TYPE ${qn(e.schema, e.name)} AS ENUM (${e.values.map(quoteLiteral).join(', ')})`;
}

function createDomain(d: DomainDef): string {
  let s = `CREATE DOMAIN ${qn(d.schema, d.name)} AS ${d.type}`;
  if (d.collation) s += ` COLLATE ${d.collation}`;
  if (d.default !== null) s += ` DEFAULT ${d.default}`;
  if (d.notNull) s += ' NOT NULL';
  for (const c of d.checks) if (c.validated) s += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
  return s;
}

function enableTrigger(t: TriggerDef): string {
  const how = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[t.enabled];
  return `ALTER TABLE ${qn(t.schema, t.table)} ${how} TRIGGER ${quoteIdent(t.name)}`;
}

/** An expression in parentheses, as `WHERE (...)` of a publication needs them; pg_get_expr's `(a > 0)` is not wrapped twice. */
function parenthesised(expr: string): string {
  if (!expr.startsWith('(')) return `(${expr})`;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0 && i < expr.length - 1) return `(${expr})`;
  }
  return depth === 0 && quote === null ? expr : `(${expr})`;
}

function enableEventTrigger(e: EventTriggerDef): string {
  const how = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[e.enabled];
  return `ALTER EVENT TRIGGER ${quoteIdent(e.name)} ${how}`;
}

/** `WITH (...)` / `SET (...)` options of a publication: those not at PostgreSQL's default when it is created, else those that change. */
function publicationOptions(o: PublicationDef | undefined, p: PublicationDef): string[] {
  const out: string[] = [];
  if (o ? !deepEqual(o.publish, p.publish) : !deepEqual(p.publish, PUBLISH_ACTIONS)) out.push(`publish = ${quoteLiteral(p.publish.join(', '))}`);
  if (o ? o.viaPartitionRoot !== p.viaPartitionRoot : p.viaPartitionRoot) out.push(`publish_via_partition_root = ${p.viaPartitionRoot}`);
  return out;
}

function roles(p: PolicyDef): string {
  return p.roles.map((r) => (r === 'public' ? 'PUBLIC' : quoteIdent(r))).join(', ');
}

function createPolicy(p: PolicyDef): string {
  let s = `CREATE POLICY ${quoteIdent(p.name)} ON ${qn(p.schema, p.table)}`;
  if (!p.permissive) s += ' AS RESTRICTIVE';
  if (p.command !== 'all') s += ` FOR ${p.command.toUpperCase()}`;
  if (!(p.roles.length === 1 && p.roles[0] === 'public')) s += ` TO ${roles(p)}`;
  if (p.using !== null) s += ` USING (${p.using})`;
  if (p.withCheck !== null) s += ` WITH CHECK (${p.withCheck})`;
  return s;
}

function sorted<T>(r: Record<string, T>): [string, T][] {
  return Object.entries(r).sort(([x], [y]) => byCodePoint(x, y));
}

function sortedValues<T>(r: Record<string, T>): T[] {
  return sorted(r).map(([, v]) => v);
}

/** Order items so that each comes after the items it depends on (by key); cycles keep their input order. */
function topo<T extends { key: string }>(items: T[], deps: (t: T) => string[]): T[] {
  const byKey = new Map(items.map((i) => [i.key, i]));
  const out: T[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (i: T) => {
    const s = state.get(i.key);
    if (s) return;
    state.set(i.key, 1);
    for (const d of deps(i).sort(byCodePoint)) {
      const dep = byKey.get(d);
      if (dep) visit(dep);
    }
    state.set(i.key, 2);
    out.push(i);
  };
  for (const i of [...items].sort((x, y) => byCodePoint(x.key, y.key))) visit(i);
  return out;
}

/**
 * pg_get_indexdef's canonical text, written the way a person would: the
 * `public.` qualifier dropped (plans write public objects unqualified, as
 * everywhere else) and the default `USING btree` left out. Only the table
 * reference and the method clause right after `ON` are touched, so
 * expressions and predicates stay exactly as PostgreSQL printed them.
 */
export function readableIndexDef(definition: string): string {
  return definition.replace(/^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)public\.((?:"(?:[^"]|"")+"|[^\s(]+)) USING btree \(/, '$1$2 (').replace(/^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)public\./, '$1');
}
