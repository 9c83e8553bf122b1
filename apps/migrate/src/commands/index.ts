import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** A command module registers its verb on the program. */
export type Register = (program: Command, ctx: CliContext) => void;

// Each verb lives in its own file; add it here.
export const commands: Register[] = [];
