import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { prettyType } from '../../compare.js';
import type { ColumnDef } from '../../snapshot.js';
import { callsRecreatedFunction, type PlanContext } from '../context.js';
import { typeName } from '../sql.js';
import { sequenceChanges, sequenceClauses } from './sequence.js';
import { createOptions } from './foreign.js';

const STRING_TYPES = new Set(['text', 'character varying', 'character', 'name', 'citext', 'bpchar']);
const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);
const TIME_TYPES = new Set(['timestamp without time zone', 'timestamp with time zone', 'date']);

function baseType(t: string): string {
  return t
    .replace(/\(.*\)/, '')
    .replace(/\[\]$/, '')
    .trim();
}
function typmod(t: string): number[] {
  const m = /\(([\d, ]+)\)/.exec(t);
  return m ? m[1]!.split(',').map((x) => Number(x.trim())) : [];
}

/** Whether `from -> to` needs a USING clause (no assignment cast between them). */
export function needsUsing(from: string, to: string): boolean {
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
export function isWidening(from: string, to: string): boolean {
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

/** A column as CREATE TABLE / ADD COLUMN writes it (`serial` where the plan decided so up front). */
export function columnClause(ctx: PlanContext, c: ColumnDef, tableKey?: string): string {
  const serial = tableKey ? ctx.facts.serialColumns.get(`${tableKey}\0${c.name}`) : undefined;
  if (serial) return `${quoteIdent(c.name)} ${serial}`;
  let s = `${quoteIdent(c.name)} ${c.type}`;
  s += createOptions(c.fdwOptions); // a foreign table's column
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

/** NOT NULL and default of an inherited column, from what it has to what it should have. */
export function inheritedColumnChanges(ctx: PlanContext, table: string, before: ColumnDef, target: ColumnDef): void {
  const alter = (sql: string) => `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(target.name)} ${sql}`;
  if (before.default !== target.default)
    ctx.emit('columns', { sql: alter(target.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${target.default}`), destructive: false });
  if (before.notNull !== target.notNull)
    ctx.emit('columns', { sql: alter(target.notNull ? 'SET NOT NULL' : 'DROP NOT NULL'), destructive: false });
}

/** `::text` (or `::text[]`) when a column of an enum changes to another type: PostgreSQL has no cast from one enum to another, but every
 * enum reads from and prints to text. */
function castThroughText(ctx: PlanContext, from: string, to: string): string {
  const arr = from.endsWith('[]');
  const base = from.replace(/\[\]$/, '');
  if (arr !== to.endsWith('[]') || !Object.values(ctx.a.enums).some((e) => typeName(e.schema, e.name) === base)) return '';
  return arr ? '::text[]' : '::text';
}

/**
 * A number column becoming a date or time, or the reverse: PostgreSQL has no cast
 * between them (`bigint::timestamp` is refused). The values are read as Unix epoch
 * seconds (`to_timestamp`, a timestamp without time zone taken as UTC) and written
 * back as such (`extract(epoch ...)`): the step's comment asks to check the unit.
 */
export function epochConversion(from: string, to: string, col: string): { using: string; note: string } | undefined {
  if (from.endsWith('[]') || to.endsWith('[]')) return undefined;
  const f = baseType(from);
  const t = baseType(to);
  const note = 'no cast exists: the values are read as Unix epoch seconds, check their unit (milliseconds?) before running';
  if (NUMBER_TYPES.has(f) && TIME_TYPES.has(t)) {
    const utc = `(to_timestamp(${col}) AT TIME ZONE 'UTC')`;
    return { using: t === 'timestamp with time zone' ? `to_timestamp(${col})` : t === 'date' ? `${utc}::date` : utc, note };
  }
  if (TIME_TYPES.has(f) && NUMBER_TYPES.has(t)) return { using: `extract(epoch FROM ${col})::${to}`, note };
  return undefined;
}

/** A column of both sides: default, generation, identity, type, NOT NULL (`foreign`: of a foreign table). */
export function alterColumn(ctx: PlanContext, k: string, table: string, c: ColumnDef, n: ColumnDef, foreign = false): void {
  const { facts } = ctx;
  const col = quoteIdent(n.name);
  const alter = (sql: string) => `ALTER ${foreign ? 'FOREIGN ' : ''}TABLE ${table} ALTER COLUMN ${col} ${sql}`;
  const key = `${k}\0${n.name}`;
  const typeChanges = c.type !== n.type || c.collation !== n.collation;
  const rebuiltType = facts.rebuiltTypes.has(c.type.replace(/\[\]$/, ''));
  const using = c.type !== n.type && needsUsing(c.type, n.type);
  if (
    c.default !== null &&
    (c.default !== n.default || using || callsRecreatedFunction(ctx, c.default)) &&
    !facts.defaultDropped.has(key)
  ) {
    facts.defaultDropped.add(key);
    ctx.emit('dropDefaults', { sql: alter('DROP DEFAULT'), destructive: false });
  }
  if (c.generated !== null && n.generated === null) ctx.emit('columns', { sql: alter('DROP EXPRESSION'), destructive: false });
  // Early: a serial column taking its place may want the identity sequence's name.
  if (c.identity && !n.identity) ctx.emit('dropDefaults', { sql: alter('DROP IDENTITY'), destructive: false });
  if (typeChanges && !(rebuiltType && c.type === n.type)) {
    ctx.typeChanged(k, n.name);
    const coll = c.collation !== n.collation ? ` COLLATE ${n.collation ?? '"default"'}` : '';
    const epoch = using ? epochConversion(c.type, n.type, col) : undefined;
    const usingClause = epoch ? ` USING ${epoch.using}` : using ? ` USING ${col}${castThroughText(ctx, c.type, n.type)}::${n.type}` : '';
    const comment = `${prettyType(c.type)} -> ${prettyType(n.type)}${epoch ? `: ${epoch.note}` : ''}`;
    ctx.emit('columns', {
      sql: alter(`TYPE ${n.type}${coll}${usingClause}`),
      destructive: !isWidening(c.type, n.type),
      ...(c.type !== n.type ? { comment } : {}),
    });
  }
  if (n.default !== null && (n.default !== c.default || facts.defaultDropped.has(key)))
    ctx.emit('columns', { sql: alter(`SET DEFAULT ${n.default}`), destructive: false });
  if (c.notNull !== n.notNull && !(n.identity && n.notNull))
    ctx.emit('columns', { sql: alter(n.notNull ? 'SET NOT NULL' : 'DROP NOT NULL'), destructive: false });
  if (n.identity && !c.identity) {
    if (!c.notNull) ctx.emit('columns', { sql: alter('SET NOT NULL'), destructive: false });
    const opts = sequenceClauses(n.identity, n.identity.type !== n.type);
    ctx.emit('columns', {
      sql: alter(`ADD GENERATED ${n.identity.generation.toUpperCase()} AS IDENTITY${opts.length ? ` (${opts.join(' ')})` : ''}`),
      destructive: false,
    });
  } else if (n.identity && c.identity && !deepEqual(n.identity, c.identity)) {
    const parts: string[] = [];
    if (n.identity.generation !== c.identity.generation) parts.push(`SET GENERATED ${n.identity.generation.toUpperCase()}`);
    for (const ch of sequenceChanges(c.identity, n.identity, false)) parts.push(ch === 'NO CYCLE' ? 'SET NO CYCLE' : `SET ${ch}`);
    // As for a sequence: narrower bounds are refused while the current value lies outside them.
    const narrower = BigInt(n.identity.min) > BigInt(c.identity.min) || BigInt(n.identity.max) < BigInt(c.identity.max);
    if (narrower) parts.push('RESTART');
    if (parts.length) ctx.emit('columns', { sql: alter(parts.join(' ')), destructive: false });
  }
}
