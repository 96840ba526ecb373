import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { gamificationTranslate } from '../i18n/gamification-i18n.js';
import { MeFeature } from './me.feature.js';
import { TopFeature } from './top.feature.js';

/**
 * The gamification service's bot screens: one router (the token the service definition names in
 * `botFeatures`, which startService declares to the gateway) with /me and /top on it.
 */
export const botFeaturesProviders: Provider[] = [
  MeFeature,
  TopFeature,
  {
    provide: BotFeatureRouter,
    inject: [MeFeature, TopFeature],
    useFactory: (me: MeFeature, top: TopFeature) => {
      const translate = gamificationTranslate();
      const router = new BotFeatureRouter('gamification', { translate });
      me.register(router, translate);
      return top.register(router, translate);
    },
  },
];
