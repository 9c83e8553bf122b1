import { objectKey } from '../../snapshot.js';
import { notExt, type CatalogKind } from '../context.js';

type Row = {
  schema: string;
  name: string;
  provider: string;
  locale: string | null;
  lc_collate: string | null;
  lc_ctype: string | null;
  deterministic: boolean;
  rules: string | null;
  comment: string | null;
};

export const collationKind: CatalogKind<Row> = {
  name: 'collation',
  params: 'namespaces',
  sql: ({ major }) => {
    const locale = major >= 17 ? 'co.colllocale' : major >= 15 ? 'co.colliculocale' : 'NULL';
    return `SELECT n.nspname AS schema, co.collname AS name, co.collprovider AS provider, ${locale} AS locale,
            co.collcollate AS lc_collate, co.collctype AS lc_ctype, co.collisdeterministic AS deterministic,
            ${major >= 16 ? 'co.collicurules' : 'NULL'} AS rules, d.description AS comment
       FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
       LEFT JOIN pg_description d ON d.objoid = co.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0
      WHERE co.collnamespace = ANY($1::oid[]) AND ${notExt('pg_collation', 'co.oid')}`;
  },
  map(rows, ctx) {
    for (const r of rows) {
      const provider = r.provider === 'i' ? 'icu' : r.provider === 'b' ? 'builtin' : 'libc';
      ctx.snap.collations[objectKey(r.schema, r.name)] = {
        schema: r.schema,
        name: r.name,
        provider,
        // Before 15 an ICU collation kept its locale in collcollate.
        locale: provider === 'libc' ? null : (r.locale ?? r.lc_collate),
        lcCollate: provider === 'libc' ? r.lc_collate : null,
        lcCtype: provider === 'libc' ? r.lc_ctype : null,
        deterministic: r.deterministic,
        rules: r.rules,
        comment: r.comment,
      };
    }
  },
};
