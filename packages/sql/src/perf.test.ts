import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from './parser.js';
import { parseScriptSync } from './split.js';

beforeAll(async () => {
  await loadParser();
});

// CPU time of this process, not wall time: test files run in parallel on a
// small machine, and the parser's cost is what these budgets are about.
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

// A realistic migration: DDL, a data fix, comments (which take the scanner
// path for trailing trivia), a DO block, non-ASCII text.
function migration(i: number): string {
  return [
    `-- migration ${i}: add columns to orders_${i} (café)`,
    `CREATE TABLE orders_${i} (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), note text DEFAULT 'é');`,
    `ALTER TABLE orders_${i} ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new', ADD COLUMN amount numeric(12,2);`,
    `CREATE INDEX CONCURRENTLY orders_${i}_user ON orders_${i} (user_id) WHERE status <> 'done';`,
    `UPDATE orders_${i} SET status = 'old' WHERE id < 100; -- backfill`,
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood_${i}') THEN CREATE TYPE mood_${i} AS ENUM ('a'); END IF; END $$;`,
    `COMMENT ON TABLE orders_${i} IS 'orders, shard ${i}';`,
    `ALTER TABLE orders_${i} ALTER COLUMN note TYPE varchar(200) USING left(note, 200);`,
    `DELETE FROM orders_${i} WHERE status = 'void';`,
    `INSERT INTO audit (what) VALUES ('migration ${i}') /* trailing */;`,
    `DROP INDEX IF EXISTS orders_${i}_old;`,
  ].join('\n');
}

describe('performance', () => {
  it('splits and classifies 1,000 migrations (10,000 statements) in well under the linter budget', () => {
    const scripts = Array.from({ length: 1000 }, (_, i) => migration(i));
    const started = process.cpuUsage();
    let count = 0;
    for (const s of scripts) count += parseScriptSync(s).statements.length;
    const elapsed = cpuMs(started);
    expect(count).toBe(10_000);
    // The linter benchmark needs 1,000 migrations in < 3 s end to end.
    expect(elapsed).toBeLessThan(3000);
  });

  it('splits one 10,000-statement script in under the converter budget', () => {
    const source = Array.from({ length: 1000 }, (_, i) => migration(i)).join('\n');
    const started = process.cpuUsage();
    const { statements } = parseScriptSync(source);
    const elapsed = cpuMs(started);
    expect(statements).toHaveLength(10_000);
    expect(statements[9_999]?.text).toBe('DROP INDEX IF EXISTS orders_999_old');
    expect(elapsed).toBeLessThan(5000);
  });
});
