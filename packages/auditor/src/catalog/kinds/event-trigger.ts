import { byCodePoint, objectKey } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = {
  name: string;
  event: string;
  tags: string[] | null;
  fschema: string;
  fname: string;
  fargs: string;
  enabled: 'O' | 'D' | 'R' | 'A';
  comment: string | null;
};

/** Event triggers belong to the database, not to a schema: read whatever the schema filters. */
export const eventTriggerKind: CatalogKind<Row> = {
  name: 'event trigger',
  params: 'none',
  sql: () =>
    `SELECT et.evtname AS name, et.evtevent AS event, et.evttags::text[] AS tags, n.nspname AS fschema, p.proname AS fname,
            pg_get_function_identity_arguments(p.oid) AS fargs, et.evtenabled AS enabled, d.description AS comment
       FROM pg_event_trigger et JOIN pg_proc p ON p.oid = et.evtfoid JOIN pg_namespace n ON n.oid = p.pronamespace
       LEFT JOIN pg_description d ON d.objoid = et.oid AND d.classoid = 'pg_event_trigger'::regclass AND d.objsubid = 0
      WHERE ${notExt('pg_event_trigger', 'et.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      ctx.snap.eventTriggers[r.name] = {
        name: r.name,
        event: r.event,
        tags: [...(r.tags ?? [])].sort(byCodePoint),
        function: `${objectKey(r.fschema, r.fname)}(${r.fargs})`,
        enabled: r.enabled,
        comment: r.comment,
      };
    }
  },
};
