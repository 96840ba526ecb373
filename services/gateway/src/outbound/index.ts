import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import { outboundDeliveriesMigration } from './migrations/20261124000600-outbound-deliveries.migration.js';
import { outboundQueueMigration } from './migrations/20261124000700-outbound-queue.migration.js';
import { outboundMessageThreadMigration } from './migrations/20261130230100-outbound-message-thread.migration.js';
import { outboundPaidPhotoEditMigration } from './migrations/20261201020000-outbound-paid-photo-edit.migration.js';

export { createOutboundConsumer, OUTBOUND_CONSUMER, type OutboundConsumerDependencies } from './on-message-send-requested.consumer.js';
export { OutboundDeliveryLedger, type DeliveryRow, type SendOutcome } from './outbound-delivery.ledger.js';
export { OutboundDelivery, OutboundDeliveryWorker, type OutboundDeliveryWorkerOptions, type OutboundTelegram } from './outbound-delivery.worker.js';
export { gatewayPublicEvents } from './outbound.public-events.js';
export {
  TelegramThrottle,
  TELEGRAM_SEND_LIMITS,
  type SendLane,
  type TelegramSendLimits,
  type TelegramThrottleOptions,
  type ThrottleClock,
  type ThrottledBot,
  type ThrottledOutcome,
} from './telegram-throttle.js';
export type { RateRule } from '../rate-limit/token-bucket.js';
export { DEFAULT_SEND_RETRY, type SendRetryPolicy } from './outbound-message.sender.js';
export {
  deliveryStreamId,
  type DeliveryFailureReason,
  type MessageDelivered,
  type MessageDeliveryFailed,
  type OutboundDeliveryEvent,
} from './outbound-delivery.events.js';

/** The outbound tables of the gateway's schema, after the event store's and the bus's migrations. */
export const outboundMigrations: MigrationObject[] = [
  outboundDeliveriesMigration,
  outboundQueueMigration,
  outboundMessageThreadMigration,
  outboundPaidPhotoEditMigration,
];

/** No entities: the deliveries table is reached through SQL (inserts and claims that must not overwrite one another). */
export const outboundEntities: EntityClass<unknown>[] = [];
