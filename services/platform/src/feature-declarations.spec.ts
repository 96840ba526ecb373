import { BotFeatureRouter, FeatureDeclarer } from '@botplatform/bot-kit';
import { InProcessBroker, InProcessClient, RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { afterEach, describe, expect, it } from '@jest/globals';
import { allFeaturesDeclared, FeatureDeclarationTimeoutError } from './feature-declarations.js';

const routerOf = (service: string, command: string) =>
  new BotFeatureRouter(service).command(command, { description: { en: command } }, (ctx) => {
    ctx.reply(command);
  });

describe('Waiting for every service to declare its bot features', () => {
  const declarers: FeatureDeclarer[] = [];
  // A back-off far longer than the test: only `retryNow` can make the declarations land in time.
  const declarerOf = (broker: InProcessBroker, router: BotFeatureRouter) => {
    const declarer = new FeatureDeclarer(router, new RpcClient(new InProcessClient(broker)), { retryDelaysMs: [60_000] });
    declarers.push(declarer);
    void declarer.start();
    return declarer;
  };

  afterEach(() => {
    for (const declarer of declarers.splice(0)) declarer.stop();
  });

  it('asks services that declared before the gateway was up to try again at once, and resolves when all are declared', async () => {
    const broker = new InProcessBroker();
    const users = declarerOf(broker, routerOf('users', 'admin'));
    const plans = declarerOf(broker, routerOf('plans', 'plans'));
    await new Promise((resolve) => setTimeout(resolve, 20)); // both refused: no gateway yet
    const owners = new Map<string, string>();
    broker.register(RPC.gateway.declareBotFeatures.subject, async (request) => {
      const declaration = (request as { declaration: { service: string; commands: { command: string }[] } }).declaration;
      for (const command of declaration.commands) owners.set(command.command, declaration.service);
      return { changed: true, version: String(owners.size) };
    });
    await allFeaturesDeclared([{ name: 'users', declarer: users }, { name: 'plans', declarer: plans }, { name: 'notifications' }], 2_000);
    expect(Object.fromEntries(owners)).toEqual({ admin: 'users', plans: 'plans' });
  });

  it("fails with the refusal's message when the gateway refuses one", async () => {
    const broker = new InProcessBroker();
    broker.register(RPC.gateway.declareBotFeatures.subject, async () => {
      throw { code: 'GATEWAY.FEATURE_CLASH', message: 'clash', details: { kind: 'callback_namespace', name: 'adm', owner: 'users' } };
    });
    const declarer = declarerOf(broker, routerOf('rogue', 'rogue'));
    await expect(allFeaturesDeclared([{ name: 'rogue', declarer }], 2_000)).rejects.toThrow(
      'the gateway refused the bot features of rogue: the callback namespace "adm" belongs to users',
    );
  });

  it('fails naming the service and the last error when the gateway does not answer in time', async () => {
    const declarer = declarerOf(new InProcessBroker(), routerOf('users', 'admin'));
    const failure = await allFeaturesDeclared([{ name: 'users', declarer }], 100).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FeatureDeclarationTimeoutError);
    expect((failure as Error).message).toMatch(/^the gateway did not take the bot features of users within 100 ms \(last error: .*RPC\.NO_HANDLER/);
  });
});
