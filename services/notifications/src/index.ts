export { notificationsService } from './notifications.service.js';
export { NotificationRecipient } from './recipient/notification-recipient.entity.js';
