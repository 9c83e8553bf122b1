import { it } from 'vitest';
import { withConnection } from '@strata/core';
import { createTestDatabase } from '@strata/testkit';
import { introspect } from '../src/index.js';
import { runSql } from '../test/helpers.js';
import { largeSchemaSql } from './large-schema.js';

it('explain the catalogue queries', async () => {
  const db = await createTestDatabase('bench_explain');
  try {
    await runSql(db.url, largeSchemaSql(2000));
    await withConnection({ url: db.url }, async (c) => {
      const seen: { sql: string; params: unknown[] }[] = [];
      const rec = { query: (sql: string, params?: unknown[]) => { seen.push({ sql, params: params ?? [] }); return c.query(sql, params); } };
      await introspect(rec as never);
      for (const s of seen) {
        if (!/^\s*SELECT/.test(s.sql) || s.sql.includes('set_config')) continue;
        const t0 = performance.now();
        const r = await c.query(`EXPLAIN (ANALYZE, COSTS OFF) ${s.sql}`, s.params);
        const ms = performance.now() - t0;
        if (ms > 150) console.log(`---- ${Math.round(ms)} ms\n${s.sql.slice(0, 200)}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
      }
    });
  } finally {
    await db.drop();
  }
}, 600_000);
