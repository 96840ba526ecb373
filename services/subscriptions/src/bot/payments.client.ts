import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type InvoiceJson } from '@botplatform/contracts';
import type { OnModuleDestroy } from '@nestjs/common';

/** What "Buy" gets from the payments service: the invoice to send, or why there is none. */
export type StarsOrder = { readonly invoice: InvoiceJson } | { readonly refused: 'plan_gone' | 'unavailable' };

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

  /** True when payments offers card transfer for the plan (the bot has an active card its price is in); false when it cannot be asked. */
  async cardTransferOffered(botId: string, planId: string): Promise<boolean> {
    try {
      return (await this.rpc.call(RPC.payments.getPaymentMethods, { botId, planId })).cardTransfer === true;
    } catch {
      return false;
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
