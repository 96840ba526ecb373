import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface Tracing {
  /** Exports what is buffered and unregisters the provider. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process: the given span processors, W3C trace context
 * propagation and async-local context. Until this runs, the libraries' tracing calls are the API's no-ops.
 */
export function registerTracing(spanProcessors: SpanProcessor[], serviceName = 'botplatform'): Tracing {
  const provider = new TracerProvider({ spanProcessors, resource: resourceFromAttributes({ 'service.name': serviceName }) });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Tracing as the standard OTEL_* variables ask: spans exported over OTLP/HTTP when OTEL_TRACES_EXPORTER
 * is `otlp` or OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads its endpoint and headers from the
 * environment); off otherwise.
 */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const wanted = env.OTEL_TRACES_EXPORTER === 'otlp' || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!wanted || env.OTEL_SDK_DISABLED === 'true') return undefined;
  return registerTracing([new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })], env.OTEL_SERVICE_NAME || serviceName);
}
