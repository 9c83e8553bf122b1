'use strict';
// oxc-parser's native binding (src-js/bindings.js finds a .node file next to
// it or in @oxc-parser/binding-<platform>), in the single executable only
// (scripts/sea.mjs): the converter reads JavaScript and TypeScript sources
// with it. The .node file is the SEA asset `oxc-parser.node`; a native addon
// can only be loaded from a file, so it is written once, under a name made of
// its own hash, to a folder of this user's in the system temp dir, and loaded
// with process.dlopen (what require() does for a .node file). Loaded on first
// use only: `convert` is the one command that parses JavaScript.
const { createHash } = require('node:crypto');
const { chmodSync, existsSync, lstatSync, mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir, userInfo } = require('node:os');
const { join } = require('node:path');
const sea = require('node:sea');

let binding;

function load() {
  if (binding) return binding;
  const bytes = Buffer.from(sea.getAsset('oxc-parser.node'));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  // Per user, mode 700, not a link: another user of the machine cannot put a library of theirs there.
  const dir = join(tmpdir(), `strata-sea-${userInfo().uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== userInfo().uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private folder of this user's: cannot load the JavaScript parser from it.`);
  }
  const file = join(dir, `oxc-parser-${hash}.node`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o700 });
    chmodSync(tmp, 0o700);
    renameSync(tmp, file);
  }
  const mod = { exports: {} };
  process.dlopen(mod, file);
  binding = mod.exports;
  return binding;
}

// The functions index.js imports; each loads the binding when it is called.
for (const name of ['parse', 'parseSync', 'getBufferOffset', 'parseRaw', 'parseRawSync']) {
  exports[name] = (...args) => load()[name](...args);
}
// rawTransferSupported is called by index.js only for the raw-transfer options, which Strata does not use.
exports.rawTransferSupported = (...args) => load().rawTransferSupported(...args);
