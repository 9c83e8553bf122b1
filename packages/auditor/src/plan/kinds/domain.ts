import { quoteIdent } from '@pg-strata/core';
import { displayName, prettyType } from '../../compare.js';
import type { DomainDef } from '../../snapshot.js';
import { columnsOfType, dropDefaultEarly, freeTypeName, functionsUsingType, type PlanContext, type TypedColumn } from '../context.js';
import type { Phase } from '../phases.js';
import { qn, sorted, topo, typeName } from '../sql.js';
import type { PlanKind } from './kind.js';

/** Domains sorted by key, except that a domain over another domain comes after it (created after, dropped before). */
export function domainsInOrder(domains: Record<string, DomainDef>): [string, DomainDef][] {
  const byType = new Map(Object.entries(domains).map(([k, d]) => [typeName(d.schema, d.name), k]));
  const baseDomain = (x: { d: DomainDef }) => {
    const k = byType.get(x.d.type.replace(/\[\]$/, ''));
    return k === undefined ? [] : [k];
  };
  return topo(
    sorted(domains).map(([key, d]) => ({ key, d })),
    baseDomain,
  ).map((x): [string, DomainDef] => [x.key, x.d]);
}

export function createDomain(d: DomainDef): string {
  let s = `CREATE DOMAIN ${qn(d.schema, d.name)} AS ${d.type}`;
  if (d.collation) s += ` COLLATE ${d.collation}`;
  if (d.default !== null) s += ` DEFAULT ${d.default}`;
  if (d.notNull) s += ' NOT NULL';
  for (const c of d.checks) if (c.validated) s += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
  return s;
}

/** Whether a domain is created (again): new, or its base type or collation changes. */
export function recreatedDomain(o: DomainDef | undefined, d: DomainDef): boolean {
  return !o || o.type !== d.type || o.collation !== d.collation;
}

/**
 * Domains: default, NOT NULL and CHECKs change in place; a new base type or
 * collation creates the domain again (rebuilt around the columns using it).
 * A CHECK that calls one of our functions is added once the functions exist.
 */
export const domainKind: PlanKind = {
  name: 'domain',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    // A CHECK that calls one of our functions waits for the functions (which may in turn take the domain as an argument).
    const callsFunction = (text: string) => Object.values(b.functions).some((f) => text.includes(`${qn(f.schema, f.name)}(`));
    const checkPhase = (c: DomainDef['checks'][number]): Phase => (callsFunction(c.definition) ? 'constraints' : 'types');
    for (const [k, d] of domainsInOrder(b.domains)) {
      const old = a.domains[k];
      if (!old || old.type !== d.type || old.collation !== d.collation) {
        const users = old ? columnsOfType(ctx, typeName(d.schema, d.name)) : [];
        if (old && users.length) rebuildDomain(ctx, d, users);
        else if (old) ctx.emit('dropTypes', { sql: `DROP DOMAIN ${qn(old.schema, old.name)}`, destructive: true });
        const early = d.checks.filter((c) => c.validated && checkPhase(c) === 'types');
        ctx.emit('types', { sql: createDomain({ ...d, checks: early }), destructive: false });
        for (const c of d.checks) {
          if (early.includes(c)) continue;
          ctx.emit(checkPhase(c), {
            sql:
              `ALTER DOMAIN ${qn(d.schema, d.name)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}` +
              `${c.validated ? '' : ' NOT VALID'}`,
            destructive: false,
          });
        }
        continue;
      }
      const name = qn(d.schema, d.name);
      if (old.default !== d.default)
        ctx.emit('types', {
          sql: d.default === null ? `ALTER DOMAIN ${name} DROP DEFAULT` : `ALTER DOMAIN ${name} SET DEFAULT ${d.default}`,
          destructive: false,
        });
      if (old.notNull !== d.notNull)
        ctx.emit('types', { sql: `ALTER DOMAIN ${name} ${d.notNull ? 'SET' : 'DROP'} NOT NULL`, destructive: false });
      const oc = new Map(old.checks.map((c) => [c.name, c]));
      const nc = new Map(d.checks.map((c) => [c.name, c]));
      for (const c of old.checks) {
        const n = nc.get(c.name);
        if (!n || n.definition !== c.definition || (c.validated && !n.validated))
          ctx.emit('types', { sql: `ALTER DOMAIN ${name} DROP CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
      }
      for (const c of d.checks) {
        const o = oc.get(c.name);
        if (!o || o.definition !== c.definition || (o.validated && !c.validated)) {
          ctx.emit(checkPhase(c), {
            sql: `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`,
            destructive: false,
          });
        } else if (!o.validated && c.validated)
          ctx.emit('types', { sql: `ALTER DOMAIN ${name} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`, destructive: false });
      }
    }
    for (const [k, d] of sorted(a.domains))
      if (!(k in b.domains))
        ctx.facts.removedTypes.push({
          key: typeName(d.schema, d.name),
          uses: [d.type],
          step: { sql: `DROP DOMAIN ${qn(d.schema, d.name)}`, destructive: true },
        });
  },
};

/**
 * A domain whose base type or collation changes while columns use it: DROP DOMAIN would be
 * refused, so the old one is renamed out of the way, the new one created (by the caller) and
 * each column converted through the new base type before the old domain is dropped.
 */
function rebuildDomain(ctx: PlanContext, d: DomainDef, users: TypedColumn[]): void {
  const tmp = freeTypeName(ctx, d.schema, d.name);
  const tname = typeName(d.schema, d.name);
  ctx.facts.rebuiltTypes.add(tname);
  functionsUsingType(ctx, tname);
  ctx.emit('types', {
    sql: `ALTER DOMAIN ${qn(d.schema, d.name)} RENAME TO ${quoteIdent(tmp)}`,
    destructive: false,
    comment: `domain ${displayName(d.schema, d.name)} changes its base type: it is built again`,
  });
  for (const { key, table, column } of users) {
    dropDefaultEarly(ctx, key, table, column);
    ctx.typeChanged(key, column.name);
    const arr = column.type.endsWith('[]') ? '[]' : '';
    ctx.emit('columns', {
      sql:
        `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} TYPE ` +
        `${column.type} USING ${quoteIdent(column.name)}::${d.type}${arr}::${column.type}`,
      destructive: true,
      comment: `${prettyType(d.type)} is the new base type of ${displayName(d.schema, d.name)}: fails if a value does not convert`,
    });
  }
  ctx.emit('typeCleanup', { sql: `DROP DOMAIN ${qn(d.schema, tmp)}`, destructive: false });
}
