// Checks of option and config values, done when they are read (before any
// file is loaded or connection opened), so a typo is a usage error (exit 2)
// that says what is accepted, never a silent default or a wait without end.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** What a duration may look like, for messages. */
export const DURATION_FORMAT =
  "a number of milliseconds (30000) or a PostgreSQL-style duration with a unit: '500ms', '5s', '1min', '2h' (units us, ms, s, min, h, d)";

/** The largest timeout PostgreSQL takes (lock_timeout, statement_timeout are int milliseconds), about 24.8 days. */
const MAX_MS = 2_147_483_647;

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration in milliseconds, or an error message. Accepts what PostgreSQL
 * accepts for `lock_timeout`: a number (milliseconds) or a number and a unit
 * (`us`, `ms`, `s`, `min`, `h`, `d`), not negative, at most INT_MAX ms.
 */
export function parseDuration(value: string | number): { ms: number } | { error: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { error: `${value} is not a duration: expected ${DURATION_FORMAT}.` };
    if (value > MAX_MS) return { error: `${value} ms is too long: at most ${MAX_MS} ms (24 days).` };
    return { ms: value };
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) return { error: `'${value}' is not a duration: expected ${DURATION_FORMAT}.` };
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
  if (ms > MAX_MS) return { error: `'${value}' is too long: at most ${MAX_MS} ms (24 days).` };
  return { ms };
}

/** A whole number at least `min`, or an error message. */
export function parseWholeNumber(value: string | number, min: number, what: string): { n: number } | { error: string } {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    return { error: `'${String(value)}' is not ${what}: expected a whole number${min === 0 ? ' (0 or more)' : ` of ${min} or more`}.` };
  }
  return { n: Number(text) };
}

/** commander argParser: a duration, as whole milliseconds (rounded up: a wait is never shorter than asked). */
export function durationOption(value: string): number {
  const d = parseDuration(value);
  if ('error' in d) throw new InvalidArgumentError(d.error);
  return Math.ceil(d.ms);
}

/** commander argParser: a whole number at least `min`. */
export function wholeNumberOption(min: number, what: string): (value: string) => number {
  return (value) => {
    const r = parseWholeNumber(value, min, what);
    if ('error' in r) throw new InvalidArgumentError(r.error);
    return r.n;
  };
}

/**
 * commander argParser of a relative target: `+N` (up) or `-N` (down) needs
 * N >= 1 (`+0` would be a run that does nothing and says it succeeded);
 * anything else (head, base, a revision prefix) is checked against the files later.
 */
export function targetArgument(sign: '+' | '-'): (value: string) => string {
  return (value) => {
    const t = value.trim();
    if (t.startsWith(sign) && !/^[+-][1-9]\d*$/.test(t)) {
      throw new InvalidArgumentError(
        `'${value}' is not a step count: use ${sign}N with N a whole number of 1 or more (${sign}1 is ` +
          `the next migration${sign === '-' ? ' to revert' : ''}).`,
      );
    }
    return t;
  };
}

/** commander argParser: a value that is not empty (an empty --url or --schema would silently mean the default). */
export function nonEmptyOption(what: string, maxBytes?: number): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${what} is empty.`);
    if (maxBytes !== undefined && Buffer.byteLength(value) > maxBytes)
      throw new InvalidArgumentError(`${what} is longer than ${maxBytes} bytes.`);
    return value;
  };
}

/** The kind of what is at `path`: a file, a directory, something else, or nothing. */
function kindOf(path: string): 'file' | 'directory' | 'other' | 'missing' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/** commander argParser: a file that must exist (relative to `cwd`), e.g. a snapshot to read. */
export function inputFileOption(cwd: string): (value: string) => string {
  return (value) => {
    const kind = kindOf(resolve(cwd, value));
    if (kind === 'missing') throw new InvalidArgumentError(`${value} does not exist.`);
    if (kind !== 'file') throw new InvalidArgumentError(`${value} is a ${kind === 'directory' ? 'folder' : 'special file'}, not a file.`);
    return value;
  };
}

/** commander argParser: a folder to write into (relative to `cwd`); created when missing, refused when it is a file. */
export function outputDirOption(cwd: string): (value: string) => string {
  return (value) => {
    const kind = kindOf(resolve(cwd, value));
    if (kind === 'file' || kind === 'other')
      throw new InvalidArgumentError(`${value} is a file, not a folder: name a folder (created when missing).`);
    return value;
  };
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name, k);
    if (!best || d < best.d) best = { k, d };
  }
  if (!best) return undefined;
  // A third of the longer name, at least 2: migrationz -> migrationsDir (4 of 13), lockTimout -> lockTimeout (1).
  if (best.d <= Math.max(2, Math.ceil(Math.max(name.length, best.k.length) / 3))) return best.k;
  // Else a known name the given one starts with: cafile -> ca.
  const lower = name.toLowerCase();
  return known.find((k) => k.length >= 2 && lower.startsWith(k.toLowerCase()));
}
