import { RPC, type RegisterBotReplyJson } from '@botplatform/contracts';
import { PinoLoggerService, registerTracing, type Tracing } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Writable } from 'node:stream';
import { startPlatform, type RunningPlatform } from './platform.js';
import { platformWirings, type PlatformWiring } from './testing/platform-wiring.js';

const OPERATOR_TOKEN = 'observability-e2e-operator-token-0123456789';

const modes = platformWirings('obs');

/** The value of one sample of a Prometheus text exposition, 0 when absent. */
function sample(exposition: string, name: string, labels: Record<string, string>): number {
  for (const line of exposition.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return 0;
}

describe.each(Object.keys(modes))('Observability of the platform (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: PlatformWiring;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  let tracing: Tracing;
  const spans = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    tracing = registerTracing([new SimpleSpanProcessor({ exporter: spans })]);
    database = await createTestDatabase('bp_observability');
    wiring = await modes[mode]();
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    platform = await startPlatform({
      databaseUrl: database.url,
      bus: wiring.bus,
      rpc: wiring.rpc,
      firstHttpPort: 0,
      logger: new PinoLoggerService({ level: 'debug', destination }),
      users: { operatorToken: OPERATOR_TOKEN },
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
    await wiring?.close();
    await sandbox?.stop();
    await database?.drop();
    await tracing?.shutdown();
  });

  const metricsOf = async (service: string) => (await fetch(`${platform.services.get(service)!.url}/metrics`)).text();

  it('counts, logs under one correlation id and traces end to end what one /start does', async () => {
    const sandboxBot = sandbox.createBot({ username: 'obs_bot', firstName: 'Obs bot' });
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const registered = await fetch(`${platform.services.get('users')!.url}/admin/bots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Obs bot', token: sandboxBot.token, ownerTelegramUserId: String(owner.id) }),
    });
    expect(registered.status).toBe(201);
    const { botId } = (await registered.json()) as RegisterBotReplyJson;
    await waitFor('the gateway to host the bot', () => platform.gateway.host?.hosted().length === 1, { timeoutMs: 15_000 });

    const chat = sandbox.chat(sandbox.createUser({ firstName: 'Ann', languageCode: 'en' }), sandboxBot);
    const greeting = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand('start');
    await greeting;

    // Metrics: the request answered and made, the events appended, the reply sent, the event consumed.
    await waitFor(
      'notifications to consume the membership',
      async () =>
        sample(await metricsOf('notifications'), 'botplatform_consumer_events_total', { consumer: 'notifications--recipients', outcome: 'applied' }) >= 1,
    );
    const users = await metricsOf('users');
    expect(sample(users, 'botplatform_rpc_requests_total', { side: 'server', subject: RPC.users.registerUser.subject, code: 'ok', service: 'users' })).toBe(1);
    expect(sample(users, 'botplatform_rpc_duration_seconds_count', { side: 'server', subject: RPC.users.registerUser.subject, code: 'ok' })).toBe(1);
    expect(sample(users, 'botplatform_events_appended_total', { service: 'users' })).toBeGreaterThan(0);
    expect(users).toContain('process_cpu_user_seconds_total');
    if (mode === 'distributed') expect(sample(users, 'botplatform_relay_published_total', {})).toBeGreaterThan(0);
    const gateway = await metricsOf('gateway');
    expect(sample(gateway, 'botplatform_rpc_requests_total', { side: 'client', subject: RPC.users.registerUser.subject, code: 'ok', service: 'gateway' })).toBe(
      1,
    );
    expect(sample(gateway, 'botplatform_telegram_calls_total', { method: 'sendMessage', status: '200' })).toBeGreaterThanOrEqual(1);

    // Logs: the request's line in users, and the lines of that /start in notifications, payments and the gateway, share its correlation id.
    const answered = lines.find((line) => line.service === 'users' && line.subject === RPC.users.registerUser.subject);
    expect(answered).toMatchObject({ botId, correlationId: expect.any(String) });
    const correlationId = answered!.correlationId;
    await waitFor('a gateway line of that /start', () => lines.some((line) => line.service === 'gateway' && line.correlationId === correlationId));
    // Payments follows the registration too (its referral consumer notes every member of a bot).
    await waitFor('a payments line of that /start', () => lines.some((line) => line.service === 'payments' && line.correlationId === correlationId));
    const services = new Set(lines.filter((line) => line.correlationId === correlationId).map((line) => line.service));
    expect([...services].sort()).toEqual(['gateway', 'notifications', 'payments', 'users']);
    expect(lines.find((line) => line.service === 'notifications' && line.correlationId === correlationId)).toMatchObject({
      botId,
      eventId: expect.any(String),
    });
    expect(JSON.stringify(lines)).not.toContain(sandboxBot.token);

    // Traces: one trace from the update through the request (and the relay) to the consumers.
    const finished = () => spans.getFinishedSpans();
    const update = finished().find((span) => span.name === 'telegram update')!;
    expect(update).toBeDefined();
    const traceId = update.spanContext().traceId;
    const inTrace = (predicate: (span: ReadableSpan) => boolean) => finished().some((span) => span.spanContext().traceId === traceId && predicate(span));
    await waitFor('the consumer span in the trace', () =>
      inTrace((span) => span.name.startsWith('consume ') && span.attributes['messaging.consumer.group.name'] === 'notifications--recipients'),
    );
    expect(inTrace((span) => span.name === RPC.users.registerUser.subject && span.kind === SpanKind.SERVER)).toBe(true);
    expect(inTrace((span) => span.name === RPC.users.registerUser.subject && span.kind === SpanKind.CLIENT)).toBe(true);
    if (mode === 'distributed') expect(inTrace((span) => span.name.startsWith('publish ') && span.kind === SpanKind.PRODUCER)).toBe(true);
  }, 60_000);
});
