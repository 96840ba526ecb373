import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import type { OnModuleDestroy } from '@nestjs/common';
import type { RenewalFailureReason } from './subscription.decider.js';
import { renewalFailureOf } from './wallet-renewal.js';

/** What payments answered a renewal: charged (now, or by an earlier call with the key), or why not. */
export type WalletRenewalCharge =
  | { readonly charged: { readonly paymentId: string; readonly currency: string; readonly amount: string; readonly now: boolean } }
  | { readonly failed: RenewalFailureReason; readonly detail: string };

/** Asks payments to charge a period's renewal from the member's wallet (`rpc.payments.renew-from-wallet`), once per renewal key. */
export class WalletRenewalClient implements OnModuleDestroy {
  constructor(private readonly rpc: RpcClient) {}

  async charge(input: { botId: string; telegramUserId: number; planId: string; renewalKey: string }): Promise<WalletRenewalCharge> {
    try {
      const reply = await this.rpc.call(RPC.payments.renewFromWallet, { ...input, telegramUserId: String(input.telegramUserId) });
      return {
        charged: {
          paymentId: reply.payment?.paymentId ?? '',
          currency: reply.payment?.currency ?? '',
          amount: String(reply.payment?.amount ?? '0'),
          now: reply.chargedNow === true,
        },
      };
    } catch (error) {
      // A refusal has its code; anything else (no responder, a timeout) is payments being unavailable.
      const code = error instanceof RpcCallError ? error.code : undefined;
      return { failed: renewalFailureOf(code), detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.rpc.close();
  }
}
