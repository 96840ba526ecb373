import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type InvoiceJson } from '@botplatform/contracts';
import type { OnModuleDestroy } from '@nestjs/common';

/** What "Buy" gets from the payments service: the invoice to send, or why there is none. */
export type StarsOrder = { readonly invoice: InvoiceJson } | { readonly refused: 'plan_gone' | 'unavailable' };

/** The providers besides Stars /plans offers a button for; payments' ids (`create-payment`'s `provider`). */
export const OFFERED_PROVIDERS = ['telegram-fiat', 'crypto-pay'] as const;
export type OfferedProvider = (typeof OFFERED_PROVIDERS)[number];

export const isOfferedProvider = (value: string): value is OfferedProvider => (OFFERED_PROVIDERS as readonly string[]).includes(value);

/** How a plan can be paid besides "Buy" (Stars) and the wallet, as payments answers it. */
export interface PaymentMethods {
  readonly cardTransfer: boolean;
  readonly providers: readonly OfferedProvider[];
}

/**
 * What a provider's button got from payments: an invoice to send (Telegram Payments with the bot's
 * provider token) or the provider's page to open (Crypto Pay), or why there is neither: `plan_gone`,
 * `provider_gone` (the bot turned the provider off, or it cannot price the plan any more), `unavailable`.
 */
export type ProviderOrder =
  | { readonly invoice: InvoiceJson }
  | { readonly payUrl: string }
  | { readonly refused: 'plan_gone' | 'provider_gone' | 'unavailable' };

/** What "Pay from wallet" got: the amount taken and the subscription after the grant, or why nothing was taken. */
export type WalletPayment =
  | { readonly currency: string; readonly amount: string; readonly endsAt?: string; readonly credits?: number }
  | { readonly refused: 'plan_gone' | 'insufficient' | 'unavailable' };

/**
 * Orders a plan from the payments service (`rpc.payments.create-payment`), which owns payments: it reads
 * the plan's price back from this service, stores the pending payment and answers the Stars invoice
 * with its payment id in the payload.
 */
export class PaymentsClient implements OnModuleDestroy {
  constructor(private readonly rpc: RpcClient) {}

  async orderStars(input: { botId: string; telegramUserId: string; planId: string; language: string }): Promise<StarsOrder> {
    try {
      const reply = await this.rpc.call(RPC.payments.createPayment, input);
      return reply.invoice ? { invoice: reply.invoice } : { refused: 'unavailable' };
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.PLAN_NOT_FOR_SALE') return { refused: 'plan_gone' };
      // Payments away (no responder, a timeout) or failing: nothing was ordered, nothing charged.
      return { refused: 'unavailable' };
    }
  }

  /** Pays the plan from the member's wallet: what was paid and the subscription's end or credits, or why not. */
  async payFromWallet(input: { botId: string; telegramUserId: string; planId: string }): Promise<WalletPayment> {
    try {
      const reply = await this.rpc.call(RPC.payments.payFromWallet, input);
      return {
        currency: reply.payment?.currency ?? '',
        amount: String(reply.payment?.amount ?? '0'),
        ...(reply.endsAt ? { endsAt: reply.endsAt } : {}),
        ...(reply.credits !== undefined ? { credits: Number(reply.credits) } : {}),
      };
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.INSUFFICIENT_BALANCE') return { refused: 'insufficient' };
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.PLAN_NOT_FOR_SALE') return { refused: 'plan_gone' };
      return { refused: 'unavailable' };
    }
  }

  /**
   * The member's renewal switch, first in Telegram when the member has a Stars subscription (payments
   * cancels or re-enables it there): `done` (or nothing of Telegram's to switch), `canceled_by_member`
   * (only the member can re-enable it, in Telegram) or `unavailable` (payments could not be asked: nothing
   * switched, so Telegram and this service do not disagree). A platform without the payments service
   * sold no Stars subscription, so its absence (no handler) switches here alone.
   */
  async switchStarRenewal(input: { botId: string; telegramUserId: string; on: boolean }): Promise<'done' | 'canceled_by_member' | 'unavailable'> {
    try {
      await this.rpc.call(RPC.payments.switchStarRenewal, input);
      return 'done';
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.CANCELED_BY_MEMBER') return 'canceled_by_member';
      if (error instanceof RpcCallError && error.code === 'RPC.NO_HANDLER') return 'done';
      return 'unavailable';
    }
  }

  /**
   * How payments offers the plan besides Stars: card transfer (the bot has an active card its price is in)
   * and the bot's enabled providers that can price it; nothing when payments cannot be asked.
   */
  async paymentMethods(botId: string, planId: string): Promise<PaymentMethods> {
    try {
      const reply = await this.rpc.call(RPC.payments.getPaymentMethods, { botId, planId });
      return { cardTransfer: reply.cardTransfer === true, providers: (reply.providers ?? []).filter(isOfferedProvider) };
    } catch {
      return { cardTransfer: false, providers: [] };
    }
  }

  /**
   * Orders the plan through one of the bot's providers (`create-payment` with `provider`): payments stores
   * the pending payment and answers the invoice or the page to pay on; its pre-checkout and
   * `successful_payment` (fiat) or the provider's signed webhook (Crypto Pay) complete it and grant the plan.
   */
  async orderFromProvider(input: {
    botId: string;
    telegramUserId: string;
    planId: string;
    language: string;
    provider: OfferedProvider;
  }): Promise<ProviderOrder> {
    try {
      const reply = await this.rpc.call(RPC.payments.createPayment, input);
      if (reply.invoice) return { invoice: reply.invoice };
      return reply.payUrl ? { payUrl: reply.payUrl } : { refused: 'unavailable' };
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.PLAN_NOT_FOR_SALE') return { refused: 'plan_gone' };
      if (error instanceof RpcCallError && (error.code === 'PAYMENTS.PROVIDER_NOT_ENABLED' || error.code === 'PAYMENTS.PROVIDER_CANNOT_PRICE'))
        return { refused: 'provider_gone' };
      // Payments away, or the provider refused or could not be reached (the payment is then failed): nothing charged.
      return { refused: 'unavailable' };
    }
  }

  /**
   * Hands the member over to card transfer: payments picks the card, stores the pending payment and
   * answers the screen (card, amount, tracking number); the receipt then goes to payments.
   */
  async startCardTransfer(input: {
    botId: string;
    telegramUserId: string;
    planId: string;
    language: string;
  }): Promise<{ text: string } | { refused: 'plan_gone' | 'unavailable' }> {
    try {
      const reply = await this.rpc.call(RPC.payments.startCardTransfer, input);
      return reply.text ? { text: reply.text } : { refused: 'unavailable' };
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'PAYMENTS.PLAN_NOT_FOR_SALE') return { refused: 'plan_gone' };
      return { refused: 'unavailable' };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.rpc.close();
  }
}
