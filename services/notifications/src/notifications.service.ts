import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { NotificationRecipientsMigration20261123000300 } from './migrations/20261123000300-notification-recipients.migration.js';
import { NotificationsModule } from './notifications.module.js';
import { notificationsPublicEvents } from './outbound/outbound.public-events.js';
import { NotificationRecipient } from './recipient/notification-recipient.entity.js';
import { onUserRegistered } from './recipient/on-user-registered.consumer.js';

/** The notifications service: turns other services' events into messages for bot users. */
export const notificationsService: ServiceDefinition = {
  name: 'notifications',
  schema: 'notifications',
  migrations: [
    ...eventStoreMigrations,
    ...busMigrations,
    { name: 'Migration20261123000300_notification_recipients', class: NotificationRecipientsMigration20261123000300 },
  ],
  entities: [NotificationRecipient],
  module: () => ({ module: NotificationsModule }),
  consumers: () => [onUserRegistered],
  toPublic: notificationsPublicEvents,
};
