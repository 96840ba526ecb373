import type { RpcMethod, RpcReplyJson, RpcRequestJson } from '@botplatform/contracts';
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
 * Request/reply to another service, typed by the RPC its contract declares:
 * `await rpc.call(RPC.users.registerUser, request)` takes a `RegisterUserRequestJson` and answers a
 * `RegisterUserReplyJson`. Errors arrive as `RpcCallError` with the other side's code, field errors
 * and typed details. Each request carries the caller's trace context and correlation id as headers.
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

  /** `options.timeoutMs` bounds this call instead of the client's default (a deadline set by the caller). */
  async call<Method extends RpcMethod>(
    method: Method,
    request: RpcRequestJson<Method>,
    options: { readonly timeoutMs?: number } = {},
  ): Promise<RpcReplyJson<Method>> {
    const { subject } = method;
    const started = performance.now();
    let code = 'ok';
    try {
      return await inSpan(subject, { kind: SpanKind.CLIENT, attributes: { 'rpc.method': subject } }, async () => {
        const record = new NatsRecord(request, this.requestHeaders());
        return await firstValueFrom(this.proxy.send<RpcReplyJson<Method>, NatsRecord>(subject, record).pipe(timeout(options.timeoutMs ?? this.timeoutMs)));
      });
    } catch (error) {
      if (isRpcErrorBody(error)) {
        code = error.code;
        throw new RpcCallError(subject, error);
      }
      code = typedErrorCodeOf(error) ?? (error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : 'ERROR');
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1_000;
      this.observer?.rpcCompleted?.('client', subject, code, seconds);
      logger.debug(`${subject} returned ${code} in ${Math.round(seconds * 1_000)} ms`);
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
