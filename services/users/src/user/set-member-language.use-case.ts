import { correlationIdOrNew } from '@botplatform/bus';
import type { MemberAdminActionReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { memberProjections } from './member-projections.js';
import { MemberDirectory } from './member-directory.js';
import type { SetMemberLanguageDto } from './members.dto.js';
import { membershipDecider, membershipStreamId, type MembershipCommand, type MembershipEvent, type MembershipState } from './membership.decider.js';

/** A member chooses their language in the bot (none: back to Telegram's); answers the member after it. */
@Injectable()
export class SetMemberLanguageUseCase {
  private readonly commands: CommandHandler<MembershipState, MembershipCommand, MembershipEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, membershipDecider, { projections: memberProjections });
  }

  async execute(command: SetMemberLanguageDto): Promise<MemberAdminActionReplyJson> {
    const telegramUserId = parseTelegramUserId(command.telegramUserId);
    const now = this.clock.now();
    const { newEvents } = await this.commands.handle(
      membershipStreamId(command.botId, telegramUserId),
      {
        type: 'SetLanguage',
        botId: command.botId,
        telegramUserId,
        ...(command.languageCode ? { languageCode: command.languageCode } : {}),
        now: now.toISOString(),
      },
      {
        botId: command.botId,
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'user', id: String(telegramUserId) },
        occurredAt: now,
      },
    );
    const member = await this.members.view(command.botId, telegramUserId);
    return { member: member!, changed: newEvents.length > 0 };
  }
}
