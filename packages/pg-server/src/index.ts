export { startLocalServer, freePort, type LocalServer, type LocalServerOptions } from './local-server.js';
export { cleanUpAll, type CleanupSummary } from './cleanup.js';
export {
  resolvePostgresBinaries,
  embeddedBinDir,
  defaultPostgresCacheDir,
  defaultSystemBinDirs,
  probePostgresBinaries,
  type PostgresBinaries,
  type PostgresBinariesOptions,
  type PostgresBinariesSource,
} from './postgres-binaries.js';
export { createScratchDatabase, withDatabase, type ScratchDatabase, type ScratchDatabaseOptions } from './scratch-database.js';
