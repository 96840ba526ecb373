import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * A NATS connection that never gives up reconnecting: the relay and the consumers keep their loops
 * and pick up where they were once the server is back.
 */
export function connectToNats(servers: string, name: string): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
  });
}
