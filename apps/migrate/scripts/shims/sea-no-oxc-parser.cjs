'use strict';
// oxc-parser where the converter imports it, in the single executable only
// (scripts/sea.mjs): oxc-parser is a native addon (a .node file of its own,
// which a SEA cannot load from inside itself), used only by `convert` to read
// JavaScript and TypeScript sources. Everything else in the executable works
// without it; this says so when `convert` would need it.
const { StrataError } = require('@pg-strata/core');

exports.parseSync = function parseSync() {
  throw new StrataError(
    'USAGE',
    'Reading JavaScript or TypeScript sources needs oxc-parser, a native module the single executable does not carry. Run this `convert` with the npm package instead: npx strata-migrate convert ...',
  );
};
