import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { Provider } from '@nestjs/common';
import { subscriptionsTranslate } from '../i18n/subscriptions-i18n.js';
import { MySubscriptionFeature } from './my-subscription.feature.js';
import { PlansFeature } from './plans.feature.js';
import { SubscriptionsAdminFeature } from './subscriptions-admin.feature.js';

/**
 * The subscriptions service's bot screens: one router (the token the service definition names in
 * `botFeatures`, which startService declares to the gateway) with every feature of the service on it.
 */
export const botFeaturesProviders: Provider[] = [
  PlansFeature,
  MySubscriptionFeature,
  SubscriptionsAdminFeature,
  {
    provide: BotFeatureRouter,
    inject: [PlansFeature, MySubscriptionFeature, SubscriptionsAdminFeature],
    useFactory: (plans: PlansFeature, mySubscription: MySubscriptionFeature, admin: SubscriptionsAdminFeature) => {
      const translate = subscriptionsTranslate();
      const router = new BotFeatureRouter('subscriptions', { translate });
      plans.register(router, translate);
      mySubscription.register(router, translate);
      return admin.register(router, translate);
    },
  },
];
