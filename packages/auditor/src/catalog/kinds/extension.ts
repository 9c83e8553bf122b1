import type { CatalogKind } from '../context.js';

type Row = {
  name: string;
  schema: string;
  version: string;
  requires: string[];
  comment: string | null;
  default_version: string | null;
  default_comment: string | null;
};

/** Extensions (not plpgsql), with those they require and the server's default version and comment. */
export const extensionKind: CatalogKind<Row> = {
  name: 'extension',
  params: 'none',
  sql: () =>
    `SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version,
            ARRAY(SELECT r.extname FROM pg_depend dep JOIN pg_extension r ON r.oid = dep.refobjid
                   WHERE dep.classid = 'pg_extension'::regclass AND dep.objid = x.oid AND dep.refclassid = 'pg_extension'::regclass
                   ORDER BY 1)::text[] AS requires,
            obj_description(x.oid, 'pg_extension') AS comment, av.default_version, av.comment AS default_comment
       FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
       LEFT JOIN pg_available_extensions av ON av.name = x.extname
      WHERE x.extname <> 'plpgsql'`,
  map(rows, ctx) {
    for (const x of rows) {
      ctx.snap.extensions[x.name] = {
        name: x.name,
        schema: x.schema,
        version: x.version,
        requires: x.requires.filter((r) => r !== 'plpgsql'),
        comment: x.comment,
        ...(x.default_version === null ? {} : { defaultVersion: x.default_version, defaultComment: x.default_comment }),
      };
    }
  },
};
