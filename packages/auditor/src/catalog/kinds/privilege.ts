import { objectKey, privilegeKey, type PrivilegeObjectType } from '../../snapshot.js';
import type { CatalogKind } from '../context.js';

type Row = {
  kind: PrivilegeObjectType;
  schema: string;
  name: string;
  args: string | null;
  grantee: string;
  privilege: string;
  grantable: boolean;
};

const grantee = "CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee)::text END";

/** Privileges: one query over every kind of object, the owner's own left out (sorted and matched to the Snapshot's objects at the end). */
export const privilegeKind: CatalogKind<Row> = {
  name: 'privilege',
  params: 'namespaces',
  sql: () =>
    `SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, NULL AS args, ${grantee} AS ` +
    `grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
      WHERE n.oid = ANY($1::oid[]) AND a.grantee <> n.nspowner
     UNION ALL
     SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, n.nspname, c.relname, ` +
    `NULL, ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
            aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relnamespace = ANY($1::oid[]) AND a.grantee <> c.relowner
     UNION ALL
     SELECT 'function', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      WHERE p.pronamespace = ANY($1::oid[]) AND a.grantee <> p.proowner
     UNION ALL
     SELECT 'foreign data wrapper', NULL, w.fdwname, NULL, ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_foreign_data_wrapper w, aclexplode(coalesce(w.fdwacl, acldefault('F', w.fdwowner))) a WHERE a.grantee <> w.fdwowner
     UNION ALL
     SELECT 'server', NULL, s.srvname, NULL, ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_foreign_server s, aclexplode(coalesce(s.srvacl, acldefault('S', s.srvowner))) a WHERE a.grantee <> s.srvowner
     UNION ALL
     -- Untrusted languages take no GRANT or REVOKE.
     SELECT 'language', NULL, l.lanname, NULL, ${grantee}, a.privilege_type, a.is_grantable
       FROM pg_language l, aclexplode(coalesce(l.lanacl, acldefault('l', l.lanowner))) a
      WHERE l.oid >= 16384 AND l.lanpltrusted AND a.grantee <> l.lanowner`,
  map(rows, ctx) {
    for (const r of rows) {
      const object =
        r.kind === 'schema' || r.kind === 'foreign data wrapper' || r.kind === 'server' || r.kind === 'language'
          ? r.name
          : r.kind === 'function'
            ? `${objectKey(r.schema, r.name)}(${r.args})`
            : objectKey(r.schema, r.name);
      const key = privilegeKey(r.kind, object, r.grantee);
      const e = (ctx.snap.privileges[key] ??= { objectType: r.kind, object, grantee: r.grantee, privileges: [], grantable: [] });
      e.privileges.push(r.privilege);
      if (r.grantable) e.grantable.push(r.privilege);
    }
  },
};
