import type { BotActionJson } from '@botplatform/contracts';
import { checkFeatureDeclaration } from '../routing/feature-declaration.js';
import { RoutingTable } from '../routing/routing-table.js';
import { GrammyError, type Api } from 'grammy';
import { ActionRefusedError, checkActions, performActions } from './action-performer.js';

const table = new RoutingTable()
  .with(checkFeatureDeclaration({ service: 'shop', callbackNamespaces: [{ namespace: 'plans' }], steps: [{ step: 'plans:promo' }] }))
  .with(checkFeatureDeclaration({ service: 'games', callbackNamespaces: [{ namespace: 'dice' }], steps: [{ step: 'dice:bet' }] }));
const chatOnly = { chatId: 42 };
const pressed = { chatId: 42, callbackQueryId: 'cb', callbackMessageId: 9 };
const check = (actions: BotActionJson[], target: Parameters<typeof checkActions>[1]['target'] = chatOnly) =>
  checkActions(actions, { service: 'shop', table, target });
const inline = (callbackData: string) => ({ inline: { rows: [{ buttons: [{ text: 'x', callbackData }] }] } });
const stars = { title: 'Basic', description: 'A month', payload: 'order-1', currency: 'XTR', prices: [{ label: 'Basic', amount: '5' }] };

describe('checkActions', () => {
  it('accepts an answer that stays within what the service declared', () => {
    expect(
      check(
        [
          { reply: { text: 'Plans', keyboard: inline('plans:buy:1') } },
          { edit: { text: 'Chosen', keyboard: inline('plans:back').inline } },
          { answerCallback: { text: 'ok' } },
          { sendInvoice: { invoice: stars } },
          { enterStep: { step: 'plans:promo', data: { plan: 'basic' } } },
          { setSession: { sessionJson: '{"promo":"X"}' } },
          { reply: { text: 'url', keyboard: { inline: { rows: [{ buttons: [{ text: 'site', url: 'https://example.org' }] }] } } } },
        ],
        pressed,
      ),
    ).toBeUndefined();
  });

  it.each<[string, BotActionJson, string]>([
    ["another service's namespace", { reply: { text: 'x', keyboard: inline('dice:roll') } }, 'callback_namespace'],
    ["the gateway's namespace under an edit", { edit: { text: 'x', messageId: '5', keyboard: inline('lang:set:ru').inline } }, 'callback_namespace'],
    ['data without a namespace', { sendPhoto: { fileId: 'f', keyboard: inline('nonamespace') } }, 'callback_namespace'],
    ['data over 64 bytes', { reply: { text: 'x', keyboard: inline(`plans:${'x'.repeat(60)}`) } }, 'callback_too_long'],
    ["another service's step", { enterStep: { step: 'dice:bet' } }, 'undeclared_step'],
    ['an undeclared step', { enterStep: { step: 'plans:nope' } }, 'undeclared_step'],
    ['a session over 4096 bytes', { setSession: { sessionJson: JSON.stringify({ a: 'x'.repeat(4100) }) } }, 'session_too_large'],
    ['a session that is not JSON', { setSession: { sessionJson: '{oops' } }, 'session_not_json'],
    ['an edit with nothing pressed', { edit: { text: 'x' } }, 'no_target'],
    ['a callback answer outside a press', { answerCallback: { text: 'x' } }, 'no_target'],
    ['a pre-checkout answer outside a checkout', { answerPreCheckout: { ok: true } }, 'no_target'],
    [
      'a Stars invoice with two prices',
      { sendInvoice: { invoice: { ...stars, prices: [...stars.prices, { label: 'tip', amount: '1' }] } } },
      'invalid_invoice',
    ],
    ['a Stars invoice with a provider token', { sendInvoice: { invoice: { ...stars, providerToken: 'tok' } } }, 'invalid_invoice'],
    ['a subscription as an invoice message', { sendInvoice: { invoice: { ...stars, subscriptionPeriod: 2_592_000 } } }, 'invalid_invoice'],
    ['a payload over 128 bytes', { sendInvoiceLink: { invoice: { ...stars, payload: 'p'.repeat(129) }, text: 't', buttonText: 'b' } }, 'invalid_invoice'],
    ['an empty action', {}, 'empty_action'],
  ])('refuses %s, naming the action', (_what, action, reason) => {
    const refused = check([{ reply: { text: 'first' } }, action]);
    expect(refused).toBeInstanceOf(ActionRefusedError);
    expect(refused).toMatchObject({ code: 'BOT.ACTION_REFUSED', service: 'shop', index: 1, reason });
  });

  it('accepts a Stars subscription sold by an invoice link', () => {
    expect(check([{ sendInvoiceLink: { invoice: { ...stars, subscriptionPeriod: 2_592_000 }, text: 'Subscribe', buttonText: 'Pay' } }])).toBeUndefined();
  });
});

describe('performActions', () => {
  /** An Api that records calls; editMessageText fails as Telegram does for an unchanged message. */
  const recordingApi = (editError: string) => {
    const calls: string[] = [];
    const api = {
      sendMessage: async (_chat: number, text: string) => void calls.push(`send ${text}`),
      answerCallbackQuery: async () => void calls.push('answer'),
      editMessageText: async () => {
        calls.push('edit');
        throw new GrammyError('edit failed', { ok: false, error_code: 400, description: editError }, 'editMessageText', {});
      },
    } as unknown as Api;
    return { api, calls };
  };

  it('takes "message is not modified" as done, performs the rest in order, and reports the session and step', async () => {
    const { api, calls } = recordingApi('Bad Request: message is not modified');
    const effects = await performActions(
      [
        { edit: { text: 'same' } },
        { answerCallback: {} },
        { reply: { text: 'next' } },
        { setSession: { sessionJson: '{"a":1}' } },
        { enterStep: { step: 'plans:promo', data: { plan: 'basic' } } },
      ],
      { api, service: 'shop', table, target: pressed },
    );
    expect(calls).toEqual(['edit', 'answer', 'send next']);
    expect(effects).toEqual({
      sessionJson: '{"a":1}',
      step: { service: 'shop', step: 'plans:promo', data: { plan: 'basic' } },
      answeredCallback: true,
      answeredPreCheckout: false,
    });
  });

  it('stops at any other Telegram error, and sends nothing of a refused answer', async () => {
    const failing = recordingApi('Bad Request: message to edit not found');
    await expect(
      performActions([{ edit: { text: 'x' } }, { reply: { text: 'after' } }], { api: failing.api, service: 'shop', table, target: pressed }),
    ).rejects.toThrow(GrammyError);
    expect(failing.calls).toEqual(['edit']);
    const refused = recordingApi('');
    await expect(
      performActions([{ reply: { text: 'first' } }, { reply: { text: 'x', keyboard: inline('dice:roll') } }], {
        api: refused.api,
        service: 'shop',
        table,
        target: pressed,
      }),
    ).rejects.toThrow(ActionRefusedError);
    expect(refused.calls).toEqual([]);
  });

  it("sends a reply, photo or document to another chat of the bot (an admin group's topic) when the action names one", async () => {
    const sent: unknown[][] = [];
    const api = {
      sendMessage: async (...args: unknown[]) => sent.push(['message', ...args]),
      sendPhoto: async (...args: unknown[]) => sent.push(['photo', ...args]),
      sendDocument: async (...args: unknown[]) => sent.push(['document', ...args]),
    } as unknown as Api;
    await performActions(
      [
        { reply: { text: 'here' } },
        { reply: { text: 'member', chatId: '7' } },
        { sendPhoto: { fileId: 'P', caption: 'c', chatId: '-1001', messageThreadId: 5 } },
        { sendDocument: { fileId: 'D', chatId: '-1001' } },
      ],
      { api, service: 'shop', table, target: chatOnly },
    );
    expect(sent).toEqual([
      ['message', 42, 'here', {}],
      ['message', 7, 'member', {}],
      ['photo', -1001, 'P', { message_thread_id: 5, caption: 'c' }],
      ['document', -1001, 'D', {}],
    ]);
  });
});
