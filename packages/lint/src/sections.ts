// Sections come from the runner's own splitter, so the linter and the runner
// agree on where each section starts.
export { splitSections, type Section } from '@pg-strata/runner';

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
