import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { displayName } from '../../compare.js';
import { objectKey, type EnumDef } from '../../snapshot.js';
import { columnsOfType, dropDefaultEarly, freeTypeName, functionsUsingType, type PlanContext } from '../context.js';
import { qn, sorted, typeName } from '../sql.js';
import type { PlanKind } from './kind.js';

export function createEnum(e: EnumDef): string {
  return `CREATE TYPE ${qn(e.schema, e.name)} AS ENUM (${e.values.map(quoteLiteral).join(', ')})`;
}

/**
 * Enums: values only added in a compatible order become `ADD VALUE` (outside a
 * transaction); a value removed or reordered builds the type again and converts
 * its columns through text.
 */
export const enumKind: PlanKind = {
  name: 'enum',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, e] of sorted(b.enums)) {
      const old = a.enums[k];
      if (!old) ctx.emit('types', { sql: createEnum(e), destructive: false });
      else if (!deepEqual(old.values, e.values)) changeEnum(ctx, old, e);
    }
    for (const [k, e] of sorted(a.enums))
      if (!(k in b.enums))
        ctx.facts.removedTypes.push({
          key: typeName(e.schema, e.name),
          uses: [],
          step: { sql: `DROP TYPE ${qn(e.schema, e.name)}`, destructive: true },
        });
  },
};

function changeEnum(ctx: PlanContext, old: EnumDef, e: EnumDef): void {
  const name = qn(e.schema, e.name);
  // Only additions, in an order compatible with the existing values: ADD VALUE.
  const kept = e.values.filter((v) => old.values.includes(v));
  if (deepEqual(kept, old.values)) {
    const present = [...old.values];
    e.values.forEach((v, i) => {
      if (present.includes(v)) return;
      const at =
        i === e.values.length - 1 && present.length === i
          ? ''
          : i === 0
            ? ` BEFORE ${quoteLiteral(e.values[1]!)}`
            : ` AFTER ${quoteLiteral(e.values[i - 1]!)}`;
      ctx.emit('types', {
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
  const tmp = freeTypeName(ctx, e.schema, e.name);
  const removed = old.values.filter((v) => !e.values.includes(v));
  const key = objectKey(e.schema, e.name);
  ctx.facts.rebuiltEnums.set(key, tmp);
  ctx.facts.rebuiltTypes.add(typeName(e.schema, e.name));
  functionsUsingType(ctx, typeName(e.schema, e.name));
  ctx.emit('types', {
    sql: `ALTER TYPE ${name} RENAME TO ${quoteIdent(tmp)}`,
    destructive: false,
    comment: removed.length
      ? `enum ${displayName(e.schema, e.name)} loses ${removed.map((v) => `'${v}'`).join(', ')}: it is built again`
      : `enum ${displayName(e.schema, e.name)} values are reordered: it is built again`,
  });
  ctx.emit('types', { sql: createEnum(e), destructive: false });
  for (const { key, table, column } of columnsOfType(ctx, typeName(e.schema, e.name))) {
    dropDefaultEarly(ctx, key, table, column);
    ctx.typeChanged(key, column.name);
    const arr = column.type.endsWith('[]') ? '[]' : '';
    ctx.emit('columns', {
      sql:
        `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} TYPE ` +
        `${column.type} USING ${quoteIdent(column.name)}::text${arr}::${column.type}`,
      destructive: removed.length > 0,
      ...(removed.length ? { comment: `fails if a row still holds ${removed.map((v) => `'${v}'`).join(', ')}` } : {}),
    });
  }
  ctx.emit('typeCleanup', { sql: `DROP TYPE ${qn(e.schema, tmp)}`, destructive: false });
}
