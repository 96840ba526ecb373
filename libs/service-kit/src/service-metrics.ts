import type { BusObserver } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1_800];

/**
 * One service's Prometheus metrics, in its own registry (several services may share a process): the
 * process's default metrics plus what the bus, the store and the gateway report. Served at `/metrics`.
 */
export class ServiceMetrics implements BusObserver {
  readonly registry = new Registry();
  private readonly rpcRequests: Counter<'side' | 'subject' | 'code'>;
  private readonly rpcDuration: Histogram<'side' | 'subject' | 'code'>;
  private readonly eventsAppended: Counter<'type'>;
  private readonly relayPublished: Counter;
  private readonly relayLagEvents: Gauge;
  private readonly relayLagSeconds: Gauge;
  private readonly relayUnpublishedAge: Gauge;
  private readonly consumerEvents: Counter<'consumer' | 'subject' | 'outcome'>;
  private readonly consumerLag: Histogram<'consumer'>;
  private readonly redeliveries: Counter<'consumer'>;
  private readonly deadLetters: Counter<'consumer'>;
  private readonly telegramCalls: Counter<'method' | 'status'>;
  private readonly telegramDuration: Histogram<'method'>;
  private readonly timers: Counter<'kind' | 'outcome'>;
  private readonly timerLag: Histogram<'kind'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.rpcRequests = new Counter({
      name: 'botplatform_rpc_requests_total',
      help: 'Request/reply calls by side (client: made, server: answered), subject and result code',
      labelNames: ['side', 'subject', 'code'],
      registers,
    });
    this.rpcDuration = new Histogram({
      name: 'botplatform_rpc_duration_seconds',
      help: 'Request/reply latency by side, subject and result code',
      labelNames: ['side', 'subject', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.eventsAppended = new Counter({
      name: 'botplatform_events_appended_total',
      help: 'Events appended to the service event store, by type',
      labelNames: ['type'],
      registers,
    });
    this.relayPublished = new Counter({ name: 'botplatform_relay_published_total', help: 'Public events the relay published to JetStream', registers });
    this.relayLagEvents = new Gauge({
      name: 'botplatform_relay_lag_events',
      help: 'Events the last relay round found waiting in the store (up to its batch size)',
      registers,
    });
    this.relayLagSeconds = new Gauge({
      name: 'botplatform_relay_lag_seconds',
      help: 'How long the oldest event of the last relay round waited since it was recorded',
      registers,
    });
    this.relayUnpublishedAge = new Gauge({
      name: 'botplatform_relay_oldest_unpublished_seconds',
      help: 'Age of the oldest committed event the relay has not published yet, as of its last caught-up round (commit-order wait)',
      registers,
    });
    this.consumerEvents = new Counter({
      name: 'botplatform_consumer_events_total',
      help: 'Deliveries settled by a consumer, by outcome (applied, skipped, retry, parked)',
      labelNames: ['consumer', 'subject', 'outcome'],
      registers,
    });
    this.consumerLag = new Histogram({
      name: 'botplatform_consumer_lag_seconds',
      help: 'Time from an event occurring to a consumer settling it',
      labelNames: ['consumer'],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.redeliveries = new Counter({
      name: 'botplatform_consumer_redeliveries_total',
      help: 'Deliveries with an attempt number above 1',
      labelNames: ['consumer'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'botplatform_consumer_dead_letters_total',
      help: 'Events a consumer parked as dead letters',
      labelNames: ['consumer'],
      registers,
    });
    this.telegramCalls = new Counter({
      name: 'botplatform_telegram_calls_total',
      help: 'Bot API calls by method and HTTP status (error: no answer)',
      labelNames: ['method', 'status'],
      registers,
    });
    this.telegramDuration = new Histogram({
      name: 'botplatform_telegram_call_duration_seconds',
      help: 'Bot API call latency by method',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.timers = new Counter({
      name: 'botplatform_timers_total',
      help: 'Timers settled by the service timer worker, by kind and outcome (fired, retry, parked, skipped)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.timerLag = new Histogram({
      name: 'botplatform_timer_lag_seconds',
      help: 'Time from a timer being due to it firing',
      labelNames: ['kind'],
      buckets: LAG_BUCKETS,
      registers,
    });
  }

  rpcCompleted(side: 'client' | 'server', subject: string, code: string, seconds: number): void {
    this.rpcRequests.inc({ side, subject, code });
    this.rpcDuration.observe({ side, subject, code }, seconds);
  }

  relayRound(published: number, backlog: number, lagSeconds: number): void {
    this.relayPublished.inc(published);
    this.relayLagEvents.set(backlog);
    this.relayLagSeconds.set(lagSeconds);
  }

  relayLag(lagSeconds: number): void {
    this.relayUnpublishedAge.set(lagSeconds);
  }

  eventSettled(consumer: string, subject: string, outcome: 'applied' | 'skipped' | 'retry' | 'parked', attempt: number, lagSeconds: number | undefined): void {
    this.consumerEvents.inc({ consumer, subject, outcome });
    if (attempt > 1) this.redeliveries.inc({ consumer });
    if (outcome === 'parked') this.deadLetters.inc({ consumer });
    if (lagSeconds !== undefined && outcome !== 'retry') this.consumerLag.observe({ consumer }, lagSeconds);
  }

  appended(events: readonly RecordedEvent[]): void {
    for (const event of events) this.eventsAppended.inc({ type: event.type });
  }

  /** A timer settled by the service's `TimerWorker` (this is its `TimerObserver`, `@botplatform/scheduler`). */
  timerSettled(kind: string, outcome: 'fired' | 'retry' | 'parked' | 'skipped', lagMs: number | undefined): void {
    this.timers.inc({ kind, outcome });
    if (outcome === 'fired' && lagMs !== undefined) this.timerLag.observe({ kind }, lagMs / 1_000);
  }

  /** One Bot API call: `status` is the HTTP status Telegram answered, or `error` when none came. */
  telegramCall(method: string, status: number | 'error', seconds: number): void {
    this.telegramCalls.inc({ method, status: String(status) });
    this.telegramDuration.observe({ method }, seconds);
  }
}

/** `GET /metrics` in Prometheus's text format. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(ServiceMetrics) private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
