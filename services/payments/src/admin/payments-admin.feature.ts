import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard } from '@botplatform/bot-kit';
import type { PromoCodeDefinitionJson, PromoRewardJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { formatMoment } from '../bot/stars-checkout.feature.js';
import { reviewButtons } from '../cards/card-transfer.feature.js';
import { formatTrackingNumber } from '../cards/payment-cards.decider.js';
import { ReviewCardTransferUseCase } from '../cards/review-card-transfer.use-case.js';
import { planTextIn } from '../payment/create-payment.use-case.js';
import { PaymentCommands } from '../payment/payment-commands.js';
import type { Payment } from '../payment/payment.entity.js';
import { RefundPaymentUseCase } from '../payment/refund-payment.use-case.js';
import { PaymentsError } from '../payments.errors.js';
import { ManagePromoCodesUseCase } from '../promo/manage-promo-codes.use-case.js';
import { normalizeCode, PROMO_CODE } from '../promo/promo.decider.js';
import { Clock } from '../shared/clock.js';
import { formatAmount } from '../wallet/wallet.feature.js';
import { AdminPlansClient } from './admin-plans.client.js';
import { paymentsAdminTranslate } from './payments-admin-texts.js';
import { PaymentsAdminQueries } from './payments-admin.queries.js';
import { chunkLines, expiryFrom, parseMoney, wholeNumber } from './promo-draft.js';

/** Buttons of /payadmin: `payadm:<action>[:<arg>]`, each under Telegram's 64 bytes. The member is in the session, never in the data. */
export const paymentsAdminButtons = new CallbackData('payadm');

/** The questions of the payments admin screens; the admin's next text answers them. */
export const PAYMENTS_ADMIN_STEPS = {
  member: 'payadm:member',
  refundReason: 'payadm:refund',
  promo: 'payadm:promo',
} as const;

/** A promo code (or a batch) being put together, one question at a time. */
export interface PromoDraft {
  readonly mode: 'code' | 'batch';
  readonly code?: string;
  readonly count?: number;
  readonly reward?: PromoRewardJson;
  /** Absent: unlimited. */
  readonly maxUses?: number;
}

/** The payments service's slice of a chat's session, as far as /payadmin uses it. */
export interface PaymentsAdminSession {
  /** The member whose payments the admin looks at. */
  readonly member?: string;
  /** The refund the admin gave a reason for and is asked to confirm. */
  readonly refund?: { readonly paymentId: string; readonly reason: string };
  readonly promo?: PromoDraft;
}

const PAGE = 5;
const MAX_PAGE = 1000;
const MAX_REASON = 500;
const MAX_USES = 1_000_000;
const BATCH_MAX = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;

/** The refusals of the use cases an admin can cause here, worded for the admin. Anything else is the gateway's "try again". */
const REFUSAL_KEYS: Readonly<Record<string, string>> = {
  'PAYMENTS.ALREADY_REFUNDED': 'payadm-refused-already-refunded',
  'PAYMENTS.NOT_REFUNDABLE': 'payadm-refused-not-refundable',
  'PAYMENTS.REFUND_REFUSED': 'payadm-refused-refund-refused',
  'PAYMENTS.PAYMENT_NOT_FOUND': 'payadm-refused-unknown-payment',
  'PAYMENTS.TRANSFER_NOT_FOUND': 'payadm-gone',
  'PAYMENTS.PROMO_EXISTS': 'payadm-refused-promo-exists',
  'PAYMENTS.PROMO_INVALID': 'payadm-refused-promo-invalid',
};

type PressHandler = (ctx: FeatureContext, args: readonly string[]) => Promise<void>;

/**
 * `/payadmin`: the payments side of a bot's administration (the users service owns `/admin`; like
 * subscriptions' `/subadmin`, a service answers only its own buttons). The payments of a member found by
 * Telegram id, newest first and paged, each with amount, provider, status and date; a completed one
 * refunded after a reason and a confirmation (RefundPaymentUseCase: Stars through `refundStarPayment`,
 * wallet payments back to the wallet, the access revoked; a second refund is PAYMENTS.ALREADY_REFUNDED,
 * said plainly); the card transfers whose receipts wait for review, with the review buttons of the
 * admin chat (`card:ok` / `card:no`, answered by CardTransferFeature through ReviewCardTransferUseCase),
 * for bots without an admin chat; and a promo code or a batch of single-use codes put together step by
 * step (ManagePromoCodesUseCase). Every command, press and answer checks the reader's role from the
 * update's context, and the use cases record the admin (`telegram:<id>`).
 */
@Injectable()
export class PaymentsAdminFeature {
  constructor(
    private readonly queries: PaymentsAdminQueries,
    private readonly payments: PaymentCommands,
    private readonly refunds: RefundPaymentUseCase,
    private readonly review: ReviewCardTransferUseCase,
    private readonly promos: ManagePromoCodesUseCase,
    private readonly plans: AdminPlansClient,
    private readonly clock: Clock,
  ) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router
      .command(
        'payadmin',
        {
          description: { en: paymentsAdminTranslate('en', 'payadm-command'), ru: paymentsAdminTranslate('ru', 'payadm-command') },
          audience: 'admins',
        },
        this.refusalsAnswered(async (ctx) => {
          if (!ctx.isAdmin) {
            ctx.reply(t(ctx, 'payadm-not-an-admin'));
            return;
          }
          ctx.reply(t(ctx, 'payadm-title'), { keyboard: menuKeyboard(ctx) });
        }),
      )
      .callback(
        paymentsAdminButtons,
        this.refusalsAnswered((ctx) => this.press(ctx)),
      )
      .step(
        PAYMENTS_ADMIN_STEPS.member,
        this.answer((ctx, text) => this.chooseMember(ctx, text)),
      )
      .step(
        PAYMENTS_ADMIN_STEPS.refundReason,
        this.answer((ctx, text, data) => this.refundReason(ctx, data.paymentId ?? '', text)),
      )
      .step(
        PAYMENTS_ADMIN_STEPS.promo,
        this.answer((ctx, text, data) => this.promoAnswer(ctx, data.stage ?? '', text)),
      );
  }

  private async press(ctx: FeatureContext): Promise<void> {
    // The role of the context, which the gateway looked up for this update; the button says nothing trusted.
    if (!ctx.isAdmin) {
      ctx.answerCallback(t(ctx, 'payadm-not-an-admin'), { alert: true });
      return;
    }
    const press = this.presses[ctx.callback?.action ?? ''];
    if (press) await press(ctx, ctx.callback?.args ?? []);
    else ctx.answerCallback(t(ctx, 'payadm-gone'), { alert: true });
  }

  private readonly presses: Record<string, PressHandler> = {
    menu: async (ctx) => {
      ctx.edit(t(ctx, 'payadm-title'), { keyboard: menuKeyboard(ctx) });
    },
    find: async (ctx) => {
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.member).reply(t(ctx, 'payadm-find-prompt'));
    },
    p: async (ctx, [page = '0']) => {
      const member = sessionOf(ctx).member;
      if (!member) return chooseMemberFirst(ctx);
      ctx.edit(...(await this.paymentsPage(ctx, member, pageNumber(page))));
    },
    rf: async (ctx, [paymentId = '']) => {
      const payment = await this.refundable(ctx, paymentId);
      if (!payment) return;
      ctx
        .enterStep(PAYMENTS_ADMIN_STEPS.refundReason, { paymentId })
        .reply(t(ctx, 'payadm-refund-prompt', { payment: paymentSummary(ctx, payment), id: payment.telegramUserId }));
    },
    rfy: async (ctx, [paymentId = '']) => {
      const refund = sessionOf(ctx).refund;
      if (!refund || refund.paymentId !== paymentId) {
        ctx.answerCallback(t(ctx, 'payadm-refund-start-again'), { alert: true });
        return;
      }
      const payment = await this.paymentOf(ctx, paymentId);
      if (!payment) return;
      await this.refunds.execute({ botId: ctx.botId, paymentId, reason: refund.reason, refundedBy: adminRef(ctx) });
      const done = t(ctx, 'payadm-refunded', { payment: paymentSummary(ctx, payment), id: payment.telegramUserId, reason: refund.reason });
      ctx.answerCallback().edit(done, { keyboard: backToPayments(ctx) });
    },
    rv: async (ctx, [page = '0']) => {
      const [text, options] = await this.receiptsPage(ctx, pageNumber(page));
      ctx.edit(text, options);
    },
    rc: async (ctx, [paymentId = '']) => {
      if (!UUID.test(paymentId)) return gone(ctx);
      const transfer = await this.review.transfer(ctx.botId, paymentId);
      const tracking = formatTrackingNumber(transfer.trackingNumber);
      const keyboard = reviewKeyboard(ctx, paymentId, tracking);
      const caption = t(ctx, 'payadm-receipt-caption', { tracking, id: transfer.telegramUserId, amount: formatAmount(transfer.amount, transfer.currency) });
      const receipt = transfer.receipt;
      ctx.answerCallback();
      if (receipt?.kind === 'photo' && receipt.fileId) ctx.sendPhoto(receipt.fileId, { caption, keyboard });
      else if (receipt?.kind === 'document' && receipt.fileId) ctx.sendDocument(receipt.fileId, { caption, keyboard });
      else ctx.reply(`${caption}\n${receipt?.text ?? ''}`, { keyboard });
    },
    pc: async (ctx) => {
      this.saveSession(ctx, { promo: { mode: 'code' } });
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'code' }).reply(t(ctx, 'payadm-promo-code-prompt'));
    },
    pb: async (ctx) => {
      this.saveSession(ctx, { promo: { mode: 'batch' } });
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'count' }).reply(t(ctx, 'payadm-promo-count-prompt', { max: BATCH_MAX }));
    },
    rk: async (ctx, [kind = '']) => {
      const draft = sessionOf(ctx).promo;
      if (!draft) return promoStartAgain(ctx);
      if (kind === 'plan') {
        const plans = (await this.plans.plans(ctx.botId)).filter((plan) => plan.planId && plan.archived !== true);
        if (plans.length === 0) {
          ctx.answerCallback(t(ctx, 'payadm-promo-no-plans'), { alert: true });
          return;
        }
        const keyboard = new InlineKeyboard();
        for (const plan of plans) keyboard.text(planTextIn(plan, ctx.language).name, paymentsAdminButtons.encode('rp', plan.planId!)).row();
        ctx.edit(t(ctx, 'payadm-promo-plan-choose'), { keyboard });
      } else if (kind === 'wallet') {
        ctx.answerCallback().enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'amount' }).reply(t(ctx, 'payadm-promo-amount-prompt'));
      } else if (kind === 'percent') {
        ctx.answerCallback().enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'percent' }).reply(t(ctx, 'payadm-promo-percent-prompt'));
      } else gone(ctx);
    },
    rp: async (ctx, [planId = '']) => {
      const draft = sessionOf(ctx).promo;
      if (!draft) return promoStartAgain(ctx);
      const plan = UUID.test(planId) ? (await this.plans.plans(ctx.botId)).find((p) => p.planId === planId && p.archived !== true) : undefined;
      if (!plan) return gone(ctx);
      ctx.answerCallback();
      this.afterReward(ctx, { ...draft, reward: { grantPlanId: planId } });
    },
  };

  /** A step's handler: the question left first (a refused answer never leaves the chat stuck), a non-admin refused. */
  private answer(handler: (ctx: FeatureContext, text: string, data: Readonly<Record<string, string>>) => Promise<void>) {
    return this.refusalsAnswered(async (ctx) => {
      ctx.leaveStep();
      if (!ctx.isAdmin) {
        ctx.reply(t(ctx, 'payadm-not-an-admin'));
        return;
      }
      await handler(ctx, (ctx.step?.text ?? '').trim(), ctx.step?.data ?? {});
    });
  }

  /** The use cases' refusals in the admin's language (an alert under a press, a message otherwise) instead of a failed update. */
  private refusalsAnswered(handler: (ctx: FeatureContext) => Promise<void>) {
    return async (ctx: FeatureContext): Promise<void> => {
      try {
        await handler(ctx);
      } catch (error) {
        const key = error instanceof PaymentsError ? REFUSAL_KEYS[error.code] : undefined;
        if (!key) throw error;
        const left = ctx.has('leaveStep');
        ctx.actions.length = 0;
        if (left) ctx.leaveStep();
        const text = t(ctx, key);
        // A refused refund confirmation says so where the question was, and an alert is easy to miss.
        if (ctx.callback) ctx.answerCallback(text, { alert: true }).reply(text);
        else ctx.reply(text);
      }
    };
  }

  private async chooseMember(ctx: FeatureContext, text: string): Promise<void> {
    if (!TELEGRAM_USER_ID.test(text)) {
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.member).reply(t(ctx, 'payadm-find-invalid'));
      return;
    }
    this.saveSession(ctx, { member: text });
    ctx.reply(...(await this.paymentsPage(ctx, text, 0)));
  }

  private async paymentsPage(ctx: FeatureContext, member: string, page: number): Promise<[string, { keyboard: InlineKeyboard }]> {
    const { items, more, cardTransfers } = await this.queries.paymentsOf(ctx.botId, member, page, PAGE);
    const keyboard = new InlineKeyboard();
    if (items.length === 0) {
      keyboard.text(t(ctx, 'payadm-button-back'), paymentsAdminButtons.encode('menu'));
      return [t(ctx, page === 0 ? 'payadm-payments-none' : 'payadm-payments-no-more', { id: member }), { keyboard }];
    }
    const lines = items.map((payment, index) => `${page * PAGE + index + 1}. ${paymentLine(ctx, payment, cardTransfers.has(payment.paymentId))}`);
    items.forEach((payment, index) => {
      if (refundableHere(payment, cardTransfers.has(payment.paymentId)))
        keyboard.text(t(ctx, 'payadm-button-refund', { n: page * PAGE + index + 1 }), paymentsAdminButtons.encode('rf', payment.paymentId)).row();
    });
    pager(ctx, keyboard, 'p', page, more);
    keyboard.text(t(ctx, 'payadm-button-back'), paymentsAdminButtons.encode('menu'));
    return [[t(ctx, 'payadm-payments-title', { id: member, page: page + 1 }), ...lines].join('\n'), { keyboard }];
  }

  private async receiptsPage(ctx: FeatureContext, page: number): Promise<[string, { keyboard: InlineKeyboard }]> {
    const { items, more } = await this.queries.transfersInReview(ctx.botId, page, PAGE);
    const keyboard = new InlineKeyboard();
    if (items.length === 0) {
      keyboard.text(t(ctx, 'payadm-button-back'), paymentsAdminButtons.encode('menu'));
      return [t(ctx, 'payadm-receipts-none'), { keyboard }];
    }
    const lines: string[] = [];
    for (const { transfer, payment } of items) {
      const tracking = formatTrackingNumber(transfer.trackingNumber);
      const state = await this.review.transfer(ctx.botId, transfer.paymentId);
      const receipt = state.receipt?.text ? `«${state.receipt.text.slice(0, 200)}»` : t(ctx, `payadm-receipt-${state.receipt?.kind ?? 'text'}`);
      lines.push(
        t(ctx, 'payadm-receipt-line', {
          tracking,
          amount: payment ? formatAmount(payment.amount, payment.currency) : formatAmount(state.amount, state.currency),
          id: transfer.telegramUserId,
          at: formatMoment(transfer.updatedAt.toISOString(), ctx.timeZone),
          receipt,
        }),
      );
      keyboard
        .text(`✅ ${tracking}`, reviewButtons.encode('ok', transfer.paymentId))
        .text(`❌ ${tracking}`, reviewButtons.encode('no', transfer.paymentId))
        .text(`🧾 ${tracking}`, paymentsAdminButtons.encode('rc', transfer.paymentId))
        .row();
    }
    pager(ctx, keyboard, 'rv', page, more);
    keyboard.text(t(ctx, 'payadm-button-back'), paymentsAdminButtons.encode('menu'));
    return [[t(ctx, 'payadm-receipts-title'), ...lines].join('\n\n'), { keyboard }];
  }

  /** The bot's payment by id, or an alert that it is not known here. */
  private async paymentOf(ctx: FeatureContext, paymentId: string): Promise<Payment | undefined> {
    const state = UUID.test(paymentId) ? await this.payments.state(paymentId) : undefined;
    if (!state || state.status === 'none' || state.botId !== ctx.botId) {
      gone(ctx);
      return undefined;
    }
    return {
      paymentId: state.paymentId,
      botId: state.botId,
      telegramUserId: state.telegramUserId,
      planId: state.planId,
      currency: state.currency,
      amount: state.amount,
      status: state.status,
      provider: state.provider,
      chargeId: state.chargeId ?? null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
  }

  /** The payment when it can be refunded now; else the admin is told why not. */
  private async refundable(ctx: FeatureContext, paymentId: string): Promise<Payment | undefined> {
    const payment = await this.paymentOf(ctx, paymentId);
    if (!payment) return undefined;
    if (refundableHere(payment)) return payment;
    const text = t(ctx, payment.status === 'refunded' ? 'payadm-refused-already-refunded' : 'payadm-refused-not-refundable');
    ctx.answerCallback(text, { alert: true });
    return undefined;
  }

  private async refundReason(ctx: FeatureContext, paymentId: string, reason: string): Promise<void> {
    if (reason.length === 0 || reason.length > MAX_REASON) {
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.refundReason, { paymentId }).reply(t(ctx, 'payadm-reason-invalid', { max: MAX_REASON }));
      return;
    }
    const payment = await this.paymentOf(ctx, paymentId);
    if (!payment) return;
    this.saveSession(ctx, { refund: { paymentId, reason } });
    const keyboard = new InlineKeyboard()
      .text(t(ctx, 'payadm-button-refund-confirm'), paymentsAdminButtons.encode('rfy', paymentId))
      .text(t(ctx, 'payadm-button-cancel'), paymentsAdminButtons.encode('p', '0'));
    ctx.reply(t(ctx, 'payadm-refund-confirm', { payment: paymentSummary(ctx, payment), id: payment.telegramUserId, reason }), { keyboard });
  }

  private async promoAnswer(ctx: FeatureContext, stage: string, text: string): Promise<void> {
    const draft = sessionOf(ctx).promo;
    if (!draft) return promoStartAgain(ctx);
    const again = (key: string, variables: Readonly<Record<string, string | number>> = {}) =>
      ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage }).reply(t(ctx, key, variables));
    switch (stage) {
      case 'code': {
        const code = normalizeCode(text);
        if (!PROMO_CODE.test(code)) return void again('payadm-promo-code-invalid');
        return this.askReward(ctx, { ...draft, code });
      }
      case 'count': {
        const count = wholeNumber(text, BATCH_MAX);
        if (count === undefined) return void again('payadm-number-invalid', { max: BATCH_MAX });
        return this.askReward(ctx, { ...draft, count });
      }
      case 'amount': {
        const money = parseMoney(text);
        if (!money) return void again('payadm-promo-amount-invalid');
        return this.afterReward(ctx, { ...draft, reward: { walletTopUp: money } });
      }
      case 'percent': {
        const percent = wholeNumber(text, 100);
        if (percent === undefined) return void again('payadm-number-invalid', { max: 100 });
        return this.afterReward(ctx, { ...draft, reward: { percentOff: percent } });
      }
      case 'uses': {
        const unlimited = text === '-';
        const maxUses = unlimited ? undefined : wholeNumber(text, MAX_USES);
        if (!unlimited && maxUses === undefined) return void again('payadm-number-invalid', { max: MAX_USES });
        const { maxUses: _, ...rest } = draft;
        this.saveSession(ctx, { promo: maxUses === undefined ? rest : { ...rest, maxUses } });
        ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'expiry' }).reply(t(ctx, 'payadm-promo-expiry-prompt'));
        return;
      }
      case 'expiry': {
        const expiry = expiryFrom(text, this.clock.now());
        if (expiry === undefined) return void again('payadm-promo-expiry-invalid');
        return this.createPromo(ctx, draft, expiry ?? null);
      }
      default:
        return promoStartAgain(ctx);
    }
  }

  private askReward(ctx: FeatureContext, draft: PromoDraft): void {
    this.saveSession(ctx, { promo: draft });
    const keyboard = new InlineKeyboard()
      .text(t(ctx, 'payadm-button-reward-plan'), paymentsAdminButtons.encode('rk', 'plan'))
      .row()
      .text(t(ctx, 'payadm-button-reward-wallet'), paymentsAdminButtons.encode('rk', 'wallet'))
      .row()
      .text(t(ctx, 'payadm-button-reward-percent'), paymentsAdminButtons.encode('rk', 'percent'));
    ctx.reply(t(ctx, 'payadm-promo-reward-choose'), { keyboard });
  }

  /** The reward is known: a code asks for its number of uses, a batch (single-use codes) for its expiry. */
  private afterReward(ctx: FeatureContext, draft: PromoDraft): void {
    this.saveSession(ctx, { promo: draft });
    if (draft.mode === 'code') ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'uses' }).reply(t(ctx, 'payadm-promo-uses-prompt'));
    else ctx.enterStep(PAYMENTS_ADMIN_STEPS.promo, { stage: 'expiry' }).reply(t(ctx, 'payadm-promo-expiry-prompt'));
  }

  private async createPromo(ctx: FeatureContext, draft: PromoDraft, expiresAt: string | null): Promise<void> {
    if (!draft.reward) return promoStartAgain(ctx);
    const definition: PromoCodeDefinitionJson = {
      reward: draft.reward,
      ...(draft.maxUses !== undefined ? { maxUses: draft.maxUses } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      active: true,
    };
    const reward = await this.rewardText(ctx, draft.reward);
    const expiry = expiresAt ? formatMoment(expiresAt, ctx.timeZone) : t(ctx, 'payadm-promo-never');
    this.saveSession(ctx, { promo: undefined });
    if (draft.mode === 'code' && draft.code) {
      const created = await this.promos.create({ botId: ctx.botId, code: draft.code, definition, createdBy: adminRef(ctx) });
      const uses = draft.maxUses !== undefined ? String(draft.maxUses) : t(ctx, 'payadm-promo-unlimited');
      ctx.reply(t(ctx, 'payadm-promo-created', { code: created.code ?? draft.code, reward, uses, expiry }), { keyboard: menuKeyboard(ctx) });
      return;
    }
    if (draft.mode !== 'batch' || !draft.count) return promoStartAgain(ctx);
    const batch = await this.promos.createBatch({ botId: ctx.botId, count: draft.count, definition, createdBy: adminRef(ctx) });
    const codes = batch.codes ?? [];
    ctx.reply(t(ctx, 'payadm-promo-batch-created', { count: codes.length, reward, expiry }));
    // The codes themselves, as many messages as Telegram's 4096 characters need, ready to copy.
    for (const chunk of chunkLines(codes, 4000)) ctx.reply(chunk);
    ctx.reply(t(ctx, 'payadm-title'), { keyboard: menuKeyboard(ctx) });
  }

  private async rewardText(ctx: FeatureContext, reward: PromoRewardJson): Promise<string> {
    if (reward.walletTopUp)
      return t(ctx, 'payadm-reward-wallet', { amount: formatAmount(String(reward.walletTopUp.amount), reward.walletTopUp.currency ?? '') });
    if (reward.percentOff !== undefined) return t(ctx, 'payadm-reward-percent', { percent: reward.percentOff });
    const plan = (await this.plans.plans(ctx.botId)).find((p) => p.planId === reward.grantPlanId);
    return t(ctx, 'payadm-reward-plan', { plan: plan ? planTextIn(plan, ctx.language).name : (reward.grantPlanId ?? '') });
  }

  /** Writes part of the service's session slice, keeping the rest. */
  private saveSession(ctx: FeatureContext, change: Partial<Record<keyof PaymentsAdminSession, unknown>>): void {
    const next: Record<string, unknown> = { ...sessionOf(ctx), ...change };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    ctx.setSession(next);
  }
}

function t(ctx: FeatureContext, key: string, variables: Readonly<Record<string, string | number>> = {}): string {
  return paymentsAdminTranslate(ctx.language, key, variables);
}

/** The session as this feature last left it, only the parts it recognises (the session is data from the chat). */
function sessionOf(ctx: FeatureContext): PaymentsAdminSession {
  const raw = ctx.session<PaymentsAdminSession>() ?? {};
  const member = typeof raw.member === 'string' && TELEGRAM_USER_ID.test(raw.member) ? raw.member : undefined;
  const refund = raw.refund && typeof raw.refund.paymentId === 'string' && typeof raw.refund.reason === 'string' ? raw.refund : undefined;
  const promo = raw.promo && (raw.promo.mode === 'code' || raw.promo.mode === 'batch') ? raw.promo : undefined;
  return { ...(member ? { member } : {}), ...(refund ? { refund } : {}), ...(promo ? { promo } : {}) };
}

/** The acting admin as the use cases record them: the reader, from the update's context. */
function adminRef(ctx: FeatureContext): string {
  return `telegram:${ctx.telegramUserId}`;
}

function pageNumber(text: string): number {
  const page = /^[0-9]{1,4}$/.test(text) ? Number(text) : 0;
  return Math.min(page, MAX_PAGE);
}

/** What RefundPaymentUseCase can give back: a completed payment in Stars (through Telegram) or from the wallet; another provider refunds on its side. */
function refundableHere(payment: Payment, cardTransfer = false): boolean {
  return payment.status === 'completed' && (payment.provider === 'wallet' || providerOf(payment, cardTransfer) === 'stars');
}

/**
 * How the payment was paid, as the admin reads it: the payment records only "stars" or "wallet", so a card
 * transfer is told by its transfer, another provider by its charge id's prefix (`crypto-pay:…`), Telegram
 * fiat by a currency other than Stars.
 */
function providerOf(payment: Payment, cardTransfer: boolean): string {
  if (payment.provider === 'wallet') return 'wallet';
  if (cardTransfer || payment.chargeId?.startsWith('card-')) return 'card';
  const prefixed = /^([a-z][a-z0-9-]*):/.exec(payment.chargeId ?? '');
  if (prefixed) return prefixed[1]!;
  return payment.currency === 'XTR' ? 'stars' : 'telegram-fiat';
}

function paymentLine(ctx: FeatureContext, payment: Payment, cardTransfer: boolean): string {
  return t(ctx, 'payadm-payment-line', {
    amount: formatAmount(payment.amount, payment.currency),
    provider: providerOf(payment, cardTransfer),
    status: t(ctx, `payadm-status-${payment.status}`),
    at: formatMoment(payment.createdAt.toISOString(), ctx.timeZone),
  });
}

function paymentSummary(ctx: FeatureContext, payment: Payment): string {
  return t(ctx, 'payadm-payment-summary', { amount: formatAmount(payment.amount, payment.currency), provider: providerOf(payment, false) });
}

function pager(ctx: FeatureContext, keyboard: InlineKeyboard, action: 'p' | 'rv', page: number, more: boolean): void {
  if (page > 0) keyboard.text(t(ctx, 'payadm-button-newer'), paymentsAdminButtons.encode(action, String(page - 1)));
  if (more) keyboard.text(t(ctx, 'payadm-button-older'), paymentsAdminButtons.encode(action, String(page + 1)));
  if (page > 0 || more) keyboard.row();
}

function gone(ctx: FeatureContext): void {
  if (ctx.callback) ctx.answerCallback(t(ctx, 'payadm-gone'), { alert: true });
  else ctx.reply(t(ctx, 'payadm-gone'));
}

function chooseMemberFirst(ctx: FeatureContext): void {
  ctx.answerCallback(t(ctx, 'payadm-choose-member'), { alert: true });
}

function promoStartAgain(ctx: FeatureContext): void {
  if (ctx.callback) ctx.answerCallback(t(ctx, 'payadm-promo-start-again'), { alert: true });
  else ctx.reply(t(ctx, 'payadm-promo-start-again'), { keyboard: menuKeyboard(ctx) });
}

function menuKeyboard(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(t(ctx, 'payadm-button-find'), paymentsAdminButtons.encode('find'))
    .text(t(ctx, 'payadm-button-receipts'), paymentsAdminButtons.encode('rv', '0'))
    .row()
    .text(t(ctx, 'payadm-button-promo'), paymentsAdminButtons.encode('pc'))
    .text(t(ctx, 'payadm-button-batch'), paymentsAdminButtons.encode('pb'));
}

function backToPayments(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(t(ctx, 'payadm-button-payments'), paymentsAdminButtons.encode('p', '0'))
    .text(t(ctx, 'payadm-button-back'), paymentsAdminButtons.encode('menu'));
}

function reviewKeyboard(ctx: FeatureContext, paymentId: string, tracking: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(`✅ ${tracking}`, reviewButtons.encode('ok', paymentId))
    .text(`❌ ${tracking}`, reviewButtons.encode('no', paymentId))
    .row()
    .text(t(ctx, 'payadm-button-receipts'), paymentsAdminButtons.encode('rv', '0'));
}
