export { testServers } from './servers.js';
export { uniqueName } from './unique-name.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { freePort, waitForPort } from './free-port.js';
export { NatsServerProcess, type NatsServerOptions } from './nats-server-process.js';
export { waitFor, sleep } from './wait-for.js';
export { PostgresServerProcess } from './postgres-server-process.js';
