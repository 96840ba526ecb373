import { rpcFeatureCall } from '@botplatform/bot-kit';
import type { Api } from 'grammy';
import { createBotPipeline, createErrorBoundary, gatewayCommands, MemberCache, memberCacheConsumer, type IncomingRateLimit } from './features/bot-pipeline.js';
import { composeGatewayService, type GatewayHostingConfig, type GatewayServiceDefinition } from './hosting/compose-gateway-service.js';
import { OutboundDelivery, gatewayPublicEvents, outboundEntities, outboundMigrations } from './outbound/index.js';
import { BotConfigCache } from './routing/bot-config.cache.js';
import { CommandMenus } from './routing/command-menus.js';
import { onBotConfigChanged } from './routing/on-bot-config-changed.consumer.js';

/** The gateway's settings: hosting (see `GatewayConfig` for the environment form) and the pipeline's knobs. */
export interface GatewayRuntimeConfig extends GatewayHostingConfig {
  /** Incoming updates per user and bot; `false` turns the limit off (benchmarks). Default 20 / 10 s. */
  readonly incomingRateLimit?: IncomingRateLimit | false;
  /** How long a service has to answer a routed update (default 2.5 s). */
  readonly featureDeadlineMs?: number;
  /** How long a service has to answer a routed pre-checkout query (default 5 s, Telegram allows 10 s in all). */
  readonly preCheckoutDeadlineMs?: number;
  /** How long a bot's flags and time zone are kept between the users service's events (default 30 s). */
  readonly botConfigTtlMs?: number;
}

/**
 * The gateway service, the only one that speaks to Telegram: hosts every active bot of the registry
 * (long polling or webhooks), runs the bot pipeline on each update (routing what services declared to
 * them), sends other services' outbound messages through the hosted bots, and publishes their
 * deliveries. `host` reaches the running BotHost, `routing` its routing table.
 */
export function gatewayService(config: GatewayRuntimeConfig): GatewayServiceDefinition {
  // One cache for every hosted bot, kept fresh by one consumer of the users service's member events.
  const memberCache = new MemberCache();
  const outbound = new OutboundDelivery({ logger: config.logger });
  let botConfig: BotConfigCache | undefined;
  return composeGatewayService(config, {
    behaviour: ({ users, logger, rpc, routing, hostedBots }) => {
      const configCache = new BotConfigCache(users, { ttlMs: config.botConfigTtlMs });
      botConfig = configCache;
      const dependencies = {
        users,
        logger,
        memberCache,
        incomingRateLimit: config.incomingRateLimit,
        routing: {
          table: () => routing.current(),
          config: (botId: string) => configCache.get(botId),
          call: rpcFeatureCall(rpc),
          deadlineMs: config.featureDeadlineMs,
          preCheckoutDeadlineMs: config.preCheckoutDeadlineMs,
        },
      };
      const menus = new CommandMenus({
        table: () => routing.current(),
        config: (botId) => configCache.get(botId),
        gatewayCommands,
        listMembers: (request) => users.listMembers(request),
        logger,
      });
      const setMenus = (api: Api, info: Parameters<CommandMenus['register']>[1]) =>
        menus.register(api, info).catch((error: unknown) => logger.warn(`bot ${info.botId}: could not set its command menus (${String(error)})`));
      // A new declaration, or a bot's flags changing, changes what its menus list.
      routing.onChange(() => {
        for (const { info, api } of hostedBots()) void setMenus(api, info);
      });
      configCache.onInvalidated((botId) => {
        for (const { info, api } of hostedBots()) if (info.botId === botId) void setMenus(api, info);
      });
      // Shared by all bots: state inside (rate limits, cache) is keyed by bot and user.
      const pipeline = createBotPipeline(dependencies);
      const errorBoundary = createErrorBoundary(dependencies);
      return {
        pipelineFor: () => pipeline,
        errorHandlerFor: () => errorBoundary,
        registerCommands: (api, info) => menus.register(api, info),
      };
    },
    migrations: outboundMigrations,
    entities: outboundEntities,
    consumers: ({ orm, store, host, users }) => [
      memberCacheConsumer(memberCache),
      onBotConfigChanged({ invalidate: (botId) => botConfig?.invalidate(botId) }),
      outbound.consumer({ orm, store, telegram: host, users }),
    ],
    disposables: [outbound],
    toPublic: gatewayPublicEvents,
  });
}
