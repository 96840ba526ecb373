import type { ListPlansReplyJson, PlanReplyJson } from '@botplatform/contracts';
import type { Actor } from '@botplatform/event-store';
import { Body, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ManagePlansUseCase } from '../plan/manage-plans.use-case.js';
import { PlanDefinitionDto, planDefinitionOf } from '../plan/plans.dto.js';
import { AdminApiController, Principal, requesterOf, type AdminPrincipal } from '@botplatform/service-kit';
import { BotParams, CreatePlanBody, ListPlansQuery, PlanParams } from './admin-plans.dto.js';

const actorOf = (principal: AdminPrincipal): Actor => ({ kind: 'admin', id: requesterOf(principal) });

/**
 * A bot's plans over HTTP, for that bot's API token only (AdminAuthGuard): the same use case and
 * validation as the plan RPCs, so a bad plan gets the same field errors and writes nothing.
 */
@AdminApiController('admin/bots/:botId/plans')
export class AdminPlansController {
  constructor(private readonly plans: ManagePlansUseCase) {}

  @Get()
  list(@Param() params: BotParams, @Query() query: ListPlansQuery): Promise<ListPlansReplyJson> {
    return this.plans.list(params.botId, { activeOnly: query.activeOnly === 'true', includeArchived: query.includeArchived === 'true' });
  }

  @Get(':planId')
  get(@Param() params: PlanParams): Promise<PlanReplyJson> {
    return this.plans.get(params.botId, params.planId);
  }

  /** 201 with the plan. */
  @Post()
  create(@Param() params: BotParams, @Body() body: CreatePlanBody, @Principal() principal: AdminPrincipal): Promise<PlanReplyJson> {
    const { planId = randomUUID(), ...definition } = body;
    return this.plans.execute(
      { type: 'CreatePlan', planId, botId: params.botId, definition: planDefinitionOf(definition as PlanDefinitionDto) },
      actorOf(principal),
    );
  }

  @Put(':planId')
  update(@Param() params: PlanParams, @Body() body: PlanDefinitionDto, @Principal() principal: AdminPrincipal): Promise<PlanReplyJson> {
    return this.plans.execute({ type: 'UpdatePlan', planId: params.planId, botId: params.botId, definition: planDefinitionOf(body) }, actorOf(principal));
  }

  @Post(':planId/archive')
  @HttpCode(200)
  archive(@Param() params: PlanParams, @Principal() principal: AdminPrincipal): Promise<PlanReplyJson> {
    return this.plans.execute({ type: 'ArchivePlan', planId: params.planId, botId: params.botId }, actorOf(principal));
  }
}
