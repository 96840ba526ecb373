import type { Message, StarAmount, StarTransaction } from 'grammy/types';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import { badRequest, TelegramErrors } from '../errors/telegram-api.error.js';
import { randomNumericId, starChargeId } from '../state/random-ids.js';
import type { ConversationRecord, UserRecord } from '../state/sandbox-records.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { copyWireObject, userObject } from '../state/wire-objects.js';
import { randomId } from '../files/file-store.js';
import type { IncomingMessageDelivery } from '../users/incoming-message.delivery.js';
import type { InvoiceTerms } from './invoice-arguments.parser.js';

/** Telegram's price of a message sent with `allow_paid_broadcast`: 0.1 Star, in tenths. */
const PAID_BROADCAST_TENTHS = 1;

/** An invoice a bot issued, as a message or as a link. */
export interface InvoiceRecord extends InvoiceTerms {
  id: string;
  botId: number;
  /** Slug of `https://t.me/$<slug>` for createInvoiceLink invoices. */
  linkSlug?: string;
}

/** How paying an invoice ended, from the user's point of view. */
export type PaymentOutcome =
  | { status: 'paid'; chargeId: string; message: Message }
  | { status: 'declined'; errorMessage: string }
  | { status: 'timeout' }
  | { status: 'insufficient_stars'; balance: number; price: number };

/** A successful charge; refunds and subscription edits refer to it by `chargeId`. */
export interface ChargeRecord {
  chargeId: string;
  botId: number;
  userId: number;
  invoice: InvoiceRecord;
  amount: number;
  currency: string;
  date: number;
  refunded: boolean;
  subscriptionId?: string;
  conversationKey: string;
}

/** A Stars subscription created by paying a subscription invoice link. */
export interface SubscriptionRecord {
  id: string;
  botId: number;
  userId: number;
  invoice: InvoiceRecord;
  /** Unix time the paid period ends. */
  expiresAt: number;
  canceledBy?: 'bot' | 'user';
  /** Ended: cancelled and expired, refunded, or the user could not pay a renewal. */
  ended: boolean;
  chargeIds: string[];
  conversationKey: string;
}

/** A renewal that happened (or failed) while simulated time advanced. */
export interface RenewalRecord {
  subscriptionId: string;
  botId: number;
  userId: number;
  /** Set when the renewal was charged. */
  chargeId?: string;
  status: 'renewed' | 'expired' | 'insufficient_stars';
}

/** Charges and subscriptions point at their invoice by id, so a restored invoice stays one shared object. */
export interface PaymentsSnapshot {
  invoices: InvoiceRecord[];
  invoicesByMessage: Array<[string, string]>;
  charges: Array<Omit<ChargeRecord, 'invoice'> & { invoiceId: string }>;
  subscriptions: Array<Omit<SubscriptionRecord, 'invoice'> & { invoiceId: string }>;
  ledger: LedgerEntry[];
  /** Paid broadcast messages per bot (absent in files written before they were charged). */
  paidBroadcastMessages?: Array<[number, number]>;
}

type PreCheckoutAnswer = { ok: true } | { ok: false; errorMessage: string } | { timedOut: true };

interface PendingPreCheckout {
  botId: number;
  resolve: (answer: PreCheckoutAnswer) => void;
  timer: NodeJS.Timeout;
}

export interface LedgerEntry {
  botId: number;
  transaction: StarTransaction;
}

/**
 * Telegram Payments as bots experience them: pre-checkout within a deadline, successful_payment
 * with a unique charge id, the Stars ledger, refunds and 30-day subscriptions.
 */
export class PaymentService {
  private readonly invoices = new Map<string, InvoiceRecord>();
  private readonly invoicesByMessage = new Map<string, InvoiceRecord>();
  private readonly invoicesBySlug = new Map<string, InvoiceRecord>();
  private readonly pending = new Map<string, PendingPreCheckout>();
  private readonly chargeRecords = new Map<string, ChargeRecord>();
  private readonly subscriptionRecords = new Map<string, SubscriptionRecord>();
  private readonly ledger: LedgerEntry[] = [];
  /** Messages each bot sent with `allow_paid_broadcast`: 0.1 Star each, so the balance is kept in tenths (exact). */
  private readonly paidBroadcastMessages = new Map<number, number>();

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly incoming: IncomingMessageDelivery,
    private readonly preCheckoutTimeoutMs: number,
  ) {}

  createInvoice(botId: number, terms: InvoiceTerms, asLink: boolean): InvoiceRecord {
    const invoice: InvoiceRecord = { ...terms, id: randomId(16), botId, ...(asLink ? { linkSlug: randomId(22) } : {}) };
    this.invoices.set(invoice.id, invoice);
    if (invoice.linkSlug) this.invoicesBySlug.set(invoice.linkSlug, invoice);
    return invoice;
  }

  attachToMessage(invoice: InvoiceRecord, conversationKey: string, messageId: number): void {
    this.invoicesByMessage.set(`${conversationKey}#${messageId}`, invoice);
  }

  linkFor(invoice: InvoiceRecord): string {
    return `https://t.me/$${invoice.linkSlug}`;
  }

  findInvoiceForMessage(conversationKey: string, messageId: number): InvoiceRecord | undefined {
    return this.invoicesByMessage.get(`${conversationKey}#${messageId}`);
  }

  /** Accepts `https://t.me/$slug`, `t.me/$slug` and `https://t.me/invoice/slug`. */
  findInvoiceByLink(link: string): InvoiceRecord | undefined {
    const slug = /t\.me\/(?:\$|invoice\/)([\w-]+)/.exec(link)?.[1];
    return slug ? this.invoicesBySlug.get(slug) : undefined;
  }

  /**
   * The user presses Pay: the bot gets a pre_checkout_query and must answer in time; only an
   * `ok: true` answer charges the user and produces the successful_payment message.
   */
  async pay(invoice: InvoiceRecord, user: UserRecord, conversation: ConversationRecord): Promise<PaymentOutcome> {
    const price = invoice.totalAmount;
    if (invoice.currency === 'XTR' && user.starBalance !== undefined && user.starBalance < price) {
      return { status: 'insufficient_stars', balance: user.starBalance, price };
    }
    const bot = this.store.requireBot(invoice.botId);
    const queryId = randomNumericId();
    const answer = new Promise<PreCheckoutAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(queryId);
        resolve({ timedOut: true });
      }, this.preCheckoutTimeoutMs);
      this.pending.set(queryId, { botId: bot.id, resolve, timer });
    });
    bot.updates.push({
      pre_checkout_query: {
        id: queryId,
        from: userObject(user),
        currency: invoice.currency,
        total_amount: price,
        invoice_payload: invoice.payload,
      },
    });

    const result = await answer;
    if ('timedOut' in result) return { status: 'timeout' };
    if (!result.ok) return { status: 'declined', errorMessage: result.errorMessage };

    const isSubscription = invoice.subscriptionPeriod !== undefined;
    const subscription = isSubscription ? this.startSubscription(invoice, user, conversation) : undefined;
    const charge = this.charge(invoice, user, conversation, subscription, true);
    return { status: 'paid', chargeId: charge.chargeId, message: charge.message };
  }

  /** answerPreCheckoutQuery; unknown, foreign or expired ids fail as "query is too old". */
  answerPreCheckout(botId: number, queryId: string, ok: boolean, errorMessage: string): void {
    const pending = this.pending.get(queryId);
    if (!pending || pending.botId !== botId) throw TelegramErrors.queryTooOld();
    clearTimeout(pending.timer);
    this.pending.delete(queryId);
    pending.resolve(ok ? { ok: true } : { ok: false, errorMessage });
  }

  refund(botId: number, userId: number, chargeId: string): void {
    const charge = this.chargeRecords.get(chargeId);
    if (!charge || charge.botId !== botId || charge.userId !== userId || charge.currency !== 'XTR') {
      throw badRequest('CHARGE_NOT_FOUND');
    }
    if (charge.refunded) throw badRequest('CHARGE_ALREADY_REFUNDED');
    charge.refunded = true;
    const user = this.store.requireUser(userId);
    if (user.starBalance !== undefined) user.starBalance += charge.amount;
    if (charge.subscriptionId) {
      // A refunded subscription payment ends the subscription instead of renewing it later.
      const subscription = this.subscriptionRecords.get(charge.subscriptionId);
      if (subscription) subscription.ended = true;
    }
    this.ledger.push({
      botId,
      transaction: {
        id: chargeId,
        amount: charge.amount,
        date: this.clock.unixTime(),
        receiver: {
          type: 'user',
          transaction_type: 'invoice_payment',
          user: userObject(user),
          invoice_payload: charge.invoice.payload,
        },
      },
    });
    const conversation = this.store.findConversation(charge.conversationKey);
    if (conversation) {
      this.incoming.deliver(conversation, user, {
        refunded_payment: {
          currency: 'XTR',
          total_amount: charge.amount,
          invoice_payload: charge.invoice.payload,
          telegram_payment_charge_id: chargeId,
        },
      });
    }
  }

  /** editUserStarSubscription: the bot may cancel, and may only re-enable what it cancelled itself. */
  editSubscription(botId: number, userId: number, chargeId: string, isCanceled: boolean): void {
    const charge = this.chargeRecords.get(chargeId);
    const subscription = charge?.subscriptionId ? this.subscriptionRecords.get(charge.subscriptionId) : undefined;
    if (!charge || !subscription || charge.botId !== botId || charge.userId !== userId) throw badRequest('CHARGE_NOT_FOUND');
    if (isCanceled) {
      subscription.canceledBy ??= 'bot';
    } else if (subscription.canceledBy === 'user') {
      throw badRequest('SUBSCRIPTION_CANCELED_BY_USER');
    } else {
      subscription.canceledBy = undefined;
    }
  }

  cancelByUser(userId: number, chargeId: string): SubscriptionRecord | undefined {
    const charge = this.chargeRecords.get(chargeId);
    const subscription = charge?.subscriptionId ? this.subscriptionRecords.get(charge.subscriptionId) : undefined;
    if (!subscription || subscription.userId !== userId) return undefined;
    const wasActive = !subscription.canceledBy && !subscription.ended;
    subscription.canceledBy = 'user';
    // Telegram tells the bot (the `subscription` update) only when something changed for it.
    if (wasActive) this.notifySubscription(subscription, 'canceled');
    return subscription;
  }

  /** The user re-enables, from Telegram's UI, a subscription they cancelled themselves (before it ended). */
  resumeByUser(userId: number, chargeId: string): SubscriptionRecord | undefined {
    const charge = this.chargeRecords.get(chargeId);
    const subscription = charge?.subscriptionId ? this.subscriptionRecords.get(charge.subscriptionId) : undefined;
    if (!subscription || subscription.userId !== userId || subscription.ended || subscription.canceledBy !== 'user') return undefined;
    subscription.canceledBy = undefined;
    this.notifySubscription(subscription, 'active');
    return subscription;
  }

  /** The `subscription` update: the bot hears of a cancel, a re-enable or a renewal the user could not pay. */
  private notifySubscription(subscription: SubscriptionRecord, state: 'canceled' | 'active' | 'failed'): void {
    const bot = this.store.requireBot(subscription.botId);
    const user = this.store.requireUser(subscription.userId);
    bot.updates.push({ subscription: { user: userObject(user), invoice_payload: subscription.invoice.payload, state } });
  }

  transactions(botId: number, offset: number, limit: number): StarTransaction[] {
    return this.ledger
      .filter((entry) => entry.botId === botId)
      .slice(offset, offset + limit)
      .map((entry) => structuredClone(entry.transaction));
  }

  /**
   * The bot's Stars: its ledger less 0.1 Star per paid broadcast message, as Telegram's `StarAmount`
   * (whole Stars and the rest in nanostars, 0.1 Star = 100,000,000).
   */
  balance(botId: number): StarAmount {
    const tenths = this.balanceTenths(botId);
    const amount = Math.trunc(tenths / 10);
    const rest = tenths - amount * 10;
    return rest === 0 ? { amount } : { amount, nanostar_amount: rest * 100_000_000 };
  }

  /** The bot's balance in tenths of a Star (exact: whole Stars in the ledger, 1 tenth per paid broadcast message). */
  balanceTenths(botId: number): number {
    let stars = 0;
    for (const entry of this.ledger) {
      if (entry.botId !== botId) continue;
      stars += entry.transaction.source ? entry.transaction.amount : -entry.transaction.amount;
    }
    return stars * 10 - (this.paidBroadcastMessages.get(botId) ?? 0) * PAID_BROADCAST_TENTHS;
  }

  /** Messages the bot sent with `allow_paid_broadcast` so far. */
  paidBroadcastCount(botId: number): number {
    return this.paidBroadcastMessages.get(botId) ?? 0;
  }

  /** Refuses (400, nothing charged) a paid broadcast message the bot's balance cannot pay, as Telegram does. */
  assertCanPayBroadcast(botId: number): void {
    if (this.balanceTenths(botId) < PAID_BROADCAST_TENTHS) throw badRequest('BALANCE_TOO_LOW');
  }

  /** Charges one paid broadcast message (0.1 Star); the caller checked `assertCanPayBroadcast` in the same turn. */
  chargePaidBroadcast(botId: number): void {
    this.paidBroadcastMessages.set(botId, (this.paidBroadcastMessages.get(botId) ?? 0) + 1);
  }

  /** Stars credited to a bot from outside its users' payments (a test's top-up), as one incoming ledger entry. */
  grantStars(botId: number, stars: number): void {
    if (!Number.isInteger(stars) || stars <= 0) throw new RangeError(`a grant is a positive whole number of Stars, not ${stars}`);
    this.ledger.push({ botId, transaction: { id: `grant_${randomId(12)}`, amount: stars, date: this.clock.unixTime(), source: { type: 'other' } } });
  }

  charges(): ChargeRecord[] {
    return [...this.chargeRecords.values()];
  }

  subscriptions(): SubscriptionRecord[] {
    return [...this.subscriptionRecords.values()];
  }

  /** Charges every subscription whose paid period ended by the (simulated) current time. */
  renewDueSubscriptions(): RenewalRecord[] {
    const renewals: RenewalRecord[] = [];
    const now = this.clock.unixTime();
    const due = [...this.subscriptionRecords.values()]
      .filter((subscription) => !subscription.ended && subscription.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt);
    for (const subscription of due) {
      while (!subscription.ended && subscription.expiresAt <= now) {
        const base = { subscriptionId: subscription.id, botId: subscription.botId, userId: subscription.userId };
        if (subscription.canceledBy) {
          subscription.ended = true;
          renewals.push({ ...base, status: 'expired' });
          break;
        }
        const user = this.store.requireUser(subscription.userId);
        if (user.starBalance !== undefined && user.starBalance < subscription.invoice.totalAmount) {
          subscription.ended = true;
          renewals.push({ ...base, status: 'insufficient_stars' });
          this.notifySubscription(subscription, 'failed');
          break;
        }
        const conversation = this.store.findConversation(subscription.conversationKey);
        if (!conversation) break;
        subscription.expiresAt += subscription.invoice.subscriptionPeriod ?? 0;
        const charge = this.charge(subscription.invoice, user, conversation, subscription, false);
        renewals.push({ ...base, status: 'renewed', chargeId: charge.chargeId });
      }
    }
    return renewals;
  }

  /** Pending pre-checkouts are left out: their payer is an HTTP request that a restart ends anyway. */
  snapshot(): PaymentsSnapshot {
    const withInvoiceId = <T extends { invoice: InvoiceRecord }>({ invoice, ...rest }: T) => ({ ...rest, invoiceId: invoice.id });
    return structuredClone({
      invoices: [...this.invoices.values()],
      invoicesByMessage: [...this.invoicesByMessage].map(([key, invoice]): [string, string] => [key, invoice.id]),
      charges: [...this.chargeRecords.values()].map(withInvoiceId),
      subscriptions: [...this.subscriptionRecords.values()].map(withInvoiceId),
      ledger: this.ledger,
      paidBroadcastMessages: [...this.paidBroadcastMessages],
    });
  }

  restore(snapshot: PaymentsSnapshot): void {
    const invoiceOf = (id: string): InvoiceRecord => {
      const invoice = this.invoices.get(id);
      if (!invoice) throw new Error(`The state file names invoice ${id} but does not hold it`);
      return invoice;
    };
    for (const invoice of snapshot.invoices) {
      this.invoices.set(invoice.id, invoice);
      if (invoice.linkSlug) this.invoicesBySlug.set(invoice.linkSlug, invoice);
    }
    for (const [key, invoiceId] of snapshot.invoicesByMessage) this.invoicesByMessage.set(key, invoiceOf(invoiceId));
    for (const { invoiceId, ...charge } of snapshot.charges) this.chargeRecords.set(charge.chargeId, { ...charge, invoice: invoiceOf(invoiceId) });
    for (const { invoiceId, ...subscription } of snapshot.subscriptions) {
      this.subscriptionRecords.set(subscription.id, { ...subscription, invoice: invoiceOf(invoiceId) });
    }
    this.ledger.push(...snapshot.ledger);
    for (const [botId, count] of snapshot.paidBroadcastMessages ?? []) this.paidBroadcastMessages.set(botId, count);
  }

  /** Ends pending pre-checkouts as timed out so nothing waits past the sandbox's life. */
  stop(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ timedOut: true });
      this.pending.delete(id);
    }
  }

  private startSubscription(invoice: InvoiceRecord, user: UserRecord, conversation: ConversationRecord): SubscriptionRecord {
    const subscription: SubscriptionRecord = {
      id: randomId(12),
      botId: invoice.botId,
      userId: user.id,
      invoice,
      expiresAt: this.clock.unixTime() + (invoice.subscriptionPeriod ?? 0),
      ended: false,
      chargeIds: [],
      conversationKey: conversation.key,
    };
    this.subscriptionRecords.set(subscription.id, subscription);
    return subscription;
  }

  private charge(
    invoice: InvoiceRecord,
    user: UserRecord,
    conversation: ConversationRecord,
    subscription: SubscriptionRecord | undefined,
    isFirst: boolean,
  ): ChargeRecord & { message: Message } {
    const chargeId = invoice.currency === 'XTR' ? starChargeId() : `${randomNumericId()}_${randomId(8)}`;
    if (invoice.currency === 'XTR' && user.starBalance !== undefined) user.starBalance -= invoice.totalAmount;
    const stored = this.incoming.deliver(conversation, user, {
      successful_payment: {
        currency: invoice.currency,
        total_amount: invoice.totalAmount,
        invoice_payload: invoice.payload,
        ...(subscription
          ? {
              subscription_expiration_date: subscription.expiresAt,
              is_recurring: true as const,
              ...(isFirst ? { is_first_recurring: true as const } : {}),
            }
          : {}),
        telegram_payment_charge_id: chargeId,
        provider_payment_charge_id: invoice.currency === 'XTR' ? '' : `sandbox_${randomId(16)}`,
      },
    });
    const record: ChargeRecord = {
      chargeId,
      botId: invoice.botId,
      userId: user.id,
      invoice,
      amount: invoice.totalAmount,
      currency: invoice.currency,
      date: this.clock.unixTime(),
      refunded: false,
      subscriptionId: subscription?.id,
      conversationKey: conversation.key,
    };
    this.chargeRecords.set(chargeId, record);
    subscription?.chargeIds.push(chargeId);
    if (invoice.currency === 'XTR') {
      this.ledger.push({
        botId: invoice.botId,
        transaction: {
          id: chargeId,
          amount: invoice.totalAmount,
          date: record.date,
          source: {
            type: 'user',
            transaction_type: 'invoice_payment',
            user: userObject(user),
            invoice_payload: invoice.payload,
            ...(invoice.subscriptionPeriod ? { subscription_period: invoice.subscriptionPeriod } : {}),
          },
        },
      });
    }
    return { ...record, message: copyWireObject(stored.message) };
  }
}
