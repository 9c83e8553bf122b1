'use strict';
// A stand-in for a Node built-in module that a bundled dependency requires
// eagerly but uses rarely (see bundle.mjs, which says which and why): the
// real module is required on first use of any of its exports.
module.exports = function lazyBuiltin(id) {
  let real;
  return new Proxy({}, {
    get(_, key) {
      real ??= require(id);
      return real[key];
    },
  });
};
