'use strict';
// node:dns where pg's connection-parameters requires it: pg looks a host up
// only for its native driver, which the CLI does not use, and net resolves
// names itself; loading dns eagerly costs ~1 ms of every process.
module.exports = require('./lazy.cjs')('node:dns');
