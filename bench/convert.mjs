#!/usr/bin/env node
// On-demand benchmark of `migrate convert`'s dry run: N generated legacy
// scripts (about 10 statements each, mixed Python / SQL / shell / JS / TS)
// discovered, extracted, parsed (DO blocks included), ordered and classified
// against a saved production Snapshot and a models Snapshot. Target: < 5 s for
// 1,000 scripts (~10,000 statements). Needs `pnpm build` first (it imports the
// built packages).
//   node bench/convert.mjs [--n 1000] [--repeat 3]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emptySnapshot, parseSnapshot, serializeSnapshot } from '../packages/auditor/dist/index.js';
import { convertEstate } from '../packages/converter/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', '1000'));
const repeat = Number(arg('repeat', '3'));

const column = (name, type) => ({
  name,
  type,
  notNull: false,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  comment: null,
});
const table = (name, cols) => ({
  schema: 'public',
  name,
  partitionBy: null,
  partitionOf: null,
  inherits: [],
  unlogged: false,
  columns: cols,
  constraints: {},
  rowSecurity: false,
  forceRowSecurity: false,
  comment: null,
});

// Production has the tables and the first half of the columns; the models have all of them.
function snapshots() {
  const production = emptySnapshot(17);
  const models = emptySnapshot(17);
  for (let i = 0; i < n; i++) {
    const cols = [column('id', 'integer'), ...Array.from({ length: 8 }, (_, k) => column(`c${k}`, 'text'))];
    production.tables[`public.t${i}`] = table(`t${i}`, i % 2 === 0 ? cols : cols.slice(0, 5));
    models.tables[`public.t${i}`] = table(`t${i}`, cols);
    for (const s of [production, models])
      s.indexes[`public.t${i}_c0_idx`] = {
        schema: 'public',
        name: `t${i}_c0_idx`,
        table: `public.t${i}`,
        definition: '',
        method: 'btree',
        unique: false,
        keys: ['c0'],
        include: [],
        predicate: null,
        valid: true,
        comment: null,
      };
  }
  return { production, models };
}

// Ten statements per script, in the script's language.
function statements(i) {
  const t = `t${i}`;
  const out = [`CREATE TABLE IF NOT EXISTS ${t} (id integer)`];
  for (let k = 0; k < 8; k++) out.push(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS c${k} text`);
  out.push(i % 7 === 0 ? `UPDATE ${t} SET c1 = lower(c1) WHERE c1 <> lower(c1)` : `CREATE INDEX IF NOT EXISTS ${t}_c0_idx ON ${t} (c0)`);
  return out;
}

function script(i) {
  const sql = statements(i);
  // Some data fixes and some SQL built at run time, as real estates have.
  if (i % 50 === 49)
    return [
      `fix_data_${i}.py`,
      `cur = conn.cursor()\n` +
        `${Array.from(
          { length: 10 },
          (_, k) => `cur.execute("UPDATE t${i} SET c${k % 8} = trim(c${k % 8}) WHERE c${k % 8} <> trim(c${k % 8}` + `)")\n`,
        ).join('')}`,
    ];
  if (i % 100 === 98)
    return [
      `fix_dynamic_${i}.py`,
      `cur = conn.cursor()\nfor (name,) in cur.fetchall():\n    cur.execute(f"ALTER TABLE {name} ADD COLUMN x int")\n${sql
        .slice(1)
        .map((s) => `cur.execute("${s}")\n`)
        .join('')}`,
    ];
  switch (i % 5) {
    case 0:
      return [`${String(i).padStart(4, '0')}_migration.sql`, `-- generated ${i}\n${sql.map((s) => `${s};`).join('\n')}\n`];
    case 1:
      return [
        `fix_${i}.py`,
        `import psycopg2\nconn = psycopg2.connect(DSN)\ncur = conn.cursor()\nTABLE = "t${i}"\n` +
          sql
            .map((s, k) => (k === 1 ? `if not column_exists(cur, TABLE, "c0"):\n    cur.execute("""${s}""")\n` : `cur.execute("${s}")\n`))
            .join('') +
          'conn.commit()\n',
      ];
    case 2:
      return [
        `fix_${i}.sh`,
        `#!/bin/sh\nset -e\nTABLE=t${i}\n` +
          sql
            .slice(0, 5)
            .map((s) => `psql "$DATABASE_URL" -c "${s}"\n`)
            .join('') +
          `psql "$DATABASE_URL" <<'SQL'\n${sql
            .slice(5)
            .map((s) => `${s};`)
            .join('\n')}\nSQL\n`,
      ];
    case 3:
      return [
        `migrate_${i}.js`,
        `const { Client } = require('pg');\nasync function main(client) {\n` +
          `${sql.map((s) => `  await client.query(\`${s}\`);\n`).join('')}}\nmodule.exports = main;\n`,
      ];
    default:
      return [
        `migrate_${i}.ts`,
        `import { sql, type Kysely } from 'kysely';\nexport async function run(db: Kysely<any>): Promise<void> {\n${sql
          .slice(0, 9)
          .map((s) => `  await sql\`${s}\`.execute(db);\n`)
          .join('')}}\n` +
          `export const guard = \`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 't` +
          `${i}_c0_idx') THEN ${sql[9]}; END IF; END $$\`;\nawait client.query(guard);\n`,
      ];
  }
}

const dir = mkdtempSync(join(tmpdir(), 'strata-bench-convert-'));
try {
  const root = join(dir, 'legacy');
  mkdirSync(join(root, 'backend/migrations'), { recursive: true });
  for (let i = 0; i < n; i++) {
    const [name, text] = script(i);
    writeFileSync(join(root, name.endsWith('.sql') ? 'backend/migrations' : 'backend', name), text);
  }
  const { production, models } = snapshots();
  writeFileSync(join(dir, 'production.json'), serializeSnapshot(production));
  writeFileSync(join(dir, 'models.json'), serializeSnapshot(models));
  const times = [];
  let last;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const { readFileSync } = await import('node:fs');
    const prod = parseSnapshot(readFileSync(join(dir, 'production.json'), 'utf8'), 'production.json');
    const mod = parseSnapshot(readFileSync(join(dir, 'models.json'), 'utf8'), 'models.json');
    last = await convertEstate({ root, production: prod, models: mod, outDir: join(dir, 'migrations') });
    times.push(performance.now() - t0);
  }
  const statementsSeen = last.scripts.reduce((s, x) => s + x.statements.length, 0);
  const best = Math.min(...times);
  process.stdout.write(
    `convert (dry run): ${last.scripts.length} scripts, ${statementsSeen} statements: ` +
      `${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (first run includes the WASM ` +
      `parser load); best ${(best / 1000).toFixed(2)} s, target < 5 s: ` +
      `${times[0] < 5000 ? 'met' : 'MISSED'}\n` +
      `classes: ${Object.entries(last.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
