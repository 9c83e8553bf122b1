import type { Drift } from './compare.js';

/** Options of {@link renderDrift}. */
export interface RenderDriftOptions {
  /** `'text'` for a terminal, `'markdown'` for a pull-request comment. Default `'text'`. */
  format?: 'text' | 'markdown';
  /** Name of the left side. Default `'the database'`. */
  left?: string;
  /** Name of the right side. Default `'the models'`. */
  right?: string;
}

function counts(drift: Drift): string {
  const by = (s: string) => drift.filter((d) => d.severity === s).length;
  const parts = [
    [by('error'), 'error'],
    [by('warning'), 'warning'],
    [by('info'), 'note'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, w]) => `${n} ${w}${n === 1 ? '' : 's'}`);
  return `${drift.length} difference${drift.length === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/** A Drift as a report a person reads: plain text or Markdown. Ends with a newline. */
export function renderDrift(drift: Drift, options: RenderDriftOptions = {}): string {
  const left = options.left ?? 'the database';
  const right = options.right ?? 'the models';
  if (options.format === 'markdown') {
    const title = `### Schema drift: ${left} vs ${right}\n\n`;
    if (drift.length === 0) return `${title}No drift: ${left} matches ${right}.\n`;
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const icon = { error: '🔴 error', warning: '🟡 warning', info: '⚪ note' } as const;
    const rows = drift.map((d) => `| ${icon[d.severity]} | ${d.objectType} \`${cell(d.name)}\` | ${cell(d.message)} |`);
    return `${title}${counts(drift)}.\n\n| Severity | Object | Difference |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
  }
  if (drift.length === 0) return `No drift: ${left} matches ${right}.\n`;
  const label = { error: 'error  ', warning: 'warning', info: 'note   ' } as const;
  return `Drift between ${left} and ${right}: ${counts(drift)}\n${drift.map((d) => `  ${label[d.severity]}  ${d.message}`).join('\n')}\n`;
}
