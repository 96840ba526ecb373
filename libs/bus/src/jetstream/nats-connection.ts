import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { inboxPrefixOf, type NatsCredentials } from './nats-permissions.js';

/**
 * The connection options of a broker user: its name and password, and its own inbox prefix, the only
 * one its permissions let it subscribe to. Nothing without credentials (a broker with no users).
 */
export function natsAuthOptions(credentials: NatsCredentials | undefined): Pick<ConnectionOptions, 'user' | 'pass' | 'inboxPrefix'> {
  return credentials ? { user: credentials.user, pass: credentials.pass, inboxPrefix: inboxPrefixOf(credentials.user) } : {};
}

/**
 * A NATS connection that never gives up reconnecting: the relay and the consumers keep their loops
 * and pick up where they were once the server is back. Refused credentials fail the first connect.
 */
export function connectToNats(servers: string, name: string, credentials?: NatsCredentials): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    // Otherwise every request (each JetStream publish) builds two Error objects with their stack traces
    // in case it fails: 7 % of the relay's CPU in a profile. Our failures are typed and logged with the
    // event and consumer they concern, so the extra stack is not what anyone reads.
    noAsyncTraces: true,
    ...natsAuthOptions(credentials),
  });
}
