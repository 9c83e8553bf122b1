import { basename, dirname } from 'node:path';

/** A script's place in the order the conversion assumes it ran, and why. */
export interface OrderedScript {
  readonly path: string;
  /** 1-based. */
  readonly position: number;
  /** One sentence: which rule put it there. */
  readonly reason: string;
}

/** Options of {@link orderScripts}. */
export interface OrderOptions {
  /**
   * Explicit order (paths relative to the estate's root, as discovery reports
   * them), e.g. the lines of an `--order` file. Listed scripts come first, in
   * this order; the rest follow by the other rules. Default: none.
   */
  readonly override?: readonly string[];
  /**
   * Scripts that run others (`entrypoint.sh` calling `psql -f x.sql`): the
   * runner's path and the paths it runs, in the order it runs them. The run
   * scripts keep that relative order. Default: none.
   */
  readonly runs?: ReadonlyMap<string, readonly string[]>;
  /**
   * When each script was first committed (`YYYY-MM-DD`), for a folder under git:
   * used for scripts whose names carry no date. Default: none.
   */
  readonly committed?: ReadonlyMap<string, string>;
}

const DATE = /(?:^|[^0-9])((?:19|20)\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?![0-9])/;
const PREFIX = /^(\d+)(?=[_\-.])/;

interface Key {
  path: string;
  date: string | undefined;
  /** First commit date, when the name has no date. */
  committed: string | undefined;
  dir: string;
  prefix: number | undefined;
  name: string;
}

function keyOf(path: string, committed?: ReadonlyMap<string, string>): Key {
  const name = basename(path);
  const d = DATE.exec(name);
  const p = PREFIX.exec(name);
  const date = d === null ? undefined : `${d[1]}-${d[2]}-${d[3]}`;
  // A leading 8-digit date is a date, not a sequence number.
  const prefix = p === null || (date !== undefined && p[1]!.length >= 8) ? undefined : Number(p[1]);
  // A numbered file keeps its place in its sequence: a commit date would fight the prefix.
  return {
    path,
    date,
    committed: date === undefined && prefix === undefined ? committed?.get(path) : undefined,
    dir: dirname(path),
    prefix,
    name,
  };
}

function compareKeys(a: Key, b: Key): number {
  if (a.date !== undefined && b.date !== undefined && a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.dir === b.dir && a.prefix !== undefined && b.prefix !== undefined && a.prefix !== b.prefix) return a.prefix - b.prefix;
  const da = a.date ?? a.committed;
  const db = b.date ?? b.committed;
  if (da !== undefined && db !== undefined && da !== db) return da < db ? -1 : 1;
  if (a.dir !== b.dir) return a.dir < b.dir ? -1 : 1;
  if ((a.prefix === undefined) !== (b.prefix === undefined)) return a.prefix === undefined ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function ruleOf(k: Key): string {
  if (k.date !== undefined) return `the date ${k.date} in its name`;
  if (k.prefix !== undefined) return `its numeric prefix ${k.prefix} among the files of ${k.dir}/`;
  if (k.committed !== undefined) return `first committed on ${k.committed} (git history)`;
  return 'no order in its name: by directory and name';
}

/**
 * Order legacy scripts the way they most likely ran: an explicit override
 * first; then dates in names (`2024-05-01`, `20240501`); numeric prefixes
 * within a directory (`005_x.sql` after `004_y.sql`, numerically, so `10_`
 * follows `9_`); first-commit dates from git for names without a date; the
 * order a runner script applies the files it runs; and finally by path. Each
 * script says which rule placed it.
 */
export function orderScripts(paths: readonly string[], options: OrderOptions = {}): OrderedScript[] {
  const override = options.override ?? [];
  const listed = new Map<string, number>();
  for (const [i, p] of override.entries()) if (!listed.has(p) && paths.includes(p)) listed.set(p, i);
  const rest = paths
    .filter((p) => !listed.has(p))
    .map((p) => keyOf(p, options.committed))
    .sort(compareKeys);
  const reasons = new Map<string, string>(rest.map((k) => [k.path, ruleOf(k)]));
  const order = rest.map((k) => k.path);
  // Files a runner applies keep the runner's order among themselves.
  for (const [runner, runs] of options.runs ?? []) {
    const present = runs.filter((r, i) => order.includes(r) && runs.indexOf(r) === i);
    if (present.length === 0) continue;
    const slots = present.map((r) => order.indexOf(r)).sort((a, b) => a - b);
    for (const [i, r] of present.entries()) {
      order[slots[i]!] = r;
      reasons.set(r, `${reasons.get(r) ?? ''}; run by ${runner} (${i + 1} of ${present.length})`.replace(/^; /, ''));
    }
  }
  const out: OrderedScript[] = [];
  for (const [p] of [...listed].sort((a, b) => a[1] - b[1]))
    out.push({ path: p, position: out.length + 1, reason: `listed at line ${listed.get(p)! + 1} of the order file` });
  for (const p of order) out.push({ path: p, position: out.length + 1, reason: reasons.get(p) ?? 'by path' });
  return out;
}

/** Parse an order file: one path per line, `#` comments and blank lines ignored. */
export function parseOrderFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.length > 0);
}
