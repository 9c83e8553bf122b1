// V8's --liftoff-only, for the commands that parse SQL.
//
// libpg-query (the SQL parser under @pg-strata/lint, the auditor and the
// converter) is a 2 MB WebAssembly module. By default V8 compiles its hot
// functions a second time with TurboFan, which a CLI run never earns back.
// Measured on Node 22 with `strata lint` of the 1,000 migrations of bench/
// (apps/migrate/README.md): ~0.88 s -> ~0.49 s. `status` never loads the
// parser, and is not touched: the flag is set only when a command is about to
// load it.
//
// Process-wide and set at run time, so only here, in the CLI's own process,
// never by the libraries. Node's compile cache is checked against V8's flags:
// code compiled after this call is cached under them, which is the same for
// every run of the same command. The flag exists on Node 20, 22 and 24;
// test/node-versions.test.ts runs `lint` on each and wants an empty stderr
// (V8 prints `unrecognized flag` there for a flag it no longer has).
import { setFlagsFromString } from 'node:v8';

let set = false;

/** Call before importing anything that loads the SQL parser. */
export function liftoffOnly(): void {
  if (set) return;
  set = true;
  setFlagsFromString('--liftoff-only');
}
