'use strict';
// node:child_process where commander requires it: commander only spawns for
// executable subcommands, which the CLI does not use, yet requiring
// child_process eagerly loads it and dgram (~5 ms of every process).
module.exports = require('./lazy.cjs')('node:child_process');
