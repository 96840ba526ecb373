// Nest's ValidationPipe (inside @RpcController) loads class-validator lazily; loaded here so it resolves under Jest's ESM loader too.
import 'class-validator';
import { type BotFeatureRouter, FeatureDeclarer } from '@botplatform/bot-kit';
import { RpcController, RpcHandler, type RpcClient } from '@botplatform/bus';
import { botFeatureRpcOf, type BotActionsJson, type BotUpdateJson } from '@botplatform/contracts';
import { createRpcClient, rpcServerOptions, type RpcTransport } from '@botplatform/service-kit';
import { Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';

const STAND_IN = Symbol('FeatureServiceStandIn');

/**
 * A service with bot features, as a feature author writes one: a `BotFeatureRouter` answering
 * `rpc.<service>.handle-bot-update` from a real Nest microservice on the platform's transport, and a
 * `FeatureDeclarer` telling the gateway what it handles. `delayMs` makes it slow; `close()` makes it dead.
 */
export class FeatureServiceStandIn {
  /** Every update the service received, oldest first. */
  readonly received: BotUpdateJson[] = [];
  /** Pause before each answer (a slow service). */
  delayMs = 0;
  readonly declarer: FeatureDeclarer;
  private app: INestMicroservice | undefined;
  private readonly rpc: RpcClient;
  /** Answers held back by `delayMs`, dropped at `close()` (the gateway gave up on them long before). */
  private readonly pauses = new Set<NodeJS.Timeout>();

  private constructor(
    readonly router: BotFeatureRouter,
    readonly transport: RpcTransport,
  ) {
    this.rpc = createRpcClient(transport);
    this.declarer = new FeatureDeclarer(router, this.rpc, { retryDelaysMs: [200] });
  }

  /** Serves the router's updates (not yet declared: `declare()`). */
  static async serve(router: BotFeatureRouter, transport: RpcTransport): Promise<FeatureServiceStandIn> {
    const standIn = new FeatureServiceStandIn(router, transport);
    await standIn.listen();
    return standIn;
  }

  /** Declares the router's features to the gateway; rejects when the gateway refuses them. */
  declare(): Promise<void> {
    return this.declarer.start();
  }

  /** @internal */
  async answer(update: BotUpdateJson): Promise<BotActionsJson> {
    this.received.push(update);
    if (this.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.pauses.delete(timer);
          resolve();
        }, this.delayMs);
        this.pauses.add(timer);
      });
    }
    return this.router.handle(update);
  }

  /** Stops answering (a dead service: the gateway finds no responder). */
  async stopServing(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  /** Answers again after `stopServing()`. */
  async listen(): Promise<void> {
    if (this.app) return;
    const method = botFeatureRpcOf(this.router.service);
    @RpcController()
    class FeatureServiceController {
      constructor(@Inject(STAND_IN) private readonly service: FeatureServiceStandIn) {}

      @RpcHandler(method)
      handleBotUpdate(@Payload() update: BotUpdateJson): Promise<BotActionsJson> {
        return this.service.answer(update);
      }
    }
    @Module({ controllers: [FeatureServiceController], providers: [{ provide: STAND_IN, useValue: this }] })
    class FeatureServiceModule {}
    // No `logger` option: `logger: false` would silence Nest's shared logger, the gateway's included.
    this.app = await NestFactory.createMicroservice(FeatureServiceModule, { ...rpcServerOptions(this.transport, this.router.service), bufferLogs: false });
    await this.app.listen();
  }

  async close(): Promise<void> {
    for (const pause of this.pauses) clearTimeout(pause);
    this.pauses.clear();
    this.declarer.stop();
    await this.stopServing();
    await this.rpc.close();
  }
}
