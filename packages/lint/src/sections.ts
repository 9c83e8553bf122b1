/** One `-- migrate:up` / `-- migrate:down` section of an SQL migration. */
export interface Section {
  direction: 'up' | 'down';
  /** The text after the marker line, up to the next marker or the end. */
  text: string;
  /** 1-based line of the first character of `text` in the file. */
  line: number;
  /** 1-based line of the marker itself. */
  markerLine: number;
}

// The runner's own marker syntax (packages/runner/src/migration-file.ts, which
// does not export its splitter): a whole line `-- migrate:up` / `-- migrate:down`.
const MARKER_RE = /^[ \t]*--[ \t]*migrate:(up|down)[ \t]*$/gim;

/** The sections of an SQL migration in file order; empty when the text has no marker (a plain SQL file). */
export function splitSections(source: string): Section[] {
  const markers: { direction: 'up' | 'down'; start: number; end: number }[] = [];
  MARKER_RE.lastIndex = 0;
  for (let m = MARKER_RE.exec(source); m; m = MARKER_RE.exec(source)) {
    markers.push({ direction: m[1]!.toLowerCase() as 'up' | 'down', start: m.index, end: m.index + m[0].length });
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
    out.push({ direction: mk.direction, text: source.slice(offset, Math.max(offset, end)), line: lineAt(offset), markerLine });
  });
  return out;
}

/** What the linter needs from a migration's header. */
export interface HeaderFacts {
  revision?: string;
  /** From `-- transactional:`; undefined when absent. */
  transactional?: boolean;
  /** From `-- lock_timeout:`. */
  lockTimeout?: string;
}

/** Read the leading `-- key: value` lines (for files linted outside a migrations folder). */
export function readHeader(source: string): HeaderFacts {
  const facts: HeaderFacts = {};
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--') || /^--\s*migrate:(up|down)\s*$/i.test(line)) break;
    const m = /^--\s*([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'revision') facts.revision = value;
    else if (key === 'transactional') facts.transactional = !/^(false|no|off)$/i.test(value);
    else if (key === 'lock_timeout') facts.lockTimeout = value;
  }
  return facts;
}
