import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { register as init } from './init.js';
import { register as newMigration } from './new.js';
import { register as up } from './up.js';
import { register as down } from './down.js';
import { register as status } from './status.js';
import { register as history } from './history.js';
import { register as heads } from './heads.js';
import { register as merge } from './merge.js';
import { register as stamp } from './stamp.js';
import { register as ensure } from './ensure.js';
import { register as audit } from './audit.js';
import { register as diff } from './diff.js';
import { register as check } from './check.js';
import { register as lint } from './lint.js';
import { register as test } from './test.js';
import { register as convert } from './convert.js';

/** A command module registers its verb on the program. */
export type Register = (program: Command, ctx: CliContext) => void;

// Each verb lives in its own file; add it here (help lists them in this order).
export const commands: Register[] = [
  init,
  newMigration,
  up,
  down,
  status,
  history,
  heads,
  merge,
  stamp,
  ensure,
  audit,
  diff,
  check,
  lint,
  test,
  convert,
];
