import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import type { ExtensionDef, Snapshot } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { topo } from '../sql.js';
import type { PlanKind } from './kind.js';

/** A Snapshot's extensions, each after those it requires. */
function extOrder(snap: Snapshot): [string, ExtensionDef][] {
  return topo(
    Object.values(snap.extensions).map((x) => ({ key: x.name, x })),
    (e) => e.x.requires ?? [],
  ).map((e): [string, ExtensionDef] => [e.key, e.x]);
}

/** Whether another extension of `snap` lives in `schema`, which then exists already or stays. */
function extensionSchemaIn(snap: Snapshot, schema: string): boolean {
  return Object.values(snap.extensions).some((e) => e.schema === schema);
}

/** Extensions, in `requires` order (dropped in the reverse), with the schema they live in when no other object has it. */
export const extensionKind: PlanKind = {
  name: 'extension',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    for (const [k, x] of extOrder(b)) {
      const old = a.extensions[k];
      if (!old) {
        // The extension's own schema (topology) is not part of a Snapshot: create it with the extension.
        if (!(x.schema in b.schemas) && !extensionSchemaIn(a, x.schema))
          ctx.emit('extensions', { sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(x.schema)}`, destructive: false });
        // The server's default version unless the target has another (then named, as pg_dump does not but migra's extversions case needs).
        const version = x.defaultVersion !== undefined && x.defaultVersion !== x.version ? ` VERSION ${quoteLiteral(x.version)}` : '';
        ctx.emit('extensions', {
          sql: `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(x.name)} WITH SCHEMA ${quoteIdent(x.schema)}${version}`,
          destructive: false,
        });
      } else {
        if (old.schema !== x.schema)
          ctx.emit('extensions', { sql: `ALTER EXTENSION ${quoteIdent(x.name)} SET SCHEMA ${quoteIdent(x.schema)}`, destructive: false });
        if (old.version !== x.version)
          ctx.emit('extensions', { sql: `ALTER EXTENSION ${quoteIdent(x.name)} UPDATE TO ${quoteLiteral(x.version)}`, destructive: false });
      }
    }
    for (const [k, x] of extOrder(a).reverse()) {
      if (k in b.extensions) continue;
      ctx.emit('dropExtensions', {
        sql: `DROP EXTENSION ${quoteIdent(x.name)}`,
        destructive: true,
        comment: `drops every object of the extension ${x.name}`,
      });
      if (!(x.schema in a.schemas) && !(x.schema in b.schemas) && !extensionSchemaIn(b, x.schema))
        ctx.emit('dropSchemas', { sql: `DROP SCHEMA IF EXISTS ${quoteIdent(x.schema)}`, destructive: false });
    }
  },
};
