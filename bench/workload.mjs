import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A deterministic migration workload: CREATE TABLE with keys, foreign keys and
// indexes, ADD COLUMN, CREATE INDEX and small UPDATEs, N migrations long.

/** @returns {{ up: string, down: string }[]} */
export function workload(n) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    const t = `t_${String(i).padStart(5, '0')}`;
    const prev = out.findLast((m) => m.table)?.table;
    const kind = i % 4;
    if (i === 1 || kind === 1 || kind === 2) {
      const fk = prev ? `,\n  ${prev}_id bigint REFERENCES ${prev}(id) ON DELETE CASCADE` : '';
      out.push({
        up:
          `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT ` +
          `NULL,\n  created_at timestamptz NOT NULL DEFAULT now()${fk}\n);\nCREATE INDEX ${t}_name_idx ON ` +
          `${t} (name);\nINSERT INTO ${t} (name) VALUES ('a'), ('b'), ('c');`,
        down: `DROP TABLE ${t};`,
        table: t,
      });
    } else if (kind === 3) {
      const target = out.findLast((m) => m.table)?.table;
      out.push({
        up: `ALTER TABLE ${target} ADD COLUMN c_${i} integer;\nCREATE INDEX ${target}_c_${i}_idx ON ${target} (c_${i});`,
        down: `DROP INDEX ${target}_c_${i}_idx;\nALTER TABLE ${target} DROP COLUMN c_${i};`,
      });
    } else {
      const target = out.findLast((m) => m.table)?.table;
      out.push({
        up: `UPDATE ${target} SET name = upper(name) WHERE id <= 2;`,
        down: `UPDATE ${target} SET name = lower(name) WHERE id <= 2;`,
      });
    }
  }
  return out;
}

/** Write `migs` as a chain of Strata SQL migrations (NNNN_mN.sql, 12-hex revisions) into `dir`. */
export function writeStrataMigrations(dir, migs) {
  mkdirSync(dir, { recursive: true });
  let parent = 'none';
  migs.forEach((m, i) => {
    const rev = (i + 1).toString(16).padStart(12, '0');
    writeFileSync(
      join(dir, `${String(i + 1).padStart(4, '0')}_m${i + 1}.sql`),
      `-- revision: ${rev}\n-- parents: ${parent}\n${m.header ?? ''}\n-- migrate:up\n${m.up}\n\n-- migrate:down\n${m.down}\n`,
    );
    parent = rev;
  });
}
