// Nest's ValidationPipe (inside @RpcController) loads class-validator lazily; loaded here so it resolves under Jest's ESM loader too.
import 'class-validator';
import { InProcessBroker, InProcessServer, RpcController, RpcHandler } from '@botplatform/bus';
import {
  RPC,
  type BotCredentialsJson,
  type GetBotCredentialsReplyJson,
  type GetBotCredentialsRequestJson,
  type RecordBotBlockedReplyJson,
  type RecordBotBlockedRequestJson,
} from '@botplatform/contracts';
import { Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';

/** A bot as the stand-in registry keeps it; the token is a sandbox bot's. */
export interface StandInBot {
  readonly botId: string;
  readonly name: string;
  readonly token: string;
  readonly tokenVersion: number;
  readonly active: boolean;
}

class BotNotFound extends Error {
  readonly code = 'USERS.BOT_NOT_FOUND';
}

const REGISTRY = Symbol('StandInRegistry');

/**
 * Test-only stand-in for the users service's bot registry: a real Nest microservice serving
 * `rpc.users.get-bot-credentials` over the in-process RPC transport, answering from a list the test
 * edits. It lets the gateway's hosting be tested over the real request/reply path before (and
 * independently of) the users service.
 */
export class BotRegistryStandIn {
  private readonly bots = new Map<string, StandInBot>();
  /** `record-bot-blocked` requests received, oldest first. */
  readonly blocked: RecordBotBlockedRequestJson[] = [];
  /** Credentials requests received, oldest first. */
  readonly requests: GetBotCredentialsRequestJson[] = [];
  /** When set, every request fails with this code (the registry is down or refusing). */
  failWith: string | undefined;
  private app: INestMicroservice | undefined;

  private constructor(readonly broker: InProcessBroker) {}

  static async start(broker = new InProcessBroker()): Promise<BotRegistryStandIn> {
    const registry = new BotRegistryStandIn(broker);
    @Module({ controllers: [BotRegistryStandInController], providers: [{ provide: REGISTRY, useValue: registry }] })
    class StandInModule {}
    registry.app = await NestFactory.createMicroservice(StandInModule, { strategy: new InProcessServer(broker), logger: false });
    await registry.app.listen();
    return registry;
  }

  /** Adds or replaces a bot (active, token version 1 unless said otherwise). */
  put(bot: Omit<StandInBot, 'tokenVersion' | 'active'> & Partial<Pick<StandInBot, 'tokenVersion' | 'active'>>): StandInBot {
    const stored = { tokenVersion: 1, active: true, ...bot };
    this.bots.set(bot.botId, stored);
    return stored;
  }

  update(botId: string, change: Partial<Omit<StandInBot, 'botId'>>): StandInBot {
    const current = this.bots.get(botId);
    if (!current) throw new Error(`no stand-in bot ${botId}`);
    return this.put({ ...current, ...change });
  }

  remove(botId: string): void {
    this.bots.delete(botId);
  }

  answer(request: GetBotCredentialsRequestJson): GetBotCredentialsReplyJson {
    this.requests.push(request);
    if (this.failWith) throw Object.assign(new Error('stand-in registry refuses'), { code: this.failWith });
    if (request.botId === undefined) return { bots: [...this.bots.values()].filter((bot) => bot.active).map(toJson) };
    const bot = this.bots.get(request.botId);
    if (!bot) throw new BotNotFound(`no bot ${request.botId}`);
    return { bots: [toJson(bot)] };
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}

// Declared after the registry: its constructor's parameter type is read when the class is defined.
@RpcController()
class BotRegistryStandInController {
  constructor(@Inject(REGISTRY) private readonly registry: BotRegistryStandIn) {}

  @RpcHandler(RPC.users.getBotCredentials)
  getBotCredentials(@Payload() request: GetBotCredentialsRequestJson): GetBotCredentialsReplyJson {
    return this.registry.answer(request);
  }

  @RpcHandler(RPC.users.recordBotBlocked)
  recordBotBlocked(@Payload() request: RecordBotBlockedRequestJson): RecordBotBlockedReplyJson {
    this.registry.blocked.push(request);
    return {};
  }
}

function toJson(bot: StandInBot): BotCredentialsJson {
  // As proto3 JSON would carry it: zero values (inactive, version 0) left out.
  return {
    botId: bot.botId,
    name: bot.name,
    token: bot.token,
    ...(bot.tokenVersion ? { tokenVersion: bot.tokenVersion } : {}),
    ...(bot.active ? { active: true } : {}),
  };
}
