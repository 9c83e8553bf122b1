import type { Step } from './step.js';

/** Render steps as an SQL script, with comments and destructive steps marked. */
export function renderSteps(steps: readonly Step[]): string {
  return steps
    .map((s) => {
      const notes: string[] = [];
      if (s.comment) notes.push(`-- ${s.comment.replace(/\n/g, '\n-- ')}`);
      if (s.destructive) notes.push('-- destructive: may lose data');
      if (s.transactional === false) notes.push('-- run outside a transaction block');
      return [...notes, `${s.sql};`].join('\n');
    })
    .join('\n\n')
    .concat(steps.length ? '\n' : '');
}
