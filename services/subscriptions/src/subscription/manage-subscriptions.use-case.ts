import type { SubscriptionReplyJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import type { Plan } from '../plan/plan.entity.js';
import { PlanArchivedError, PlanNotFoundError } from '../plan/plan.errors.js';
import { Clock } from '../shared/clock.js';
import { telegramUserIdOf } from '../shared/telegram-user-id.js';
import { SubscriptionCommands, actorOf } from './subscription-commands.js';
import type { GrantedPlan } from './subscription.decider.js';
import { NoTrialError, TrialNotFreeError } from './subscription.errors.js';
import { grantSourceOf, type GrantSubscriptionDto, type RenewalDto, type RevokeSubscriptionDto, type StartTrialDto } from './subscriptions.dto.js';

/** What a grant copies from a plan: what it gives and unlocks as of now. */
const grantedPlanOf = (plan: Plan): GrantedPlan => ({
  planId: plan.planId,
  kind: plan.definition.kind,
  trial: plan.definition.trial,
  entitlements: { quotaLevel: plan.definition.quotaLevel, featureKeys: plan.definition.featureKeys, limits: plan.definition.limits },
});

/** Grants, trials, revocations and renewal switches: looks up the plan and the time, then the locked command. */
@Injectable()
export class ManageSubscriptionsUseCase {
  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly catalog: PlanCatalog,
    private readonly clock: Clock,
  ) {}

  async grant(request: GrantSubscriptionDto): Promise<SubscriptionReplyJson> {
    const plan = await this.catalog.find(request.botId, request.planId);
    if (!plan) throw new PlanNotFoundError(request.botId, request.planId);
    if (plan.archived) throw new PlanArchivedError(plan.planId);
    const now = this.clock.now();
    return this.commands.reply(
      {
        type: 'GrantSubscription',
        botId: request.botId,
        telegramUserId: telegramUserIdOf(request.telegramUserId),
        grantId: request.grantId,
        plan: grantedPlanOf(plan),
        source: grantSourceOf(request.source),
        grantedBy: request.grantedBy,
        now: now.toISOString(),
      },
      actorOf(request.grantedBy),
      now,
    );
  }

  async startTrial(request: StartTrialDto): Promise<SubscriptionReplyJson> {
    const plan = await this.catalog.trialOf(request.botId);
    if (!plan) throw new NoTrialError(request.botId);
    if (plan.definition.prices.length) throw new TrialNotFreeError(plan.planId);
    const now = this.clock.now();
    const telegramUserId = telegramUserIdOf(request.telegramUserId);
    return this.commands.reply(
      { type: 'StartTrial', botId: request.botId, telegramUserId, plan: grantedPlanOf(plan), now: now.toISOString() },
      { kind: 'user', id: String(telegramUserId) },
      now,
    );
  }

  async revoke(request: RevokeSubscriptionDto): Promise<SubscriptionReplyJson> {
    const now = this.clock.now();
    return this.commands.reply(
      {
        type: 'RevokeSubscription',
        botId: request.botId,
        telegramUserId: telegramUserIdOf(request.telegramUserId),
        reason: request.reason,
        revokedBy: request.revokedBy,
        now: now.toISOString(),
      },
      actorOf(request.revokedBy),
      now,
    );
  }

  async switchRenewal(request: RenewalDto, type: 'CancelRenewal' | 'ResumeRenewal'): Promise<SubscriptionReplyJson> {
    const now = this.clock.now();
    const telegramUserId = telegramUserIdOf(request.telegramUserId);
    return this.commands.reply({ type, botId: request.botId, telegramUserId, now: now.toISOString() }, { kind: 'user', id: String(telegramUserId) }, now);
  }
}
