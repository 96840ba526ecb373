import { UserRegisteredSchema, int64ToNumber, isEventOf, timestampDate } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { NotificationRecipient } from './notification-recipient.entity.js';

/** A user who joined a bot becomes one of that bot's notification recipients. */
export const onUserRegistered: ConsumerDefinition = {
  name: 'notifications--recipients',
  source: 'users',
  subjects: ['users.user.registered.v1'],
  handle: async (event, { em }) => {
    if (!isEventOf(event, UserRegisteredSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
    const { message } = event;
    if (!message.registeredAt) throw new ParkEventError('users.user.registered without registered_at');
    await em.upsert(NotificationRecipient, {
      botId: message.botId,
      telegramUserId: String(int64ToNumber(message.telegramUserId)),
      userId: message.userId,
      firstName: message.firstName,
      languageCode: message.languageCode,
      registeredAt: timestampDate(message.registeredAt),
    });
  },
};
