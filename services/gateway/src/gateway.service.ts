import type { Api } from 'grammy';
import {
  createBotPipeline,
  createErrorBoundary,
  MemberCache,
  memberCacheConsumer,
  registerBotCommands,
  type IncomingRateLimit,
} from './features/bot-pipeline.js';
import { composeGatewayService, type GatewayHostingConfig, type GatewayServiceDefinition } from './hosting/compose-gateway-service.js';
import { OutboundDelivery, gatewayPublicEvents, outboundEntities, outboundMigrations } from './outbound/index.js';

/** The gateway's settings: hosting (see `GatewayConfig` for the environment form) and the pipeline's knobs. */
export interface GatewayRuntimeConfig extends GatewayHostingConfig {
  /** Incoming updates per user and bot; `false` turns the limit off (benchmarks). Default 20 / 10 s. */
  readonly incomingRateLimit?: IncomingRateLimit | false;
}

/**
 * The gateway service, the only one that speaks to Telegram: hosts every active bot of the registry
 * (long polling or webhooks), runs the bot pipeline on each update, sends other services' outbound
 * messages through the hosted bots, and publishes their deliveries. `host` reaches the running BotHost.
 */
export function gatewayService(config: GatewayRuntimeConfig): GatewayServiceDefinition {
  // One cache for every hosted bot, kept fresh by one consumer of the users service's member events.
  const memberCache = new MemberCache();
  const outbound = new OutboundDelivery({ logger: config.logger });
  return composeGatewayService(config, {
    behaviour: ({ users, logger }) => {
      const dependencies = { users, logger, memberCache, incomingRateLimit: config.incomingRateLimit };
      // Shared by all bots: state inside (rate limits, cache) is keyed by bot and user.
      const pipeline = createBotPipeline(dependencies);
      const errorBoundary = createErrorBoundary(dependencies);
      return {
        pipelineFor: () => pipeline,
        errorHandlerFor: () => errorBoundary,
        registerCommands: (api: Api) => registerBotCommands(api),
      };
    },
    migrations: outboundMigrations,
    entities: outboundEntities,
    consumers: ({ orm, store, host, users }) => [memberCacheConsumer(memberCache), outbound.consumer({ orm, store, telegram: host, users })],
    disposables: [outbound],
    toPublic: gatewayPublicEvents,
  });
}
