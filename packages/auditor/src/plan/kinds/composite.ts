import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { attributeShape, displayName } from '../../compare.js';
import type { CompositeTypeDef } from '../../snapshot.js';
import { columnsOfType, dropDefaultEarly, freeTypeName, functionsUsingType, type PlanContext } from '../context.js';
import { qn, sorted, typeName } from '../sql.js';
import type { PlanKind } from './kind.js';

function createComposite(t: CompositeTypeDef): string {
  return (
    `CREATE TYPE ${qn(t.schema, t.name)} AS (\n` +
    `${t.attributes.map((at) => `    ${quoteIdent(at.name)} ${at.type}${at.collation ? ` COLLATE ${at.collation}` : ''}`).join(',\n')}` +
    `\n)`
  );
}

/**
 * Composite types: attributes only added become `ADD ATTRIBUTE`; any other
 * change creates the type again, converting the columns that use it with `ROW(...)`.
 */
export const compositeKind: PlanKind = {
  name: 'composite type',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, t] of sorted(b.compositeTypes)) {
      const old = a.compositeTypes[k];
      if (!old) {
        ctx.emit('types', { sql: createComposite(t), destructive: false });
        continue;
      }
      if (deepEqual(attributeShape(old.attributes), attributeShape(t.attributes))) continue;
      const name = qn(t.schema, t.name);
      const onlyAdded = deepEqual(attributeShape(old.attributes), attributeShape(t.attributes.slice(0, old.attributes.length)));
      const users = columnsOfType(ctx, typeName(t.schema, t.name));
      if (onlyAdded) {
        for (const y of t.attributes.slice(old.attributes.length)) {
          ctx.emit('types', {
            sql: `ALTER TYPE ${name} ADD ATTRIBUTE ${quoteIdent(y.name)} ${y.type}${y.collation ? ` COLLATE ${y.collation}` : ''}`,
            destructive: false,
          });
        }
        continue;
      }
      ctx.facts.recreatedComposites.add(k);
      if (users.length === 0) {
        ctx.emit('dropTypes', { sql: `DROP TYPE ${name}`, destructive: false, comment: 'no column uses it: it is created again' });
        ctx.emit('types', { sql: createComposite(t), destructive: false });
        continue;
      }
      // Columns use it: PostgreSQL cannot change an attribute's type in place, so build the type again and convert each column value.
      const tmp = freeTypeName(ctx, t.schema, t.name);
      ctx.facts.rebuiltTypes.add(typeName(t.schema, t.name));
      functionsUsingType(ctx, typeName(t.schema, t.name));
      const lost = old.attributes.filter((x) => !t.attributes.some((y) => y.name === x.name)).map((x) => x.name);
      ctx.emit('types', {
        sql: `ALTER TYPE ${name} RENAME TO ${quoteIdent(tmp)}`,
        destructive: false,
        comment: `composite type ${displayName(t.schema, t.name)} changes shape: it is built again`,
      });
      ctx.emit('types', { sql: createComposite(t), destructive: false });
      for (const { key, table, column } of users) {
        const col = quoteIdent(column.name);
        const fields = t.attributes.map((y) =>
          old.attributes.some((x) => x.name === y.name) ? `(${col}).${quoteIdent(y.name)}::${y.type}` : 'NULL',
        );
        dropDefaultEarly(ctx, key, table, column);
        ctx.typeChanged(key, column.name);
        ctx.emit('columns', {
          sql:
            `ALTER TABLE ${qn(table.schema, table.name)} ALTER COLUMN ${col} TYPE ${name} USING CASE WHEN ` +
            `${col} IS NULL THEN NULL ELSE ROW(${fields.join(', ')})::${name} END`,
          destructive: lost.length > 0,
          ...(lost.length ? { comment: `drops the attribute${lost.length > 1 ? 's' : ''} ${lost.join(', ')}` } : {}),
        });
      }
      ctx.emit('typeCleanup', { sql: `DROP TYPE ${qn(t.schema, tmp)}`, destructive: false });
    }
    for (const [k, t] of sorted(a.compositeTypes))
      if (!(k in b.compositeTypes))
        ctx.facts.removedTypes.push({
          key: typeName(t.schema, t.name),
          uses: t.attributes.map((at) => at.type),
          step: { sql: `DROP TYPE ${qn(t.schema, t.name)}`, destructive: true },
        });
  },
};
