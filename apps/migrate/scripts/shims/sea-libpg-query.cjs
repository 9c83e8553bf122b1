'use strict';
// libpg-query's Emscripten factory (wasm/libpg-query.js), as its wasm/index.cjs
// requires it, in the single executable only (scripts/sea.mjs): the
// WebAssembly comes from the executable's SEA asset `libpg-query.wasm`
// instead of a file next to the script (libpg-query has no option for bytes:
// its index.cjs calls the factory with no argument when it loads, and the
// factory reads locateFile('libpg-query.wasm') with fs). Emscripten's
// `instantiateWasm` hook is the supported way to hand it an instance.
//
// Compiled synchronously, inside the factory's own promise: an error (a
// corrupt asset) rejects loadModule() instead of leaving it pending forever.
const factory = require('libpg-query/wasm/libpg-query.js');
const sea = require('node:sea');

function wasmBytes() {
  // getRawAsset (Node >= 20.12) is the executable's own memory, read-only,
  // no copy; WebAssembly.Module copies what it compiles.
  return typeof sea.getRawAsset === 'function' ? sea.getRawAsset('libpg-query.wasm') : sea.getAsset('libpg-query.wasm');
}

module.exports = function PgQueryModule(moduleArg = {}) {
  return factory({
    ...moduleArg,
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes()), imports);
      receiveInstance(instance);
      return instance.exports;
    },
  });
};
module.exports.default = module.exports;
