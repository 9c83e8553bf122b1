export { startTestServer, dockerAvailable, type TestServer, type TestServerOptions } from './server.js';
export { testServerUrl, createTestDatabase, useTestDatabase } from './database.js';
export { startPgBouncer, type PgBouncer, type PgBouncerOptions } from './pgbouncer.js';
