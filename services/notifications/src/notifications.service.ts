import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { schedulerMigrations } from '@botplatform/scheduler';
import { ApiTokensClient, createRpcClient, type ServiceDefinition, type ServiceDependencies } from '@botplatform/service-kit';
import { AdminAlertDispatcher } from './alerts/admin-alert-dispatcher.js';
import { onPaymentsAlert } from './alerts/on-payments-alert.consumer.js';
import { onUsersAlert } from './alerts/on-users-alert.consumer.js';
import { NotificationRecipientsMigration20261123000300 } from './migrations/20261123000300-notification-recipients.migration.js';
import { AudienceRulesTemplatesMigration20261130000100 } from './migrations/20261130000100-audience-rules-templates.migration.js';
import { ScheduledMessagesAdminAlertsMigration20261130230000 } from './migrations/20261130230000-scheduled-messages-admin-alerts.migration.js';
import { BotTimeZoneMigration20261201061000 } from './migrations/20261201061000-bot-time-zone.migration.js';
import type { DynamicModule } from '@nestjs/common';
import { BROADCAST_SETTINGS, type BroadcastSettings, DEFAULT_BROADCAST_SETTINGS } from './broadcast/broadcast-settings.js';
import { BroadcastsMigration20261201000400 } from './broadcast/migrations/20261201000400-broadcasts.migration.js';
import { WithheldSendsMigration20261201030000 } from './preferences/migrations/20261201030000-withheld-sends.migration.js';
import { BroadcastPhotoProgressMigration20261201020100 } from './broadcast/migrations/20261201020100-broadcast-photo-progress.migration.js';
import { BroadcastPendingIndexMigration20261201060000 } from './broadcast/migrations/20261201060000-broadcast-pending-index.migration.js';
import { BroadcastSettledIndexMigration20261201070000 } from './broadcast/migrations/20261201070000-broadcast-settled-index.migration.js';
import { NotificationsModule } from './notifications.module.js';
import { notificationsPublicEvents } from './outbound/outbound.public-events.js';
import { NotificationRecipient } from './recipient/notification-recipient.entity.js';
import { onDeliveryOutcome } from './recipient/on-delivery-outcome.consumer.js';
import { onSubscriptionsEvent } from './recipient/on-subscriptions-event.consumer.js';
import { onUsersEvent } from './recipient/on-users-event.consumer.js';
import { onGamificationEvent } from './rules/on-gamification-event.consumer.js';
import { onPaymentsEvent } from './rules/on-payments-event.consumer.js';
import { RuleDispatcher } from './rules/rule-dispatcher.js';

/** The notifications service: turns other services' events into messages for bot users. */
export const notificationsService: ServiceDefinition = {
  name: 'notifications',
  schema: 'notifications',
  migrations: [
    ...eventStoreMigrations,
    ...busMigrations,
    { name: 'Migration20261123000300_notification_recipients', class: NotificationRecipientsMigration20261123000300 },
    { name: 'Migration20261130000100_audience_rules_templates', class: AudienceRulesTemplatesMigration20261130000100 },
    ...schedulerMigrations,
    { name: 'Migration20261130230000_scheduled_messages_admin_alerts', class: ScheduledMessagesAdminAlertsMigration20261130230000 },
    { name: 'Migration20261201000400_broadcasts', class: BroadcastsMigration20261201000400 },
    { name: 'Migration20261201020100_broadcast_photo_progress', class: BroadcastPhotoProgressMigration20261201020100 },
    { name: 'Migration20261201030000_withheld_sends', class: WithheldSendsMigration20261201030000 },
    { name: 'Migration20261201060000_broadcast_pending_index', class: BroadcastPendingIndexMigration20261201060000 },
    { name: 'Migration20261201061000_bot_time_zone', class: BotTimeZoneMigration20261201061000 },
    { name: 'Migration20261201070000_broadcast_settled_index', class: BroadcastSettledIndexMigration20261201070000 },
  ],
  entities: [NotificationRecipient],
  module: (dependencies) => notificationsModule(DEFAULT_BROADCAST_SETTINGS, dependencies),
  consumers: ({ store }) => {
    const rules = new RuleDispatcher(store);
    const alerts = new AdminAlertDispatcher(store);
    return [
      onUsersEvent(rules),
      onSubscriptionsEvent(rules),
      onGamificationEvent(rules),
      onDeliveryOutcome,
      onPaymentsEvent(rules),
      onUsersAlert(alerts),
      onPaymentsAlert(alerts),
    ];
  },
  toPublic: notificationsPublicEvents,
  botFeatures: BotFeatureRouter,
};

/** The service with other broadcast settings (tests keep Telegram's proportions at a higher pace). */
export function createNotificationsService(options: { broadcast?: Partial<BroadcastSettings> } = {}): ServiceDefinition {
  const broadcast: BroadcastSettings = { ...DEFAULT_BROADCAST_SETTINGS, ...options.broadcast };
  return { ...notificationsService, module: (dependencies) => notificationsModule(broadcast, dependencies) };
}

/** The module with its broadcast settings and the users service's client that checks the admin API's tokens (closed with the module). */
function notificationsModule(broadcast: BroadcastSettings, dependencies: ServiceDependencies): DynamicModule {
  return {
    module: NotificationsModule,
    providers: [
      { provide: BROADCAST_SETTINGS, useValue: broadcast },
      { provide: ApiTokensClient, useFactory: () => new ApiTokensClient(createRpcClient(dependencies.rpc), 'NOTIFICATIONS') },
    ],
  };
}
