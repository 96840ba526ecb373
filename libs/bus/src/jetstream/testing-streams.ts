import { jetstreamManager } from '@nats-io/jetstream';
import type { BusNaming } from '../bus-naming.js';
import { connectToNats } from './nats-connection.js';

/** Deletes every stream a test namespace created, so test runs leave the shared NATS clean. */
export async function deleteNamespaceStreams(servers: string, naming: BusNaming): Promise<void> {
  if (!naming.namespace) throw new Error('refusing to delete streams outside a test namespace');
  const connection = await connectToNats(servers, 'test-cleanup');
  try {
    const jsm = await jetstreamManager(connection);
    const prefix = `${naming.namespace.toUpperCase()}_`;
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name);
    }
  } finally {
    await connection.close();
  }
}
