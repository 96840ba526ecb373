import type { SubscriptionReplyJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import type { Plan } from '../plan/plan.entity.js';
import { PlanArchivedError, PlanNotFoundError } from '../plan/plan.errors.js';
import { Clock } from '../shared/clock.js';
import { telegramUserIdOf } from '../shared/telegram-user-id.js';
import { SubscriptionCommands, actorOf } from './subscription-commands.js';
import type { GrantedPlan } from './subscription.decider.js';
import { InvalidAmountError, NoTrialError, NotACreditPackError, TrialNotFreeError } from './subscription.errors.js';
import { grantSourceOf, type GrantSubscriptionDto, type RenewalDto, type RevokeSubscriptionDto, type StartTrialDto } from './subscriptions.dto.js';

/** What a grant copies from a plan: what it gives and unlocks as of now. */
export const grantedPlanOf = (plan: Plan): GrantedPlan => ({
  planId: plan.planId,
  kind: plan.definition.kind,
  trial: plan.definition.trial,
  entitlements: {
    quotaLevel: plan.definition.quotaLevel,
    featureKeys: plan.definition.featureKeys,
    limits: plan.definition.limits,
    ...(plan.definition.groupShared ? { groupShared: true } : {}),
  },
});

/** The most credits an admin adds at once: as a credit pack's largest. */
export const MAX_ADDED_CREDITS = 1_000_000;

/** An admin's change to a member's subscription, from the bot's admin screens. */
interface AdminChange {
  readonly botId: string;
  /** A Telegram user id, as TELEGRAM_USER_ID matches it. */
  readonly telegramUserId: string;
  /** The idempotency key: the same change asked twice (a redelivered update) is made once. */
  readonly grantId: string;
  /** `telegram:<id>` of the admin: recorded as the events' actor. */
  readonly admin: string;
}

/** Grants, trials, revocations and renewal switches: looks up the plan and the time, then the locked command. */
@Injectable()
export class ManageSubscriptionsUseCase {
  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly catalog: PlanCatalog,
    private readonly clock: Clock,
  ) {}

  /** `reason`: an admin's, from the bot (the RPC has none). */
  async grant(request: GrantSubscriptionDto & { readonly reason?: string }): Promise<SubscriptionReplyJson> {
    // A group-shared plan of another bot of the group is granted here too (sold in this bot, ADR 0018).
    const plan = await this.catalog.findOffered(request.botId, request.planId);
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
        ...(request.reason ? { reason: request.reason } : {}),
        ...(request.starsSubscription ? { starsSubscription: true } : {}),
        now: now.toISOString(),
      },
      actorOf(request.grantedBy),
      now,
    );
  }

  /** Adds `days` to the member's running period (refused without one: a grant starts a period). */
  async extend(request: AdminChange & { readonly days: number }): Promise<SubscriptionReplyJson> {
    const now = this.clock.now();
    return this.commands.reply(
      {
        type: 'ExtendSubscription',
        botId: request.botId,
        telegramUserId: telegramUserIdOf(request.telegramUserId),
        grantId: request.grantId,
        days: request.days,
        extendedBy: request.admin,
        now: now.toISOString(),
      },
      actorOf(request.admin),
      now,
    );
  }

  /**
   * Adds `credits` of a credit pack (what the credits unlock is the pack's): a grant of the pack with the
   * admin's number of credits instead of the pack's, recorded as the admin's.
   */
  async addCredits(request: AdminChange & { readonly planId: string; readonly credits: number }): Promise<SubscriptionReplyJson> {
    if (!Number.isInteger(request.credits) || request.credits < 1 || request.credits > MAX_ADDED_CREDITS) {
      throw new InvalidAmountError('credits', request.credits, MAX_ADDED_CREDITS);
    }
    const plan = await this.catalog.find(request.botId, request.planId);
    if (!plan) throw new PlanNotFoundError(request.botId, request.planId);
    if (plan.archived) throw new PlanArchivedError(plan.planId);
    if (!('credits' in plan.definition.kind)) throw new NotACreditPackError(plan.planId);
    const now = this.clock.now();
    return this.commands.reply(
      {
        type: 'GrantSubscription',
        botId: request.botId,
        telegramUserId: telegramUserIdOf(request.telegramUserId),
        grantId: request.grantId,
        // Not the member's trial, even from a trial pack: an admin's gift takes nothing from them.
        plan: { ...grantedPlanOf(plan), kind: { credits: request.credits }, trial: false },
        source: 'admin',
        grantedBy: request.admin,
        now: now.toISOString(),
      },
      actorOf(request.admin),
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
