import { hash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { StrataError } from '@strata/core';
import type { Direction, MigrationFile, MigrationSet } from './types.js';

/** `NNNN_slug.sql` or `NNNN_slug.ts` (the slug may hold letters, digits, `_`, `-`, `.`). */
export const MIGRATION_FILE_RE = /^(\d+)_([A-Za-z0-9_.-]+)\.(sql|ts)$/;
const REVISION_RE = /^[A-Za-z0-9_]+$/;
// The expressions run per header line and per file, made once: a regular
// expression literal is a new RegExp object each time it is evaluated, and
// these ran ~4,000 times for 1,000 files (with the rest of the per-line
// garbage, ~1.6 MB per 1,000 headers; the young-generation collections it
// caused were a good part of a `status`).
const MARKER_LINE_RE = /^--\s*migrate:(up|down)\s*$/i;
const UP_MARKER_LINE_RE = /^--\s*migrate:up\s*$/i;
const UP_MARKER_RE = /^--\s*migrate:up\s*$/im;
const HEADER_LINE_RE = /^--\s*([A-Za-z_]+)\s*:\s*(.*)$/;
const LEADING_NUMBER_RE = /^\d+/;
/** readFileSync's options as one object: given 'utf8', Node copies its defaults into a new object per call. */
const UTF8 = { encoding: 'utf8', flag: 'r' } as const;

/**
 * sha256 (hex) of the bytes with CRLF normalised to LF. The one-shot
 * crypto.hash: a quarter of createHash()'s cost on a migration-sized file
 * (1,000 migrations: ~1.5 ms instead of ~6 ms).
 */
export function checksumOf(bytes: Uint8Array | string): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  return hash('sha256', normaliseNewlines(text), 'hex');
}

function normaliseNewlines(text: string): string {
  return text.includes('\r\n') ? text.replaceAll('\r\n', '\n') : text;
}

function invalid(file: string, message: string, meta: Record<string, unknown> = {}): StrataError {
  return new StrataError('MIGRATION_FILE_INVALID', `${file}: ${message}`, { meta: { file, ...meta } });
}

function parseRevisionList(file: string, value: string, line: number): string[] {
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'none') return [];
  // The common case, one parent: no split, map and filter.
  if (!v.includes(',') && REVISION_RE.test(v)) return [v];
  const ids = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const id of ids) {
    if (!REVISION_RE.test(id)) throw invalid(`${file}:${line}`, `parent '${id}' is not a revision id (letters, digits and _ only).`);
  }
  return ids;
}

interface Header {
  /** Whether the header ended at the `-- migrate:up` line (SQL). */
  endsAtUp?: boolean;
  revision?: string;
  parents?: string[];
  message: string;
  transactional: boolean | undefined;
  lockTimeout: string | undefined;
  statementTimeout: string | undefined;
}

function parseBoolean(file: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === 'no' || v === 'off') return false;
  throw invalid(file, `transactional must be true or false, not '${value.trim()}'.`);
}

/** Parse the leading `-- key: value` lines of an SQL migration (stops at the first other line). */
export function parseSqlHeader(file: string, source: string): Header {
  const header: Header = { message: '', transactional: undefined, lockTimeout: undefined, statementTimeout: undefined };
  // A byte-order mark (some Windows editors) is not part of the first header line.
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (pos < source.length) {
    const nl = source.indexOf('\n', pos);
    const raw = nl === -1 ? source.slice(pos) : source.slice(pos, nl);
    const line = raw.trim();
    pos = nl === -1 ? source.length : nl + 1;
    lineNo++;
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    if (MARKER_LINE_RE.test(line)) {
      // The very test migrationFromSource makes of the whole text, on this line.
      header.endsAtUp = UP_MARKER_LINE_RE.test(raw);
      break;
    }
    const m = HEADER_LINE_RE.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    switch (key) {
      case 'revision':
        if (!REVISION_RE.test(value)) throw invalid(`${file}:${lineNo}`, `revision '${value}' is not a revision id (letters, digits and _ only).`);
        header.revision = value;
        break;
      case 'parents':
      case 'parent':
        header.parents = parseRevisionList(file, value, lineNo);
        break;
      case 'message':
        header.message = value;
        break;
      case 'transactional':
        header.transactional = parseBoolean(`${file}:${lineNo}`, value);
        break;
      case 'lock_timeout':
        header.lockTimeout = value;
        break;
      case 'statement_timeout':
        header.statementTimeout = value;
        break;
      default:
        break;
    }
  }
  return header;
}

function stringLiteral(source: string, name: string): string | undefined {
  const m = new RegExp(`export\\s+const\\s+${name}\\s*(?::\\s*[A-Za-z]+\\s*)?=\\s*(['"\`])((?:\\\\.|(?!\\1).)*)\\1`).exec(source);
  if (!m) return undefined;
  try {
    return m[1] === '"' ? (JSON.parse(`"${m[2]}"`) as string) : m[2]!.replace(/\\(.)/g, '$1');
  } catch {
    return m[2];
  }
}

/**
 * Read a TypeScript migration's metadata from its text, without importing it:
 * `export const revision = '...'`, `export const parents = [...]` (literals),
 * optional `message`, `transactional`, `lockTimeout`, `statementTimeout`.
 */
export function parseTsHeader(file: string, source: string): Header {
  const revision = stringLiteral(source, 'revision');
  if (revision !== undefined && !REVISION_RE.test(revision)) throw invalid(file, `revision '${revision}' is not a revision id (letters, digits and _ only).`);
  const pm = /export\s+const\s+parents\s*(?::[^=]+)?=\s*\[([^\]]*)\]/.exec(source);
  let parents: string[] | undefined;
  if (pm) {
    parents = [];
    for (const part of pm[1]!.split(',')) {
      const t = part.trim();
      if (t === '') continue;
      const s = /^(['"`])([A-Za-z0-9_]+)\1$/.exec(t);
      if (!s) throw invalid(file, `parents must be a literal array of revision ids, e.g. export const parents = ['1a2b3c4d5e6f']; found ${t}.`);
      parents.push(s[2]!);
    }
  }
  const tm = /export\s+const\s+transactional\s*(?::\s*boolean\s*)?=\s*(true|false)\b/.exec(source);
  const header: Header = {
    message: stringLiteral(source, 'message') ?? '',
    transactional: tm ? tm[1] === 'true' : undefined,
    lockTimeout: stringLiteral(source, 'lockTimeout'),
    statementTimeout: stringLiteral(source, 'statementTimeout'),
  };
  if (revision !== undefined) header.revision = revision;
  if (parents !== undefined) header.parents = parents;
  return header;
}

class MigrationFileImpl implements MigrationFile {
  readonly revision: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly file: string;
  readonly path: string;
  readonly kind: 'sql' | 'ts';
  readonly transactional: boolean | undefined;
  readonly lockTimeout: string | undefined;
  readonly statementTimeout: string | undefined;
  readonly source: string;
  readonly number: number;
  #checksum: string | undefined;

  /** Takes `init.parents` as its own (frozen): migrationFromSource hands it a fresh array. */
  constructor(init: Omit<MigrationFile, 'checksum' | 'parents'> & { parents: string[] }) {
    this.revision = init.revision;
    this.parents = Object.freeze(init.parents);
    this.message = init.message;
    this.file = init.file;
    this.path = init.path;
    this.kind = init.kind;
    this.transactional = init.transactional;
    this.lockTimeout = init.lockTimeout;
    this.statementTimeout = init.statementTimeout;
    this.source = init.source;
    this.number = init.number;
  }

  get checksum(): string {
    this.#checksum ??= checksumOf(this.source);
    return this.#checksum;
  }
}

/** Build a MigrationFile from a name and its contents (exported for tests and scaffolding). */
export function migrationFromSource(file: string, path: string, raw: string): MigrationFile {
  const m = MIGRATION_FILE_RE.exec(file);
  if (!m) throw invalid(file, 'a migration file name must look like NNNN_slug.sql or NNNN_slug.ts.');
  const kind = m[3] as 'sql' | 'ts';
  const source = normaliseNewlines(raw);
  const header = kind === 'sql' ? parseSqlHeader(file, source) : parseTsHeader(file, source);
  const how = kind === 'sql' ? "a '-- revision: <id>' header line" : "export const revision = '<id>'";
  const howParents = kind === 'sql' ? "a '-- parents: <id>[, <id>...]' header line ('none' for the first migration)" : "export const parents = ['<id>'] ([] for the first migration)";
  if (header.revision === undefined) throw invalid(file, `no revision: add ${how}.`);
  if (header.parents === undefined) throw invalid(file, `no parents: add ${howParents}.`);
  if (header.parents.includes(header.revision)) throw invalid(file, `revision ${header.revision} lists itself as a parent.`);
  if (header.parents.length > 1 && new Set(header.parents).size !== header.parents.length) throw invalid(file, `a parent is listed twice.`);
  // The header usually ends at the up marker; only otherwise is the whole text searched.
  if (kind === 'sql' && !header.endsAtUp && !UP_MARKER_RE.test(source)) throw invalid(file, "no '-- migrate:up' section line.");
  return new MigrationFileImpl({
    revision: header.revision,
    parents: header.parents,
    message: header.message,
    file,
    path,
    kind,
    transactional: header.transactional,
    lockTimeout: header.lockTimeout,
    statementTimeout: header.statementTimeout,
    source,
    number: Number(m[1]),
  });
}

/**
 * Read every migration file of `dir` (headers only: bodies are parsed later,
 * and only for migrations about to run). Files that do not look like
 * `NNNN_slug.sql|ts` (README.md, helpers) are ignored.
 */
export async function loadMigrations(dir: string): Promise<MigrationSet> {
  const abs = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StrataError('CONFIG_INVALID', `The migrations folder ${dir} does not exist. Create it with \`migrate init\` or point migrationsDir at the right folder.`, { meta: { dir } });
    throw new StrataError('CONFIG_INVALID', `Cannot read the migrations folder ${dir}: ${(err as Error).message}`, { meta: { dir }, cause: err });
  }
  // A .sql file that is not named like a migration would otherwise be skipped
  // without a word: a migration silently never applied. (.ts files may be helpers.)
  const stray = names.filter((n) => n.endsWith('.sql') && !MIGRATION_FILE_RE.test(n));
  if (stray.length > 0) {
    throw new StrataError('MIGRATION_FILE_INVALID', `${stray.join(', ')} in ${dir} ${stray.length === 1 ? 'does' : 'do'} not look like a migration (NNNN_slug.sql). Rename ${stray.length === 1 ? 'it' : 'them'} (\`migrate new\` writes the right name) or move ${stray.length === 1 ? 'it' : 'them'} out of the migrations folder.`, {
      meta: { files: stray, dir },
    });
  }
  const files = sortFileNames(names.filter((n) => MIGRATION_FILE_RE.test(n) && !n.endsWith('.d.ts')));
  // Synchronous reads on purpose: for a thousand small files they are several
  // times faster than a thousand concurrent fs/promises round trips through
  // the thread pool, and this is the whole cost of a no-op run. Every 64
  // files the event loop gets a turn, so a connection opened beforehand
  // makes its handshake meanwhile.
  const migrations: MigrationFile[] = [];
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % 64 === 0) await new Promise<void>((r) => setImmediate(r));
    // A plain concatenation: `abs` is resolved and a migration's name has no separator (path.join normalises again, ~5 µs a file).
    const path = `${abs}${sep}${files[i]!}`;
    migrations.push(migrationFromSource(files[i]!, path, readFileSync(path, UTF8)));
  }
  return Object.freeze({ dir: abs, migrations: Object.freeze(migrations) });
}

/** The leading NNNN of a file name, NaN when there is none. */
function fileNumber(name: string): number {
  return Number(LEADING_NUMBER_RE.exec(name)?.[0] ?? NaN);
}

/** `names` ordered by the numeric NNNN prefix, then by name; each prefix read once, not once per comparison. */
function sortFileNames(names: readonly string[]): string[] {
  return names
    .map((name) => ({ name, n: fileNumber(name) }))
    .sort((x, y) => (x.n !== y.n && !Number.isNaN(x.n) && !Number.isNaN(y.n) ? x.n - y.n : x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .map((x) => x.name);
}

/** One section of an SQL migration, with where it starts in the file. */
export interface Section {
  /** Which marker opened it. */
  direction: Direction;
  /** The text between the marker line and the next marker (or the end). */
  text: string;
  /** 0-based offset of `text` in the (LF-normalised) file. */
  offset: number;
  /** 1-based line of the first character of `text`. */
  line: number;
  /** 1-based line of the marker line itself. */
  markerLine: number;
}

const MARKER_RE = /^[ \t]*--[ \t]*migrate:(up|down)[ \t]*$/gim;

/**
 * Every `-- migrate:up` / `-- migrate:down` section of an SQL migration, in
 * file order (empty for a plain SQL file without markers). One splitter for
 * the runner and the linter, so both see the same sections at the same lines.
 */
export function splitSections(source: string): Section[] {
  const markers: { direction: Direction; start: number; end: number }[] = [];
  MARKER_RE.lastIndex = 0;
  for (let m = MARKER_RE.exec(source); m; m = MARKER_RE.exec(source)) {
    markers.push({ direction: m[1]!.toLowerCase() as Direction, start: m.index, end: m.index + m[0].length });
  }
  const out: Section[] = [];
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number): number => {
    for (let i = source.indexOf('\n', counted); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    return line;
  };
  markers.forEach((mk, i) => {
    const markerLine = lineAt(mk.start);
    let offset = mk.end;
    if (source[offset] === '\n') offset++;
    const end = i + 1 < markers.length ? markers[i + 1]!.start : source.length;
    out.push({ direction: mk.direction, text: source.slice(offset, Math.max(offset, end)), offset, line: lineAt(offset), markerLine });
  });
  return out;
}

/** The `-- migrate:up` or `-- migrate:down` section of an SQL migration, or `null` when absent. */
export function sqlSection(migration: MigrationFile, direction: Direction): Section | null {
  const found = splitSections(migration.source).filter((s) => s.direction === direction);
  if (found.length > 1) throw invalid(migration.file, `more than one '-- migrate:${direction}' section.`);
  return found[0] ?? null;
}
