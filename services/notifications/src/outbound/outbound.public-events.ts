import { MessageSendRequestedSchema, timestampFromDate } from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { OutboundMessageEvent } from './outbound-message.decider.js';

/** The notifications service's stored events as other services see them (proto/botplatform/notifications/v1). */
export const notificationsPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<OutboundMessageEvent>;
  switch (event.type) {
    case 'MessageSendRequested': {
      const { data } = event;
      return {
        schema: MessageSendRequestedSchema,
        message: {
          requestId: data.requestId,
          botId: data.botId,
          chatId: BigInt(data.chatId),
          text: data.text,
          parseMode: data.parseMode,
          buttons: data.buttons.map((row) => ({
            buttons: row.map((button) => ({
              text: button.text,
              action:
                button.url !== undefined ? { case: 'url' as const, value: button.url } : { case: 'callbackData' as const, value: button.callbackData ?? '' },
            })),
          })),
          disableNotification: data.disableNotification,
          messageThreadId: data.messageThreadId,
          allowPaidBroadcast: data.allowPaidBroadcast ?? false,
          photo: data.photo,
          editMessageId: data.editMessageId === undefined ? undefined : BigInt(data.editMessageId),
          purpose: data.purpose,
          requestedAt: timestampFromDate(new Date(data.requestedAt)),
        },
      };
    }
    default:
      return null;
  }
};
