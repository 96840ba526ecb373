import { rpcSubjectsOf } from '@botplatform/contracts';
import type { BusNaming } from '../bus-naming.js';

/** A user name and password for the broker; each service has its own. */
export interface NatsCredentials {
  readonly user: string;
  readonly pass: string;
}

/** A durable consumer a service runs: `{ name: 'notifications--recipients', source: 'users' }`. */
export interface NatsConsumerAccess {
  readonly name: string;
  readonly source: string;
}

/**
 * What one broker user may do. A service publishes its own events (`<user>.>` into its stream) and
 * answers its own `rpc.<user>.*`; beyond that it gets only the consumers and requests listed here.
 */
export interface NatsUserAccess {
  readonly user: string;
  /** A service of the platform; false for people's tools (the operator), which only make requests. */
  readonly service: boolean;
  readonly consumers: readonly NatsConsumerAccess[];
  /** Request/reply subjects it may call, each spelt out: `rpc.users.get-bot-credentials`. */
  readonly requests: readonly string[];
}

export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** May reply to requests it received (its RPC handlers), whatever their reply subject. */
  readonly allowResponses: boolean;
}

/**
 * Each user's replies arrive under its own inbox prefix, and it may subscribe to that prefix only:
 * with a shared `_INBOX.>` any service could listen in on the reply that carries the gateway's bot tokens.
 */
export function inboxPrefixOf(user: string): string {
  return `_INBOX.${user}`;
}

/** The environment variable the broker's configuration reads a user's password from. */
export function natsPasswordVariableOf(user: string): string {
  return `BP_NATS_${user.toUpperCase()}_PASSWORD`;
}

/**
 * The subjects a user may publish and subscribe to, found by tracing what the @nats-io/jetstream client
 * sends (nats-server 2.9). A wildcard matches whole tokens only, so consumers are named one by one
 * rather than as `<service>--*`. Reading the source stream's consumer may create that stream, as the
 * bus does when a consumer starts before its producer ever ran.
 */
export function natsPermissionsOf(access: NatsUserAccess, naming: BusNaming): NatsPermissions {
  const publish = new Set<string>();
  const subscribe = new Set<string>([`${inboxPrefixOf(access.user)}.>`]);
  if (access.service) {
    // The account check every JetStream client makes when it starts.
    publish.add('$JS.API.INFO');
    addStreamAccess(publish, naming.streamOf(access.user));
    publish.add(naming.serviceSubjects(access.user));
    subscribe.add(rpcSubjectsOf(access.user));
  }
  for (const consumer of access.consumers) {
    const stream = naming.streamOf(consumer.source);
    addStreamAccess(publish, stream);
    publish.add(`$JS.API.CONSUMER.INFO.${stream}.${consumer.name}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}.${consumer.name}`);
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer.name}`);
    publish.add(`$JS.ACK.${stream}.${consumer.name}.>`);
    // After a crash, the consumer reads what its dead instance left unacked by stream sequence.
    publish.add(`$JS.API.STREAM.MSG.GET.${stream}`);
    // Its dead letters: parked there, read back by an ordered consumer filtered on its own subject
    // (the filter is part of the create subject), deleted once replayed.
    const dead = naming.deadLetterStream;
    const deadSubject = naming.deadLetterSubject(consumer.name);
    addStreamAccess(publish, dead);
    publish.add(deadSubject);
    publish.add(`$JS.API.CONSUMER.CREATE.${dead}.*.${deadSubject}`);
    publish.add(`$JS.API.CONSUMER.INFO.${dead}.*`);
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${dead}.*`);
    publish.add(`$JS.API.STREAM.MSG.DELETE.${dead}`);
  }
  for (const request of access.requests) publish.add(request);
  return { publish: [...publish], subscribe: [...subscribe], allowResponses: access.service };
}

function addStreamAccess(publish: Set<string>, stream: string): void {
  publish.add(`$JS.API.STREAM.INFO.${stream}`);
  publish.add(`$JS.API.STREAM.CREATE.${stream}`);
}

/**
 * The `authorization` block of a nats-server configuration: one user per entry, its password read
 * from the environment variable `natsPasswordVariableOf(user)` when the broker starts (nats-server
 * refuses to start if one is missing). Anything not allowed is refused, anonymous connections included.
 */
export function renderNatsAuthorization(users: readonly NatsUserAccess[], naming: BusNaming): string {
  const allow = (subjects: readonly string[]) => [`allow: [`, ...subjects.map((subject) => `  ${JSON.stringify(subject)}`), `]`];
  const indent = (spaces: number, lines: readonly string[]) => lines.map((line) => ' '.repeat(spaces) + line);
  const entries = users.map((access) => {
    const permissions = natsPermissionsOf(access, naming);
    return [
      `    {`,
      `      user: ${JSON.stringify(access.user)}`,
      `      password: $${natsPasswordVariableOf(access.user)}`,
      `      permissions: {`,
      `        publish: {`,
      ...indent(10, allow(permissions.publish)),
      `        }`,
      `        subscribe: {`,
      ...indent(10, allow(permissions.subscribe)),
      `        }`,
      `        allow_responses: ${permissions.allowResponses}`,
      `      }`,
      `    }`,
    ].join('\n');
  });
  return `authorization {\n  users = [\n${entries.join('\n')}\n  ]\n}\n`;
}
