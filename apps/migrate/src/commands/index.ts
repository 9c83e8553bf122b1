import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { liftoffOnly } from '../wasm-tier.js';

/** A command module registers its verb on the program. */
export type Register = (program: Command, ctx: CliContext) => void;

/** A command module, loaded on demand. */
export type CommandModule = { register: Register };

// Each verb lives in its own file; add it here (help lists them in this order).
// Modules are imported only when their verb is used, so `strata status` does
// not pay for loading the auditor, the converter's parsers or the linter.
// Verbs that parse SQL set V8's --liftoff-only first (wasm-tier.ts says why);
// `up`, `new` and `stamp` set it where they load the parser.
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
  ['audit', () => (liftoffOnly(), import('./audit.js'))],
  ['diff', () => (liftoffOnly(), import('./diff.js'))],
  ['check', () => (liftoffOnly(), import('./check.js'))],
  ['lint', () => (liftoffOnly(), import('./lint.js'))],
  ['test', () => (liftoffOnly(), import('./test.js'))],
  ['convert', () => (liftoffOnly(), import('./convert.js'))],
  ['import', () => import('./import.js')],
];

/** Aliases of verbs, for picking the module to load. */
export const aliases: Record<string, string> = { current: 'status' };
