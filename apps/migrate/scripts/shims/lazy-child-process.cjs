'use strict';
// Stands in for node:child_process where commander requires it (see
// bundle.mjs): commander only spawns for executable subcommands, which the
// CLI does not use, yet requiring child_process eagerly loads it and dgram
// (~5 ms of every process). The module is required on first use instead.
let real;
module.exports = new Proxy({}, {
  get(_, key) {
    real ??= require('node:child_process');
    return real[key];
  },
});
