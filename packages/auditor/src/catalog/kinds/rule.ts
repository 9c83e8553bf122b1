import { byCodePoint } from '../../snapshot.js';
import type { RuleDef } from '../../snapshot.js';
import { splitKeyOf, type CatalogKind } from '../context.js';

type Row = {
  rel: number;
  name: string;
  event: string;
  def: string;
  enabled: RuleDef['enabled'];
  deps: string[] | null;
  comment: string | null;
};

const EVENT: Record<string, RuleDef['event']> = { '1': 'SELECT', '2': 'UPDATE', '3': 'INSERT', '4': 'DELETE' };

/**
 * Rewrite rules of the relations read (not a view's `_RETURN` rule), with what
 * they depend on besides their own relation: the tables and views their
 * condition and actions name, and the functions they call (pg_depend).
 */
export const ruleKind: CatalogKind<Row> = {
  name: 'rule',
  params: 'namespaces',
  sql: () =>
    `SELECT r.ev_class::int AS rel, r.rulename AS name, r.ev_type::text AS event, pg_get_ruledef(r.oid, true) AS def,
            r.ev_enabled AS enabled, d.description AS comment,
            ARRAY(SELECT DISTINCT CASE WHEN dep.refclassid = 'pg_class'::regclass
                    THEN (SELECT rn.nspname || '.' || rc.relname FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                           WHERE rc.oid = dep.refobjid)
                    ELSE (SELECT pn.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
                            FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = dep.refobjid) END
                    FROM pg_depend dep
                   WHERE dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid AND dep.deptype = 'n'
                     AND (dep.refclassid = 'pg_proc'::regclass OR (dep.refclassid = 'pg_class'::regclass AND dep.refobjid <> r.ev_class))
                 )::text[] AS deps
       FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
       LEFT JOIN pg_description d ON d.objoid = r.oid AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0
      WHERE r.rulename <> '_RETURN' AND c.relnamespace = ANY($1::oid[])`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      const [schema, table] = splitKeyOf(rel.key, ctx.snap);
      (ctx.snap.rules ??= {})[`${rel.key}.${r.name}`] = {
        schema,
        table,
        name: r.name,
        event: EVENT[r.event] ?? 'SELECT',
        definition: r.def.trim().replace(/;$/, ''),
        enabled: r.enabled,
        dependsOn: [...(r.deps ?? [])].filter((x) => x !== null).sort(byCodePoint),
        comment: r.comment,
      };
    }
  },
};
