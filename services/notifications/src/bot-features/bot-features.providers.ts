import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { BroadcastFeature } from '../broadcast/broadcast.feature.js';
import { notificationsTranslate } from '../i18n/notifications-i18n.js';
import { NotificationsFeature } from '../preferences/notifications.feature.js';
import { RulesAdminFeature } from '../rules/rules-admin.feature.js';

/**
 * The notifications service's bot screen: one router (the token the service definition names in
 * `botFeatures`, which startService declares to the gateway) with /notifications, /broadcast and /notifadmin on it.
 */
export const botFeaturesProviders: Provider[] = [
  NotificationsFeature,
  BroadcastFeature,
  RulesAdminFeature,
  {
    provide: BotFeatureRouter,
    inject: [NotificationsFeature, BroadcastFeature, RulesAdminFeature],
    useFactory: (notifications: NotificationsFeature, broadcast: BroadcastFeature, rulesAdmin: RulesAdminFeature) => {
      const translate = notificationsTranslate();
      const router = new BotFeatureRouter('notifications', { translate });
      return rulesAdmin.register(broadcast.register(notifications.register(router, translate), translate), translate);
    },
  },
];
