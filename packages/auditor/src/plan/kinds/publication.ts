import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { PUBLISH_ACTIONS, type PublicationDef, type PublicationTableDef } from '../../snapshot.js';
import { disturbed, tableRef, usesDroppedColumn, type PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** An expression in parentheses, as `WHERE (...)` of a publication needs them; pg_get_expr's `(a > 0)` is not wrapped twice. */
export function parenthesised(expr: string): string {
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

/** `WITH (...)` / `SET (...)` options of a publication: those not at PostgreSQL's default when it is created, else those that change. */
function publicationOptions(o: PublicationDef | undefined, p: PublicationDef): string[] {
  const out: string[] = [];
  if (o ? !deepEqual(o.publish, p.publish) : !deepEqual(p.publish, PUBLISH_ACTIONS))
    out.push(`publish = ${quoteLiteral(p.publish.join(', '))}`);
  if (o ? o.viaPartitionRoot !== p.viaPartitionRoot : p.viaPartitionRoot) out.push(`publish_via_partition_root = ${p.viaPartitionRoot}`);
  return out;
}

function publishedTable(ctx: PlanContext, t: PublicationTableDef): string {
  return (
    `TABLE ${tableRef(t.table, ctx.b)}` +
    `${t.columns ? ` (${t.columns.map(quoteIdent).join(', ')})` : ''}` +
    `${t.where !== null ? ` WHERE ${parenthesised(t.where)}` : ''}`
  );
}

/** `TABLE orders (id, total) WHERE (total > 0), TABLES IN SCHEMA sales`. */
function publicationObjects(ctx: PlanContext, p: PublicationDef): string {
  return [...p.tables.map((t) => publishedTable(ctx, t)), ...p.schemas.map((x) => `TABLES IN SCHEMA ${quoteIdent(x)}`)].join(', ');
}

/**
 * Whether a publication's entry for a table must leave it before the rest
 * of the plan runs: the table is dropped (or built again), or a column its
 * column list or row filter names is dropped or changes type, which
 * PostgreSQL refuses while the publication depends on the column.
 */
function publicationEntryDisturbed(ctx: PlanContext, e: PublicationTableDef): boolean {
  if (ctx.facts.droppedTables.has(e.table)) return true;
  const columns = e.columns ?? [];
  const text = [...columns.map(quoteIdent), e.where ?? ''].join(' ');
  return disturbed(ctx, e.table, text) || usesDroppedColumn(ctx, e.table, columns, e.where ?? '');
}

/**
 * Publications: dropped, and tables or schemas taken out of them, before
 * anything else (so a table or column they name can go); created, altered
 * and added to once every table and column of `b` exists.
 */
export const publicationKind: PlanKind = {
  name: 'publication',
  plan(ctx: PlanContext): void {
    const { facts } = ctx;
    const pa = ctx.a.publications ?? {};
    const pb = ctx.b.publications ?? {};
    for (const [k, p] of sorted(pa)) {
      const n = pb[k];
      if (n && n.allTables === p.allTables) continue;
      if (n) facts.createdPublications.add(k);
      ctx.emit('dropPublications', {
        sql: `DROP PUBLICATION ${quoteIdent(p.name)}`,
        destructive: false,
        ...(n ? { comment: 'FOR ALL TABLES cannot be switched on or off: the publication is created again' } : {}),
      });
    }
    for (const [k, p] of sorted(pb)) {
      const o = pa[k];
      if (!o || facts.createdPublications.has(k)) {
        facts.createdPublications.add(k);
        const objects = p.allTables ? ' FOR ALL TABLES' : p.tables.length || p.schemas.length ? ` FOR ${publicationObjects(ctx, p)}` : '';
        const opts = publicationOptions(undefined, p);
        ctx.emit('publications', {
          sql: `CREATE PUBLICATION ${quoteIdent(p.name)}${objects}${opts.length ? ` WITH (${opts.join(', ')})` : ''}`,
          destructive: false,
        });
      } else alterPublication(ctx, o, p);
    }
  },
};

function alterPublication(ctx: PlanContext, o: PublicationDef, p: PublicationDef): void {
  const name = quoteIdent(p.name);
  const want = new Map(p.tables.map((t) => [t.table, t]));
  const leave = o.tables.filter((t) => !want.has(t.table) || publicationEntryDisturbed(ctx, t));
  if (leave.length)
    ctx.emit('dropPublications', {
      sql: `ALTER PUBLICATION ${name} DROP TABLE ${leave.map((t) => tableRef(t.table, ctx.a)).join(', ')}`,
      destructive: false,
    });
  const goneSchemas = o.schemas.filter((x) => !p.schemas.includes(x));
  if (goneSchemas.length)
    ctx.emit('dropPublications', {
      sql: `ALTER PUBLICATION ${name} DROP TABLES IN SCHEMA ${goneSchemas.map(quoteIdent).join(', ')}`,
      destructive: false,
    });
  // Options first: a partitioned table with a row filter may only be added once publish_via_partition_root is on.
  const opts = publicationOptions(o, p);
  if (opts.length) ctx.emit('publications', { sql: `ALTER PUBLICATION ${name} SET (${opts.join(', ')})`, destructive: false });
  const kept = new Map(o.tables.filter((t) => !leave.includes(t)).map((t) => [t.table, t]));
  if (p.tables.some((t) => kept.has(t.table) && !deepEqual(kept.get(t.table), t))) {
    ctx.emit('publications', {
      sql: `ALTER PUBLICATION ${name} SET ${publicationObjects(ctx, p)}`,
      destructive: false,
      comment: 'a column list or row filter changes: SET writes the whole list of tables and schemas',
    });
    return;
  }
  const added = p.tables.filter((t) => !kept.has(t.table));
  if (added.length)
    ctx.emit('publications', {
      sql: `ALTER PUBLICATION ${name} ADD ${added.map((t) => publishedTable(ctx, t)).join(', ')}`,
      destructive: false,
    });
  const newSchemas = p.schemas.filter((x) => !o.schemas.includes(x));
  if (newSchemas.length)
    ctx.emit('publications', {
      sql: `ALTER PUBLICATION ${name} ADD TABLES IN SCHEMA ${newSchemas.map(quoteIdent).join(', ')}`,
      destructive: false,
    });
}
