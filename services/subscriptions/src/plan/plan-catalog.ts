import type { PlanViewJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
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

/** The bots' plans as the read model has them. Every query names the bot: a plan is its bot's only. */
@Injectable()
export class PlanCatalog {
  constructor(private readonly orm: MikroORM) {}

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
