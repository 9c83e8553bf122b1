import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { parseScriptSync } from './split.js';

beforeAll(async () => {
  await loadParser();
});

// Scale, not speed: speed is measured by the benchmarks (bench/lint.mjs,
// bench/convert.mjs), never by timed tests. These check that large inputs
// split completely and exactly.
// A realistic migration: DDL, a data fix, comments (which take the scanner
// path for trailing trivia), a DO block, non-ASCII text.
function migration(i: number): string {
  return [
    `-- migration ${i}: add columns to orders_${i} (café)`,
    `CREATE TABLE orders_${i} (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), note text DEFAULT 'é');`,
    `ALTER TABLE orders_${i} ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new', ADD COLUMN amount numeric(12,2);`,
    `CREATE INDEX CONCURRENTLY orders_${i}_user ON orders_${i} (user_id) WHERE status <> 'done';`,
    `UPDATE orders_${i} SET status = 'old' WHERE id < 100; -- backfill`,
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood_${i}') THEN CREATE TYPE ` +
      `mood_${i} AS ENUM ('a'); END IF; END $$;`,
    `COMMENT ON TABLE orders_${i} IS 'orders, shard ${i}';`,
    `ALTER TABLE orders_${i} ALTER COLUMN note TYPE varchar(200) USING left(note, 200);`,
    `DELETE FROM orders_${i} WHERE status = 'void';`,
    `INSERT INTO audit (what) VALUES ('migration ${i}') /* trailing */;`,
    `DROP INDEX IF EXISTS orders_${i}_old;`,
  ].join('\n');
}

describe('large inputs', () => {
  it('splits and classifies 1,000 migrations (10,000 statements)', () => {
    const scripts = Array.from({ length: 1000 }, (_, i) => migration(i));
    let count = 0;
    for (const s of scripts) count += parseScriptSync(s).statements.length;
    expect(count).toBe(10_000);
  });

  it('splits one 10,000-statement script', () => {
    const source = Array.from({ length: 1000 }, (_, i) => migration(i)).join('\n');
    const { statements } = parseScriptSync(source);
    expect(statements).toHaveLength(10_000);
    expect(statements[9_999]?.text).toBe('DROP INDEX IF EXISTS orders_999_old');
  });
});
