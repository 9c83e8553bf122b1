import { objectKey } from '../../snapshot.js';
import type { CastDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type CastRow = {
  source: string;
  target: string;
  method: string;
  fn: string | null;
  context: string;
  comment: string | null;
};

const METHOD: Record<string, CastDef['method']> = { f: 'function', b: 'binary', i: 'inout' };
const CONTEXT: Record<string, CastDef['context']> = { e: 'explicit', a: 'assignment', i: 'implicit' };

/** `(source AS target)`: the key of a cast. */
export function castKey(source: string, target: string): string {
  return `(${source} AS ${target})`;
}

/**
 * User-defined casts: those created after initdb, not extension members, and
 * not made by a type for itself (a range type's multirange casts depend on it
 * internally). Casts belong to the database, not to a schema.
 */
export const castKind: CatalogKind<CastRow> = {
  name: 'cast',
  params: 'none',
  sql: () =>
    `SELECT format_type(c.castsource, NULL) AS source, format_type(c.casttarget, NULL) AS target, c.castmethod AS method,
            c.castcontext AS context, d.description AS comment,
            (SELECT pn.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
               FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = c.castfunc) AS fn
       FROM pg_cast c
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_cast'::regclass AND d.objsubid = 0
      WHERE c.oid >= 16384 AND ${notExt('pg_cast', 'c.oid')}
        AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.casts ??= {})[castKey(r.source, r.target)] = {
        source: r.source,
        target: r.target,
        method: METHOD[r.method] ?? 'function',
        function: r.fn,
        context: CONTEXT[r.context] ?? 'explicit',
        comment: r.comment,
      };
    }
  },
};

type ConversionRow = {
  schema: string;
  name: string;
  from: string;
  to: string;
  fn: string;
  fnkey: string;
  isdefault: boolean;
  comment: string | null;
};

/** Encoding conversions of the schemas read (not extension members). */
export const conversionKind: CatalogKind<ConversionRow> = {
  name: 'conversion',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, c.conname AS name, pg_encoding_to_char(c.conforencoding) AS "from",
            pg_encoding_to_char(c.contoencoding) AS "to", c.condefault AS isdefault, d.description AS comment,
            quote_ident(pn.nspname) || '.' || quote_ident(p.proname) AS fn,
            pn.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS fnkey
       FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace
       JOIN pg_proc p ON p.oid = c.conproc JOIN pg_namespace pn ON pn.oid = p.pronamespace
       LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_conversion'::regclass AND d.objsubid = 0
      WHERE c.connamespace = ANY($1::oid[]) AND ${notExt('pg_conversion', 'c.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.conversions ??= {})[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        from: r.from,
        to: r.to,
        function: r.fn,
        functionKey: r.fnkey,
        default: r.isdefault,
        comment: r.comment,
      };
    }
  },
};
