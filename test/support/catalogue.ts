import pg from 'pg';

/**
 * A plain-text description of a database's user schema, read from the
 * catalogue: tables, columns (type, nullability, default), constraints and
 * indexes, in a stable order. Two databases with equal descriptions have
 * the same schema for the purposes of these tests.
 */
export async function describeSchema(url: string, options: { excludeSchemas?: string[] } = {}): Promise<string> {
  const exclude = ['pg_catalog', 'information_schema', 'pg_toast', ...(options.excludeSchemas ?? ['strata'])];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cols = await client.query<{ line: string }>(
      `SELECT format('%s.%s.%s %s %s %s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                     CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END, coalesce(pg_get_expr(d.adbin, d.adrelid), '')) AS line
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m') AND n.nspname <> ALL($1)
        ORDER BY 1`,
      [exclude],
    );
    const cons = await client.query<{ line: string }>(
      `SELECT format('%s.%s constraint %s %s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)) AS line
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname <> ALL($1) ORDER BY 1`,
      [exclude],
    );
    const idx = await client.query<{ line: string }>(
      `SELECT format('%s index %s', schemaname, indexdef) AS line FROM pg_indexes WHERE schemaname <> ALL($1) ORDER BY 1`,
      [exclude],
    );
    const other = await client.query<{ line: string }>(
      `SELECT format('%s %s %s', n.nspname, c.relkind, c.relname) AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname <> ALL($1) AND c.relkind IN ('S','v','m') ORDER BY 1`,
      [exclude],
    );
    return [...cols.rows, ...cons.rows, ...idx.rows, ...other.rows].map((r) => r.line).join('\n');
  } finally {
    await client.end();
  }
}

/** Run one query and return its rows. */
export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
