import { hash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { StrataError } from '@pg-strata/core';
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
const HEADER_LINE_RE = /^--\s*([A-Za-z_][A-Za-z_-]*)\s*:\s*(.*)$/;
const LEADING_NUMBER_RE = /^\d+/;
/**
 * sha256 (hex) of a migration file's bytes, exactly as they are (CRLF, a byte
 * order mark and all: the checksum covers what is sent to the server). A
 * string is hashed as its UTF-8 encoding, which for a file read as UTF-8 is
 * the file's bytes. The one-shot crypto.hash: a quarter of createHash()'s cost
 * on a migration-sized file (1,000 migrations: ~1.5 ms instead of ~6 ms).
 */
export function checksumOf(bytes: Uint8Array | string): string {
  return typeof bytes === 'string' ? hash('sha256', bytes, 'hex') : hash('sha256', bytes as Buffer, 'hex');
}

/** Files over this size are checksummed when read. */
const EAGER_CHECKSUM_BYTES = 1 << 20;

/**
 * The checksum Strata 0.1 recorded: of the text with CRLF turned into LF. A
 * file with CRLF line endings applied by that version is not "edited" because
 * the checksum now covers its bytes; {@link MigrationFileImpl.matchesChecksum}
 * accepts either.
 */
function legacyChecksumOf(text: string): string | undefined {
  return text.includes('\r\n') ? hash('sha256', text.replaceAll('\r\n', '\n'), 'hex') : undefined;
}

/** `-- encoding: latin1` in the first lines of a file that is not UTF-8. */
const ENCODING_HEADER_RE = /^--[ \t]*encoding[ \t]*:[ \t]*([A-Za-z0-9_-]+)[ \t]*\r?$/im;

/**
 * A migration file's text. UTF-8 (with or without a byte order mark) is read
 * as is; a file in another encoding must say so in its header
 * (`-- encoding: latin1`, any label the WHATWG Encoding standard knows), and
 * is decoded from it. Anything else stops with the line and byte offset of
 * the first invalid sequence: the server would otherwise store U+FFFD where
 * the file had `é`.
 */
export function decodeMigration(file: string, bytes: Buffer): { text: string; declared?: string } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8') };
  const head = bytes.subarray(0, 4096).toString('latin1');
  const declared = ENCODING_HEADER_RE.exec(head.slice(0, headerEnd(head)))?.[1];
  if (declared !== undefined) {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(declared.toLowerCase());
    } catch {
      throw invalid(
        file,
        `'-- encoding: ${declared}' is not an encoding this Node.js knows (e.g. latin1, windows-1252, iso-8859-15, utf-8).`,
        { encoding: declared },
      );
    }
    return { text: decoder.decode(bytes), declared: decoder.encoding };
  }
  const at = firstInvalidUtf8(bytes);
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  const shown = [...bytes.subarray(at, at + 4)].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
  throw invalid(
    `${file}:${line}`,
    `byte offset ${at}: not valid UTF-8 (${shown}). Strata reads migrations as UTF-8, and sending ` +
      `these bytes would store U+FFFD in place of the character. Convert the file (e.g. iconv -f ` +
      `latin1 -t utf-8), or declare its encoding with a '-- encoding: latin1' header line.`,
    { line, byteOffset: at },
  );
}

/** The header part of a text: its leading comment and blank lines. */
function headerEnd(text: string): number {
  const m = /^(?:[ \t]*(?:--[^\n]*)?\r?\n)*/.exec(text);
  return m ? m[0].length : 0;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}

function invalid(file: string, message: string, meta: Record<string, unknown> = {}): StrataError {
  return new StrataError('MIGRATION_FILE_INVALID', `${file}: ${message}`, { meta: { file, ...meta } });
}

function parseRevisionList(file: string, value: string, line: number): string[] {
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'none') return [];
  // The common case, one parent: no split, map and filter.
  if (!v.includes(',') && REVISION_RE.test(v)) return [v];
  const ids = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
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
  dataLoss: string | undefined;
}

/** A data-loss acknowledgement must say why: an empty one is refused rather than taken as consent. */
function dataLossReason(file: string, value: string, how: string): string {
  const v = value.trim();
  const example = how.includes('export')
    ? "export const dataLoss = 'legacy column, emptied in 0041'"
    : "'-- data-loss: legacy column, emptied in 0041'";
  if (v === '') throw invalid(file, `${how} needs a reason (who reviewed the loss, or why it is fine), e.g. ${example}.`);
  return v;
}

function parseBoolean(file: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === 'no' || v === 'off') return false;
  throw invalid(file, `transactional must be true or false, not '${value.trim()}'.`);
}

/** Parse the leading `-- key: value` lines of an SQL migration (stops at the first other line). */
export function parseSqlHeader(file: string, source: string): Header {
  const header: Header = {
    message: '',
    transactional: undefined,
    lockTimeout: undefined,
    statementTimeout: undefined,
    dataLoss: undefined,
  };
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
        if (!REVISION_RE.test(value))
          throw invalid(`${file}:${lineNo}`, `revision '${value}' is not a revision id (letters, digits and _ only).`);
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
      case 'data-loss':
      case 'data_loss':
        header.dataLoss = dataLossReason(`${file}:${lineNo}`, value, "'-- data-loss:'");
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
  if (revision !== undefined && !REVISION_RE.test(revision))
    throw invalid(file, `revision '${revision}' is not a revision id (letters, digits and _ only).`);
  const pm = /export\s+const\s+parents\s*(?::[^=]+)?=\s*\[([^\]]*)\]/.exec(source);
  let parents: string[] | undefined;
  if (pm) {
    parents = [];
    for (const part of pm[1]!.split(',')) {
      const t = part.trim();
      if (t === '') continue;
      const s = /^(['"`])([A-Za-z0-9_]+)\1$/.exec(t);
      if (!s)
        throw invalid(file, `parents must be a literal array of revision ids, e.g. export const parents = ['1a2b3c4d5e6f']; found ${t}.`);
      parents.push(s[2]!);
    }
  }
  const tm = /export\s+const\s+transactional\s*(?::\s*boolean\s*)?=\s*(true|false)\b/.exec(source);
  const header: Header = {
    message: stringLiteral(source, 'message') ?? '',
    transactional: tm ? tm[1] === 'true' : undefined,
    lockTimeout: stringLiteral(source, 'lockTimeout'),
    statementTimeout: stringLiteral(source, 'statementTimeout'),
    dataLoss: undefined,
  };
  const dataLoss = stringLiteral(source, 'dataLoss');
  if (dataLoss !== undefined) header.dataLoss = dataLossReason(file, dataLoss, 'export const dataLoss');
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
  readonly dataLoss: string | undefined;
  readonly source: string;
  readonly number: number;
  #checksum: string | undefined;

  /** Takes `init.parents` as its own (frozen): migrationFromSource hands it a fresh array. */
  constructor(init: Omit<MigrationFile, 'checksum' | 'parents' | 'matchesChecksum'> & { parents: string[] }, checksum?: string) {
    this.revision = init.revision;
    this.parents = Object.freeze(init.parents);
    this.message = init.message;
    this.file = init.file;
    this.path = init.path;
    this.kind = init.kind;
    this.transactional = init.transactional;
    this.lockTimeout = init.lockTimeout;
    this.statementTimeout = init.statementTimeout;
    this.dataLoss = init.dataLoss;
    this.source = init.source;
    this.number = init.number;
    this.#checksum = checksum;
  }

  get checksum(): string {
    this.#checksum ??= checksumOf(this.source);
    return this.#checksum;
  }

  matchesChecksum(recorded: string): boolean {
    return recorded === this.checksum || recorded === legacyChecksumOf(this.source);
  }
}

/** Build a MigrationFile from a name and its contents (exported for tests and scaffolding). */
export function migrationFromSource(file: string, path: string, raw: string | Buffer): MigrationFile {
  const m = MIGRATION_FILE_RE.exec(file);
  if (!m) throw invalid(file, 'a migration file name must look like NNNN_slug.sql or NNNN_slug.ts.');
  const kind = m[3] as 'sql' | 'ts';
  let source: string;
  let checksum: string | undefined;
  if (typeof raw === 'string') source = raw;
  else {
    const decoded = decodeMigration(file, raw);
    source = decoded.text;
    // Decoded from another encoding, the text re-encoded is not the file's bytes; a big file is hashed
    // now, from the bytes at hand, rather than later from its text (which would encode a second copy).
    if (decoded.declared !== undefined || raw.length > EAGER_CHECKSUM_BYTES) checksum = checksumOf(raw);
  }
  const header = kind === 'sql' ? parseSqlHeader(file, source) : parseTsHeader(file, source);
  const how = kind === 'sql' ? "a '-- revision: <id>' header line" : "export const revision = '<id>'";
  const howParents =
    kind === 'sql'
      ? "a '-- parents: <id>[, <id>...]' header line ('none' for the first migration)"
      : "export const parents = ['<id>'] ([] for the first migration)";
  if (header.revision === undefined) throw invalid(file, `no revision: add ${how}.`);
  if (header.parents === undefined) throw invalid(file, `no parents: add ${howParents}.`);
  if (header.parents.includes(header.revision)) throw invalid(file, `revision ${header.revision} lists itself as a parent.`);
  if (header.parents.length > 1 && new Set(header.parents).size !== header.parents.length) throw invalid(file, `a parent is listed twice.`);
  // The header usually ends at the up marker; only otherwise is the whole text searched.
  if (kind === 'sql' && !header.endsAtUp && !UP_MARKER_RE.test(source)) throw invalid(file, "no '-- migrate:up' section line.");
  return new MigrationFileImpl(
    {
      revision: header.revision,
      parents: header.parents,
      message: header.message,
      file,
      path,
      kind,
      transactional: header.transactional,
      lockTimeout: header.lockTimeout,
      statementTimeout: header.statementTimeout,
      dataLoss: header.dataLoss,
      source,
      number: Number(m[1]),
    },
    checksum,
  );
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
    if (code === 'ENOENT')
      throw new StrataError(
        'CONFIG_INVALID',
        `The migrations folder ${dir} does not exist. Create it with \`strata init\` or point migrationsDir at the right folder.`,
        { meta: { dir } },
      );
    throw new StrataError('CONFIG_INVALID', `Cannot read the migrations folder ${dir}: ${(err as Error).message}`, {
      meta: { dir },
      cause: err,
    });
  }
  // A .sql file that is not named like a migration would otherwise be skipped
  // without a word: a migration silently never applied. (.ts files may be helpers.)
  const stray = names.filter((n) => n.endsWith('.sql') && !MIGRATION_FILE_RE.test(n));
  if (stray.length > 0) {
    throw new StrataError(
      'MIGRATION_FILE_INVALID',
      `${stray.join(', ')} in ${dir} ${stray.length === 1 ? 'does' : 'do'} not look like a migration ` +
        `(NNNN_slug.sql). Rename ${stray.length === 1 ? 'it' : 'them'} (\`strata new\` writes the right ` +
        `name) or move ${stray.length === 1 ? 'it' : 'them'} out of the migrations folder.`,
      {
        meta: { files: stray, dir },
      },
    );
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
    migrations.push(migrationFromSource(files[i]!, path, readFileSync(path)));
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
  /** 0-based offset of `text` in the file's text. */
  offset: number;
  /** 1-based line of the first character of `text`. */
  line: number;
  /** 1-based line of the marker line itself. */
  markerLine: number;
}

const MARKER_RE = /^[ \t]*--[ \t]*migrate:(up|down)[ \t]*\r?$/gim;

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
    if (source[offset] === '\r' && source[offset + 1] === '\n') offset += 2;
    else if (source[offset] === '\n') offset++;
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
