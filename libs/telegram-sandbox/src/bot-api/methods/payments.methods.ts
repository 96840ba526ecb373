import { TelegramErrors } from '../../errors/telegram-api.error.js';
import { parseInvoiceArguments } from '../../payments/invoice-arguments.parser.js';
import type { MethodGroup } from '../bot-api-method.js';
import { copyWireObject } from '../../state/wire-objects.js';

/** Invoices, pre-checkout answers, refunds, Stars subscriptions and the Stars ledger. */
export const paymentsMethods: MethodGroup = (core) => ({
  sendInvoice: ({ bot, args }) => {
    const terms = parseInvoiceArguments(args, { allowSubscription: false });
    const options = core.sender.readSendOptions(args);
    const target = core.sender.resolveTarget(bot, args);
    const stored = core.sender.send(
      bot,
      target,
      {
        invoice: {
          title: terms.title,
          description: terms.description,
          start_parameter: terms.startParameter,
          currency: terms.currency,
          total_amount: terms.totalAmount,
        },
      },
      options,
    );
    const invoice = core.payments.createInvoice(bot.id, terms, false);
    core.payments.attachToMessage(invoice, target.conversation.key, stored.message.message_id);
    return copyWireObject(stored.message);
  },

  createInvoiceLink: ({ bot, args }) => {
    const terms = parseInvoiceArguments(args, { allowSubscription: true });
    return core.payments.linkFor(core.payments.createInvoice(bot.id, terms, true));
  },

  answerPreCheckoutQuery: ({ bot, args }) => {
    const ok = args.bool('ok');
    const errorMessage = ok ? '' : args.requiredString('error_message');
    core.payments.answerPreCheckout(bot.id, args.string('pre_checkout_query_id').trim(), ok, errorMessage);
    return true;
  },

  refundStarPayment: ({ bot, args }) => {
    const userId = args.userId();
    const chargeId = args.requiredString('telegram_payment_charge_id');
    if (!core.store.users.has(userId)) throw TelegramErrors.userNotFound();
    core.payments.refund(bot.id, userId, chargeId);
    return true;
  },

  editUserStarSubscription: ({ bot, args }) => {
    const userId = args.userId();
    const chargeId = args.requiredString('telegram_payment_charge_id');
    if (!core.store.users.has(userId)) throw TelegramErrors.userNotFound();
    core.payments.editSubscription(bot.id, userId, chargeId, args.bool('is_canceled'));
    return true;
  },

  getStarTransactions: ({ bot, args }) => ({
    transactions: core.payments.transactions(bot.id, args.int('offset', 0, 0), args.int('limit', 100, 1, 100)),
  }),

  getMyStarBalance: ({ bot }) => core.payments.balance(bot.id),
});
