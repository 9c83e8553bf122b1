/**
 * Generate a large schema (2,000 tables x 20 columns, 3 indexes and 2 foreign
 * keys each, plus views and enums) and time introspect, compare and plan, and
 * `pg_dump --schema-only` for comparison. Run with:
 *   npx vitest run --config packages/auditor/bench/vitest.bench.config.ts
 */
export function largeSchemaSql(tables = 2000): string {
  const out: string[] = [];
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
  return out.join('\n');
}
