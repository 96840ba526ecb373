import type { ServiceDependencies } from '@botplatform/service-kit';
import { AdminHttpErrorFilter, ApiTokensClient, createRpcClient } from '@botplatform/service-kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminPlansController } from './admin-api/admin-plans.controller.js';
import { BotGroupDirectory } from './bot-group/bot-group-directory.js';
import { botFeaturesProviders } from './bot/bot-features.providers.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { PaymentsClient } from './bot/payments.client.js';
import { ManagePlansRpcController } from './plan/manage-plans.rpc-controller.js';
import { ManagePlansUseCase } from './plan/manage-plans.use-case.js';
import { PlanCatalog } from './plan/plan-catalog.js';
import { ReminderDeliveryClient } from './reminder/reminder-delivery.client.js';
import { RemindOfEndUseCase } from './reminder/remind-of-end.use-case.js';
import { Clock, SystemClock } from './shared/clock.js';
import { AccessRpcController } from './subscription/access.rpc-controller.js';
import { AccessUseCase } from './subscription/access.use-case.js';
import { ExpireSubscriptionUseCase } from './subscription/expire-subscription.use-case.js';
import { ManageSubscriptionsRpcController } from './subscription/manage-subscriptions.rpc-controller.js';
import { ManageSubscriptionsUseCase } from './subscription/manage-subscriptions.use-case.js';
import { SubscriptionCommands } from './subscription/subscription-commands.js';
import { SubscriptionDirectory } from './subscription/subscription-directory.js';
import { SubscriptionTimerWorker } from './subscription/subscription-timer-worker.js';
import { RenewFromWalletUseCase } from './subscription/renew-from-wallet.use-case.js';
import { WalletRenewalClient } from './subscription/wallet-renewal.client.js';

/** Request handlers, the admin API, the bot screens and use cases of the subscriptions service. */
@Module({
  controllers: [ManagePlansRpcController, ManageSubscriptionsRpcController, AccessRpcController, HandleBotUpdateRpcController, AdminPlansController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    PlanCatalog,
    ManagePlansUseCase,
    SubscriptionCommands,
    ManageSubscriptionsUseCase,
    AccessUseCase,
    BotGroupDirectory,
    SubscriptionDirectory,
    ...botFeaturesProviders,
    // The durable schedule: expiries, reminders and wallet renewals fired by the worker through their use cases.
    ExpireSubscriptionUseCase,
    RemindOfEndUseCase,
    RenewFromWalletUseCase,
    SubscriptionTimerWorker,
    // Body-parse errors and unknown /admin routes fail before any admin controller is chosen.
    { provide: APP_FILTER, useClass: AdminHttpErrorFilter },
  ],
})
export class SubscriptionsModule {
  /** The module with what it needs from the running service: RPC clients to the users, notifications and payments services, closed with the module. */
  static forService(dependencies: ServiceDependencies): DynamicModule {
    return {
      module: SubscriptionsModule,
      providers: [
        { provide: ApiTokensClient, useFactory: () => new ApiTokensClient(createRpcClient(dependencies.rpc), 'SUBSCRIPTIONS') },
        { provide: ReminderDeliveryClient, useFactory: () => new ReminderDeliveryClient(createRpcClient(dependencies.rpc)) },
        { provide: PaymentsClient, useFactory: () => new PaymentsClient(createRpcClient(dependencies.rpc)) },
        { provide: WalletRenewalClient, useFactory: () => new WalletRenewalClient(createRpcClient(dependencies.rpc)) },
      ],
    };
  }
}
