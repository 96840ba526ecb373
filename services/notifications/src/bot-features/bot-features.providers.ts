import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { BroadcastFeature } from '../broadcast/broadcast.feature.js';
import { notificationsTranslate } from '../i18n/notifications-i18n.js';
import { NotificationsFeature } from '../preferences/notifications.feature.js';

/**
 * The notifications service's bot screen: one router (the token the service definition names in
 * `botFeatures`, which startService declares to the gateway) with /notifications on it.
 */
export const botFeaturesProviders: Provider[] = [
  NotificationsFeature,
  BroadcastFeature,
  {
    provide: BotFeatureRouter,
    inject: [NotificationsFeature, BroadcastFeature],
    useFactory: (notifications: NotificationsFeature, broadcast: BroadcastFeature) => {
      const translate = notificationsTranslate();
      return broadcast.register(notifications.register(new BotFeatureRouter('notifications', { translate }), translate), translate);
    },
  },
];
