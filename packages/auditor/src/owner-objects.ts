/** The objects whose owner a Snapshot records (introspect's `owners` option): where each lives in a Snapshot and how SQL names it. */
import { quoteIdent } from '@pg-strata/core';
import { displayName } from './compare-drift.js';
import { qn } from './plan/sql.js';
import type { OwnerObjectType, Snapshot } from './snapshot-types.js';

/** Key of an owner entry. */
export function ownerKey(type: OwnerObjectType, object: string): string {
  return `${type}:${object}`;
}

/** The object an owner entry is about, as `{ schema, name }` (plus a function's arguments and kind), or undefined when `snap` lacks it. */
export function ownerObject(
  snap: Snapshot,
  type: OwnerObjectType,
  object: string,
): { schema: string; name: string; args?: string; fn?: 'FUNCTION' | 'PROCEDURE' | 'AGGREGATE' } | undefined {
  switch (type) {
    case 'schema':
      return snap.schemas[object] ? { schema: '', name: object } : undefined;
    case 'table':
      return snap.tables[object];
    case 'view':
      return snap.views[object];
    case 'materialized view':
      return snap.materializedViews[object];
    case 'sequence': {
      // A sequence owned by a column has its table's owner (ALTER TABLE ... OWNER TO moves it along).
      const s = snap.sequences[object];
      return s && !s.ownedBy ? s : undefined;
    }
    case 'function': {
      const f = snap.functions[object];
      if (!f) return undefined;
      const fn = f.kind === 'procedure' ? 'PROCEDURE' : f.kind === 'aggregate' ? 'AGGREGATE' : 'FUNCTION';
      return { schema: f.schema, name: f.name, args: fn === 'AGGREGATE' && f.identityArguments === '' ? '*' : f.identityArguments, fn };
    }
    case 'type':
      return snap.enums[object] ?? snap.compositeTypes[object] ?? snap.rangeTypes[object];
    case 'domain':
      return snap.domains[object];
    case 'collation':
      return snap.collations[object];
    case 'text search dictionary':
      return snap.textSearchDictionaries?.[object];
    case 'text search configuration':
      return snap.textSearchConfigurations?.[object];
    case 'event trigger':
      return snap.eventTriggers?.[object] ? { schema: '', name: object } : undefined;
    case 'publication':
      return snap.publications?.[object] ? { schema: '', name: object } : undefined;
  }
}

/** How a sentence names the object: `table t` (in `public`), `view app.v`, `function f(integer)`. */
export function ownerObjectText(snap: Snapshot, type: OwnerObjectType, object: string): string {
  const o = ownerObject(snap, type, object);
  if (!o) return `${type} ${object}`;
  const name = o.schema ? displayName(o.schema, o.name) : o.name;
  if (o.fn) return `${o.fn.toLowerCase()} ${name}(${o.args})`;
  return `${type} ${name}`;
}

/** `ALTER <kind> <name> OWNER TO <role>` for an object of `snap`, undefined when `snap` lacks it. */
export function alterOwnerSql(snap: Snapshot, type: OwnerObjectType, object: string, owner: string): string | undefined {
  const o = ownerObject(snap, type, object);
  if (!o) return undefined;
  const name = o.schema ? qn(o.schema, o.name) : quoteIdent(o.name);
  const word = o.fn ?? type.toUpperCase();
  return `ALTER ${word} ${name}${o.fn ? `(${o.args})` : ''} OWNER TO ${quoteIdent(owner)}`;
}
