// Comparisons of the kinds that need more than a field-by-field check: aggregates, event triggers,
// publications, privileges, and the kinds Strata lists as not handled.
import { isDeepStrictEqual } from 'node:util';
import type {
  AggregateDef,
  EventTriggerDef,
  FunctionDef,
  PrivilegeDef,
  PublicationDef,
  PublicationTableDef,
  Snapshot,
} from './snapshot.js';
import { byCodePoint, privilegeObjectExists } from './snapshot.js';
import { DriftBuilder, comment, displayName, prettyType } from './compare-drift.js';

/**
 * Objects of kinds Strata does not compare or create: each is listed, never
 * skipped. On one side only it is an error (a plan cannot create or drop it);
 * on both it is a warning (it was not compared). Column privileges are
 * listed only when privileges are compared (`privileges`), as grants are.
 */
export function notHandled(d: DriftBuilder, a: Snapshot, b: Snapshot, bothSides: boolean, privileges = false): void {
  const ua = a.unhandled ?? {};
  const ub = b.unhandled ?? {};
  for (const key of [...new Set([...Object.keys(ua), ...Object.keys(ub)])].sort(byCodePoint)) {
    const o = (ua[key] ?? ub[key])!;
    if (key in ua && key in ub && !bothSides) continue;
    if (o.kind === 'column privilege' && !privileges) continue;
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
export function compareAggregate(d: DriftBuilder, n: string, x: FunctionDef, y: FunctionDef): void {
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

export function compareEventTrigger(d: DriftBuilder, n: string, x: EventTriggerDef, y: EventTriggerDef, sa: Snapshot, sb: Snapshot): void {
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

export function comparePublication(d: DriftBuilder, n: string, x: PublicationDef, y: PublicationDef, sa: Snapshot, sb: Snapshot): void {
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
  if (type === 'foreign data wrapper') return `foreign-data wrapper ${object}`;
  if (type === 'server' || type === 'language') return `${type} ${object}`;
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

export function privileges(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
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
