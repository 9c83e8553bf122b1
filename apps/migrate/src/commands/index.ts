import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** A command module registers its verb on the program. */
export type Register = (program: Command, ctx: CliContext) => void;

/** A command module, loaded on demand. */
export type CommandModule = { register: Register };

// Each verb lives in its own file; add it here (help lists them in this order).
// Modules are imported only when their verb is used, so `migrate status` does
// not pay for loading the auditor, the converter's parsers or the linter.
export const commands: [verb: string, load: () => Promise<CommandModule>][] = [
  ['init', () => import('./init.js')],
  ['new', () => import('./new.js')],
  ['up', () => import('./up.js')],
  ['down', () => import('./down.js')],
  ['status', () => import('./status.js')],
  ['history', () => import('./history.js')],
  ['heads', () => import('./heads.js')],
  ['merge', () => import('./merge.js')],
  ['stamp', () => import('./stamp.js')],
  ['resolve', () => import('./resolve.js')],
  ['ensure', () => import('./ensure.js')],
  ['audit', () => import('./audit.js')],
  ['diff', () => import('./diff.js')],
  ['check', () => import('./check.js')],
  ['lint', () => import('./lint.js')],
  ['test', () => import('./test.js')],
  ['convert', () => import('./convert.js')],
];

/** Aliases of verbs, for picking the module to load. */
export const aliases: Record<string, string> = { current: 'status' };
