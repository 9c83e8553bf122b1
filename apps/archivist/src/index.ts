/**
 * Org Archivist, the example application: a small document archive and chat
 * service over Kysely and node:http whose start-up calls the shim
 * (`ensureSchema`) instead of running `createAll` unconditionally.
 */
export { startServer, type ServerOptions, type ArchivistServer } from './server.js';
export { createAll } from './models.js';
export type { Database } from './database.js';
