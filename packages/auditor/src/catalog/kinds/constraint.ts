import { objectKey, type ConstraintType, type FkAction } from '../../snapshot.js';
import { attributeNames, stripNotValid, type CatalogKind } from '../context.js';

type Row = {
  rel: number;
  name: string;
  type: string;
  def: string;
  cols: number[] | null;
  frel: number;
  fnums: number[] | null;
  validated: boolean;
  deferrable: boolean;
  deferred: boolean;
  noinherit: boolean;
  fschema: string | null;
  ftable: string | null;
  fcols: string[] | null;
  upd: string;
  del: string;
  match: string;
  nnd: boolean | null;
  comment: string | null;
};

const ACTIONS: Record<string, FkAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const MATCH: Record<string, 'simple' | 'full' | 'partial'> = { s: 'simple', f: 'full', p: 'partial' };
const CONTYPES: Record<string, ConstraintType> = { p: 'primary key', f: 'foreign key', u: 'unique', c: 'check', x: 'exclude' };

/** A table's own constraints (not inherited, not a partition's copy of its parent's). */
export const constraintKind: CatalogKind<Row> = {
  name: 'constraint',
  params: 'namespaces',
  sql: ({ major }) =>
    `SELECT con.conrelid::int AS rel, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS def,
            con.conkey::int[] AS cols, con.confrelid::int AS frel, con.confkey::int[] AS fnums,
            con.convalidated AS validated, con.condeferrable AS deferrable, con.condeferred AS deferred, con.connoinherit AS noinherit,
            fn.nspname AS fschema, fc.relname AS ftable,
            -- Column names of a referenced table outside the schemas read (the others are mapped from the column query).
            CASE WHEN con.contype = 'f' AND NOT fc.relnamespace = ANY($1::oid[]) THEN
              ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN ` +
    `pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] END AS ` +
    `fcols,
            con.confupdtype AS upd, con.confdeltype AS del, con.confmatchtype AS match, ` +
    `${major >= 15 ? 'ix.indnullsnotdistinct' : 'false'} AS nnd, d.description AS comment
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
       LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
       LEFT JOIN pg_index ix ON ix.indexrelid = con.conindid AND con.contype IN ('p', 'u')
       LEFT JOIN pg_description d ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
      WHERE con.contype IN ('p', 'f', 'u', 'c', 'x') AND con.conislocal AND con.conparentid = 0
        AND c.relkind IN ('r', 'p', 'f') AND c.relnamespace = ANY($1::oid[])`,
  map(rows, ctx) {
    for (const r of rows) {
      const rel = ctx.relations.get(r.rel);
      const table = rel ? ctx.snap.tables[rel.key] : undefined;
      if (!table) continue;
      const type = CONTYPES[r.type] as ConstraintType;
      table.constraints[r.name] = {
        name: r.name,
        type,
        definition: stripNotValid(r.def),
        columns: attributeNames(ctx, r.rel, r.cols),
        validated: r.validated,
        deferrable: r.deferrable,
        initiallyDeferred: r.deferred,
        noInherit: type === 'check' && r.noinherit,
        references:
          type === 'foreign key' && r.fschema && r.ftable
            ? {
                table: objectKey(r.fschema, r.ftable),
                columns: r.fcols ?? attributeNames(ctx, r.frel, r.fnums),
                onUpdate: ACTIONS[r.upd] ?? 'no action',
                onDelete: ACTIONS[r.del] ?? 'no action',
                match: MATCH[r.match] ?? 'simple',
              }
            : null,
        nullsNotDistinct: Boolean(r.nnd),
        comment: r.comment,
      };
    }
  },
};
