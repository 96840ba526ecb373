import { correlationIdOrNew } from '@botplatform/bus';
import type { ConsumeQuotaReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BotDirectory } from '../bot/bot-directory.js';
import { Clock } from '../shared/clock.js';
import { localDateOf, nextLocalMidnight } from '../shared/local-day.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { MemberPlanLevels } from '../plan-level/member-plan-levels.js';
import { MemberDirectory } from '../user/member-directory.js';
import { MemberBlockedError, NotAMemberError } from '../user/user.errors.js';
import type { ConsumeQuotaDto } from './consume-quota.dto.js';
import { dailyQuotaLimit } from './quota-limit.js';
import { quotaDecider, quotaStreamId, type QuotaCommand, type QuotaEvent, type QuotaState } from './quota.decider.js';

/**
 * One use of a member's daily quota in a bot. The day's stream is locked while it is read and
 * appended to, so requests arriving together queue instead of racing: with a limit of 5, exactly 5 of
 * 20 simultaneous requests pass.
 */
@Injectable()
export class ConsumeQuotaUseCase {
  private readonly commands: CommandHandler<QuotaState, QuotaCommand, QuotaEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly bots: BotDirectory,
    private readonly members: MemberDirectory,
    private readonly planLevels: MemberPlanLevels,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, quotaDecider, { lockStream: true });
  }

  async execute(command: ConsumeQuotaDto): Promise<ConsumeQuotaReplyJson> {
    const telegramUserId = parseTelegramUserId(command.telegramUserId);
    const bot = await this.bots.requireActive(command.botId);
    const member = await this.members.standing(bot.botId, telegramUserId);
    if (!member) throw new NotAMemberError(bot.botId, telegramUserId);
    if (member.blockedByAdmin) throw new MemberBlockedError(bot.botId, telegramUserId);
    const now = this.clock.now();
    const localDate = localDateOf(now, bot.timezone);
    const resetsAt = nextLocalMidnight(now, bot.timezone);
    // A plan named by the caller wins; otherwise the member's running subscription gives it (plan-level/).
    const plan = command.plan ?? (await this.planLevels.current(bot.botId, telegramUserId, now));
    const limit = dailyQuotaLimit(bot.settings, member.role, plan);
    const { state } = await this.commands.handle(
      quotaStreamId(bot.botId, telegramUserId, localDate),
      {
        type: 'ConsumeQuota',
        botId: bot.botId,
        telegramUserId,
        localDate,
        amount: command.amount ?? 1,
        limit,
        resetsAt: resetsAt.toISOString(),
        now: now.toISOString(),
      },
      {
        botId: bot.botId,
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'user', id: String(telegramUserId) },
        occurredAt: now,
      },
    );
    return { used: state.used, ...(limit !== null ? { limit } : {}), resetsAt: resetsAt.toISOString() };
  }
}
