import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ListPlansReplyJson, type PlanReplyJson } from '@botplatform/contracts';
import type { Actor } from '@botplatform/event-store';
import { Payload } from '@nestjs/microservices';
import { ManagePlansUseCase } from './manage-plans.use-case.js';
import { ArchivePlanDto, CreatePlanDto, ListPlansDto, UpdatePlanDto, planDefinitionOf } from './plans.dto.js';

// The contract does not say who asks yet: the admin HTTP API (later) will name its token.
const RPC_CALLER: Actor = { kind: 'service', id: 'rpc-caller' };

/** `RPC.subscriptions.createPlan`, `updatePlan`, `archivePlan`, `listPlans`: validated DTOs in, the use case called. */
@RpcController()
export class ManagePlansRpcController {
  constructor(private readonly plans: ManagePlansUseCase) {}

  @RpcHandler(RPC.subscriptions.createPlan)
  create(@Payload() request: CreatePlanDto): Promise<PlanReplyJson> {
    return this.plans.execute({ type: 'CreatePlan', planId: request.planId, botId: request.botId, definition: planDefinitionOf(request.plan) }, RPC_CALLER);
  }

  @RpcHandler(RPC.subscriptions.updatePlan)
  update(@Payload() request: UpdatePlanDto): Promise<PlanReplyJson> {
    return this.plans.execute({ type: 'UpdatePlan', planId: request.planId, botId: request.botId, definition: planDefinitionOf(request.plan) }, RPC_CALLER);
  }

  @RpcHandler(RPC.subscriptions.archivePlan)
  archive(@Payload() request: ArchivePlanDto): Promise<PlanReplyJson> {
    return this.plans.execute({ type: 'ArchivePlan', planId: request.planId, botId: request.botId }, RPC_CALLER);
  }

  @RpcHandler(RPC.subscriptions.listPlans)
  list(@Payload() request: ListPlansDto): Promise<ListPlansReplyJson> {
    return this.plans.list(request.botId, {
      activeOnly: request.activeOnly,
      includeArchived: request.includeArchived,
      includeGroupShared: request.includeGroupShared,
    });
  }
}
