import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard } from '@botplatform/bot-kit';
import { Injectable, Logger } from '@nestjs/common';
import { formatMoment } from '../bot/stars-checkout.feature.js';
import { paymentsTranslate } from '../i18n/payments-texts.js';
import { planTextIn } from '../payment/create-payment.use-case.js';
import { PaymentsError } from '../payments.errors.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { AdminChatClient } from './admin-chat.client.js';
import type { CardTransferState, ReceiptKind } from './card-transfer.decider.js';
import { formatMinorUnits } from './money.js';
import { PaymentCardsCommands } from './payment-cards-commands.js';
import { formatTrackingNumber, maskCardNumber } from './payment-cards.decider.js';
import { ReviewCardTransferUseCase, type Reviewer } from './review-card-transfer.use-case.js';
import { SubmitReceiptUseCase } from './submit-receipt.use-case.js';

/** Review buttons under a receipt in the admin chat: `card:ok:<paymentId>`, `card:no:<paymentId>` (44 bytes). */
export const reviewButtons = new CallbackData('card');
/** The member's answer to /receipt. */
export const RECEIPT_STEP = 'card:receipt';
/** An admin's rejection reason, after Reject. */
export const REASON_STEP = 'card:reason';

type OpenTransfer = Exclude<CardTransferState, { status: 'none' }>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Card-to-card with a receipt (seed 004), after /plans handed the member over (rpc.payments.start-card-transfer
 * showed the card and the tracking number). The receipt: a photo or a document sent to the bot while a
 * transfer awaits one, or `/receipt` and then a text, photo or document (the `card:receipt` step). It is
 * forwarded by file id to the bot's admin chat (the `admin_chat_id` / `admin_topic_id` settings) with
 * Approve / Reject. An admin (the role from the member context, never the button) approves: the payment
 * completes and the plan is granted once, and the member is told in their language; or rejects with a
 * reason asked in the `card:reason` step, and the member is told why.
 */
@Injectable()
export class CardTransferFeature {
  private readonly logger = new Logger('CardTransfer');

  constructor(
    private readonly receipts: SubmitReceiptUseCase,
    private readonly review: ReviewCardTransferUseCase,
    private readonly cards: PaymentCardsCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly adminChat: AdminChatClient,
  ) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router
      .command('receipt', { description: { en: paymentsTranslate('en', 'command-receipt'), ru: paymentsTranslate('ru', 'command-receipt') } }, (ctx) =>
        this.askReceipt(ctx),
      )
      .message('photo', (ctx) => this.receipt(ctx, 'photo'))
      .message('document', (ctx) => this.receipt(ctx, 'document'))
      .step(RECEIPT_STEP, (ctx) => this.receipt(ctx, ctx.step?.photo ? 'photo' : ctx.step?.document ? 'document' : 'text'))
      .callback(reviewButtons, (ctx) => this.press(ctx))
      .step(REASON_STEP, (ctx) => this.reason(ctx));
  }

  private async askReceipt(ctx: FeatureContext): Promise<void> {
    const paymentId = await this.receipts.awaiting(ctx.botId, ctx.telegramUserId);
    if (!paymentId) {
      ctx.reply(ctx.t('card-receipt-none'));
      return;
    }
    const transfer = await this.review.transfer(ctx.botId, paymentId);
    ctx.reply(ctx.t('card-receipt-ask', { tracking: formatTrackingNumber(transfer.trackingNumber) })).enterStep(RECEIPT_STEP, { paymentId });
  }

  private async receipt(ctx: FeatureContext, kind: ReceiptKind): Promise<void> {
    const fromStep = ctx.step !== undefined;
    const part = fromStep ? ctx.step : ctx.message;
    const fileId = part?.photo?.fileId || part?.document?.fileId || undefined;
    const text = (fromStep ? ctx.step?.text : ctx.message?.caption) || undefined;
    const stepPaymentId = ctx.step?.data?.paymentId;
    const paymentId = stepPaymentId ?? (await this.receipts.awaiting(ctx.botId, ctx.telegramUserId));
    if (!paymentId) {
      if (fromStep) ctx.leaveStep();
      // The same receipt again while the last one is reviewed: nothing changes, the member is told so.
      const reviewed = await this.receipts.inReview(ctx.botId, ctx.telegramUserId);
      // Any other photo or document (nothing awaits a receipt) is not ours to answer.
      if (reviewed)
        ctx.reply(ctx.t('card-receipt-already', { tracking: formatTrackingNumber((await this.review.transfer(ctx.botId, reviewed)).trackingNumber) }));
      return;
    }
    let transfer: OpenTransfer;
    try {
      transfer = await this.receipts.execute({
        botId: ctx.botId,
        telegramUserId: ctx.telegramUserId,
        paymentId,
        kind,
        ...(fileId ? { fileId } : {}),
        ...(text ? { text } : {}),
      });
    } catch (error) {
      if (!(error instanceof PaymentsError)) throw error;
      if (fromStep) ctx.leaveStep();
      if (error.code === 'PAYMENTS.RECEIPT_NOT_AWAITED') {
        const known = await this.review.transfer(ctx.botId, paymentId);
        ctx.reply(ctx.t('card-receipt-already', { tracking: formatTrackingNumber(known.trackingNumber) }));
        return;
      }
      ctx.reply(ctx.t('card-receipt-none'));
      return;
    }
    if (fromStep) ctx.leaveStep();
    const tracking = formatTrackingNumber(transfer.trackingNumber);
    ctx.reply(ctx.t('card-receipt-taken', { tracking }));
    await this.forwardToAdmins(ctx, transfer);
  }

  /** The receipt to the bot's admin chat (or its topic) by file id, with Approve / Reject. */
  private async forwardToAdmins(ctx: FeatureContext, transfer: OpenTransfer): Promise<void> {
    const chat = await this.adminChat.of(ctx.botId);
    if (!chat) {
      this.logger.warn(`bot ${ctx.botId} has no admin_chat_id: the receipt of transfer ${transfer.paymentId} waits unseen`);
      return;
    }
    const [plan, cards] = await Promise.all([this.subscriptions.plan(ctx.botId, transfer.planId).catch(() => null), this.cards.state(ctx.botId)]);
    const card = cards.cards.find((c) => c.cardId === transfer.cardId);
    const member = [ctx.member.firstName, ctx.member.lastName].filter(Boolean).join(' ') + (ctx.member.username ? ` @${ctx.member.username}` : '');
    const caption = ctx.t('card-review', {
      tracking: formatTrackingNumber(transfer.trackingNumber),
      plan: plan ? planTextIn(plan.view, ctx.language).name : '',
      amount: formatMinorUnits(transfer.amount, transfer.currency),
      card: card ? `${maskCardNumber(card.number)} (${card.bank})` : '',
      member,
      memberId: transfer.telegramUserId,
      receipt: transfer.receipt?.text ?? '',
    });
    const keyboard = new InlineKeyboard()
      .text(ctx.t('card-review-approve'), reviewButtons.encode('ok', transfer.paymentId))
      .text(ctx.t('card-review-reject'), reviewButtons.encode('no', transfer.paymentId));
    const target = { chatId: chat.chatId, ...(chat.threadId ? { threadId: chat.threadId } : {}), keyboard };
    const fileId = transfer.receipt?.fileId;
    if (transfer.receipt?.kind === 'photo' && fileId) ctx.sendPhoto(fileId, { ...target, caption });
    else if (transfer.receipt?.kind === 'document' && fileId) ctx.sendDocument(fileId, { ...target, caption });
    else ctx.reply(caption, target);
  }

  private reviewer(ctx: FeatureContext): Reviewer {
    return { botId: ctx.botId, telegramUserId: ctx.telegramUserId, isAdmin: ctx.isAdmin };
  }

  private async press(ctx: FeatureContext): Promise<void> {
    const [paymentId = ''] = ctx.callback?.args ?? [];
    const action = ctx.callback?.action;
    if (!ctx.isAdmin) {
      ctx.answerCallback(ctx.t('card-review-not-admin'), { alert: true });
      return;
    }
    if (!UUID.test(paymentId) || (action !== 'ok' && action !== 'no')) {
      ctx.answerCallback(ctx.t('card-review-unknown'), { alert: true });
      return;
    }
    try {
      if (action === 'ok') await this.approve(ctx, paymentId);
      else {
        const transfer = await this.review.rejectable(this.reviewer(ctx), paymentId);
        ctx
          .answerCallback()
          .reply(ctx.t('card-review-reason-ask', { tracking: formatTrackingNumber(transfer.trackingNumber) }))
          .enterStep(REASON_STEP, { paymentId });
      }
    } catch (error) {
      await this.refused(ctx, error, paymentId);
    }
  }

  private async approve(ctx: FeatureContext, paymentId: string): Promise<void> {
    const { transfer, completed } = await this.review.approve(this.reviewer(ctx), paymentId);
    const tracking = formatTrackingNumber(transfer.trackingNumber);
    // Only the approval whose grant changed something speaks: a second press (or the loser of a race) is quiet.
    if (!completed.granted) {
      ctx.answerCallback(ctx.t('card-review-already-approved', { tracking }), { alert: true });
      return;
    }
    const plan = await this.subscriptions.plan(ctx.botId, completed.planId).catch(() => null);
    const name = plan ? planTextIn(plan.view, transfer.language).name : '';
    const told =
      plan?.view.definition?.credits !== undefined
        ? paymentsTranslate(transfer.language, 'card-approved-credits', { tracking, plan: name, credits: completed.subscription.credits ?? 0 })
        : paymentsTranslate(transfer.language, 'card-approved', { tracking, plan: name, end: formatMoment(completed.subscription.endsAt ?? '', ctx.timeZone) });
    ctx
      .answerCallback(ctx.t('card-review-approved', { tracking, admin: adminName(ctx) }))
      .reply(ctx.t('card-review-approved', { tracking, admin: adminName(ctx) }))
      .reply(told, { chatId: transfer.telegramUserId });
  }

  private async reason(ctx: FeatureContext): Promise<void> {
    const paymentId = ctx.step?.data?.paymentId ?? '';
    // In a group the step is the chat's: a member who is no admin cannot answer it for them.
    if (!ctx.isAdmin) {
      ctx.enterStep(REASON_STEP, { paymentId });
      return;
    }
    ctx.leaveStep();
    const reason = (ctx.step?.text ?? '').trim();
    try {
      const { transfer, rejected } = await this.review.reject(this.reviewer(ctx), paymentId, reason);
      const tracking = formatTrackingNumber(transfer.trackingNumber);
      if (!rejected) {
        ctx.reply(ctx.t('card-review-already-rejected', { tracking }));
        return;
      }
      ctx
        .reply(ctx.t('card-review-rejected', { tracking, admin: adminName(ctx), reason }))
        .reply(paymentsTranslate(transfer.language, 'card-rejected', { tracking, reason }), { chatId: transfer.telegramUserId });
    } catch (error) {
      await this.refused(ctx, error, paymentId);
    }
  }

  /** A typed refusal, in the admin's language: as an alert under a press, else as a message. */
  private async refused(ctx: FeatureContext, error: unknown, paymentId: string): Promise<void> {
    if (!(error instanceof PaymentsError) || error.code === 'PAYMENTS.DEPENDENCY_UNAVAILABLE') throw error;
    const transfer = await this.review.transfer(ctx.botId, paymentId).catch(() => null);
    const tracking = transfer ? formatTrackingNumber(transfer.trackingNumber) : '';
    const key =
      error.code === 'PAYMENTS.NOT_AN_ADMIN'
        ? 'card-review-not-admin'
        : error.code === 'PAYMENTS.TRANSFER_ALREADY_REVIEWED' || error.code === 'PAYMENTS.RECEIPT_NOT_AWAITED'
          ? transfer?.status === 'approved'
            ? 'card-review-already-approved'
            : transfer?.status === 'rejected'
              ? 'card-review-already-rejected'
              : 'card-review-no-receipt'
          : error.code === 'PAYMENTS.RECEIPT_MISSING'
            ? 'card-review-no-receipt'
            : 'card-review-unknown';
    const text = ctx.t(key, { tracking });
    if (ctx.callback) ctx.answerCallback(text, { alert: true });
    else ctx.reply(text);
  }
}

function adminName(ctx: FeatureContext): string {
  return ctx.member.username ? `@${ctx.member.username}` : ctx.member.firstName || ctx.telegramUserId;
}
