import type { PlanViewJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { BotGroupDirectory } from '../bot-group/bot-group-directory.js';
import type { PlanDefinition } from './plan.decider.js';
import { Plan } from './plan.entity.js';

/** The contract's JSON form of a definition; proto3 JSON leaves out defaults, so does this. */
export function planDefinitionJson(definition: PlanDefinition): PlanViewJson['definition'] {
  return {
    texts: definition.texts.map((t) => ({ language: t.language, name: t.name, ...(t.description ? { description: t.description } : {}) })),
    ...definition.kind,
    ...(definition.prices.length ? { prices: definition.prices.map((p) => ({ currency: p.currency, amount: p.amount })) } : {}),
    ...(definition.quotaLevel !== null ? { quotaLevel: definition.quotaLevel } : {}),
    ...(definition.featureKeys.length ? { featureKeys: [...definition.featureKeys] } : {}),
    ...(definition.limits.length ? { limits: definition.limits.map((l) => ({ key: l.key, value: l.value })) } : {}),
    ...(definition.active ? { active: true } : {}),
    ...(definition.sortOrder ? { sortOrder: definition.sortOrder } : {}),
    ...(definition.trial ? { trial: true } : {}),
    ...(definition.groupShared ? { groupShared: true } : {}),
  };
}

export function planViewJson(plan: Plan): PlanViewJson {
  return {
    planId: plan.planId,
    botId: plan.botId,
    definition: planDefinitionJson(plan.definition),
    ...(plan.archived ? { archived: true } : {}),
    createdAt: plan.createdAt.toISOString(),
    updatedAt: plan.updatedAt.toISOString(),
  };
}

/**
 * The bots' plans as the read model has them. Every query names the bot: a plan is its bot's only,
 * except that a bot also offers the group-shared plans of the other bots of its group (`*Offered`,
 * ADR 0018): those are sold, granted and renewed in the bot the member is in.
 */
@Injectable()
export class PlanCatalog {
  constructor(
    private readonly orm: MikroORM,
    private readonly groups: BotGroupDirectory,
  ) {}

  /** The bot's plan, or a group-shared plan of another bot of its group. */
  async findOffered(botId: string, planId: string): Promise<Plan | null> {
    const own = await this.find(botId, planId);
    if (own) return own;
    const plan = await this.orm.em.fork().findOne(Plan, { planId });
    if (!plan?.definition.groupShared) return null;
    return (await this.groups.otherBotsOf(botId)).includes(plan.botId) ? plan : null;
  }

  /** The bot's plans, then the group-shared plans of the other bots of its group (each bot's in its order). */
  async listOffered(botId: string, options: { activeOnly?: boolean; includeArchived?: boolean } = {}): Promise<Plan[]> {
    const others = await this.groups.otherBotsOf(botId);
    const [own, ...theirs] = await Promise.all([this.list(botId, options), ...others.map((other) => this.list(other, options))]);
    return [...own!, ...theirs.flat().filter((plan) => plan.definition.groupShared === true)];
  }

  find(botId: string, planId: string): Promise<Plan | null> {
    return this.orm.em.fork().findOne(Plan, { planId, botId });
  }

  list(botId: string, options: { activeOnly?: boolean; includeArchived?: boolean } = {}): Promise<Plan[]> {
    return this.orm.em.fork().find(
      Plan,
      {
        botId,
        ...(options.activeOnly ? { active: true, archived: false } : options.includeArchived ? {} : { archived: false }),
      },
      { orderBy: { sortOrder: 'asc', createdAt: 'asc' } },
    );
  }

  /** The bot's trial a member may take: active, not archived, the first by sort order. */
  async trialOf(botId: string): Promise<Plan | null> {
    const [trial] = await this.orm.em
      .fork()
      .find(Plan, { botId, trial: true, active: true, archived: false }, { orderBy: { sortOrder: 'asc', createdAt: 'asc' }, limit: 1 });
    return trial ?? null;
  }
}
