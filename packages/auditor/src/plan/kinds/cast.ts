import { quoteLiteral } from '@pg-strata/core';
import type { CastDef, ConversionDef, Snapshot } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** A function by key as CREATE CAST names it: `m2(numeric)`, `pg_catalog.int4(bigint)`. */
function functionSignature(key: string, snap: Snapshot): string {
  const f = snap.functions[key];
  if (f) return `${qn(f.schema, f.name)}(${f.identityArguments})`;
  const m = /^([^.]+)\.([^(]+)(\(.*\))$/.exec(key);
  return m ? `${qn(m[1]!, m[2]!)}${m[3]}` : key;
}

/** `(numeric AS money2)`, as CREATE / DROP / COMMENT ON CAST take it. */
function castTypes(c: CastDef): string {
  return `(${c.source} AS ${c.target})`;
}

function createCast(c: CastDef, snap: Snapshot): string {
  const how =
    c.method === 'binary'
      ? 'WITHOUT FUNCTION'
      : c.method === 'inout'
        ? 'WITH INOUT'
        : `WITH FUNCTION ${functionSignature(c.function ?? '', snap)}`;
  const context = c.context === 'assignment' ? ' AS ASSIGNMENT' : c.context === 'implicit' ? ' AS IMPLICIT' : '';
  return `CREATE CAST ${castTypes(c)} ${how}${context}`;
}

function createConversion(c: ConversionDef): string {
  const fn = c.function.replace(/^public\./, '');
  const encodings = `FOR ${quoteLiteral(c.from)} TO ${quoteLiteral(c.to)}`;
  return `CREATE ${c.default ? 'DEFAULT ' : ''}CONVERSION ${qn(c.schema, c.name)} ${encodings} FROM ${fn}`;
}

function sameCast(x: CastDef, y: CastDef): boolean {
  return x.method === y.method && x.function === y.function && x.context === y.context;
}

function sameConversion(x: ConversionDef, y: ConversionDef): boolean {
  return x.from === y.from && x.to === y.to && x.function === y.function && x.functionKey === y.functionKey && x.default === y.default;
}

/**
 * Casts and conversions, which PostgreSQL cannot alter: created right after
 * the functions and types they are built on (phase `casts`, after the
 * function's own statement whatever its phase), so before the tables,
 * defaults, indexes and views whose expressions may rely on them; dropped
 * before their functions and types go (`dropCasts`). A changed one, or one
 * whose function is dropped and created again (or whose type is built again),
 * is dropped and created again.
 */
export const castKind: PlanKind = {
  name: 'cast',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const fnAgain = (key: string | null) =>
      key !== null && (facts.recreatedFunctions.has(key) || (key in a.functions && !(key in b.functions)));
    // Types built again (their columns converted), and composite types dropped and created again (no column uses them).
    const composites = [...facts.recreatedComposites].map((k) => b.compositeTypes[k]!);
    const again = new Set([...facts.rebuiltTypes, ...composites.map((c) => qn(c.schema, c.name))]);
    const typeAgain = (t: string) => again.has(t) || again.has(t.replace(/\[\]$/, ''));
    const ca = a.casts ?? {};
    const cb = b.casts ?? {};
    const castAgain = new Set<string>();
    for (const [k, c] of sorted(ca)) {
      const n = cb[k];
      const under = fnAgain(c.function) || typeAgain(c.source) || typeAgain(c.target);
      if (n && sameCast(c, n) && !under) continue;
      if (n) castAgain.add(k);
      const why = !n ? '' : sameCast(c, n) ? 'its function or a type is created again' : 'it changes (CREATE CAST cannot replace)';
      ctx.emit('dropCasts', {
        sql: `DROP CAST ${castTypes(c)}`,
        destructive: false,
        ...(n ? { comment: `${why}: the cast is created again` } : {}),
      });
    }
    for (const [k, c] of sorted(cb)) {
      const o = ca[k];
      const fresh = !o || castAgain.has(k);
      if (fresh) {
        const after = c.function ? [`function:create:${c.function}`] : [];
        ctx.emit('casts', { sql: createCast(c, b), destructive: false }, { after });
      }
      if (c.comment !== (fresh ? null : o!.comment))
        ctx.emit('comments', {
          sql: `COMMENT ON CAST ${castTypes(c)} IS ${c.comment === null ? 'NULL' : quoteLiteral(c.comment)}`,
          destructive: false,
        });
    }

    const va = a.conversions ?? {};
    const vb = b.conversions ?? {};
    const convAgain = new Set<string>();
    for (const [k, c] of sorted(va)) {
      const n = vb[k];
      if (n && sameConversion(c, n) && !fnAgain(c.functionKey)) continue;
      if (n) convAgain.add(k);
      const why = n && sameConversion(c, n) ? 'its function is created again' : 'it changes (there is no ALTER for that)';
      ctx.emit('dropCasts', {
        sql: `DROP CONVERSION ${qn(c.schema, c.name)}`,
        destructive: false,
        ...(n ? { comment: `${why}: the conversion is created again` } : {}),
      });
    }
    for (const [k, c] of sorted(vb)) {
      const o = va[k];
      const fresh = !o || convAgain.has(k);
      if (fresh) ctx.emit('casts', { sql: createConversion(c), destructive: false }, { after: [`function:create:${c.functionKey}`] });
      if (c.comment !== (fresh ? null : o!.comment))
        ctx.emit('comments', {
          sql: `COMMENT ON CONVERSION ${qn(c.schema, c.name)} IS ${c.comment === null ? 'NULL' : quoteLiteral(c.comment)}`,
          destructive: false,
        });
    }
  },
};
