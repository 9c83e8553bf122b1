export { startTestServer, dockerAvailable, type TestServer, type TestServerOptions } from './server.js';
export { testServerUrl, createTestDatabase, useTestDatabase } from './database.js';
