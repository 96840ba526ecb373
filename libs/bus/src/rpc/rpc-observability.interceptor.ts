import { Inject, Injectable, Logger, Optional, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { context as otelContext, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { Observable } from 'rxjs';
import type { BusObserver } from '../observability/bus-observer.js';
import { withLogContext } from '../observability/log-context.js';
import { SpanKind, contextFromHeaders, tracer, type HeaderSource } from '../observability/trace-context.js';
import { CORRELATION_ID_HEADER } from './rpc-client.js';
import { isRpcErrorBody, typedErrorCodeOf } from './rpc-error.js';

/** Provided by service-kit in each service's Nest app: who answers, and where its metrics go. */
export const RPC_OBSERVATION = Symbol('RPC_OBSERVATION');

export interface RpcObservation {
  readonly service: string;
  readonly observer?: BusObserver;
}

interface TransportContext {
  getSubject?(): string;
  getHeaders?(): HeaderSource | undefined;
}

/**
 * Around each request handler (pipes included): continues the caller's trace from the request headers,
 * sets the log context (correlation id from the headers, bot id from the payload) and reports the
 * subject, result code and duration. The code is the one the RpcErrorFilter answers with.
 */
@Injectable()
export class RpcObservabilityInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  constructor(@Optional() @Inject(RPC_OBSERVATION) private readonly observation?: RpcObservation) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'rpc') return next.handle();
    const rpc = execution.switchToRpc();
    const transport = rpc.getContext<TransportContext | undefined>();
    const subject = transport?.getSubject?.() ?? 'unknown';
    const headers = transport?.getHeaders?.();
    const payload = rpc.getData<{ botId?: unknown } | undefined>();
    const fields = {
      service: this.observation?.service,
      subject,
      // A request from outside (an operator's tool) starts its own correlation.
      correlationId: headerOf(headers, CORRELATION_ID_HEADER) ?? randomUUID(),
      botId: typeof payload?.botId === 'string' ? payload.botId : undefined,
    };
    const parent = contextFromHeaders(headers);
    return new Observable((subscriber) => {
      const started = performance.now();
      const span = tracer().startSpan(subject, { kind: SpanKind.SERVER, attributes: { 'rpc.method': subject } }, parent);
      const finish = (code: string) => {
        const seconds = (performance.now() - started) / 1_000;
        if (code !== 'ok') span.setAttribute('rpc.result_code', code);
        span.end();
        this.observation?.observer?.rpcCompleted?.('server', subject, code, seconds);
        withLogContext(fields, () => this.logger.debug(`${subject} answered ${code} in ${Math.round(seconds * 1_000)} ms`));
      };
      const subscription = otelContext.with(trace.setSpan(parent, span), () =>
        withLogContext(fields, () =>
          next.handle().subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => {
              finish(resultCodeOf(error));
              subscriber.error(error);
            },
            complete: () => {
              finish('ok');
              subscriber.complete();
            },
          }),
        ),
      );
      return () => subscription.unsubscribe();
    });
  }
}

/** The code the RpcErrorFilter will answer with for `error`. */
function resultCodeOf(error: unknown): string {
  if (error instanceof RpcException) {
    const body = error.getError();
    return isRpcErrorBody(body) ? body.code : 'RPC.ERROR';
  }
  return typedErrorCodeOf(error) ?? 'INTERNAL';
}

function headerOf(headers: HeaderSource | undefined, key: string): string | undefined {
  if (!headers) return undefined;
  const value = typeof headers.get === 'function' ? (headers as { get(key: string): string }).get(key) : (headers as Record<string, string>)[key];
  return value || undefined;
}
