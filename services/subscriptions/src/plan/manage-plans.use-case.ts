import { correlationIdOrNew } from '@botplatform/bus';
import type { ListPlansReplyJson, PlanReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore, type Actor } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { PlanCatalog, planViewJson } from './plan-catalog.js';
import { planDecider, planStreamId, type PlanCommand, type PlanEvent, type PlanState } from './plan.decider.js';
import { PlanNotFoundError } from './plan.errors.js';
import { plansProjection } from './plans.projection.js';

type PlanCommandInput = PlanCommand extends infer C ? (C extends PlanCommand ? Omit<C, 'now'> : never) : never;

/**
 * Creates, updates, archives and lists plans: the command gets the time here, the decider keeps the rules, and
 * the plans read model is written in the append's transaction. The definition was validated by the DTO,
 * so a bad plan is refused before anything is written.
 */
@Injectable()
export class ManagePlansUseCase {
  private readonly commands: CommandHandler<PlanState, PlanCommand, PlanEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly catalog: PlanCatalog,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, planDecider, { projections: [plansProjection] });
  }

  async execute(input: PlanCommandInput, actor: Actor): Promise<PlanReplyJson> {
    const now = this.clock.now();
    const { newEvents } = await this.commands.handle(planStreamId(input.planId), { ...input, now: now.toISOString() } as PlanCommand, {
      botId: input.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor,
      occurredAt: now,
    });
    const plan = await this.catalog.find(input.botId, input.planId);
    if (!plan) throw new PlanNotFoundError(input.botId, input.planId);
    return { plan: planViewJson(plan), changed: newEvents.length > 0 };
  }

  async get(botId: string, planId: string): Promise<PlanReplyJson> {
    const plan = await this.catalog.find(botId, planId);
    if (!plan) throw new PlanNotFoundError(botId, planId);
    return { plan: planViewJson(plan), changed: false };
  }

  async list(botId: string, options: { activeOnly?: boolean; includeArchived?: boolean; includeGroupShared?: boolean }): Promise<ListPlansReplyJson> {
    const plans = options.includeGroupShared ? await this.catalog.listOffered(botId, options) : await this.catalog.list(botId, options);
    return { plans: plans.map(planViewJson) };
  }
}
