// Foreign-data wrappers, servers, user mappings, procedural languages and access methods: database-wide
// objects (not in a schema), each read with its comment; extension members left out. Foreign tables are
// tables (relation.ts, with `foreign`).
import type { AccessMethodDef, FdwOptions, LanguageDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

/**
 * Option names whose value is a secret: never read. `password`, `sslpassword`,
 * `passwd`, `pwd`, `..._secret`, `..._token`, `credentials`, `api_key`; not
 * `password_required` (a yes/no).
 */
export const SECRET_OPTION = '(password|passwd|passphrase|(^|_)pwd|secret|token|credentials?|api_?key)$';

/**
 * `{name=value}` options of `expr` as a JSON object sorted by name; secret values as null, replaced in the server
 * (wrappers, servers and foreign tables too: some wrappers take a password there).
 */
export function optionsJson(expr: string): string {
  const value = `CASE WHEN o.option_name ~* '${SECRET_OPTION}' THEN NULL ELSE o.option_value END`;
  return `(SELECT json_object_agg(o.option_name, ${value} ORDER BY o.option_name) FROM pg_options_to_table(${expr}) o)`;
}

/** The key of a function by oid (`schema.name(identity args)`), as Snapshots key functions; null for 0. */
export const functionKeyOf = (oid: string) =>
  `(SELECT fn.nspname || '.' || fp.proname || '(' || pg_get_function_identity_arguments(fp.oid) || ')' ` +
  `FROM pg_proc fp JOIN pg_namespace fn ON fn.oid = fp.pronamespace WHERE fp.oid = ${oid})`;

const comment = (cat: string, oid: string) =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oid} AND ds.classoid = '${cat}'::regclass AND ds.objsubid = 0)`;

/** Options sorted by name (JSON objects keep the order json_object_agg gave; sorted again, by code point). */
export function sortedOptions(o: FdwOptions | null | undefined): FdwOptions {
  const out: FdwOptions = {};
  for (const k of Object.keys(o ?? {}).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) out[k] = o![k]!;
  return out;
}

type WrapperRow = { name: string; handler: string | null; validator: string | null; options: FdwOptions | null; comment: string | null };

export const foreignDataWrapperKind: CatalogKind<WrapperRow> = {
  name: 'foreign-data wrapper',
  params: 'none',
  sql: () =>
    `SELECT w.fdwname AS name, ${functionKeyOf('NULLIF(w.fdwhandler, 0)')} AS handler, ` +
    `${functionKeyOf('NULLIF(w.fdwvalidator, 0)')} AS validator, ${optionsJson('w.fdwoptions')} AS options,
            ${comment('pg_foreign_data_wrapper', 'w.oid')} AS comment
       FROM pg_foreign_data_wrapper w WHERE ${notExt('pg_foreign_data_wrapper', 'w.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.foreignDataWrappers ??= {})[r.name] = {
        name: r.name,
        handler: r.handler,
        validator: r.validator,
        options: sortedOptions(r.options),
        comment: r.comment,
      };
    }
  },
};

type ServerRow = {
  name: string;
  wrapper: string;
  type: string | null;
  version: string | null;
  options: FdwOptions | null;
  comment: string | null;
};

export const foreignServerKind: CatalogKind<ServerRow> = {
  name: 'server',
  params: 'none',
  sql: () =>
    `SELECT s.srvname AS name, w.fdwname AS wrapper, s.srvtype AS type, s.srvversion AS version, ` +
    `${optionsJson('s.srvoptions')} AS options, ${comment('pg_foreign_server', 's.oid')} AS comment
       FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw WHERE ${notExt('pg_foreign_server', 's.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.foreignServers ??= {})[r.name] = {
        name: r.name,
        wrapper: r.wrapper,
        type: r.type,
        version: r.version,
        options: sortedOptions(r.options),
        comment: r.comment,
      };
    }
  },
};

type MappingRow = { user: string; server: string; options: FdwOptions | null; visible: boolean };

/**
 * User mappings, through pg_user_mappings, which shows the options only to
 * whom may see them (the same test, repeated here, tells hidden options from
 * none). Secret values are replaced by NULL in the query itself: they never
 * reach this process.
 */
export const userMappingKind: CatalogKind<MappingRow> = {
  name: 'user mapping',
  params: 'none',
  sql: () =>
    `SELECT CASE WHEN m.umuser = 0 THEN 'public' ELSE m.usename::text END AS user, m.srvname AS server,
            ${optionsJson('m.umoptions')} AS options,
            (m.umuser <> 0 AND m.usename = current_user AND (pg_has_role(s.srvowner, 'USAGE') OR has_server_privilege(s.oid, 'USAGE')))
              OR (m.umuser = 0 AND pg_has_role(s.srvowner, 'USAGE'))
              OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false) AS visible
       FROM pg_user_mappings m JOIN pg_foreign_server s ON s.oid = m.srvid WHERE ${notExt('pg_foreign_server', 's.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.userMappings ??= {})[`${r.user}@${r.server}`] = {
        user: r.user,
        server: r.server,
        options: r.visible ? sortedOptions(r.options) : null,
      };
    }
  },
};

type LanguageRow = Omit<LanguageDef, 'trusted'> & { trusted: boolean };

export const languageKind: CatalogKind<LanguageRow> = {
  name: 'language',
  params: 'none',
  sql: () =>
    `SELECT l.lanname AS name, l.lanpltrusted AS trusted, ${functionKeyOf('NULLIF(l.lanplcallfoid, 0)')} AS handler,
            ${functionKeyOf('NULLIF(l.laninline, 0)')} AS inline, ${functionKeyOf('NULLIF(l.lanvalidator, 0)')} AS validator,
            ${comment('pg_language', 'l.oid')} AS comment
       FROM pg_language l WHERE l.oid >= 16384 AND l.lanispl AND ${notExt('pg_language', 'l.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.languages ??= {})[r.name] = {
        name: r.name,
        trusted: r.trusted,
        handler: r.handler,
        inline: r.inline,
        validator: r.validator,
        comment: r.comment,
      };
    }
  },
};

type AmRow = Omit<AccessMethodDef, 'type'> & { type: string };

export const accessMethodKind: CatalogKind<AmRow> = {
  name: 'access method',
  params: 'none',
  sql: () =>
    `SELECT a.amname AS name, a.amtype AS type, ${functionKeyOf('a.amhandler')} AS handler, ${comment('pg_am', 'a.oid')} AS comment
       FROM pg_am a WHERE a.oid >= 16384 AND ${notExt('pg_am', 'a.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.accessMethods ??= {})[r.name] = {
        name: r.name,
        type: r.type === 't' ? 'table' : 'index',
        handler: r.handler,
        comment: r.comment,
      };
    }
  },
};
