import { Bot, InlineKeyboard } from 'grammy';
import type { ChatMemberUpdated, RefundedPayment, SuccessfulPayment } from 'grammy/types';

/** What the shop bot observed, for assertions. */
export interface ShopBotObservations {
  memberUpdates: ChatMemberUpdated[];
  payments: SuccessfulPayment[];
  refunds: RefundedPayment[];
  preCheckoutPayloads: string[];
  errors: unknown[];
}

/**
 * A plain grammY bot, written as for production: it knows nothing about the sandbox except the
 * apiRoot it is given. Tests run it over long polling, the runner and a webhook.
 */
export function createShopBot(token: string, apiRoot: string): { bot: Bot; seen: ShopBotObservations } {
  const seen: ShopBotObservations = { memberUpdates: [], payments: [], refunds: [], preCheckoutPayloads: [], errors: [] };
  const bot = new Bot(token, { client: { apiRoot } });

  bot.command('start', (ctx) =>
    ctx.reply(`Welcome to the shop${ctx.match ? ` (${ctx.match})` : ''}!`, {
      reply_markup: new InlineKeyboard().text('Buy a star pack', 'buy').text('About', 'about'),
    }),
  );

  bot.callbackQuery('about', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'We sell star packs' });
    await ctx.editMessageText('We sell star packs since 2024.', {
      reply_markup: new InlineKeyboard().text('Buy a star pack', 'buy'),
    });
  });

  bot.callbackQuery('buy', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.replyWithInvoice('Star pack', '100 stars of joy', 'order-42', 'XTR', [{ label: 'Star pack', amount: 100 }]);
  });

  bot.command('expensive', (ctx) => ctx.replyWithInvoice('Gold pack', 'Declined on purpose', 'decline-me', 'XTR', [{ label: 'Gold pack', amount: 500 }]));

  bot.on('pre_checkout_query', async (ctx) => {
    seen.preCheckoutPayloads.push(ctx.preCheckoutQuery.invoice_payload);
    if (ctx.preCheckoutQuery.invoice_payload.startsWith('decline')) {
      await ctx.answerPreCheckoutQuery(false, { error_message: 'Out of gold, sorry' });
    } else {
      await ctx.answerPreCheckoutQuery(true);
    }
  });

  bot.on('message:successful_payment', async (ctx) => {
    seen.payments.push(ctx.message.successful_payment);
    await ctx.reply(`Thanks! Order ${ctx.message.successful_payment.invoice_payload} is paid.`);
  });

  bot.command('refund', async (ctx) => {
    try {
      await ctx.api.refundStarPayment(ctx.from!.id, ctx.match);
      await ctx.reply('Refund done');
    } catch (error) {
      await ctx.reply(`Refund failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  bot.on('message:refunded_payment', (ctx) => {
    seen.refunds.push(ctx.message.refunded_payment);
  });

  bot.on('my_chat_member', (ctx) => {
    seen.memberUpdates.push(ctx.myChatMember);
  });

  bot.catch((error) => {
    seen.errors.push(error.error);
  });

  return { bot, seen };
}
