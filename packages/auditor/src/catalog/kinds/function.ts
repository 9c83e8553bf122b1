import { objectKey, type FunctionDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  kind: string;
  args: string;
  result: string | null;
  lang: string;
  def: string | null;
  sqlbody: boolean;
  comment: string | null;
};

const PROKIND: Record<string, FunctionDef['kind']> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };

/** Functions, procedures and aggregates (not extension members, not those a type made for itself). */
export const functionKind: CatalogKind<Row> = {
  name: 'function',
  params: 'namespaces',
  sql: ({ major }) =>
    `SELECT n.nspname AS schema, p.proname AS name, p.prokind AS kind, pg_get_function_identity_arguments(p.oid) AS args,
            CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result, l.lanname AS lang,
            CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS def, ` +
    `${major >= 14 ? 'p.prosqlbody IS NOT NULL' : 'false'} AS sqlbody, d.description AS ` +
    `comment
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
       LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
      WHERE p.pronamespace = ANY($1::oid[]) AND ${notExt('pg_proc', 'p.oid')}
        AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'i')`,
  map(rows, ctx) {
    for (const r of rows) {
      ctx.snap.functions[`${objectKey(r.schema, r.name)}(${r.args})`] = {
        schema: r.schema,
        name: r.name,
        kind: PROKIND[r.kind] ?? 'function',
        identityArguments: r.args,
        result: r.result,
        language: r.lang,
        definition: r.def,
        sqlBody: r.sqlbody,
        comment: r.comment,
      };
    }
  },
};
