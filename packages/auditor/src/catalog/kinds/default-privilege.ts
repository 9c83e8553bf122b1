import type { DefaultPrivilegeDef, DefaultPrivilegeObjectType } from '../../snapshot.js';
import type { CatalogKind } from '../context.js';

type Row = {
  role: string;
  schema: string | null;
  objtype: string;
  grantee: string;
  privilege: string;
  grantable: boolean;
  builtin: boolean;
};

const OBJTYPE: Record<string, DefaultPrivilegeObjectType> = { r: 'tables', S: 'sequences', f: 'functions', T: 'types', n: 'schemas' };

const grantee = "CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee)::text END";

/**
 * Default privileges (pg_default_acl): each grantee's privileges, and, for a
 * default of the whole database, which replaces the built-in one, what the
 * built-in one gives (`acldefault`); in a schema the built-in one is nothing.
 * Kept only where the two differ. Defaults in schemas not read are left out.
 */
export const defaultPrivilegeKind: CatalogKind<Row> = {
  name: 'default privilege',
  params: 'namespaces',
  sql: () =>
    `WITH d AS (
       SELECT d.defaclrole, d.defaclobjtype, d.defaclacl, n.nspname FROM pg_default_acl d
         LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY($1::oid[]))
     SELECT pg_get_userbyid(d.defaclrole)::text AS role, d.nspname AS schema, d.defaclobjtype AS objtype, ${grantee} AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable, false AS builtin
       FROM d, aclexplode(d.defaclacl) a
     UNION ALL
     SELECT pg_get_userbyid(d.defaclrole)::text, NULL, d.defaclobjtype, ${grantee}, a.privilege_type, false, true
       FROM d, aclexplode(acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END::"char", d.defaclrole)) a
      WHERE d.nspname IS NULL`,
  map(rows, ctx) {
    const all = new Map<string, DefaultPrivilegeDef>();
    for (const r of rows) {
      const objectType = OBJTYPE[r.objtype];
      if (!objectType) continue;
      const key = `${objectType}:${r.role}:${r.schema ?? ''}:${r.grantee}`;
      let e = all.get(key);
      if (!e) {
        e = { role: r.role, schema: r.schema, objectType, grantee: r.grantee, privileges: [], grantable: [], builtin: [] };
        all.set(key, e);
      }
      if (r.builtin) e.builtin.push(r.privilege);
      else {
        e.privileges.push(r.privilege);
        if (r.grantable) e.grantable.push(r.privilege);
      }
    }
    for (const [key, e] of all) {
      e.privileges.sort();
      e.grantable.sort();
      e.builtin.sort();
      if (e.grantable.length === 0 && e.privileges.join() === e.builtin.join()) continue;
      (ctx.snap.defaultPrivileges ??= {})[key] = e;
    }
  },
};
