import { BotFeatureRouter, FeatureDeclarationRefusedError } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC, type DeclareBotFeaturesRequestJson } from '@botplatform/contracts';
import { eventStoreMigrations } from '@botplatform/event-store';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import type { ServiceDefinition } from './service-definition.js';
import { startService, type RunningService } from './start-service.js';

/** The router a test service provides; `botFeatures` names it. */
const PLANS_ROUTER = Symbol('PLANS_ROUTER');

function plansService(router: BotFeatureRouter): ServiceDefinition {
  @Module({ providers: [{ provide: PLANS_ROUTER, useValue: router }] })
  class PlansModule {}
  return { name: 'plans', schema: 'plans', migrations: eventStoreMigrations, module: () => ({ module: PlansModule }), botFeatures: PLANS_ROUTER };
}

const plansRouter = () =>
  new BotFeatureRouter('plans').command('plans', { description: { en: 'Plans' } }, (ctx) => {
    ctx.reply('plans');
  });

async function healthOf(service: RunningService): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(6_000) });
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

/** A gateway stand-in answering rpc.gateway.declare-bot-features on the in-process transport. */
function gatewayOn(broker: InProcessBroker, answer: (request: DeclareBotFeaturesRequestJson) => unknown): DeclareBotFeaturesRequestJson[] {
  const received: DeclareBotFeaturesRequestJson[] = [];
  broker.register(RPC.gateway.declareBotFeatures.subject, async (request) => {
    received.push(request as DeclareBotFeaturesRequestJson);
    return answer(request as DeclareBotFeaturesRequestJson);
  });
  return received;
}

describe('startService with bot features', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  const started: RunningService[] = [];

  const start = async (router: BotFeatureRouter, broker: InProcessBroker) => {
    const service = await startService(plansService(router), {
      databaseUrl: database.url,
      bus,
      rpc: { kind: 'in-process', broker },
      httpPort: 0,
      logger: false,
      featureDeclarer: { retryDelaysMs: [50] },
    });
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_bot_features');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  });

  afterAll(async () => {
    for (const service of started) await service.close();
    await bus?.close();
    await database?.drop();
  });

  it('declares the router once the gateway answers, again when a route is added, and stops on close', async () => {
    const broker = new InProcessBroker();
    const router = plansRouter();
    const service = await start(router, broker);
    expect(service.declarer?.state).toBe('pending');
    expect((await healthOf(service)).checks['bot-features']).toMatch(/^pending: .*RPC\.NO_HANDLER/);

    let version = 0;
    const received = gatewayOn(broker, () => ({ changed: true, version: String(++version) }));
    await service.declarer!.declared;
    expect(received.map((request) => request.declaration?.commands?.map((c) => c.command))).toEqual([['plans']]);
    expect(await healthOf(service)).toEqual({ status: 200, checks: expect.objectContaining({ 'bot-features': 'declared (routing table v1)' }) });

    router.callback('plans', (ctx) => {
      ctx.answerCallback('ok');
    });
    await waitFor('the new declaration', () => received.length === 2);
    expect(received[1]?.declaration?.callbackNamespaces).toEqual([{ namespace: 'plans' }]);

    await service.close();
    started.splice(started.indexOf(service), 1);
    expect(service.declarer?.state).toBe('stopped');
    router.step('plans:promo', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toHaveLength(2);
  });

  it('reports a refusal (a clash) as its health and rejects `declared` with the clash named', async () => {
    const broker = new InProcessBroker();
    gatewayOn(broker, () => {
      throw { code: 'GATEWAY.FEATURE_CLASH', message: 'command plans is owned by payments', details: { kind: 'command', name: 'plans', owner: 'payments' } };
    });
    const service = await start(plansRouter(), broker);
    const refusal = await service.declarer!.declared.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(FeatureDeclarationRefusedError);
    expect((refusal as Error).message).toBe('the gateway refused the bot features of plans: the command "plans" belongs to payments');
    const health = await healthOf(service);
    expect(health.status).toBe(503);
    expect(health.checks['bot-features']).toBe('down: the gateway refused the bot features of plans: the command "plans" belongs to payments');
  });
});
