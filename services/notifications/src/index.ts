export { createNotificationsService, notificationsService } from './notifications.service.js';
export { NotificationRecipient } from './recipient/notification-recipient.entity.js';
export { notificationsPublicEvents } from './outbound/outbound.public-events.js';
export { BroadcastUseCases, type BroadcastPreview, type BroadcastProgress, type BroadcastView } from './broadcast/broadcasts.use-case.js';
export { BroadcastSender, type BroadcastSizing } from './broadcast/broadcast-sender.js';
export type { BroadcastSettings } from './broadcast/broadcast-settings.js';
export type { BroadcastAudience, BroadcastButton } from './broadcast/broadcast.decider.js';
