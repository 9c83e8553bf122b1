import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { createScratchDatabase, startLocalServer } from '@strata/pg-server';
import { introspect } from '../src/index.js';
import { runSql } from '../test/helpers.js';
import { largeSchemaSql } from './large-schema.js';

// Same schema on the system PostgreSQL 15, whose pg_dump is installed: introspect vs pg_dump --schema-only, same run.
const BIN = '/usr/lib/postgresql/15/bin';

it('introspect vs pg_dump --schema-only on PostgreSQL 15', async () => {
  if (!existsSync(`${BIN}/pg_dump`)) throw new Error(`no ${BIN}/pg_dump`);
  const server = await startLocalServer({ binDir: BIN });
  try {
    const db = await createScratchDatabase(server.url, { prefix: 'bench15' });
    await runSql(db.url, largeSchemaSql(2000));
    await introspect(db.url);
    const u = new URL(db.url);
    const dump = () => {
      const t0 = performance.now();
      execFileSync(`${BIN}/pg_dump`, ['--schema-only', '-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1)], { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, maxBuffer: 1 << 30 });
      return performance.now() - t0;
    };
    const rows: { introspectMs: number; pgDumpMs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await introspect(db.url);
      const introspectMs = performance.now() - t0;
      rows.push({ introspectMs: Math.round(introspectMs), pgDumpMs: Math.round(dump()) });
    }
    console.log(JSON.stringify({ runs: rows, ratio: (Math.min(...rows.map((r) => r.pgDumpMs)) / Math.min(...rows.map((r) => r.introspectMs))).toFixed(1) }));
  } finally {
    await server.stop();
  }
}, 600_000);
