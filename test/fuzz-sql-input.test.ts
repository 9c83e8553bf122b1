import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isStrataError } from '@pg-strata/core';
import { lintSql } from '@pg-strata/lint';
import { decodeMigration } from '@pg-strata/runner';
import { eachStatement, loadParser, splitStatements } from '@pg-strata/sql';
import { createTestDatabase } from '@pg-strata/testkit';
import { runMigrate, sqlMigration, tempProject } from './support/cli.js';

// Mutated, truncated and concatenated migrations and legacy scripts never
// crash Strata: each input is either accepted or refused with a StrataError
// of an input class (in process), or an exit code 0-3 with a message and never
// "bug in Strata" (through the built CLI). Fixed seeds: a failure reproduces.

const legacyDir = join(import.meta.dirname, '../legacy/backend');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.sql$/.test(n) ? [p] : [];
  });
}

/** Real SQL to start from: the repository's legacy scripts and some shapes others write. */
const SEEDS = [
  ...files(legacyDir).map((f) => readFileSync(f, 'utf8')),
  'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  -- keep it\n  NEW.at := now();\n  RETURN NEW;\nEND\n$fn$;',
  'CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); SELECT CASE WHEN true THEN 1 END; END;',
  "SET standard_conforming_strings = off;\nINSERT INTO t VALUES ('it\\'s');\nRESET standard_conforming_strings;",
  "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t);\nCOMMENT ON TABLE t IS E'a\\nb';",
  '\\set ON_ERROR_STOP on\nBEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;\n\\echo done',
];

const NASTY = [
  "'",
  '"',
  '$$',
  '$x$',
  ';',
  '(',
  ')',
  '\\',
  '\\i x.sql\n',
  '--',
  '/*',
  '*/',
  "E'",
  'U&"',
  'BEGIN ATOMIC',
  'END',
  'CASE',
  '\r\n',
  '\u0000',
  '😀',
  '\ufeff',
  ' ',
  '\n',
];

/** A seed mutated by inserting, deleting, duplicating and truncating. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...NASTY), fc.nat({ max: 40 })), { maxLength: 6 }),
    fc.option(fc.constantFrom(...SEEDS), { nil: undefined }),
  )
  .map(([seed, ops, other]) => {
    let s = seed;
    for (const [pos, kind, token, len] of ops) {
      const at = s.length === 0 ? 0 : pos % (s.length + 1);
      if (kind === 0) s = s.slice(0, at) + token + s.slice(at);
      else if (kind === 1) s = s.slice(0, at) + s.slice(at + len);
      else if (kind === 2) s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
      else s = s.slice(0, at);
    }
    return other === undefined ? s : `${s}\n${other}`;
  });

const INPUT_CODES = new Set(['SQL_SYNTAX', 'MIGRATION_FILE_INVALID', 'MIGRATION_MIXED_TRANSACTIONALITY', 'CONFIG_INVALID']);

beforeAll(async () => {
  await loadParser();
});

describe('fuzzing what reads SQL', () => {
  it('the splitter never throws, and its statements are ordered, disjoint and inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const { statements, metaCommands } = splitStatements(text);
        let last = 0;
        for (const s of statements) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.terminator).toBeGreaterThanOrEqual(s.end);
          expect(s.terminator).toBeLessThanOrEqual(text.length);
          last = s.terminator;
        }
        for (const m of metaCommands) expect(text.slice(m.start, m.end).startsWith('\\')).toBe(true);
      }),
      { seed: 16, numRuns: 3000 },
    );
  });

  it('parsing and linting accept the text or refuse it as an input error, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        for (const run of [
          () => eachStatement(text, { file: 'fuzz.sql' }, () => {}),
          () => eachStatement(text, { metaCommands: 'report' }, () => {}),
          () => lintSql(text, { file: 'fuzz.sql' }),
        ]) {
          try {
            await run();
          } catch (err) {
            if (!isStrataError(err) || !INPUT_CODES.has(err.code)) throw err;
            expect(err.message).toMatch(/^(fuzz\.sql|<input>):\d+:\d+: /);
          }
        }
      }),
      { seed: 17, numRuns: 1500 },
    );
  });

  it('a migration file of any bytes is read or refused as an invalid file', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('', '-- encoding: latin1\n', '-- encoding: nope\n'),
        (bytes, header) => {
          const file = Buffer.concat([Buffer.from(`${header}-- revision: a\n`), Buffer.from(bytes)]);
          try {
            decodeMigration('0001_a.sql', file);
          } catch (err) {
            if (!isStrataError(err) || err.code !== 'MIGRATION_FILE_INVALID') throw err;
          }
        },
      ),
      { seed: 18, numRuns: 2000 },
    );
  });
});

describe('fuzzing the built CLI', () => {
  it('lint, up --sql and up on mutated migrations exit 0-3 with a message, never a bug', async () => {
    const db = await createTestDatabase('e2e_fuzz');
    const samples = fc.sample(mutated, { seed: 19, numRuns: 12 });
    const seen = new Set<number | null>();
    for (const [i, body] of samples.entries()) {
      const cwd = tempProject();
      mkdirSync(join(cwd, 'migrations'), { recursive: true });
      writeFileSync(join(cwd, 'migrations/0001_fuzz.sql'), sqlMigration(`f${i}`, [], body, ''));
      const env = { DATABASE_URL: db.url };
      for (const args of [
        ['lint'],
        ['up', '--sql', '--from', 'base'],
        ['up', '--schema', `strata_fuzz_${i}`, '--allow-data-loss', '--no-lint'],
      ]) {
        const r = await runMigrate(args, { cwd, env });
        seen.add(r.code);
        const where = `${args.join(' ')} on sample ${i} (${relative(cwd, join(cwd, 'migrations/0001_fuzz.sql'))})`;
        expect([0, 1, 2, 3], `${where}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr, where).not.toMatch(/bug in Strata|INTERNAL|TypeError|RangeError/);
        if (r.code !== 0) expect((r.stderr + r.stdout).trim().length, where).toBeGreaterThan(0);
      }
    }
    // The samples exercise both outcomes.
    expect(seen.has(0)).toBe(true);
    expect([...seen].some((c) => c !== 0)).toBe(true);
    await db.drop();
  }, 240_000);
});
