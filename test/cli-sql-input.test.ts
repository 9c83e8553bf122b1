import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

// SQL that nobody on this project wrote reaches the server as psql would send
// it: each defect here was reproduced on the built CLI before it was fixed.

const rev = (i: number) => `s${String(i).padStart(11, '0')}`;

/** A valid DO block of `steps` commented steps (the shape that broke the old scanner past ~1.4 kB). */
function longDoBlock(steps: number): string {
  const lines = ['DO $$', 'BEGIN'];
  for (let i = 0; i < steps; i++) lines.push(`  -- step ${i}: say where we are`, `  RAISE NOTICE 'step %', ${i};`);
  lines.push('  CREATE TABLE did_it (id int);', 'END', '$$;');
  return lines.join('\n');
}

describe('SQL written by others through the built CLI', () => {
  it('a long commented DO block applies, lints and prints with --sql', async () => {
    const db = await createTestDatabase('e2e_do_block');
    const block = longDoBlock(120);
    expect(block.length).toBeGreaterThan(5000);
    const cwd = tempProject({ 'migrations/0001_do.sql': sqlMigration(rev(1), [], block, 'DROP TABLE did_it;') });
    const env = { DATABASE_URL: db.url };
    const lint = await runMigrate(['lint'], { cwd, env });
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    const script = await runMigrate(['up', '--sql', '--from', 'base'], { cwd, env });
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("  -- step 119: say where we are\n  RAISE NOTICE 'step %', 119;");
    const up = await runMigrate(['up'], { cwd, env });
    expect(up.stderr).not.toContain('INTERNAL');
    expect(up.code).toBe(0);
    expect(await query(db.url, `SELECT to_regclass('did_it') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
    await db.drop();
  });

  it('keeps CRLF line endings: a function body is stored as the file has it, and the checksum covers the bytes', async () => {
    const db = await createTestDatabase('e2e_crlf');
    const up = 'CREATE FUNCTION two() RETURNS int LANGUAGE plpgsql AS $$\r\nBEGIN\r\n  RETURN 2;\r\nEND\r\n$$;';
    const text = sqlMigration(rev(1), [], up, 'DROP FUNCTION two();').replaceAll('\n', '\r\n').replaceAll('\r\r\n', '\r\n');
    const cwd = tempProject({ 'migrations/0001_crlf.sql': text });
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(0);
    const [fn] = await query<{ src: string }>(db.url, `SELECT prosrc AS src FROM pg_proc WHERE proname = 'two'`);
    expect(fn!.src).toBe('\r\nBEGIN\r\n  RETURN 2;\r\nEND\r\n');
    const bytes = readFileSync(join(cwd, 'migrations/0001_crlf.sql'));
    const [h] = await query<{ checksum: string }>(db.url, `SELECT checksum FROM strata.strata_history WHERE revision = $1`, [rev(1)]);
    expect(h!.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
    const status = await runMigrate(['status', '--check'], { cwd, env: { DATABASE_URL: db.url } });
    expect(status.code).toBe(0);
    await db.drop();
  });

  it('refuses a Latin-1 file with its line and byte offset, changing nothing; runs it when the header declares the encoding', async () => {
    const db = await createTestDatabase('e2e_latin1');
    const body = "CREATE TABLE cafes (name text);\nINSERT INTO cafes VALUES ('caf\u00e9');";
    const cwd = tempProject();
    const file = join(cwd, 'migrations/0001_latin1.sql');
    writeFileSync(file, Buffer.from(sqlMigration(rev(1), [], body, 'DROP TABLE cafes;'), 'latin1'));
    const env = { DATABASE_URL: db.url };
    const r = await runMigrate(['up'], { cwd, env });
    expect(r.code).toBe(2);
    const offset = readFileSync(file).indexOf(0xe9);
    expect(r.stderr).toContain(`0001_latin1.sql:6: byte offset ${offset}: not valid UTF-8 (0xE9 0x27 0x29 0x3B)`);
    expect(r.stderr).toContain("'-- encoding: latin1'");
    expect(await query(db.url, `SELECT to_regclass('cafes') AS t, to_regclass('strata.strata_history') AS h`)).toEqual([
      { t: null, h: null },
    ]);

    writeFileSync(file, Buffer.from(sqlMigration(rev(1), [], body, 'DROP TABLE cafes;', { encoding: 'latin1' }), 'latin1'));
    const ok = await runMigrate(['up'], { cwd, env });
    expect(ok.code).toBe(0);
    expect(await query(db.url, 'SELECT name FROM cafes')).toEqual([{ name: 'caf\u00e9' }]);
    await db.drop();
  });

  it('applies and lints a 10 MB migration in memory bounded by the statements, not the file', async () => {
    const db = await createTestDatabase('e2e_big_file');
    const row = (i: number) => `INSERT INTO events (id, kind, payload) VALUES (${i}, 'signup', '{"plan": "free", "n": ${i}}');`;
    const rows: string[] = [];
    let size = 0;
    for (let i = 1; size < 10e6; i++) {
      const r = row(i);
      rows.push(r);
      size += r.length + 1;
    }
    const cwd = tempProject({
      'migrations/0001_events.sql': sqlMigration(
        rev(1),
        [],
        'CREATE TABLE events (id int PRIMARY KEY, kind text, payload jsonb);',
        'DROP TABLE events;',
      ),
      'migrations/0002_load.sql': sqlMigration(rev(2), [rev(1)], rows.join('\n'), 'DELETE FROM events WHERE id > 0;'),
    });
    // The old parser held ~20x the file in JavaScript objects (a 10 MB file: ~700 MB); 160 MB of heap is plenty now.
    const env = { DATABASE_URL: db.url, NODE_OPTIONS: '--max-old-space-size=160' };
    const lint = await runMigrate(['lint', 'migrations/0002_load.sql'], { cwd, env, timeoutMs: 120_000 });
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    const up = await runMigrate(['up'], { cwd, env, timeoutMs: 120_000 });
    expect(up.stderr).not.toMatch(/error|heap/i);
    expect(up.code).toBe(0);
    expect(await query(db.url, 'SELECT count(*)::int AS n, max(id) AS top FROM events')).toEqual([{ n: rows.length, top: rows.length }]);
    await db.drop();
  }, 180_000);

  it('a failing statement deep in a big migration is named by line, and nothing of it stays', async () => {
    const db = await createTestDatabase('e2e_big_fail');
    const rows = Array.from({ length: 30_000 }, (_, i) => `INSERT INTO t VALUES (${i + 1}, '${'x'.repeat(40)}');`);
    rows[25_000] = "INSERT INTO t VALUES (1, 'duplicate');";
    const cwd = tempProject({
      'migrations/0001_t.sql': sqlMigration(rev(1), [], 'CREATE TABLE t (id int PRIMARY KEY, v text);', 'DROP TABLE t;'),
      'migrations/0002_load.sql': sqlMigration(rev(2), [rev(1)], rows.join('\n'), 'DELETE FROM t;'),
    });
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url }, timeoutMs: 120_000 });
    expect(r.code).toBe(3);
    // Header (4 lines) and the up marker: the 25,001st statement is on line 25,005.
    expect(r.stderr).toContain('0002_load.sql:25005:');
    expect(r.stderr).toContain('duplicate key value violates unique constraint');
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
    await db.drop();
  }, 180_000);

  it(
    'a syntax error in an INSERT of a later migration stops the run before the first one (INSERTs ' + 'are checked, not kept as trees)',
    async () => {
      const db = await createTestDatabase('e2e_insert_syntax');
      const cwd = tempProject({
        'migrations/0001_a.sql': sqlMigration(rev(1), [], 'CREATE TABLE a (id int);', 'DROP TABLE a;'),
        'migrations/0002_b.sql': sqlMigration(
          rev(2),
          [rev(1)],
          'INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2 3);',
          'DELETE FROM a WHERE id < 3;',
        ),
      });
      const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('0002_b.sql:6:25: syntax error at or near "3"');
      expect(await query(db.url, `SELECT to_regclass('a') AS a`)).toEqual([{ a: null }]);
      await db.drop();
    },
  );

  it('refuses psql meta-commands in a migration with file:line:column, before running anything', async () => {
    const db = await createTestDatabase('e2e_meta');
    const cwd = tempProject({
      'migrations/0001_a.sql': sqlMigration(rev(1), [], 'CREATE TABLE a (id int);', 'DROP TABLE a;'),
      'migrations/0002_b.sql': sqlMigration(rev(2), [rev(1)], 'CREATE TABLE b (id int);\n\\i more.sql', 'DROP TABLE b;'),
    });
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('0002_b.sql:6:1: \\i is a psql meta-command, not SQL');
    expect(await query(db.url, `SELECT to_regclass('a') AS a`)).toEqual([{ a: null }]);
    await db.drop();
  });

  it('follows SET standard_conforming_strings = off inside a migration', async () => {
    const db = await createTestDatabase('e2e_scs');
    const up =
      'CREATE TABLE q (v text);\nSET standard_conforming_strings = off;\nINSERT INTO q VALUES ' +
      "('it\\'s; fine');\nRESET standard_conforming_strings;";
    const cwd = tempProject({ 'migrations/0001_q.sql': sqlMigration(rev(1), [], up, 'DROP TABLE q;') });
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(await query(db.url, 'SELECT v FROM q')).toEqual([{ v: "it's; fine" }]);
    await db.drop();
  });
});
