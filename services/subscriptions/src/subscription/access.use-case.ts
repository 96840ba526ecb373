import type { AccessReplyJson, ConsumeReplyJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { BotGroupDirectory } from '../bot-group/bot-group-directory.js';
import { Plan } from '../plan/plan.entity.js';
import { Clock } from '../shared/clock.js';
import { telegramUserIdOf } from '../shared/telegram-user-id.js';
import { accessAt } from './access.js';
import { SubscriptionAccess } from './subscription-access.entity.js';
import { SubscriptionCommands } from './subscription-commands.js';
import type { SubscriptionView } from './subscription.decider.js';
import type { AccessDto, ConsumeDto } from './subscriptions.dto.js';

/**
 * Access checks (reads of the access read model) and credit consumption (a locked command). A member
 * without access of their own in a bot is let in by a group-shared plan's subscription they hold in
 * another bot of the bot's group (`bot_groups`, from users' events): that subscription stays in the bot
 * it was bought in, and a bot that leaves the group stops finding it.
 */
@Injectable()
export class AccessUseCase {
  constructor(
    private readonly orm: MikroORM,
    private readonly commands: SubscriptionCommands,
    private readonly clock: Clock,
    private readonly groups: BotGroupDirectory,
  ) {}

  async access(request: AccessDto): Promise<AccessReplyJson> {
    const now = this.clock.now();
    // The hot read of every paid feature: one prepared statement answers both "what do they hold here"
    // and "is there a group to look in", so a member of an ungrouped bot costs one round trip.
    const [row] = await runSql<{ view: SubscriptionView | null; grouped: boolean }>(
      this.orm.em.fork(),
      `SELECT a.view, EXISTS (SELECT 1 FROM subscriptions.bot_groups g WHERE g.bot_id = $1 AND g.group_id IS NOT NULL) AS grouped
         FROM (SELECT 1) AS one
         LEFT JOIN subscriptions.subscription_access a ON a.bot_id = $1 AND a.telegram_user_id = $2`,
      [request.botId, request.telegramUserId],
      { preparedAs: 'subscriptions:access' },
    );
    const own: AccessReplyJson = row?.view ? accessAt(row.view, now) : { reason: 'ACCESS_REASON_NONE' };
    if (own.hasAccess || !row?.grouped) return own;
    for (const shared of await this.sharedViews(request.botId, request.telegramUserId)) {
      const answer = accessAt(shared.view, now);
      if (answer.hasAccess) return { ...answer, viaBotId: shared.botId };
    }
    return own;
  }

  /**
   * One credit: the member's own in this bot while they have some, else a group-shared credit pack's in
   * another bot of the group (its stream is locked, so the group's credits never go below zero either).
   */
  async consume(request: ConsumeDto): Promise<ConsumeReplyJson> {
    const now = this.clock.now();
    const telegramUserId = telegramUserIdOf(request.telegramUserId);
    const own = await this.orm.em.fork().findOne(SubscriptionAccess, { botId: request.botId, telegramUserId: request.telegramUserId });
    let botId = request.botId;
    if (!own || own.credits <= 0) {
      const shared = (await this.sharedViews(request.botId, request.telegramUserId)).find((s) => s.view.credits > 0);
      if (shared) botId = shared.botId;
    }
    const { state, newEvents } = await this.commands.handle(
      { type: 'ConsumeCredit', botId, telegramUserId, requestId: request.requestId, now: now.toISOString() },
      { kind: 'user', id: String(telegramUserId) },
      now,
    );
    return { ...(state.view.credits ? { creditsLeft: state.view.credits } : {}), ...(newEvents.length ? { consumed: true } : {}) };
  }

  /**
   * The member's subscriptions in the other bots of the bot's group, each reduced to what its group-shared
   * plans give (a period of a shared plan, credits of a shared pack), oldest bot id first.
   */
  private async sharedViews(botId: string, telegramUserId: string): Promise<{ botId: string; view: SubscriptionView }[]> {
    const others = await this.groups.otherBotsOf(botId);
    if (!others.length) return [];
    const em = this.orm.em.fork();
    const rows = await em.find(SubscriptionAccess, { botId: { $in: others }, telegramUserId }, { orderBy: { botId: 'asc' } });
    const planIds = rows.flatMap((r) => [r.view.period?.planId, r.view.creditsPlan?.planId]).filter((id): id is string => Boolean(id));
    if (!planIds.length) return [];
    const plans = await em.find(Plan, { planId: { $in: planIds } });
    // A group-shared plan of any bot of the group: the one it was bought in, or another one that sold it (ADR 0018).
    const groupBots = new Set([botId, ...others]);
    const sharedPlans = new Set(plans.filter((p) => p.definition.groupShared && groupBots.has(p.botId)).map((p) => p.planId));
    const isShared = (planId: string | undefined) => planId !== undefined && sharedPlans.has(planId);
    return rows
      .map((row) => {
        const { view } = row;
        const creditsShared = isShared(view.creditsPlan?.planId);
        return {
          botId: row.botId,
          view: {
            ...view,
            period: view.period && isShared(view.period.planId) ? view.period : null,
            credits: creditsShared ? view.credits : 0,
            creditsPlan: creditsShared ? view.creditsPlan : null,
          },
        };
      })
      .filter((s) => s.view.period !== null || s.view.credits > 0);
  }
}
