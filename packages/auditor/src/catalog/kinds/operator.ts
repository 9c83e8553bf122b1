import type { OpclassFunctionDef, OpclassOperatorDef } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

const comment = (cat: string, oid: string) =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oid} AND ds.classoid = '${cat}'::regclass AND ds.objsubid = 0)`;

/** An operator by oid as SQL names it: `public.===(integer, text)`; null for 0. */
const operatorRef = (oid: string) =>
  `(SELECT quote_ident(rn.nspname) || '.' || r.oprname || '(' || coalesce(format_type(nullif(r.oprleft, 0), NULL), 'NONE') || ', ' ||
           coalesce(format_type(nullif(r.oprright, 0), NULL), 'NONE') || ')'
      FROM pg_operator r JOIN pg_namespace rn ON rn.oid = r.oprnamespace WHERE r.oid = ${oid})`;

const FUNCTION_ARGS = " || '(' || pg_get_function_identity_arguments(fp.oid) || ')'";

/** A function by oid, qualified, with its identity arguments (`withArgs`) or not; null for 0. */
export const functionRef = (oid: string, withArgs = true) =>
  `(SELECT quote_ident(pn.nspname) || '.' || quote_ident(fp.proname)${withArgs ? FUNCTION_ARGS : ''}
      FROM pg_proc fp JOIN pg_namespace pn ON pn.oid = fp.pronamespace WHERE fp.oid = ${oid})`;

/** The members of an operator class or family that depend on it (`cat` `pg_opclass` or `pg_opfamily`, oid `oid`). */
const members = (cat: string, oid: string) =>
  `(SELECT json_agg(json_build_object('strategy', m.amopstrategy, 'operator', m.op, 'orderBy', m.sortfamily)
           ORDER BY m.amopstrategy, m.op)
      FROM (SELECT ao.amopstrategy, ${operatorRef('ao.amopopr')} AS op,
                   (SELECT quote_ident(sn.nspname) || '.' || quote_ident(sf.opfname) FROM pg_opfamily sf
                      JOIN pg_namespace sn ON sn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily) AS sortfamily
              FROM pg_amop ao JOIN pg_depend dp ON dp.classid = 'pg_amop'::regclass AND dp.objid = ao.oid
             WHERE dp.refclassid = '${cat}'::regclass AND dp.refobjid = ${oid}) m) AS operators,
   (SELECT json_agg(json_build_object('number', m.amprocnum, 'left', m.l, 'right', m.r, 'function', m.fn)
           ORDER BY m.amprocnum, m.l, m.r, m.fn)
      FROM (SELECT ap.amprocnum, format_type(ap.amproclefttype, NULL) AS l, format_type(ap.amprocrighttype, NULL) AS r,
                   ${functionRef('ap.amproc')} AS fn
              FROM pg_amproc ap JOIN pg_depend dp ON dp.classid = 'pg_amproc'::regclass AND dp.objid = ap.oid
             WHERE dp.refclassid = '${cat}'::regclass AND dp.refobjid = ${oid}) m) AS functions`;

type OperatorRow = {
  schema: string;
  name: string;
  ref: string;
  left: string | null;
  right: string;
  function: string;
  commutator: string | null;
  negator: string | null;
  restrict: string | null;
  join: string | null;
  hashes: boolean;
  merges: boolean;
  comment: string | null;
};

/** Operators (not extension members; not shells, which `COMMUTATOR` / `NEGATOR` of an operator make and fill). */
export const operatorKind: CatalogKind<OperatorRow> = {
  name: 'operator',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, o.oprname AS name, ${operatorRef('o.oid')} AS ref,
            format_type(nullif(o.oprleft, 0), NULL) AS left, coalesce(format_type(nullif(o.oprright, 0), NULL), 'NONE') AS right,
            ${functionRef('o.oprcode')} AS function, ${operatorRef('o.oprcom')} AS commutator, ${operatorRef('o.oprnegate')} AS negator,
            ${functionRef('o.oprrest', false)} AS restrict, ${functionRef('o.oprjoin', false)} AS join,
            o.oprcanhash AS hashes, o.oprcanmerge AS merges, ${comment('pg_operator', 'o.oid')} AS comment
       FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
      WHERE o.oprnamespace = ANY($1::oid[]) AND o.oprcode <> 0 AND ${notExt('pg_operator', 'o.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.operators ??= {})[r.ref] = {
        schema: r.schema,
        name: r.name,
        left: r.left,
        right: r.right,
        function: r.function,
        commutator: r.commutator,
        negator: r.negator,
        restrict: r.restrict,
        join: r.join,
        hashes: r.hashes,
        merges: r.merges,
        comment: r.comment,
      };
    }
  },
};

type FamilyRow = {
  schema: string;
  name: string;
  method: string;
  operators: OpclassOperatorDef[] | null;
  functions: OpclassFunctionDef[] | null;
  comment: string | null;
};

/** Operator families (not extension members), with the members that belong to the family rather than to one of its classes. */
export const operatorFamilyKind: CatalogKind<FamilyRow> = {
  name: 'operator family',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, f.opfname AS name, am.amname AS method, ${members('pg_opfamily', 'f.oid')},
            ${comment('pg_opfamily', 'f.oid')} AS comment
       FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
      WHERE f.opfnamespace = ANY($1::oid[]) AND ${notExt('pg_opfamily', 'f.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.operatorFamilies ??= {})[`${r.schema}.${r.name} USING ${r.method}`] = {
        schema: r.schema,
        name: r.name,
        method: r.method,
        operators: r.operators ?? [],
        functions: r.functions ?? [],
        comment: r.comment,
      };
    }
  },
};

type ClassRow = FamilyRow & { type: string; default: boolean; family: string; storage: string | null };

/** Operator classes (not extension members), with their own members. */
export const operatorClassKind: CatalogKind<ClassRow> = {
  name: 'operator class',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, c.opcname AS name, am.amname AS method, format_type(c.opcintype, NULL) AS type,
            c.opcdefault AS default, fn.nspname || '.' || f.opfname || ' USING ' || am.amname AS family,
            format_type(nullif(c.opckeytype, 0), NULL) AS storage, ${members('pg_opclass', 'c.oid')},
            ${comment('pg_opclass', 'c.oid')} AS comment
       FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
       JOIN pg_opfamily f ON f.oid = c.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace
      WHERE c.opcnamespace = ANY($1::oid[]) AND ${notExt('pg_opclass', 'c.oid')}`,
  map(rows, ctx) {
    for (const r of rows) {
      (ctx.snap.operatorClasses ??= {})[`${r.schema}.${r.name} USING ${r.method}`] = {
        schema: r.schema,
        name: r.name,
        method: r.method,
        type: r.type,
        default: r.default,
        family: r.family,
        storage: r.storage,
        operators: r.operators ?? [],
        functions: r.functions ?? [],
        comment: r.comment,
      };
    }
  },
};

type ParserRow = {
  schema: string;
  name: string;
  start: string;
  gettoken: string;
  end: string;
  lextypes: string;
  headline: string | null;
  comment: string | null;
};

/** Text search parsers (not extension members). */
export const textSearchParserKind: CatalogKind<ParserRow> = {
  name: 'text search parser',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, p.prsname AS name, ${functionRef('p.prsstart', false)} AS start,
            ${functionRef('p.prstoken', false)} AS gettoken, ${functionRef('p.prsend', false)} AS end,
            ${functionRef('p.prslextype', false)} AS lextypes, ${functionRef('p.prsheadline', false)} AS headline,
            ${comment('pg_ts_parser', 'p.oid')} AS comment
       FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace
      WHERE p.prsnamespace = ANY($1::oid[]) AND ${notExt('pg_ts_parser', 'p.oid')}`,
  map(rows, ctx) {
    for (const r of rows) (ctx.snap.textSearchParsers ??= {})[`${r.schema}.${r.name}`] = { ...r };
  },
};

type TemplateRow = { schema: string; name: string; init: string | null; lexize: string; comment: string | null };

/** Text search templates (not extension members). */
export const textSearchTemplateKind: CatalogKind<TemplateRow> = {
  name: 'text search template',
  params: 'namespaces',
  sql: () =>
    `SELECT n.nspname AS schema, t.tmplname AS name, ${functionRef('t.tmplinit', false)} AS init,
            ${functionRef('t.tmpllexize', false)} AS lexize, ${comment('pg_ts_template', 't.oid')} AS comment
       FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace
      WHERE t.tmplnamespace = ANY($1::oid[]) AND ${notExt('pg_ts_template', 't.oid')}`,
  map(rows, ctx) {
    for (const r of rows) (ctx.snap.textSearchTemplates ??= {})[`${r.schema}.${r.name}`] = { ...r };
  },
};
