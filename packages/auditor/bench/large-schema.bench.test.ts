import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { memoryLogger } from '@strata/core';
import { createTestDatabase } from '@strata/testkit';
import { compare, introspect, plan } from '../src/index.js';
import { runSql } from '../test/helpers.js';
import { largeSchemaSql } from './large-schema.js';

it('large schema timings', async () => {
  const db = await createTestDatabase('bench');
  try {
    await runSql(db.url, largeSchemaSql(2000));
    await introspect(db.url); // warm the catalogue caches, as pg_dump's run below benefits from them too
    const runs: number[] = [];
    let snap;
    const logger = memoryLogger();
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      snap = await introspect(db.url, i === 2 ? { logger } : {});
      runs.push(performance.now() - t0);
    }
    const other = structuredClone(snap!);
    for (const t of Object.values(other.tables).slice(0, 50)) t.columns[3]!.type = 'text';
    let drift = compare(snap!, other);
    const compareRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c0 = performance.now();
      drift = compare(snap!, other);
      compareRuns.push(performance.now() - c0);
    }
    const compareMs = Math.min(...compareRuns);
    const p0 = performance.now();
    plan(snap!, other);
    const planMs = performance.now() - p0;
    const u = new URL(db.url);
    let dumpMs = NaN;
    try {
      const d0 = performance.now();
      execFileSync(existsSync(`/usr/lib/postgresql/${snap!.server.major}/bin/pg_dump`) ? `/usr/lib/postgresql/${snap!.server.major}/bin/pg_dump` : 'pg_dump', ['--schema-only', '-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1)], { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, maxBuffer: 1 << 30 });
      dumpMs = performance.now() - d0;
    } catch (err) {
      console.log(`pg_dump failed: ${(err as Error).message.split('\n')[0]}`);
    }
    for (const r of logger.records) console.log(r.message, JSON.stringify(r.fields));
    console.log(JSON.stringify({ tables: Object.keys(snap!.tables).length, introspectMs: runs.map(Math.round), compareMs: Math.round(compareMs), compareRunsMs: compareRuns.map(Math.round), planMs: Math.round(planMs), drift: drift.length, pgDumpMs: Math.round(dumpMs), rssMb: Math.round(process.memoryUsage().rss / 1e6) }));
  } finally {
    await db.drop();
  }
}, 600_000);
