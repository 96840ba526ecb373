import { DeciderSpecification } from '@botplatform/event-store';
import { outboundMessageDecider, type MessageSendRequested, type RequestMessageSend } from './outbound-message.decider.js';

const request: RequestMessageSend = {
  type: 'RequestMessageSend',
  requestId: '5d0c9a57-3a3e-4c53-9d1e-7f6b2a1c0e01',
  botId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
  chatId: 42,
  text: '<b>Your plan ends tomorrow</b>',
  parseMode: 'HTML',
  buttons: [[{ text: 'Renew', callbackData: 'renew:monthly' }], [{ text: 'Plans', url: 'https://example.org/plans' }]],
  disableNotification: false,
  purpose: 'subscriptions:expiry-reminder',
  now: '2026-11-23T10:00:00.000Z',
};
const requested: MessageSendRequested = {
  type: 'MessageSendRequested',
  data: {
    requestId: request.requestId,
    botId: request.botId,
    chatId: 42,
    text: '<b>Your plan ends tomorrow</b>',
    parseMode: 'HTML',
    buttons: [[{ text: 'Renew', callbackData: 'renew:monthly' }], [{ text: 'Plans', url: 'https://example.org/plans' }]],
    disableNotification: false,
    purpose: 'subscriptions:expiry-reminder',
    requestedAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('Outbound message', () => {
  const spec = DeciderSpecification.for(outboundMessageDecider);

  describe('when the request id is new', () => {
    it('requests the message with its text, markup and purpose', () => {
      spec.given([]).when(request).then([requested]);
    });

    it('leaves the parse mode out of a plain-text message, to a group', () => {
      const { parseMode: _, ...plain } = request;
      const { parseMode: __, ...data } = requested.data;
      spec
        .given([])
        .when({ ...plain, chatId: -1001234567890, buttons: [] })
        .then([{ type: 'MessageSendRequested', data: { ...data, chatId: -1001234567890, buttons: [] } }]);
    });
  });

  describe('when a request with this id was already made', () => {
    it('decides nothing, so a caller retrying after a timeout sends one message', () => {
      spec
        .given([requested])
        .when({ ...request, now: '2026-11-23T10:00:05.000Z' })
        .then([]);
    });

    it('decides nothing even if the retry carries other text', () => {
      spec
        .given([requested])
        .when({ ...request, text: 'something else' })
        .then([]);
    });
  });
});
