import { UserRegisteredSchema, timestampFromDate } from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { UserEvent } from './user.decider.js';

/** The users service's stored events as other services see them (proto/botplatform/users/v1). */
export const usersPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<UserEvent>;
  switch (event.type) {
    case 'UserRegistered': {
      const { data } = event;
      return {
        schema: UserRegisteredSchema,
        message: {
          botId: data.botId,
          userId: data.userId,
          telegramUserId: BigInt(data.telegramUserId),
          username: data.profile.username,
          firstName: data.profile.firstName,
          lastName: data.profile.lastName,
          languageCode: data.profile.languageCode,
          isPremium: data.profile.isPremium,
          startPayload: data.startPayload,
          registeredAt: timestampFromDate(new Date(data.registeredAt)),
        },
      };
    }
    default:
      return null;
  }
};
