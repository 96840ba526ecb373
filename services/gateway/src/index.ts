export type { BotContext, GatewaySession, HostedBotInfo } from './bot/bot-context.js';
export { GatewayConfig, gatewayRuntimeConfig } from './config.js';
export { gatewayService, type GatewayRuntimeConfig } from './gateway.service.js';
export { GatewayModule } from './gateway.module.js';
export {
  BotHost,
  type BotBehaviour,
  type BotChange,
  type BotCredentialsSource,
  type BotHostOptions,
  type FailedBot,
  type GatewayMode,
  type ReconcileReport,
  type WebhookOutcome,
  type WebhookSettings,
} from './hosting/bot-host.js';
export {
  composeGatewayService,
  type GatewayBehaviourDependencies,
  type GatewayHostingConfig,
  type GatewayParts,
  type GatewayServiceDefinition,
} from './hosting/compose-gateway-service.js';
export { onBotRegistryChanged } from './hosting/on-bot-registry-changed.consumer.js';
export { webhookSecretToken } from './hosting/webhook-secret.js';
export { MikroOrmSessionStorage } from './sessions/mikro-orm-session.storage.js';
export { GatewaySessionRecord } from './sessions/gateway-session.entity.js';
export { UsersClient } from './users/users.client.js';
export {
  OutboundDelivery,
  OutboundDeliveryLedger,
  OutboundDeliveryWorker,
  TelegramThrottle,
  gatewayPublicEvents,
  outboundEntities,
  outboundMigrations,
  type DeliveryRow,
  type OutboundTelegram,
  type SendOutcome,
  type TelegramSendLimits,
} from './outbound/index.js';
