'use strict';
// Stands in for pg/lib/crypto/utils.js in the CLI bundle (see bundle.mjs):
// the same functions on node:crypto instead of WebCrypto. Loading WebCrypto's
// internals and awaiting its thread-pool jobs cost every `migrate` process
// several milliseconds of a SCRAM login; node:crypto does the same work in
// about 2 ms (PBKDF2 with 4096 iterations, run on the thread pool so the
// event loop stays free for the files being read meanwhile).
const nodeCrypto = require('node:crypto');

function randomBytes(length) {
  return nodeCrypto.randomBytes(length);
}

async function md5(string) {
  return nodeCrypto.createHash('md5').update(string, 'utf-8').digest('hex');
}

async function postgresMd5PasswordHash(user, password, salt) {
  const inner = await md5(password + user);
  const outer = await md5(Buffer.concat([Buffer.from(inner), salt]));
  return 'md5' + outer;
}

async function sha256(data) {
  return nodeCrypto.createHash('sha256').update(Buffer.from(data)).digest();
}

// WebCrypto names ('SHA-256') as node:crypto names ('sha256').
async function hashByName(hashName, data) {
  return nodeCrypto.createHash(hashName.replace('-', '').toLowerCase()).update(Buffer.from(data)).digest();
}

async function hmacSha256(key, message) {
  return nodeCrypto.createHmac('sha256', Buffer.from(key)).update(message).digest();
}

function deriveKey(password, salt, iterations) {
  return new Promise((resolve, reject) => {
    nodeCrypto.pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

module.exports = { postgresMd5PasswordHash, randomBytes, deriveKey, sha256, hashByName, hmacSha256, md5 };
