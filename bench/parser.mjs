// Parser cost: loading the WebAssembly parser, and parseScript over 1,000
// generated migrations (10,000 statements) and one 10 MB script. Run after
// `pnpm build`: node bench/parser.mjs
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const sql = await import('../packages/sql/dist/index.js');
const tImport = performance.now();
await sql.loadParser();
const tLoad = performance.now();

function migration(i) {
  return [
    `-- migration ${i}: add columns to orders_${i} (café)`,
    `CREATE TABLE orders_${i} (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), note text DEFAULT 'é');`,
    `ALTER TABLE orders_${i} ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new', ADD COLUMN amount numeric(12,2);`,
    `CREATE INDEX orders_${i}_user ON orders_${i} (user_id) WHERE status <> 'done';`,
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
const scripts = Array.from({ length: 1000 }, (_, i) => migration(i));
const runs = [];
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  let n = 0;
  for (const s of scripts) n += sql.parseScriptSync(s).statements.length;
  runs.push(performance.now() - t);
  if (n !== 10000) throw new Error(`expected 10000 statements, got ${n}`);
}
runs.sort((a, b) => a - b);
const row = "INSERT INTO events (id, kind, payload, created_at) VALUES (1, 'signup', '{\"a\": 1}', now());\n";
const big = row.repeat(Math.ceil(10e6 / row.length));
const tb = performance.now();
const nb = sql.parseScriptSync(big).statements.length;
const bigMs = performance.now() - tb;
console.log(`import ${(tImport - t0).toFixed(0)} ms, load WASM ${(tLoad - tImport).toFixed(0)} ms`);
console.log(`1,000 migrations (10,000 statements): median ${runs[2].toFixed(0)} ms (min ${runs[0].toFixed(0)}, max ${runs[4].toFixed(0)})`);
console.log(`one 10 MB script (${nb} statements): ${bigMs.toFixed(0)} ms, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
