import { correlationIdOrNew } from '@botplatform/bus';
import type { MemberAdminActionReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BotDirectory } from '../bot/bot-directory.js';
import { BotNotFoundError } from '../bot/bot.errors.js';
import { RegisteredBot } from '../bot/registered-bot.entity.js';
import { Clock } from '../shared/clock.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { memberProjections } from './member-projections.js';
import { MemberDirectory } from './member-directory.js';
import type { MemberAdminActionDto } from './members.dto.js';
import {
  membershipDecider,
  membershipStreamId,
  type ActingAdmin,
  type MembershipCommand,
  type MembershipEvent,
  type MembershipState,
} from './membership.decider.js';
import { InvalidAdminActorError } from './user.errors.js';

export type MemberAdminAction = 'BlockMember' | 'UnblockMember' | 'ProposeAdmin' | 'ApproveAdmin' | 'RevokeAdmin';

/** One admin action on a member: the validated request and which action it is. */
export type AdministerMemberCommand = MemberAdminActionDto & { readonly type: MemberAdminAction };

/**
 * Admin actions on a member of a bot. The acting admin's role is looked up here, then the decision on
 * the target's stream is pure; every event carries the admin as its actor, which is what the audit log
 * records. A refusal answers a typed error and writes nothing.
 */
@Injectable()
export class AdministerMemberUseCase {
  private readonly commands: CommandHandler<MembershipState, MembershipCommand, MembershipEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly orm: MikroORM,
    private readonly bots: BotDirectory,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
  ) {
    this.commands = new CommandHandler(store, membershipDecider, { projections: memberProjections });
  }

  async execute(request: AdministerMemberCommand): Promise<MemberAdminActionReplyJson> {
    const { type } = request;
    const telegramUserId = parseTelegramUserId(request.targetTelegramUserId);
    const bot = await this.bots.find(request.botId);
    if (!bot) throw new BotNotFoundError(request.botId);
    const admin = await this.actingAdmin(bot.botId, bot.ownerTelegramUserId, request.admin);
    const now = this.clock.now();
    const base = { botId: bot.botId, telegramUserId, admin, now: now.toISOString() };
    const command: MembershipCommand = type === 'BlockMember' ? { type, ...base, reason: request.reason ?? '' } : { type, ...base };
    const { newEvents } = await this.commands.handle(membershipStreamId(bot.botId, telegramUserId), command, {
      botId: bot.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: { kind: 'admin', id: admin.id },
      occurredAt: now,
    });
    const member = await this.members.view(bot.botId, telegramUserId);
    return { member: member!, changed: newEvents.length > 0 };
  }

  /**
   * The actor with the rights they hold in this bot. The bot's owner by the registry, whatever their
   * membership says; an admin by their membership (a blocked one as a user); the bot's own admin API
   * token, or the operator, with the owner's rights; another bot's API token with none.
   */
  private async actingAdmin(botId: string, ownerTelegramUserId: number, actor: string): Promise<ActingAdmin> {
    if (actor.startsWith('telegram:')) {
      const telegramUserId = parseTelegramUserId(actor.slice('telegram:'.length));
      if (telegramUserId === ownerTelegramUserId) return { id: actor, role: 'owner', telegramUserId };
      return { id: actor, role: (await this.members.roleOf(botId, telegramUserId)) ?? 'user', telegramUserId };
    }
    if (actor.startsWith('api:')) {
      const apiTokenId = actor.slice('api:'.length);
      const own = await this.orm.em.fork().count(RegisteredBot, { botId, apiTokenId });
      return { id: actor, role: own ? 'owner' : 'user' };
    }
    if (actor === 'operator') return { id: actor, role: 'owner' };
    throw new InvalidAdminActorError(actor);
  }
}
