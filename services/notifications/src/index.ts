export { notificationsService } from './notifications.service.js';
export { NotificationRecipient } from './recipient/notification-recipient.entity.js';
export { SEND_MESSAGE } from './outbound/send-message.handler.js';
export { notificationsPublicEvents } from './outbound/outbound.public-events.js';
