import { RpcController } from '@botplatform/bus';
import type { RegisterUserReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { identityIdOf } from './identity-id.js';
import { RegisterUserDto } from './register-user.dto.js';
import { InvalidTelegramUserIdError } from './user.errors.js';
import { membershipStreamId, userDecider, type UserCommand, type UserEvent, type UserState } from './user.decider.js';

export const REGISTER_USER = 'rpc.users.register-user';

/** Registers a Telegram user as a member of a bot (the gateway calls it on /start). */
@RpcController()
export class RegisterUserHandler {
  private readonly commands: CommandHandler<UserState, UserCommand, UserEvent>;

  constructor(store: PostgresEventStore) {
    this.commands = new CommandHandler(store, userDecider);
  }

  @MessagePattern(REGISTER_USER)
  async registerUser(@Payload() request: RegisterUserDto): Promise<RegisterUserReplyJson> {
    const telegramUserId = Number(request.telegramUserId);
    if (!Number.isSafeInteger(telegramUserId) || telegramUserId <= 0) throw new InvalidTelegramUserIdError(request.telegramUserId);
    const userId = identityIdOf(telegramUserId);
    const now = new Date();
    const result = await this.commands.handle(
      membershipStreamId(request.botId, telegramUserId),
      {
        type: 'RegisterUser',
        botId: request.botId,
        telegramUserId,
        userId,
        profile: {
          firstName: request.firstName,
          isPremium: request.isPremium ?? false,
          ...(request.username ? { username: request.username } : {}),
          ...(request.lastName ? { lastName: request.lastName } : {}),
          ...(request.languageCode ? { languageCode: request.languageCode } : {}),
        },
        ...(request.startPayload ? { startPayload: request.startPayload } : {}),
        now: now.toISOString(),
      },
      {
        botId: request.botId,
        correlationId: randomUUID(),
        causationId: null,
        actor: { kind: 'user', id: String(telegramUserId) },
        occurredAt: now,
      },
    );
    const created = result.newEvents.length > 0;
    return { userId, membershipCreated: created, alreadyRegistered: !created };
  }
}
