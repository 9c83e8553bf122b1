import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { SequenceDef, SequenceOptions, Snapshot } from '../../snapshot.js';
import { quoteIdent } from '@pg-strata/core';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

const INT_RANGE: Record<string, [string, string]> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
};

/** Sequence options as SQL clauses, leaving out the ones equal to PostgreSQL's defaults. */
export function sequenceClauses(s: SequenceOptions, withType: boolean): string[] {
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
export function sequenceChanges(x: SequenceOptions, y: SequenceOptions, withType: boolean): string[] {
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

function ownerRef(o: NonNullable<SequenceDef['ownedBy']>, snap: Snapshot): string {
  const t = snap.tables[o.table];
  return t ? `${qn(t.schema, t.name)}.${quoteIdent(o.column)}` : `${o.table}.${quoteIdent(o.column)}`;
}

/**
 * Sequences (those a new `serial` column creates are left to it): created,
 * altered (restarted when the bounds narrow), owned by their column once it
 * exists; an owned sequence goes with its table or column.
 */
export const sequenceKind: PlanKind = {
  name: 'sequence',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    for (const [k, s] of sorted(b.sequences)) {
      if (facts.serialSequences.has(k)) continue; // the serial column creates it
      const old = a.sequences[k];
      const name = qn(s.schema, s.name);
      if (old?.ownedBy && facts.recreatedTables.has(old.ownedBy.table)) {
        // Keep the sequence (and its position) while its table is dropped and created again.
        ctx.emit('dropDefaults', { sql: `ALTER SEQUENCE ${name} OWNED BY NONE`, destructive: false });
        if (s.ownedBy)
          ctx.emit('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${ownerRef(s.ownedBy, b)}`, destructive: false });
        const changes = sequenceChanges(old, s, true);
        if (changes.length) ctx.emit('sequences', { sql: `ALTER SEQUENCE ${name} ${changes.join(' ')}`, destructive: false });
        continue;
      }
      if (!old) {
        const opts = sequenceClauses(s, true);
        ctx.emit('sequences', { sql: `CREATE SEQUENCE ${name}${opts.length ? ` ${opts.join(' ')}` : ''}`, destructive: false });
        if (s.ownedBy)
          ctx.emit('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${ownerRef(s.ownedBy, b)}`, destructive: false });
        continue;
      }
      const changes = sequenceChanges(old, s, true);
      // Narrower bounds are refused while the current value lies outside them: restart at START WITH.
      const narrower = BigInt(s.min) > BigInt(old.min) || BigInt(s.max) < BigInt(old.max);
      if (narrower) changes.push('RESTART');
      if (changes.length) {
        ctx.emit('sequences', {
          sql: `ALTER SEQUENCE ${name} ${changes.join(' ')}`,
          destructive: false,
          ...(narrower
            ? { comment: 'the bounds narrow: the sequence restarts at its START WITH value; check it stays clear of existing keys' }
            : {}),
        });
      }
      if (!deepEqual(old.ownedBy, s.ownedBy)) {
        // Drop the old owner's claim first: dropping that column or table would drop the sequence too.
        if (old.ownedBy) ctx.emit('dropDefaults', { sql: `ALTER SEQUENCE ${name} OWNED BY NONE`, destructive: false });
        if (s.ownedBy)
          ctx.emit('sequenceOwnership', { sql: `ALTER SEQUENCE ${name} OWNED BY ${ownerRef(s.ownedBy, b)}`, destructive: false });
      }
    }
    for (const [k, s] of sorted(a.sequences)) {
      if (k in b.sequences) continue;
      // Owned sequences go with their table or column.
      if (
        s.ownedBy &&
        (!(s.ownedBy.table in b.tables) ||
          facts.droppedTables.has(s.ownedBy.table) ||
          !b.tables[s.ownedBy.table]!.columns.some((c) => c.name === s.ownedBy!.column))
      )
        continue;
      ctx.emit('dropSequences', { sql: `DROP SEQUENCE ${qn(s.schema, s.name)}`, destructive: true });
    }
  },
};
