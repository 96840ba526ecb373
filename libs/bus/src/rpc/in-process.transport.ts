import type { MsgHdrs } from '@nats-io/nats-core';
import { BaseRpcContext, ClientProxy, NatsRecord, Server, type CustomTransportStrategy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';

type Handler = (data: unknown, headers?: MsgHdrs) => Promise<unknown>;

/** The context of an in-process request, shaped like NATS's: the subject and the request headers. */
export class InProcessContext extends BaseRpcContext<[string, MsgHdrs | undefined]> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }
}

/**
 * The process-wide switchboard of the in-process transport: servers register their patterns, clients
 * look them up. One broker per embedded platform.
 */
export class InProcessBroker {
  private readonly handlers = new Map<string, Handler>();

  register(pattern: string, handler: Handler): void {
    if (this.handlers.has(pattern)) throw new Error(`pattern ${pattern} is already served in this process`);
    this.handlers.set(pattern, handler);
  }

  unregister(pattern: string): void {
    this.handlers.delete(pattern);
  }

  handlerOf(pattern: string): Handler | undefined {
    return this.handlers.get(pattern);
  }
}

/**
 * Nest request/reply without a broker, for one-process mode. Payloads cross as JSON, exactly as they
 * would over NATS, so DTO validation and typed errors behave the same on both transports.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  private readonly served: string[] = [];

  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) continue;
      this.broker.register(pattern, async (data, headers) => {
        const result = await handler(wireCopy(data), new InProcessContext([pattern, headers]));
        const value = isObservable(result) ? await lastValueFrom(result as Observable<unknown>) : result;
        return wireCopy(value);
      });
      this.served.push(pattern);
    }
    callback();
  }

  close(): void {
    for (const pattern of this.served.splice(0)) this.broker.unregister(pattern);
  }

  on(): never {
    throw new Error('the in-process transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}

export class InProcessClient extends ClientProxy {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  async connect(): Promise<void> {}

  close(): void {}

  unwrap<T>(): T {
    return this.broker as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern);
    const handler = this.broker.handlerOf(pattern);
    if (!handler) {
      callback({ err: { code: 'RPC.NO_HANDLER', message: `no handler for ${pattern}` }, isDisposed: true });
      return () => undefined;
    }
    // A request with headers (trace context, correlation id) comes as a NatsRecord, as for the NATS client.
    const [data, headers] = packet.data instanceof NatsRecord ? [packet.data.data, packet.data.headers as MsgHdrs | undefined] : [packet.data, undefined];
    handler(data, headers).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err: wireCopy(err), isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent(): Promise<never> {
    throw new Error('events travel on the event bus, not on the request/reply transport');
  }
}

/** A deep copy through JSON: what a request or reply looks like after crossing a wire. */
function wireCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
