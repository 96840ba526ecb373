import { RpcController, RpcHandler, correlationIdOrNew } from '@botplatform/bus';
import { RPC, type MemberAdminActionReplyJson, type RecordBotBlockedReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore, type EventContext } from '@botplatform/event-store';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { usersProjections } from '../users-projections.js';
import { Clock } from './clock.js';
import { MemberDirectory } from './member-directory.js';
import { RecordBotBlockedDto, SetMemberLanguageDto } from './members.dto.js';
import { membershipDecider, membershipStreamId, type MembershipCommand, type MembershipEvent, type MembershipState } from './membership.decider.js';
import { parseTelegramUserId } from './telegram-user-id.js';

/** What a member changes about themself: their language in the bot, and blocking or unblocking it. */
@RpcController()
export class MemberUpdatesHandler {
  private readonly commands: CommandHandler<MembershipState, MembershipCommand, MembershipEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, membershipDecider, { projections: usersProjections });
  }

  @RpcHandler(RPC.users.setMemberLanguage)
  async setLanguage(@Payload() request: SetMemberLanguageDto): Promise<MemberAdminActionReplyJson> {
    const telegramUserId = parseTelegramUserId(request.telegramUserId);
    const now = this.clock.now();
    const { newEvents } = await this.commands.handle(
      membershipStreamId(request.botId, telegramUserId),
      {
        type: 'SetLanguage',
        botId: request.botId,
        telegramUserId,
        ...(request.languageCode ? { languageCode: request.languageCode } : {}),
        now: now.toISOString(),
      },
      this.context(request.botId, telegramUserId, now),
    );
    const member = await this.members.view(request.botId, telegramUserId);
    return { member: member!, changed: newEvents.length > 0 };
  }

  @RpcHandler(RPC.users.recordBotBlocked)
  async recordBotBlocked(@Payload() request: RecordBotBlockedDto): Promise<RecordBotBlockedReplyJson> {
    const telegramUserId = parseTelegramUserId(request.telegramUserId);
    const now = this.clock.now();
    const { newEvents } = await this.commands.handle(
      membershipStreamId(request.botId, telegramUserId),
      { type: 'RecordBotBlocked', botId: request.botId, telegramUserId, blocked: request.blocked ?? false, now: now.toISOString() },
      this.context(request.botId, telegramUserId, now),
    );
    return { changed: newEvents.length > 0 };
  }

  private context(botId: string, telegramUserId: number, now: Date): EventContext {
    return { botId, correlationId: correlationIdOrNew(randomUUID), causationId: null, actor: { kind: 'user', id: String(telegramUserId) }, occurredAt: now };
  }
}
