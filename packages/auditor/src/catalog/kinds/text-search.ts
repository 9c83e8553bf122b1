import { objectKey } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

const qualified = (ns: string, name: string) => `quote_ident(${ns}.nspname) || '.' || quote_ident(${name})`;
const comment = (cat: string, oid: string) =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oid} AND ds.classoid = '${cat}'::regclass AND ds.objsubid = 0)`;

type DictRow = { schema: string; name: string; template: string; options: string | null; comment: string | null };

/** Text search dictionaries (not extension members). */
export const textSearchDictionaryKind: CatalogKind<DictRow> = {
  name: 'text search dictionary',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, d.dictname AS name, ${qualified('tn', 't.tmplname')} AS template, ` +
    `d.dictinitoption AS options, ${comment('pg_ts_dict', 'd.oid')} AS comment
       FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
       JOIN pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
      WHERE d.dictnamespace = ANY($1::oid[]) AND ${notExt('pg_ts_dict', 'd.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.textSearchDictionaries ??= {})[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        template: r.template,
        options: r.options,
        comment: r.comment,
      };
    }
  },
};

type ConfigRow = { schema: string; name: string; parser: string; mappings: Record<string, string[]> | null; comment: string | null };

/** Text search configurations with their mappings (token type alias -> dictionaries in order); not extension members. */
export const textSearchConfigurationKind: CatalogKind<ConfigRow> = {
  name: 'text search configuration',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, c.cfgname AS name, ${qualified('pn', 'p.prsname')} AS parser,
            (SELECT json_object_agg(m.alias, m.dicts) FROM (
               SELECT tt.alias, array_agg(${qualified('dn', 'd.dictname')} ORDER BY cm.mapseqno) AS dicts
                 FROM pg_ts_config_map cm JOIN ts_token_type(c.cfgparser) tt ON tt.tokid = cm.maptokentype
                 JOIN pg_ts_dict d ON d.oid = cm.mapdict JOIN pg_namespace dn ON dn.oid = d.dictnamespace
                WHERE cm.mapcfg = c.oid GROUP BY tt.alias) m) AS mappings,
            ${comment('pg_ts_config', 'c.oid')} AS comment
       FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
       JOIN pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace
      WHERE c.cfgnamespace = ANY($1::oid[]) AND ${notExt('pg_ts_config', 'c.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.textSearchConfigurations ??= {})[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        parser: r.parser,
        mappings: r.mappings ?? {},
        comment: r.comment,
      };
    }
  },
};
