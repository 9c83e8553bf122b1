import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError } from '@pg-strata/core';
import { lintSql } from '@pg-strata/lint';
import { parsePlpgsqlSync, parseScriptSync, parserStatementRanges, splitStatements, type MetaCommand } from '@pg-strata/sql';

// Shared by the corpus tests (not part of the package's API): SQL that
// Debian's PostgreSQL packages install, written by the PostgreSQL and PostGIS
// projects, read from the machine at run time.

/** The `extension` folder of the system PostgreSQL (`pg_config --sharedir`). */
export function extensionDir(): string {
  let share: string;
  try {
    share = execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim();
  } catch {
    share = '/usr/share/postgresql/15';
  }
  return join(share, 'extension');
}

/** Every `.sql` file of the folder, by name; a file that several names link to (PostGIS' upgrade paths) once. */
export function corpusFiles(dir: string, filter: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const seen = new Set<string>();
  return readdirSync(dir)
    .filter((n) => n.endsWith('.sql') && filter(n))
    .sort()
    .map((n) => realpathSync(join(dir, n)))
    .filter((p) => !seen.has(p) && seen.add(p) !== undefined);
}

/**
 * An extension script as the server runs it: `CREATE EXTENSION` substitutes
 * `@extschema@`-style placeholders and skips the `\echo ... \quit` guard line.
 * Placeholders become identifiers of the same length, meta-commands spaces,
 * so every offset stays the file's.
 */
export function asServerSees(text: string, metas: readonly MetaCommand[]): string {
  let out = text.replace(/@([a-z_]+)@/g, (_m, name: string) => `_${name}_`);
  for (const m of metas) out = out.slice(0, m.start) + ' '.repeat(m.end - m.start) + out.slice(m.end);
  return out;
}

/** What one file gave. */
export interface CorpusResult {
  statements: number;
  /** Statements whose boundaries libpg_query's own stmt_location/stmt_len confirm. */
  compared: number;
  metaCommands: number;
  plpgsqlBodies: number;
  /** A boundary that differs: `file:offset` and both views. */
  mismatch?: string;
  /** The file is not SQL libpg_query accepts as a whole (then Strata must say SQL_SYNTAX, not crash). */
  notSql?: string;
}

/** Split, compare with libpg_query's boundaries, parse, classify and look inside PL/pgSQL bodies of one file. */
export function checkCorpusFile(path: string): CorpusResult {
  const raw = readFileSync(path, 'utf8');
  const first = splitStatements(raw);
  const text = asServerSees(raw, first.metaCommands);
  const { statements } = splitStatements(text);
  const result: CorpusResult = { statements: statements.length, compared: 0, metaCommands: first.metaCommands.length, plpgsqlBodies: 0 };
  let ranges: { start: number; end: number }[];
  try {
    ranges = parserStatementRanges(text, { file: path });
  } catch (err) {
    if (!isStrataError(err) || err.code !== 'SQL_SYNTAX') throw err;
    result.notSql = err.message.split('\n')[0];
    try {
      parseScriptSync(text, { file: path });
      result.mismatch = `${path}: libpg_query refuses the file (${result.notSql}) but Strata parsed it`;
    } catch (e) {
      if (!isStrataError(e) || e.code !== 'SQL_SYNTAX') throw e;
    }
    return result;
  }
  if (ranges.length !== statements.length) {
    result.mismatch = `${path}: libpg_query finds ${ranges.length} statements, the splitter ${statements.length}`;
  }
  for (let i = 0; i < Math.min(ranges.length, statements.length); i++) {
    const { start, end } = ranges[i]!;
    const s = statements[i]!;
    if (start !== s.start || end !== s.terminator) {
      result.mismatch ??=
        `${path}: statement ${i + 1}: libpg_query ${start}..${end}, splitter ${s.start}..${s.terminator}` +
        `: ${JSON.stringify(text.slice(s.start, s.start + 80))}`;
      break;
    }
    result.compared++;
  }
  const parsed = parseScriptSync(text, { file: path });
  for (const s of parsed.statements) {
    if (s.kind !== 'CreateFunctionStmt' || !/language\s+'?plpgsql/i.test(s.text)) continue;
    const body = /AS\s+(\$[A-Za-z_0-9]*\$)([\s\S]*?)\1/i.exec(s.text)?.[2];
    if (body === undefined) continue;
    try {
      parsePlpgsqlSync(body);
    } catch (e) {
      // A body the PL/pgSQL parser refuses is reported as such, never a crash.
      if (!isStrataError(e)) throw e;
    }
    result.plpgsqlBodies++;
  }
  return result;
}

/** Lint each file as `migrate lint` lints a loose script (meta-commands blanked): findings are fine, a crash is not. */
export async function lintCorpus(files: readonly string[]): Promise<number> {
  let findings = 0;
  for (const f of files) {
    const raw = readFileSync(f, 'utf8');
    findings += (await lintSql(asServerSees(raw, splitStatements(raw).metaCommands), { file: f })).length;
  }
  return findings;
}

/** Totals of {@link checkCorpusFile} over files, with every mismatch and every file that is not SQL as a whole. */
export function checkCorpus(files: readonly string[]): {
  statements: number;
  compared: number;
  metaCommands: number;
  plpgsqlBodies: number;
  mismatches: string[];
  notSql: string[];
} {
  const out = { statements: 0, compared: 0, metaCommands: 0, plpgsqlBodies: 0, mismatches: [] as string[], notSql: [] as string[] };
  for (const f of files) {
    const r = checkCorpusFile(f);
    out.statements += r.statements;
    out.compared += r.compared;
    out.metaCommands += r.metaCommands;
    out.plpgsqlBodies += r.plpgsqlBodies;
    if (r.mismatch) out.mismatches.push(r.mismatch);
    if (r.notSql) out.notSql.push(`${f}: ${r.notSql}`);
  }
  return out;
}
