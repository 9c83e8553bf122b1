import type { PolicyDef } from '../../snapshot.js';
import { splitKeyOf, type CatalogKind } from '../context.js';

type Row = {
  rel: number;
  name: string;
  permissive: boolean;
  cmd: string;
  roles: string[];
  using: string | null;
  check: string | null;
  comment: string | null;
};

const POLCMD: Record<string, PolicyDef['command']> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

export const policyKind: CatalogKind<Row> = {
  name: 'policy',
  params: 'namespaces',
  sql: () =>
    `SELECT p.polrelid::int AS rel, p.polname AS name, p.polpermissive AS permissive, p.polcmd AS cmd,
            ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM ` +
    `unnest(p.polroles) r ORDER BY 1)::text[] AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check, d.description AS comment
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0
      WHERE c.relnamespace = ANY($1::oid[])`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      const [schema, table] = splitKeyOf(rel.key, ctx.snap);
      ctx.snap.policies[`${rel.key}.${r.name}`] = {
        schema,
        table,
        name: r.name,
        permissive: r.permissive,
        command: POLCMD[r.cmd] ?? 'all',
        roles: [...r.roles].sort(),
        using: r.using,
        withCheck: r.check,
        comment: r.comment,
      };
    }
  },
};
