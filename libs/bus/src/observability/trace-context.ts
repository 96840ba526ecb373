import { context, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';

/**
 * The platform's tracer. Without an SDK registered (service-kit does so only when OTEL_* variables ask
 * for an exporter) every call here is a no-op of the API. Asked for at each use: a tracer kept from
 * before a provider was replaced would keep the old one.
 */
export function tracer() {
  return trace.getTracer('botplatform');
}

export { SpanKind };

/** W3C trace context (`traceparent`, `tracestate`) of the active span, as header key/values. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The active span's `traceparent`, to be stored with what outlives the request (events). */
export function currentTraceParent(): string | undefined {
  return traceHeaders().traceparent;
}

/** A context whose parent is the span described by the headers (a NATS `MsgHdrs` or a plain record). */
export function contextFromHeaders(headers: HeaderSource | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers, {
    keys: (carrier) => (isMsgHdrs(carrier) ? carrier.keys() : Object.keys(carrier)),
    get: (carrier, key) => (isMsgHdrs(carrier) ? carrier.get(key) || undefined : carrier[key]),
  });
}

/** Runs `work` in a new span, child of `parent`; the span ends when `work` settles, marked failed on a throw. */
export function inSpan<T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number> },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind: options.kind, attributes: options.attributes }, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

export type HeaderSource = Readonly<Record<string, string>> | { get(key: string): string; keys(): string[] };

function isMsgHdrs(carrier: HeaderSource): carrier is { get(key: string): string; keys(): string[] } {
  return typeof (carrier as { get?: unknown }).get === 'function';
}
