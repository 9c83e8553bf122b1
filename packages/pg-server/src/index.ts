export { startLocalServer, embeddedBinDir, freePort, type LocalServer, type LocalServerOptions } from './local-server.js';
export { createScratchDatabase, withDatabase, type ScratchDatabase, type ScratchDatabaseOptions } from './scratch-database.js';
