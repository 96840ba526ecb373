import { correlationIdOrNew } from '@botplatform/bus';
import type { RecordBotBlockedReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { memberProjections } from './member-projections.js';
import type { RecordBotBlockedDto } from './members.dto.js';
import { membershipDecider, membershipStreamId, type MembershipCommand, type MembershipEvent, type MembershipState } from './membership.decider.js';

/** A member blocked or unblocked the bot in Telegram (the gateway saw it); answers whether that changed anything. */
@Injectable()
export class RecordBotBlockedUseCase {
  private readonly commands: CommandHandler<MembershipState, MembershipCommand, MembershipEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, membershipDecider, { projections: memberProjections });
  }

  async execute(command: RecordBotBlockedDto): Promise<RecordBotBlockedReplyJson> {
    const telegramUserId = parseTelegramUserId(command.telegramUserId);
    const now = this.clock.now();
    const { newEvents } = await this.commands.handle(
      membershipStreamId(command.botId, telegramUserId),
      { type: 'RecordBotBlocked', botId: command.botId, telegramUserId, blocked: command.blocked ?? false, now: now.toISOString() },
      {
        botId: command.botId,
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'user', id: String(telegramUserId) },
        occurredAt: now,
      },
    );
    return { changed: newEvents.length > 0 };
  }
}
