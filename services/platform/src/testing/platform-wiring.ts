import { EmbeddedEventBus, InProcessBroker, JetStreamEventBus, type EventBus } from '@botplatform/bus';
import type { RpcTransport } from '@botplatform/service-kit';
import { uniqueName } from '@botplatform/testing';
import { platformNatsAccess } from '../platform-nats-access.js';
import type { PerService } from '../platform.js';
import { startPlatformNats, type PlatformNats } from './platform-nats.js';

/** How the services of one test's platform reach each other, and how the test reaches them. */
export interface PlatformWiring {
  readonly bus: PerService<EventBus>;
  readonly rpc: PerService<RpcTransport>;
  /** The transport of one broker user (embedded: the one in-process broker, which checks no one). */
  as(user: string): RpcTransport;
  /** The transport of the party the platform lets request `subject` (`nobody`, refused, when no one may). */
  callerOf(subject: string): RpcTransport;
  /** The private broker of the distributed mode (to stop and restart it); absent when embedded. */
  readonly nats?: PlatformNats;
  /** Closes the buses and stops the broker. */
  close(): Promise<void>;
}

export const EMBEDDED = 'embedded: in-process bus and request/reply';
export const DISTRIBUTED = 'distributed: JetStream bus and NATS request/reply, each service its own broker user';

/**
 * The two modes every platform e2e runs in, keyed by the title its `describe.each` shows. The
 * distributed one is the broker as deployed: a private nats-server with the platform's users and
 * permissions (request/reply subjects are global, so a shared broker would mix test runs), each service
 * connected as itself, streams under a namespace of `prefix`.
 */
export function platformWirings(prefix: string): Record<string, () => Promise<PlatformWiring>> {
  return {
    [EMBEDDED]: async () => {
      const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
      const rpc: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
      return { bus, rpc, as: () => rpc, callerOf: () => rpc, close: () => bus.close() };
    },
    [DISTRIBUTED]: async () => {
      const namespace = uniqueName(prefix);
      const nats = await startPlatformNats(namespace);
      const transportOf = (user: string): RpcTransport => ({ kind: 'nats', servers: nats.url, credentials: nats.credentialsOf(user) });
      const buses = new Map<string, EventBus>();
      try {
        for (const { user, service } of platformNatsAccess) {
          if (!service) continue;
          buses.set(user, await JetStreamEventBus.connect(nats.url, user, { namespace, credentials: nats.credentialsOf(user), relay: { pollIntervalMs: 20 } }));
        }
      } catch (error) {
        for (const bus of buses.values()) await bus.close().catch(() => undefined);
        await nats.dispose();
        throw error;
      }
      return {
        bus: (service) => buses.get(service)!,
        rpc: transportOf,
        as: transportOf,
        callerOf: (subject) => transportOf(platformNatsAccess.find((access) => access.requests.includes(subject))?.user ?? 'nobody'),
        nats,
        close: async () => {
          for (const bus of buses.values()) await bus.close();
          await nats.dispose();
        },
      };
    },
  };
}
