import { headers as natsHeaders } from '@nats-io/nats-core';
import { Logger } from '@nestjs/common';
import { NatsRecord, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { BusObserver } from '../observability/bus-observer.js';
import { currentLogContext } from '../observability/log-context.js';
import { SpanKind, inSpan, traceHeaders } from '../observability/trace-context.js';
import { RpcCallError, isRpcErrorBody, typedErrorCodeOf } from './rpc-error.js';

const logger = new Logger('RpcClient');

/** The request header carrying the correlation id of what made the call (besides W3C `traceparent`). */
export const CORRELATION_ID_HEADER = 'Bp-Correlation-Id';

export interface RpcClientOptions {
  readonly timeoutMs?: number;
  /** Told of every call's subject, result code and duration (metrics). */
  readonly observer?: BusObserver;
}

/**
 * Request/reply to another service, typed at the call site with the generated contract types:
 * `await rpc.call<RegisterUserRequestJson, RegisterUserReplyJson>('rpc.users.register-user', request)`.
 * Errors arrive as `RpcCallError` with the other side's code and field errors. Each request carries the
 * caller's trace context and correlation id as headers.
 */
export class RpcClient {
  private readonly timeoutMs: number;
  private readonly observer: BusObserver | undefined;

  constructor(
    private readonly proxy: ClientProxy,
    options: number | RpcClientOptions = {},
  ) {
    const settings = typeof options === 'number' ? { timeoutMs: options } : options;
    this.timeoutMs = settings.timeoutMs ?? 5_000;
    this.observer = settings.observer;
  }

  async call<Request extends object, Reply>(pattern: `rpc.${string}`, request: Request): Promise<Reply> {
    const started = performance.now();
    let code = 'ok';
    try {
      return await inSpan(pattern, { kind: SpanKind.CLIENT, attributes: { 'rpc.method': pattern } }, async () => {
        const record = new NatsRecord(request, this.requestHeaders());
        return await firstValueFrom(this.proxy.send<Reply, NatsRecord>(pattern, record).pipe(timeout(this.timeoutMs)));
      });
    } catch (error) {
      if (isRpcErrorBody(error)) {
        code = error.code;
        throw new RpcCallError(pattern, error);
      }
      code = typedErrorCodeOf(error) ?? (error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : 'ERROR');
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1_000;
      this.observer?.rpcCompleted?.('client', pattern, code, seconds);
      logger.debug(`${pattern} returned ${code} in ${Math.round(seconds * 1_000)} ms`);
    }
  }

  close(): Promise<void> | void {
    return this.proxy.close();
  }

  private requestHeaders() {
    const headers = natsHeaders();
    for (const [key, value] of Object.entries(traceHeaders())) headers.set(key, value);
    const { correlationId } = currentLogContext();
    if (correlationId) headers.set(CORRELATION_ID_HEADER, correlationId);
    return headers;
  }
}
