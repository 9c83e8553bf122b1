import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { splitStatements } from '@pg-strata/sql';
import type { ReportItem } from './types.js';

/** Every file under `dir` (recursively when `deep`), as paths relative to it with `/` separators, sorted. */
export function listFiles(dir: string, deep = false): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new StrataError('USAGE', `The folder to import does not exist: ${dir}`, { meta: { dir } });
  }
  if (!st.isDirectory()) throw new StrataError('USAGE', `Not a folder: ${dir}`, { meta: { dir } });
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === '__pycache__') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (deep) walk(p);
      } else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** A file's text (UTF-8; a byte order mark dropped). */
export function readText(dir: string, file: string): string {
  const t = readFileSync(join(dir, file), 'utf8');
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}

/** Statements that control the transaction (Strata runs each migration in its own). */
const TX_CONTROL_RE = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK)\b\s*(TRANSACTION|WORK)?\s*(ISOLATION\s+LEVEL\s+[A-Z ]+)?;?$/i;

/**
 * Remove top-level `BEGIN` / `COMMIT` (golang-migrate and goose files often wrap
 * themselves in one): Strata runs each migration in its own transaction and
 * refuses transaction control inside one. Each removal is reported.
 */
export function stripTransactionControl(sql: string, file: string, report: ReportItem[], lineOffset = 0): string {
  const { statements } = splitStatements(sql);
  let out = '';
  let pos = 0;
  for (const s of statements) {
    const text = sql.slice(s.start, s.end).trim();
    if (!TX_CONTROL_RE.test(text.replace(/\s+/g, ' '))) continue;
    const end = s.terminator < sql.length && sql[s.terminator] === ';' ? s.terminator + 1 : s.end;
    out += sql.slice(pos, s.start);
    out += `-- (import) removed: ${text.replace(/;$/, '')}`;
    pos = end;
    report.push({
      file,
      line: s.line + lineOffset,
      kind: 'transaction-control',
      severity: 'warning',
      message: `'${text.replace(/;$/, '')}' removed: Strata runs each migration in its own transaction.`,
    });
  }
  return out + sql.slice(pos);
}

/** `a_b-c` -> `a b c`: a file name's description as words. */
export function words(s: string): string {
  return s.replace(/[_-]+/g, ' ').trim();
}

/** Compare two dotted numeric versions (`1.10` after `1.9`; `1.0` equals `1`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => BigInt(x));
  const pb = b.split('.').map((x) => BigInt(x));
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Compare two digit strings as numbers. */
export function compareNumeric(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
