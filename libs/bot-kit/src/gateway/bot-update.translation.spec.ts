import type { BotFeatureDeclarationJson } from '@botplatform/contracts';
import type { Message, Update } from 'grammy/types';
import { checkFeatureDeclaration } from '../routing/feature-declaration.js';
import { RoutingTable } from '../routing/routing-table.js';
import { buildBotUpdate, memberOf, parseCommand, translateUpdate } from './bot-update.translation.js';

const shop: BotFeatureDeclarationJson = {
  service: 'shop',
  commands: [{ command: 'plans', descriptions: { en: 'Plans' } }],
  callbackNamespaces: [{ namespace: 'plans' }],
  steps: [{ step: 'plans:promo' }],
  messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }, { kind: 'MESSAGE_KIND_PHOTO', featureFlag: 'receipts' }],
  updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }, { kind: 'UPDATE_KIND_SUBSCRIPTION' }, { kind: 'UPDATE_KIND_MY_CHAT_MEMBER' }],
  deepLinks: [{ prefix: 'promo' }],
};
const table = new RoutingTable().with(checkFeatureDeclaration(shop));
const from = { id: 42, is_bot: false, first_name: 'Ann' };
const chat = { id: 42, type: 'private' as const, first_name: 'Ann' };
const message = (fields: Partial<Message>): Update => ({ update_id: 7, message: { message_id: 3, date: 0, chat, from, ...fields } }) as Update;
const promo = { service: 'shop', step: 'plans:promo', data: { plan: 'basic' } };

describe('parseCommand', () => {
  it.each([
    ['/plans', { command: 'plans', payload: '' }],
    ['/Plans gold  ', { command: 'plans', payload: 'gold' }],
    ['/start ref42', { command: 'start', payload: 'ref42' }],
    ['/plans@shop_bot yearly', { command: 'plans', payload: 'yearly' }],
  ])('reads %j', (input, expected) => {
    expect(parseCommand(input, 'shop_bot')).toEqual(expected);
  });

  it.each(['plans', '/', '/plans@other_bot', '/ plans', `/${'x'.repeat(33)}`])('is not a command for this bot: %j', (input) => {
    expect(parseCommand(input, 'shop_bot')).toBeUndefined();
  });
});

describe('translateUpdate', () => {
  it('routes a command with its payload and message id (int64 as strings)', () => {
    expect(translateUpdate(message({ text: '/plans gold' }), { table })).toEqual({
      leaveStep: false,
      routed: {
        route: { service: 'shop', featureFlag: '' },
        kind: 'command',
        name: '/plans',
        chatId: 42,
        trigger: { command: { command: 'plans', payload: 'gold', messageId: '3' } },
      },
    });
  });

  it("routes a /start deep link by its prefix to the service that declared it; other /start stays the host's", () => {
    expect(translateUpdate(message({ text: '/start promo_SPRING25' }), { table })).toEqual({
      leaveStep: false,
      routed: {
        route: { service: 'shop', featureFlag: '' },
        kind: 'command',
        name: '/start',
        chatId: 42,
        trigger: { command: { command: 'start', payload: 'promo_SPRING25', messageId: '3' } },
      },
    });
    for (const text of ['/start', '/start promo', '/start ref_42', '/start promoX_1', '/start _promo']) {
      expect(translateUpdate(message({ text }), { table })).toEqual({ leaveStep: false });
    }
  });

  it('leaves an unknown command to the host, and a gateway command too', () => {
    expect(translateUpdate(message({ text: '/help' }), { table })).toEqual({ leaveStep: false });
  });

  it('routes a button press by its namespace, with the message under it', () => {
    const update: Update = {
      update_id: 8,
      callback_query: { id: 'cb1', from, chat_instance: 'x', data: 'plans:buy:basic', message: { message_id: 9, date: 0, chat, text: 'Plans' } as Message },
    };
    expect(translateUpdate(update, { table }).routed).toMatchObject({
      kind: 'callback_namespace',
      chatId: 42,
      trigger: { callback: { callbackQueryId: 'cb1', data: 'plans:buy:basic', messageId: '9', messageText: 'Plans' } },
    });
    const foreign = { ...update, callback_query: { ...update.callback_query!, data: 'lang:set:ru' } };
    expect(translateUpdate(foreign, { table }).routed).toBeUndefined();
  });

  it("sends the member's text to the chat's step with the data kept at entering it", () => {
    expect(translateUpdate(message({ text: 'SPRING25' }), { table, awaiting: promo }).routed).toMatchObject({
      kind: 'step',
      route: { service: 'shop' },
      trigger: { step: { step: 'plans:promo', data: { plan: 'basic' }, messageId: '3', text: 'SPRING25' } },
    });
  });

  it('sends a photo to the step rather than to the photo route, with its largest size and caption', () => {
    const photo = [
      { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
      { file_id: 'large', file_unique_id: 'l', width: 800, height: 600 },
    ];
    expect(translateUpdate(message({ photo, caption: 'receipt' }), { table, awaiting: promo }).routed?.trigger).toEqual({
      step: {
        step: 'plans:promo',
        data: { plan: 'basic' },
        messageId: '3',
        text: 'receipt',
        photo: { fileId: 'large', fileUniqueId: 'l', width: 800, height: 600 },
      },
    });
    expect(translateUpdate(message({ photo }), { table }).routed).toMatchObject({
      kind: 'message_kind',
      route: { service: 'shop', featureFlag: 'receipts' },
      trigger: { message: { kind: 'MESSAGE_KIND_PHOTO', messageId: '3' } },
    });
  });

  it('ends the step when a command comes instead of an answer, and routes the command', () => {
    expect(translateUpdate(message({ text: '/plans' }), { table, awaiting: promo })).toMatchObject({ leaveStep: true, routed: { kind: 'command' } });
    expect(translateUpdate(message({ text: '/help' }), { table, awaiting: promo })).toEqual({ leaveStep: true });
  });

  it('ends a step its service no longer declares (or another service owns), without routing the text', () => {
    expect(translateUpdate(message({ text: 'hi' }), { table, awaiting: { service: 'shop', step: 'plans:gone' } })).toEqual({ leaveStep: true });
    expect(translateUpdate(message({ text: 'hi' }), { table, awaiting: { service: 'games', step: 'plans:promo' } })).toEqual({ leaveStep: true });
  });

  it('routes a successful payment with its amounts as strings', () => {
    const successful_payment = {
      currency: 'XTR',
      total_amount: 5,
      invoice_payload: 'order-1',
      telegram_payment_charge_id: 'ch1',
      provider_payment_charge_id: '',
      subscription_expiration_date: 1_800_000_000,
      is_recurring: true as const,
    };
    expect(translateUpdate(message({ successful_payment }), { table, awaiting: promo }).routed?.trigger).toEqual({
      message: {
        kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
        messageId: '3',
        successfulPayment: {
          currency: 'XTR',
          totalAmount: '5',
          invoicePayload: 'order-1',
          telegramPaymentChargeId: 'ch1',
          subscriptionExpirationDate: '1800000000',
          isRecurring: true,
        },
      },
    });
  });

  it("routes a pre-checkout and Telegram's subscription update to the sender's private chat", () => {
    const checkout: Update = { update_id: 1, pre_checkout_query: { id: 'pq', from, currency: 'XTR', total_amount: 5, invoice_payload: 'order-1' } };
    expect(translateUpdate(checkout, { table }).routed).toMatchObject({
      kind: 'update_kind',
      chatId: 42,
      trigger: { preCheckout: { preCheckoutQueryId: 'pq', currency: 'XTR', totalAmount: '5', invoicePayload: 'order-1' } },
    });
    const subscription = { update_id: 2, subscription: { user: from, invoice_payload: 'sub-1', state: 'canceled' } } as unknown as Update;
    expect(translateUpdate(subscription, { table }).routed).toMatchObject({
      name: 'UPDATE_KIND_SUBSCRIPTION',
      chatId: 42,
      trigger: { subscription: { invoicePayload: 'sub-1', state: 'canceled' } },
    });
  });

  it('routes my_chat_member of a private chat only', () => {
    const change = (type: 'private' | 'group'): Update =>
      ({
        update_id: 3,
        my_chat_member: {
          chat: type === 'private' ? chat : { id: -5, type, title: 'g' },
          from,
          date: 0,
          old_chat_member: { status: 'member', user: from },
          new_chat_member: { status: 'kicked', user: from, until_date: 0 },
        },
      }) as Update;
    expect(translateUpdate(change('private'), { table }).routed?.trigger).toEqual({ myChatMember: { oldStatus: 'member', newStatus: 'kicked' } });
    expect(translateUpdate(change('group'), { table }).routed).toBeUndefined();
  });
});

describe('buildBotUpdate', () => {
  it("carries the member context, ids as strings, the one trigger and the service's session slice", () => {
    const routed = translateUpdate(message({ text: '/plans' }), { table }).routed!;
    const member = memberOf({
      botId: 'b',
      userId: 'u1',
      telegramUserId: '42',
      firstName: 'Ann',
      role: 'MEMBER_ROLE_OWNER',
      status: 'MEMBER_STATUS_ACTIVE',
      languageOverride: 'ru',
      joinedAt: '2026-11-01T00:00:00Z',
    });
    expect(
      buildBotUpdate({ updateId: 7, routed, context: { botId: 'b', botName: 'Shop', member, language: 'ru', timeZone: 'UTC' }, sessionJson: '{"a":1}' }),
    ).toEqual({
      context: {
        botId: 'b',
        botName: 'Shop',
        language: 'ru',
        timeZone: 'UTC',
        member: { userId: 'u1', telegramUserId: '42', firstName: 'Ann', role: 'ROLE_OWNER', languageOverride: 'ru', joinedAt: '2026-11-01T00:00:00Z' },
      },
      updateId: '7',
      chatId: '42',
      command: { command: 'plans', payload: '', messageId: '3' },
      sessionJson: '{"a":1}',
    });
  });
});
