import type { OwnerObjectType } from '../../snapshot.js';
import { ownerKey } from '../../owner-objects.js';
import type { CatalogKind } from '../context.js';

type Row = { type: OwnerObjectType; schema: string; name: string; args: string | null; owner: string };

const owner = (col: string) => `pg_get_userbyid(${col})::text`;

/**
 * Owners of schemas, relations, functions, types, collations, text search
 * dictionaries and configurations, event triggers and publications: read only
 * with introspect's `owners` option (who owns what depends on the environment,
 * as grants do). Entries whose object the Snapshot does not hold are dropped
 * once every kind is read (read.ts).
 */
export const ownerKind: CatalogKind<Row> = {
  name: 'owner',
  params: 'namespaces',
  when: (ctx) => Boolean(ctx.options.owners),
  sql: () =>
    `SELECT 'schema' AS type, n.nspname AS schema, n.nspname AS name, NULL AS args, ${owner('n.nspowner')} AS owner
       FROM pg_namespace n WHERE n.oid = ANY($1::oid[])
     UNION ALL
     SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
            n.nspname, c.relname, NULL, ${owner('c.relowner')}
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relnamespace = ANY($1::oid[])
     UNION ALL
     SELECT 'function', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), ${owner('p.proowner')}
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.pronamespace = ANY($1::oid[])
     UNION ALL
     SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname, t.typname, NULL, ${owner('t.typowner')}
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('c', 'd', 'e', 'r') AND t.typnamespace = ANY($1::oid[])
        AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
     UNION ALL
     SELECT 'collation', n.nspname, c.collname, NULL, ${owner('c.collowner')}
       FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE c.collnamespace = ANY($1::oid[])
     UNION ALL
     SELECT 'text search dictionary', n.nspname, d.dictname, NULL, ${owner('d.dictowner')}
       FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE d.dictnamespace = ANY($1::oid[])
     UNION ALL
     SELECT 'text search configuration', n.nspname, c.cfgname, NULL, ${owner('c.cfgowner')}
       FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE c.cfgnamespace = ANY($1::oid[])
     UNION ALL
     SELECT 'event trigger', '', e.evtname, NULL, ${owner('e.evtowner')} FROM pg_event_trigger e
     UNION ALL
     SELECT 'publication', '', p.pubname, NULL, ${owner('p.pubowner')} FROM pg_publication p`,
  map(rows, ctx) {
    if (!ctx.options.owners) return;
    const owners = (ctx.snap.owners ??= {});
    for (const r of rows) {
      const object =
        r.type === 'schema' || r.type === 'event trigger' || r.type === 'publication'
          ? r.name
          : r.type === 'function'
            ? `${r.schema}.${r.name}(${r.args})`
            : `${r.schema}.${r.name}`;
      owners[ownerKey(r.type, object)] = { objectType: r.type, object, owner: r.owner };
    }
  },
};
