export { notificationsService } from './notifications.service.js';
export { NotificationRecipient } from './recipient/notification-recipient.entity.js';
export { notificationsPublicEvents } from './outbound/outbound.public-events.js';
