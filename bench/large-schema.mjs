// The large schema of issue 3's speed targets, as SQL: `tables` tables of 20
// columns each (identity key, two foreign keys to the previous tables, enums,
// defaults, a CHECK, arrays, jsonb...), 3 indexes per table (one on an
// expression with a predicate, one unique), a view on every tenth table and 20
// enums. Used by bench/audit.mjs.

/** @returns {string[]} statements in creation order (one per array element). */
export function largeSchemaStatements(tables = 2000) {
  const out = [];
  for (let e = 0; e < 20; e++) out.push(`CREATE TYPE enum_${e} AS ENUM ('a', 'b', 'c', 'd');`);
  for (let t = 0; t < tables; t++) {
    const cols = [
      'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
      `ref_a bigint${t > 0 ? ` REFERENCES t_${t - 1} (id)` : ''}`,
      `ref_b bigint${t > 1 ? ` REFERENCES t_${t - 2} (id) ON DELETE CASCADE` : ''}`,
      'name varchar(255) NOT NULL',
      "email text NOT NULL DEFAULT ''",
      'created_at timestamptz NOT NULL DEFAULT now()',
      'updated_at timestamptz',
      `status enum_${t % 20} NOT NULL DEFAULT 'a'`,
      'amount numeric(12,2) CHECK (amount >= 0)',
      'qty integer DEFAULT 0',
      'flag boolean NOT NULL DEFAULT false',
      'meta jsonb',
      'tags text[]',
      'note text',
      'code char(8)',
      'score double precision',
      'ratio real',
      'day date',
      'uid uuid',
      'payload bytea',
    ];
    out.push(`CREATE TABLE t_${t} (${cols.join(', ')});`);
    out.push(`CREATE INDEX t_${t}_name_idx ON t_${t} (name);`);
    out.push(`CREATE INDEX t_${t}_email_lower_idx ON t_${t} (lower(email)) WHERE email <> '';`);
    out.push(`CREATE UNIQUE INDEX t_${t}_code_key ON t_${t} (code, day);`);
    if (t % 10 === 0) out.push(`CREATE VIEW v_${t} AS SELECT id, name, status FROM t_${t} WHERE flag;`);
  }
  return out;
}

/**
 * Drift to apply to a copy of the large schema: on `n` tables spread over the
 * schema, a column's type changes (qty integer -> bigint), a column is added
 * and an index is dropped; one enum gains a value. About 3n + 1 differences.
 * @returns {string[]}
 */
export function driftStatements(tables = 2000, n = 50) {
  const out = [];
  const step = Math.max(1, Math.floor(tables / n));
  for (let t = 0; t < tables && out.length < 3 * n; t += step) {
    out.push(`ALTER TABLE t_${t} ALTER COLUMN qty TYPE bigint;`);
    out.push(`ALTER TABLE t_${t} ADD COLUMN extra text;`);
    out.push(`DROP INDEX t_${t}_name_idx;`);
  }
  out.push("ALTER TYPE enum_0 ADD VALUE 'e';");
  return out;
}
