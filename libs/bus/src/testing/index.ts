// What other packages' tests share of the bus; `@botplatform/bus/testing`, never imported by production code.
export { deleteNamespaceStreams } from '../jetstream/testing-streams.js';
