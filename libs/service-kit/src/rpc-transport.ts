import { InProcessBroker, InProcessClient, InProcessServer, RpcClient, natsAuthOptions, type BusObserver, type NatsCredentials } from '@botplatform/bus';
import { ClientProxyFactory, Transport, type CustomStrategy, type NatsOptions } from '@nestjs/microservices';

/** How services answer requests: NATS between processes, or the in-process broker in one process. */
export type RpcTransport = (
  | {
      readonly kind: 'nats';
      readonly servers: string;
      /** The service's own broker user; omitted for a broker without users. */
      readonly credentials?: NatsCredentials;
    }
  | { readonly kind: 'in-process'; readonly broker: InProcessBroker }
) & {
  /** Told of each call a client of this transport makes (startService sets the service's metrics). */
  readonly observer?: BusObserver;
};

/** Nest microservice options serving `rpc.<service>.*` on the transport. */
export function rpcServerOptions(transport: RpcTransport, service: string): NatsOptions | CustomStrategy {
  if (transport.kind === 'in-process') return { strategy: new InProcessServer(transport.broker) };
  // A queue group per service: replicas share the requests instead of each answering every one.
  return { transport: Transport.NATS, options: { servers: transport.servers, queue: service, ...natsAuthOptions(transport.credentials) } };
}

export function createRpcClient(transport: RpcTransport, timeoutMs?: number): RpcClient {
  const proxy =
    transport.kind === 'in-process'
      ? new InProcessClient(transport.broker)
      : ClientProxyFactory.create({
          transport: Transport.NATS,
          options: { servers: transport.servers, ...natsAuthOptions(transport.credentials) },
        });
  return new RpcClient(proxy, { timeoutMs, observer: transport.observer });
}
