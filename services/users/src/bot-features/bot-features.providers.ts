import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { AdminMenuFeature } from '../admin-menu/admin-menu.feature.js';
import { usersTranslate } from '../i18n/users-i18n.js';
import { ProfileFeature } from '../profile/profile.feature.js';

/**
 * The users service's bot screens: one router (the token the service definition names in `botFeatures`,
 * which startService declares to the gateway) with every feature of the service registered on it.
 */
export const botFeaturesProviders: Provider[] = [
  AdminMenuFeature,
  ProfileFeature,
  {
    provide: BotFeatureRouter,
    inject: [AdminMenuFeature, ProfileFeature],
    useFactory: (adminMenu: AdminMenuFeature, profile: ProfileFeature) => {
      const translate = usersTranslate();
      return profile.register(adminMenu.register(new BotFeatureRouter('users', { translate }), translate));
    },
  },
];
