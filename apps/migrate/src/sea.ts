// The entry point of the single executable (scripts/sea.mjs builds it): the
// CLI with every package it uses, libpg-query's WebAssembly included as a
// SEA asset, in one file that needs neither `node` nor node_modules.
import { main } from './main.js';

// As in bin.cts: exit as soon as main() is done and the loop is empty.
void main().then(() => process.once('beforeExit', () => process.exit()));
