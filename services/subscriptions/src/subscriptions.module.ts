import { Module } from '@nestjs/common';
import { ManagePlansRpcController } from './plan/manage-plans.rpc-controller.js';
import { ManagePlansUseCase } from './plan/manage-plans.use-case.js';
import { PlanCatalog } from './plan/plan-catalog.js';
import { Clock, SystemClock } from './shared/clock.js';
import { AccessRpcController } from './subscription/access.rpc-controller.js';
import { AccessUseCase } from './subscription/access.use-case.js';
import { ManageSubscriptionsRpcController } from './subscription/manage-subscriptions.rpc-controller.js';
import { ManageSubscriptionsUseCase } from './subscription/manage-subscriptions.use-case.js';
import { SubscriptionCommands } from './subscription/subscription-commands.js';

/** Request handlers and use cases of the subscriptions service. */
@Module({
  controllers: [ManagePlansRpcController, ManageSubscriptionsRpcController, AccessRpcController],
  providers: [{ provide: Clock, useClass: SystemClock }, PlanCatalog, ManagePlansUseCase, SubscriptionCommands, ManageSubscriptionsUseCase, AccessUseCase],
})
export class SubscriptionsModule {}
