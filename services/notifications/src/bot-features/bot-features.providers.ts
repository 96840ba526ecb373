import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { notificationsTranslate } from '../i18n/notifications-i18n.js';
import { NotificationsFeature } from '../preferences/notifications.feature.js';

/**
 * The notifications service's bot screen: one router (the token the service definition names in
 * `botFeatures`, which startService declares to the gateway) with /notifications on it.
 */
export const botFeaturesProviders: Provider[] = [
  NotificationsFeature,
  {
    provide: BotFeatureRouter,
    inject: [NotificationsFeature],
    useFactory: (notifications: NotificationsFeature) => {
      const translate = notificationsTranslate();
      return notifications.register(new BotFeatureRouter('notifications', { translate }), translate);
    },
  },
];
