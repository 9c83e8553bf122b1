import { quoteIdent } from '@pg-strata/core';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** Schemas: created early, dropped last (an extension's own schema is the extension kind's). */
export const schemaKind: PlanKind = {
  name: 'schema',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, s] of sorted(b.schemas))
      if (!(k in a.schemas)) ctx.emit('schemas', { sql: `CREATE SCHEMA ${quoteIdent(s.name)}`, destructive: false });
    for (const [k, s] of sorted(a.schemas))
      if (!(k in b.schemas)) ctx.emit('dropSchemas', { sql: `DROP SCHEMA ${quoteIdent(s.name)}`, destructive: true });
  },
};
