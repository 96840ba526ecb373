import { correlationIdOrNew } from '@botplatform/bus';
import type { RegisterUserReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore, type EventContext, type InlineProjection } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BotDirectory } from '../bot/bot-directory.js';
import { Clock } from '../shared/clock.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { auditProjection } from '../audit/audit.projection.js';
import { identityIdOf } from './identity-id.js';
import { identityDecider, identityStreamId, normalizeProfile, type IdentityCommand, type IdentityEvent, type IdentityState } from './identity.decider.js';
import { MemberDirectory, toView, type MemberRow } from './member-directory.js';
import { membersProjectionTelling } from './members.projection.js';
import { membershipDecider, membershipStreamId, type MembershipCommand, type MembershipEvent, type MembershipState } from './membership.decider.js';
import type { RegisterUserDto } from './register-user.dto.js';

/**
 * The gateway's "see user", called for every update: refreshes the identity when Telegram reports a
 * different profile, makes the user a member of the bot the first time (the bot's owner as owner),
 * marks them seen, and answers with the member as they are now (a blocked member included: refusing
 * them is the gateway's decision).
 */
@Injectable()
export class RegisterUserUseCase {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly bots: BotDirectory,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
  ) {}

  async execute(command: RegisterUserDto): Promise<RegisterUserReplyJson> {
    const telegramUserId = parseTelegramUserId(command.telegramUserId);
    const bot = await this.bots.recentlyActive(command.botId);
    const userId = identityIdOf(telegramUserId);
    const now = this.clock.now();
    const context: EventContext = {
      botId: bot.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: { kind: 'user', id: String(telegramUserId) },
      occurredAt: now,
    };
    const profile = normalizeProfile({
      firstName: command.firstName,
      isPremium: command.isPremium ?? false,
      username: command.username,
      lastName: command.lastName,
      languageCode: command.languageCode,
    });
    // The member projections (as `memberProjections`), the members' one telling this call the row its
    // registration wrote: handlers per call, so concurrent calls each hear of their own member only.
    let registered: MemberRow | undefined;
    const members = membersProjectionTelling((row) => (registered = row));
    const projections: InlineProjection[] = [
      {
        name: members.name,
        // Each attempt starts with no row: one rolled back before a retry that registers no one tells nothing.
        apply: (events, em) => {
          registered = undefined;
          return members.apply(events, em);
        },
      },
      auditProjection,
    ];
    const identities = new CommandHandler<IdentityState, IdentityCommand, IdentityEvent>(this.store, identityDecider, { projections });
    const memberships = new CommandHandler<MembershipState, MembershipCommand, MembershipEvent>(this.store, membershipDecider, { projections });
    // Identity and membership commit together (one read of both streams, one transaction), each append
    // still checked against the version its command read; a conflict on either re-runs both.
    const [, { newEvents }] = await CommandHandler.handleTogether(
      [
        identities.on(identityStreamId(telegramUserId), {
          type: 'UpsertIdentity',
          botId: bot.botId,
          telegramUserId,
          userId,
          profile,
          now: now.toISOString(),
        }),
        memberships.on(membershipStreamId(bot.botId, telegramUserId), {
          type: 'RegisterUser',
          botId: bot.botId,
          telegramUserId,
          userId,
          profile,
          ...(command.startPayload ? { startPayload: command.startPayload } : {}),
          isOwner: bot.ownerTelegramUserId === telegramUserId,
          now: now.toISOString(),
        }),
      ],
      context,
    );
    const created = newEvents.some((event) => event.type === 'UserRegistered');
    if (!created) await this.members.touch(bot.botId, telegramUserId, now);
    // A new member as their registration's statement returned it (committed with it); otherwise read.
    const member = created && registered ? toView(registered) : await this.members.view(bot.botId, telegramUserId);
    return { userId, membershipCreated: created, alreadyRegistered: !created, member: member! };
  }
}
