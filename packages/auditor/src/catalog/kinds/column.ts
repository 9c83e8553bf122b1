import { tableParents, type ColumnDef, type FdwOptions, type TableDef } from '../../snapshot.js';
import { COLLATION, type CatalogKind } from '../context.js';
import { optionsJson, sortedOptions } from './foreign.js';

type Row = {
  rel: number;
  num: number;
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  identity: string;
  generated: string;
  coll: string | null;
  comment: string | null;
  local: boolean;
  inh: number;
  seq: (string | boolean)[] | null;
  fdwoptions: FdwOptions | null;
};

/**
 * Columns of the relations read: a view's name, type and comment; a table's
 * whole definition, except that an inherited column is listed only where it
 * differs from its parent's (see inheritedColumn). Also the attribute-number
 * map the constraint and index kinds name their columns from.
 */
export const columnKind: CatalogKind<Row> = {
  name: 'column',
  params: 'namespaces',
  // A default cannot name a column, so it is deparsed without its table (pg_get_expr with a table opens it: slow in a new
  // session); a generated column's expression names columns and needs it.
  sql: () =>
    `SELECT a.attrelid::int AS rel, a.attnum AS num, a.attname AS name, format_type(a.atttypid, ` +
    `a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END) AS def,
            a.attidentity AS identity, a.attgenerated AS generated,
            ${COLLATION('a.attcollation', 't.typcollation')} AS coll, d.description AS comment, a.attislocal AS local, a.attinhcount AS inh,
            CASE WHEN a.attidentity <> '' THEN (
              SELECT ARRAY[format_type(s.seqtypid, NULL), s.seqstart::text, ` +
    `s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, ` +
    `s.seqcycle::text]
                FROM pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid
               WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
                 AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i' LIMIT 1) END AS seq,
            CASE WHEN c.relkind = 'f' THEN ${optionsJson('a.attfdwoptions')} END AS fdwoptions
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
       LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relpersistence <> 't' AND c.relnamespace = ANY($1::oid[])
        AND a.attnum > 0 AND NOT a.attisdropped`,
  map(colRows, ctx) {
    const { snap } = ctx;
    // Sorted here rather than in SQL: an ORDER BY over every column of every table spills to disk on big schemas.
    colRows.sort((x, y) => x.rel - y.rel || x.num - y.num);
    for (const r of colRows) {
      let m = ctx.attributeNames.get(r.rel);
      if (!m) ctx.attributeNames.set(r.rel, (m = new Map()));
      m.set(r.num, r.name);
    }
    // A child's inherited column is listed only where it differs from its parent's (see inheritedColumn).
    const oidByKey = new Map([...ctx.relations].map(([oid, rel]) => [rel.key, oid]));
    const rowByName = new Map<string, Row>();
    for (const r of colRows) rowByName.set(`${r.rel}\0${r.name}`, r);
    const ownDefault = (r: Row) => (r.generated === '' ? r.def : null);
    const parentRow = (t: TableDef, name: string) => {
      for (const p of tableParents(t)) {
        const row = rowByName.get(`${oidByKey.get(p)}\0${name}`);
        if (row) return row;
      }
      return undefined;
    };
    for (const r of colRows) {
      const rel = ctx.relations.get(r.rel);
      if (!rel) continue;
      if (rel.kind !== 't') {
        rel.columns.push({ name: r.name, type: r.type, comment: r.comment });
        continue;
      }
      const table = snap.tables[rel.key];
      // Inherited columns are the parent's (PARTITION OF / INHERITS recreate them), unless NOT NULL, default or comment are the child's
      // own.
      const parent = table && r.inh > 0 ? parentRow(table, r.name) : undefined;
      // A foreign table column's OPTIONS, only where it has some.
      const fdw = r.fdwoptions ? { fdwOptions: sortedOptions(r.fdwoptions) } : {};
      if (parent) {
        if (r.notnull !== parent.notnull || ownDefault(r) !== ownDefault(parent) || r.comment !== null || r.fdwoptions) {
          (rel.columns as ColumnDef[]).push({
            name: r.name,
            type: r.type,
            notNull: r.notnull,
            default: ownDefault(r),
            identity: null,
            generated: null,
            collation: r.coll,
            comment: r.comment,
            ...fdw,
          });
        }
        continue;
      }
      const s = r.seq;
      (rel.columns as ColumnDef[]).push({
        name: r.name,
        type: r.type,
        notNull: r.notnull,
        default: r.generated === '' ? r.def : null,
        identity:
          r.identity !== '' && s
            ? {
                generation: r.identity === 'a' ? 'always' : 'by default',
                type: String(s[0]),
                start: String(s[1]),
                increment: String(s[2]),
                min: String(s[3]),
                max: String(s[4]),
                cache: String(s[5]),
                cycle: s[6] === 'true',
              }
            : null,
        generated: r.generated === 's' ? r.def : null,
        collation: r.coll,
        comment: r.comment,
        ...fdw,
      });
    }
  },
};
