// Stops what jest.test-servers.js started for this run.
export { tearDownTestServers as default } from './jest.test-servers.js';
