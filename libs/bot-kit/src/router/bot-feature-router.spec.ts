import type { BotUpdateJson } from '@botplatform/contracts';
import { describe, expect, it } from '@jest/globals';
import { CallbackData, CallbackDataTooLongError } from '../routing/callback-data.js';
import { BotFeatureRouter, UnroutedUpdateError } from './bot-feature-router.js';
import { SessionTooLargeError } from './feature-context.js';
import { InlineKeyboard, ReplyKeyboard } from './keyboards.js';

const buttons = new CallbackData('plans');

const member = (role: 'ROLE_USER' | 'ROLE_ADMIN' | 'ROLE_OWNER' = 'ROLE_USER') => ({
  botId: 'bot-1',
  botName: 'Shop',
  language: 'ru',
  timeZone: 'Europe/Berlin',
  member: { userId: 'u-1', telegramUserId: '42', firstName: 'Ann', role },
});

function plansRouter(): BotFeatureRouter {
  const texts: Record<string, Record<string, string>> = { en: { plans: 'Plans' }, ru: { plans: 'Тарифы' } };
  return new BotFeatureRouter('subscriptions', { translate: (language, key) => texts[language]?.[key] ?? key })
    .command('plans', { description: { en: 'plans and prices', ru: 'тарифы и цены' } }, (ctx) => {
      ctx.reply(ctx.t('plans'), { keyboard: new InlineKeyboard().text('Month', buttons.encode('buy', 'month')).row().url('Terms', 'https://example.org') });
    })
    .command('grant', { description: { en: 'grant a plan' }, audience: 'admins', featureFlag: 'subscriptions.admin' }, (ctx) => {
      if (!ctx.isAdmin) ctx.reply('only for admins');
      else ctx.enterStep('plans:grant', { plan: 'month' });
    })
    .callback(buttons, (ctx) => {
      ctx.setSession({ chosen: ctx.callback?.args[0], seen: (ctx.session<{ seen: number }>()?.seen ?? 0) + 1 });
      ctx.edit(`chosen ${ctx.callback?.action} ${ctx.callback?.args.join(',')}`);
    })
    .step('plans:grant', (ctx) => {
      ctx.leaveStep().reply(`granted ${ctx.step?.data?.plan} to ${ctx.step?.text}`, { keyboard: 'remove' });
    })
    .update('pre_checkout_query', (ctx) => {
      if (ctx.preCheckout?.invoicePayload === 'ok') ctx.answerPreCheckout(true);
      else ctx.answerPreCheckout(false, 'This offer has ended');
    })
    .message('successful_payment', (ctx) => {
      ctx.reply(`paid ${ctx.message?.successfulPayment?.totalAmount} ${ctx.message?.successfulPayment?.currency}`);
    });
}

const update = (trigger: Partial<BotUpdateJson>, role?: Parameters<typeof member>[0]): BotUpdateJson => ({
  context: member(role),
  updateId: '1',
  chatId: '42',
  ...trigger,
});

describe('A bot feature router', () => {
  it('declares what it registered, in canonical form', () => {
    expect(plansRouter().declaration()).toEqual({
      service: 'subscriptions',
      commands: [
        { command: 'grant', descriptions: { en: 'grant a plan' }, audience: 'AUDIENCE_ADMINS', featureFlag: 'subscriptions.admin' },
        { command: 'plans', descriptions: { en: 'plans and prices', ru: 'тарифы и цены' }, audience: 'AUDIENCE_EVERYONE' },
      ],
      callbackNamespaces: [{ namespace: 'plans' }],
      steps: [{ step: 'plans:grant' }],
      messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }],
      updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }],
    });
  });

  it('declares and answers a /start deep link by its prefix, with the whole payload', async () => {
    const router = new BotFeatureRouter('payments').deepLink('promo', (ctx) => ctx.reply(`code ${ctx.command?.payload?.slice('promo_'.length)}`));
    expect(router.declaration().deepLinks).toEqual([{ prefix: 'promo' }]);
    const { actions } = await router.handle(update({ command: { command: 'start', payload: 'promo_SPRING25', messageId: '7' } }));
    expect(actions).toEqual([{ reply: { text: 'code SPRING25' } }]);
    await expect(router.handle(update({ command: { command: 'start', payload: 'ref_42', messageId: '8' } }))).rejects.toThrow(/no handler for \/start ref_42/);
  });

  it("answers a command with the handler's actions, in the member's language", async () => {
    const { actions } = await plansRouter().handle(update({ command: { command: 'plans', messageId: '7' } }));
    expect(actions).toEqual([
      {
        reply: {
          text: 'Тарифы',
          keyboard: {
            inline: {
              rows: [{ buttons: [{ text: 'Month', callbackData: 'plans:buy:month' }] }, { buttons: [{ text: 'Terms', url: 'https://example.org' }] }],
            },
          },
        },
      },
    ]);
  });

  it('decodes a press against its namespace, keeps the session slice and answers the press it left unanswered', async () => {
    const { actions } = await plansRouter().handle(
      update({ callback: { callbackQueryId: 'q1', data: 'plans:buy:month', messageId: '9' }, sessionJson: JSON.stringify({ seen: 2 }) }),
    );
    expect(actions).toEqual([{ edit: { text: 'chosen buy month' } }, { answerCallback: {} }, { setSession: { sessionJson: '{"chosen":"month","seen":3}' } }]);
  });

  it('decides on rights from the role in the context, and carries step data to the answer', async () => {
    const router = plansRouter();
    expect((await router.handle(update({ command: { command: 'grant' } }, 'ROLE_USER'))).actions).toEqual([{ reply: { text: 'only for admins' } }]);
    expect((await router.handle(update({ command: { command: 'grant' } }, 'ROLE_OWNER'))).actions).toEqual([
      { enterStep: { step: 'plans:grant', data: { plan: 'month' } } },
    ]);
    expect((await router.handle(update({ step: { step: 'plans:grant', data: { plan: 'month' }, text: '@ann' } }))).actions).toEqual([
      { leaveStep: {} },
      { reply: { text: 'granted month to @ann', keyboard: { removeReply: true } } },
    ]);
  });

  it('answers a pre-checkout and a payment', async () => {
    const router = plansRouter();
    const checkout = (invoicePayload: string) => update({ preCheckout: { preCheckoutQueryId: 'p', currency: 'XTR', totalAmount: '250', invoicePayload } });
    expect((await router.handle(checkout('ok'))).actions).toEqual([{ answerPreCheckout: { ok: true } }]);
    expect((await router.handle(checkout('old'))).actions).toEqual([{ answerPreCheckout: { ok: false, errorMessage: 'This offer has ended' } }]);
    const paid = update({ message: { kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT', successfulPayment: { currency: 'XTR', totalAmount: '250' } } });
    expect((await router.handle(paid)).actions).toEqual([{ reply: { text: 'paid 250 XTR' } }]);
  });

  it('refuses with a typed error what it has no handler for', async () => {
    const router = plansRouter();
    await expect(router.handle(update({ command: { command: 'admin' } }))).rejects.toThrow(UnroutedUpdateError);
    await expect(router.handle(update({ callback: { data: 'adm:blk:1' } }))).rejects.toThrow(UnroutedUpdateError);
    await expect(router.handle(update({ step: { step: 'plans:other' } }))).rejects.toThrow(UnroutedUpdateError);
    await expect(router.handle(update({ subscription: { state: 'canceled' } }))).rejects.toThrow(UnroutedUpdateError);
    await expect(router.handle(update({}))).rejects.toThrow(UnroutedUpdateError);
  });

  it('tells its listeners when a route is added after it was declared', () => {
    const router = plansRouter();
    const changes: string[] = [];
    router.onChange(() =>
      changes.push(
        router
          .declaration()
          .commands?.map((c) => c.command)
          .join(',') ?? '',
      ),
    );
    router.command('top', { description: { en: 'the leaderboard' } }, () => undefined);
    expect(changes).toEqual(['grant,plans,top']);
  });

  it('checks sizes where Telegram or the gateway would refuse them', async () => {
    expect(() => new InlineKeyboard().text('x', buttons.encode('buy', 'm'.repeat(60)))).toThrow(CallbackDataTooLongError);
    expect(() => new InlineKeyboard().text('x', `plans:${'m'.repeat(60)}`)).toThrow(CallbackDataTooLongError);
    const router = new BotFeatureRouter('notes').command('big', { description: { en: 'x' } }, (ctx) => ctx.setSession({ blob: 'x'.repeat(5_000) }));
    await expect(router.handle(update({ command: { command: 'big' } }))).rejects.toThrow(SessionTooLargeError);
    expect(new ReplyKeyboard().text('Yes').text('No').row().requestContact('Share phone').once().toJson()).toEqual({
      rows: [{ buttons: [{ text: 'Yes' }, { text: 'No' }] }, { buttons: [{ text: 'Share phone', requestContact: true }] }],
      oneTime: true,
      resize: true,
    });
  });
});
